/* SPDX-License-Identifier: MIT */
/*
 * tests/t_ring_altstack.c - ring writes of odd-size events from a signal
 * handler running on a small alternate stack.
 *
 * A writer stages header, payload and terminator on its stack: a 52-byte
 * payload must take a few hundred bytes there, not the largest event.  The alternate
 * stack is the kernel's signal frame size (AT_MINSIGSTKSZ) plus 3 KiB, with a
 * PROT_NONE page below it: a staging buffer sized for
 * PERCPU_RING_MAX_PAYLOAD (4 KiB) cannot fit whatever the frame size, and
 * overflowing hits the guard page.  The handler runs in a
 * child, so an overflow shows as a child killed by SIGSEGV.
 *
 * Under AddressSanitizer stack frames are several times larger and the
 * check means nothing: skipped.
 *
 * Usage: t_ring_altstack [libc|own|fallback|seccomp]
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include <percpu/percpu.h>
#include "testutil.h"
#include "ringutil.h"

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif

#define RECORD_SIZE	52
#define MAX_ALTSTACK	(64 * 1024)
#define PER_SIGNAL	8
#define SIGNALS		16

struct rec {
	unsigned char b[RECORD_SIZE];
};

static struct percpu_ring ring;
static volatile sig_atomic_t written, failed;

static void on_usr1(int sig)
{
	/* Aligned by the compiler, but 52 bytes: the padded copy. */
	struct rec r;

	(void)sig;
	for (int i = 0; i < PER_SIGNAL; i++) {
		memset(r.b, (unsigned char)(written + 1), sizeof(r.b));
		if ((i & 1 ? percpu_ring_write(&ring, 1, &r, sizeof(r)) : _percpu_ring_write(&ring, 1, &r, sizeof(r))) == 0)
			written++;
		else
			failed++;
	}
}

/* Child: returns the exit status the parent checks (0: all good). */
static int child(size_t stack_size)
{
	long page = sysconf(_SC_PAGESIZE);
	/* Room to raise the size to what sigaltstack(2) accepts (below). */
	size_t len = (size_t)page + (MAX_ALTSTACK + (size_t)page - 1) / (size_t)page * (size_t)page;
	char *mem = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct sigaction sa;
	stack_t ss;
	int seen[SIGNALS * PER_SIGNAL + 1] = { 0 }, bad = 0;

	if (mem == MAP_FAILED || mprotect(mem, (size_t)page, PROT_NONE) != 0)
		return 10;
	/* The stack grows down from ss_sp + ss_size toward the guard page. */
	ss.ss_sp = mem + page;
	ss.ss_size = stack_size;
	ss.ss_flags = 0;
	/*
	 * The kernel refuses a stack under its own MINSIGSTKSZ, which can be
	 * more than the frame it reports plus 3 KiB (powerpc64: 8 KiB for a
	 * 2.5 KiB frame): take the smallest size it accepts, in 1 KiB steps.
	 */
	while (sigaltstack(&ss, NULL) != 0) {
		if (errno != ENOMEM || ss.ss_size + 1024 > MAX_ALTSTACK)
			return 11;
		ss.ss_size += 1024;
	}
	if (ss.ss_size != stack_size) {
		printf("# alternate stack raised to %zu bytes: sigaltstack's minimum\n", ss.ss_size);
		fflush(stdout);
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1;
	sa.sa_flags = SA_ONSTACK;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);

	for (int i = 0; i < SIGNALS; i++)
		raise(SIGUSR1);
	if (failed || written != SIGNALS * PER_SIGNAL)
		return 12;
	/* Every record, intact, on whichever CPU took it. */
	for (unsigned int cpu = 0; cpu < percpu_nr_cpus(); cpu++) {
		struct rec r;

		while (ring_read_rec(&ring, cpu, &r, sizeof(r)) == 1) {
			for (size_t k = 1; k < sizeof(r.b); k++)
				bad |= r.b[k] != r.b[0];
			if (r.b[0] == 0 || r.b[0] > SIGNALS * PER_SIGNAL || seen[r.b[0]]++)
				bad = 1;
		}
	}
	for (int i = 1; i <= SIGNALS * PER_SIGNAL; i++)
		bad |= seen[i] != 1;
	return bad ? 13 : 0;
}

int main(int argc, char **argv)
{
	struct test_mode m = test_mode_setup(argc, argv);
#ifdef _SC_MINSIGSTKSZ
	long frame = sysconf(_SC_MINSIGSTKSZ);
#else
	long frame = MINSIGSTKSZ;	/* musl: no sysconf() name for it */
#endif
	size_t stack_size;
	int status;
	pid_t pid;

#ifdef UNDER_ASAN
	skip_all("AddressSanitizer enlarges stack frames: the stack bound means nothing");
#endif
	if (frame <= 0)
		frame = 2048;
	stack_size = ((size_t)frame + 3072 + 15) & ~(size_t)15;
	plan(3);
	diag("mode %s, signal frame %ld bytes, alternate stack %zu bytes", m.name, frame,
	     stack_size);
	/* 16 KiB per CPU: the 128 events (72 bytes each) fit whichever CPU takes them. */
	ok(percpu_ring_init(&ring, 2 * PERCPU_RING_MIN_BYTES, 0) == 0,
	   "ring of %d-byte records", RECORD_SIZE);
	fflush(stdout);
	pid = fork();
	if (pid == 0)
		_exit(child(stack_size));
	if (pid < 0 || waitpid(pid, &status, 0) != pid) {
		ok(0, "fork and wait for the child");
		ok(0, "the child's records");
		return exit_status();
	}
	ok(WIFEXITED(status),
	   "%d handlers writing %d-byte records on a %zu-byte alternate stack survive%s%s",
	   SIGNALS, RECORD_SIZE, stack_size, WIFSIGNALED(status) ? ": killed by " : "",
	   WIFSIGNALED(status) ? strsignal(WTERMSIG(status)) : "");
	ok(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	   "every record written once and read back intact (child status %d)",
	   WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	percpu_ring_destroy(&ring);
	return exit_status();
}
