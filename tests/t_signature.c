/* SPDX-License-Identifier: MIT */
/*
 * tests/t_signature.c - the rseq signature is a security property: the
 * kernel jumps to an abort handler only if the 4 bytes before it hold the
 * signature the thread registered with, and kills the thread otherwise, so
 * a forged descriptor cannot redirect control flow to arbitrary code.
 *
 * A child process publishes its own critical section (emitted here, in the
 * shape arch/x86_64/sequences.h uses) and spins inside it until a timer
 * signal arrives, which makes the kernel abort the section:
 *   right signature: the signal handler runs, then the abort handler, and
 *                    the child exits normally;
 *   wrong signature: the kernel kills the child with SIGSEGV.
 *
 * Usage: t_signature [libc|own|fallback|seccomp]; skips where the thread
 * has no rseq area (fallback) and on architectures other than x86_64.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>

#include <percpu/percpu.h>
#include "testutil.h"

#if defined(__x86_64__)

static volatile sig_atomic_t alarms;

static void on_alarm(int sig)
{
	(void)sig;
	alarms++;
}

#define STR_(x)	#x
#define STR(x)	STR_(x)

/*
 * Spin @spins times inside a critical section whose abort handler is
 * preceded by @sig.  Returns 1 if the kernel aborted the section, 0 if the
 * loop ran to its end.  The descriptor: version, flags, start_ip,
 * post_commit_offset, abort_ip.
 */
#define SECTION(name, sig)						\
static int name(struct percpu_rseq_abi *rs, unsigned long spins)	\
{									\
	__asm__ __volatile__ goto(					\
		".pushsection __rseq_cs, \"aw\"\n\t"			\
		".balign 32\n\t"					\
		"3:\n\t"						\
		".long 0x0, 0x0\n\t"					\
		".quad 1f, (2f - 1f), 4f\n\t"				\
		".popsection\n\t"					\
		"movq %[spins], %%rcx\n\t"				\
		"leaq 3b(%%rip), %%rax\n\t"				\
		"movq %%rax, " STR(PERCPU_RSEQ_OFF_RSEQ_CS) "(%[rs])\n\t" \
		"1:\n\t"						\
		"decq %%rcx\n\t"					\
		"jnz 1b\n\t"						\
		"2:\n\t"						\
		".pushsection __rseq_failure, \"ax\"\n\t"		\
		".byte 0x0f, 0xb9, 0x3d\n\t"				\
		".long " STR(sig) "\n\t"				\
		"4:\n\t"						\
		"jmp %l[abort]\n\t"					\
		".popsection\n\t"					\
		: /* no outputs */					\
		: [rs] "r" (rs), [spins] "r" (spins)			\
		: "memory", "cc", "rax", "rcx"				\
		: abort);						\
	return 0;							\
abort:									\
	return 1;							\
}

SECTION(section_right_sig, PERCPU_RSEQ_SIG)
/* One bit off: the smallest forgery. */
SECTION(section_wrong_sig, (PERCPU_RSEQ_SIG ^ 0x1))

/*
 * The child: tell the parent (byte 'S' on @fd) when it enters the section,
 * then 'A' if it came back through the abort handler, 'N' if not.
 */
static void child(int fd, int wrong)
{
	struct sigaction sa = { .sa_handler = on_alarm };
	struct itimerval tv = { { 0, 5000 }, { 0, 5000 } };
	struct rlimit nocore = { 0, 0 };
	struct percpu_rseq_abi *rs = percpu_rseq_area();
	int aborted;

	if (percpu_rseq_is_fallback(rs))
		_exit(77);
	setrlimit(RLIMIT_CORE, &nocore);
	/* The kernel's SIGSEGV must kill, not land in a sanitizer's handler. */
	signal(SIGSEGV, SIG_DFL);
	sigaction(SIGALRM, &sa, NULL);
	setitimer(ITIMER_REAL, &tv, NULL);
	if (write(fd, "S", 1) != 1)
		_exit(3);
	/* About 10 s of spinning at most: far longer than the 5 ms timer. */
	aborted = wrong ? section_wrong_sig(rs, 1ul << 35) : section_right_sig(rs, 1ul << 35);
	if (write(fd, aborted ? "A" : "N", 1) != 1)
		_exit(3);
	/* ThreadSanitizer runs handlers late, at its next interception. */
	for (int i = 0; i < 1000 && !alarms; i++)
		usleep(1000);
	_exit(aborted && alarms > 0 ? 0 : 1);
}

/* Run a child; returns its wait status and what it wrote in @out. */
static int run_child(int wrong, char *out, size_t outlen)
{
	int fds[2], status = 0;
	size_t n = 0;
	ssize_t r;
	pid_t pid;

	if (pipe(fds) != 0)
		return -1;
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		close(fds[0]);
		child(fds[1], wrong);
	}
	close(fds[1]);
	while (n + 1 < outlen && (r = read(fds[0], out + n, outlen - 1 - n)) > 0)
		n += (size_t)r;
	out[n] = '\0';
	close(fds[0]);
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return status;
}

static const char *describe(int status, char *buf, size_t len)
{
	if (status < 0)
		snprintf(buf, len, "no child");
	else if (WIFSIGNALED(status))
		snprintf(buf, len, "killed by signal %d (%s)", WTERMSIG(status),
			 strsignal(WTERMSIG(status)));
	else
		snprintf(buf, len, "exited %d", WEXITSTATUS(status));
	return buf;
}

int main(int argc, char **argv)
{
	struct test_mode m = test_mode_setup(argc, argv);
	struct percpu_rseq_info info;
	char out[16], why[64];
	int st;

	if (m.mode == PERCPU_MODE_FALLBACK)
		skip_all("mode %s: the thread has no rseq area, so no signature to check", m.name);
	percpu_rseq_get_info(&info);
	plan(4);
	ok(info.signature == PERCPU_RSEQ_SIG && percpu_rseq_mode() == m.mode,
	   "mode %s, registered with signature 0x%08x", m.name, info.signature);

	st = run_child(0, out, sizeof(out));
	ok(st >= 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0 && strcmp(out, "SA") == 0,
	   "right signature: the aborted section returns through its abort handler (%s, "
	   "wrote \"%s\")", describe(st, why, sizeof(why)), out);

	st = run_child(1, out, sizeof(out));
	ok(st >= 0 && WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV && strcmp(out, "S") == 0,
	   "wrong signature: the kernel kills the process with SIGSEGV when it aborts the "
	   "section (%s, wrote \"%s\")", describe(st, why, sizeof(why)), out);

	/* The parent's own thread is unharmed, its sequences still work. */
	{
		struct percpu_counter c;
		int64_t sum = 0;

		percpu_counter_init(&c, 0);
		percpu_counter_add(&c, 3);
		percpu_counter_sum(&c, &sum);
		ok(sum == 3, "the parent's sequences still work (sum %lld)", (long long)sum);
		percpu_counter_destroy(&c);
	}
	return exit_status();
}

#else

int main(void)
{
	skip_all("the forged abort handler is written for x86_64 only");
}

#endif
