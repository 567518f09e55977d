/* SPDX-License-Identifier: MIT */
/*
 * tests/testutil.h - run a test program in one of the registration modes.
 *
 *   libc      glibc registers the area (the default on glibc >= 2.35)
 *   own       GLIBC_TUNABLES=glibc.pthread.rseq=0: libpercpu registers its own
 *   fallback  PERCPU_DISABLE_RSEQ=1: sched_getcpu() and atomics
 *   seccomp   a seccomp filter makes rseq(2) fail with ENOSYS
 *   nosys     as is, where rseq(2) already fails with ENOSYS (valgrind,
 *             qemu-user): the fallback, for that reason
 *
 * Modes that need the environment set before libc starts re-execute the
 * program with it.
 */
#ifndef PERCPU_TESTS_TESTUTIL_H
#define PERCPU_TESTS_TESTUTIL_H

#define _GNU_SOURCE
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
/*
 * musl's compiler wrapper (Debian's musl-gcc) sees no kernel headers: the
 * few seccomp and BPF definitions the filter needs are then spelled out
 * here (kernel ABI, <linux/filter.h>, <linux/bpf_common.h>,
 * <linux/seccomp.h>), so that the seccomp mode runs with musl too.
 */
#if defined(__has_include)
#if __has_include(<linux/filter.h>) && __has_include(<linux/seccomp.h>)
#define PERCPU_TEST_KERNEL_HEADERS 1
#endif
#else
#define PERCPU_TEST_KERNEL_HEADERS 1
#endif
#ifdef PERCPU_TEST_KERNEL_HEADERS
#include <linux/filter.h>
#include <linux/seccomp.h>
#else
#include <stdint.h>
struct sock_filter {
	uint16_t code;
	uint8_t jt;
	uint8_t jf;
	uint32_t k;
};
struct sock_fprog {
	unsigned short len;
	struct sock_filter *filter;
};
struct seccomp_data {
	int nr;
	uint32_t arch;
	uint64_t instruction_pointer;
	uint64_t args[6];
};
#define BPF_LD			0x00
#define BPF_JMP			0x05
#define BPF_RET			0x06
#define BPF_W			0x00
#define BPF_ABS			0x20
#define BPF_JEQ			0x10
#define BPF_K			0x00
#define BPF_STMT(code, k)	{ (uint16_t)(code), 0, 0, k }
#define BPF_JUMP(code, k, jt, jf) { (uint16_t)(code), jt, jf, k }
#define SECCOMP_MODE_FILTER	2
#define SECCOMP_RET_ERRNO	0x00050000U
#define SECCOMP_RET_ALLOW	0x7fff0000U
#endif

#include <percpu/rseq.h>
#include "tap.h"

struct test_mode {
	const char *name;
	int mode;		/* expected enum percpu_rseq_mode */
	int fallback_errno;	/* expected reason in fallback mode */
};

static inline void reexec(char **argv)
{
	execv("/proc/self/exe", argv);
	printf("1..0 # SKIP cannot re-execute /proc/self/exe: %s\n", strerror(errno));
	exit(0);
}

static inline void ensure_env(const char *name, const char *value, char **argv)
{
	const char *cur = getenv(name);

	if (cur && strcmp(cur, value) == 0)
		return;
	setenv(name, value, 1);
	reexec(argv);
}

static inline int install_rseq_enosys_filter(void)
{
#ifdef __NR_rseq
	struct sock_filter filter[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_rseq, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = {
		.len = sizeof(filter) / sizeof(filter[0]),
		.filter = filter,
	};

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
		return -errno;
	if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) != 0)
		return -errno;
	return 0;
#else
	return -ENOSYS;
#endif
}

/*
 * Put the process in the mode named by argv[1] (default "libc") without
 * calling the library (for tests that watch its first call).
 */
static inline struct test_mode test_mode_env(int argc, char **argv)
{
	struct test_mode m = { argc > 1 ? argv[1] : "libc", PERCPU_MODE_LIBC, 0 };

	if (strcmp(m.name, "own") == 0) {
		ensure_env("GLIBC_TUNABLES", "glibc.pthread.rseq=0", argv);
		m.mode = PERCPU_MODE_OWN;
	} else if (strcmp(m.name, "fallback") == 0) {
		ensure_env("PERCPU_DISABLE_RSEQ", "1", argv);
		m.mode = PERCPU_MODE_FALLBACK;
		m.fallback_errno = ENOTSUP;
	} else if (strcmp(m.name, "seccomp") == 0) {
		if (!getenv("PERCPU_TEST_SECCOMP")) {
			int err = install_rseq_enosys_filter();

			if (err)
				skip_all("cannot install a seccomp filter: %s", strerror(-err));
			setenv("PERCPU_TEST_SECCOMP", "1", 1);
			reexec(argv);
		}
		m.mode = PERCPU_MODE_FALLBACK;
		m.fallback_errno = ENOSYS;
	} else if (strcmp(m.name, "nosys") == 0) {
		m.mode = PERCPU_MODE_FALLBACK;
		m.fallback_errno = ENOSYS;
	} else if (strcmp(m.name, "libc") != 0) {
		fprintf(stderr, "unknown mode %s (libc, own, fallback, seccomp, nosys)\n", m.name);
		exit(2);
	}
	return m;
}

/* Skip the whole program when the machine cannot run mode @m. */
static inline void test_mode_check(const struct test_mode *m)
{
	struct percpu_rseq_info info;

	percpu_rseq_get_info(&info);
	if (strcmp(m->name, "nosys") == 0 &&
	    (info.mode != PERCPU_MODE_FALLBACK || info.fallback_errno != ENOSYS))
		skip_all("mode nosys is for where rseq(2) fails with ENOSYS (valgrind); here the "
			 "mode is %s", percpu_rseq_mode_name(info.mode));
	/* Machines without rseq (or a libc without it) cannot run rseq modes. */
	if (m->mode == PERCPU_MODE_LIBC && info.libc_rseq_size == 0)
		skip_all("libc registered no rseq area (libc_rseq_size 0, mode %s)",
			 percpu_rseq_mode_name(info.mode));
	if (m->mode != PERCPU_MODE_FALLBACK && info.mode == PERCPU_MODE_FALLBACK &&
	    info.fallback_errno == ENOSYS)
		skip_all("the kernel has no rseq (ENOSYS)");
}

/* Put the process in the mode named by argv[1], or skip if it cannot run. */
static inline struct test_mode test_mode_setup(int argc, char **argv)
{
	struct test_mode m = test_mode_env(argc, argv);

	test_mode_check(&m);
	return m;
}

/*
 * Pin the calling thread to the first CPU of its mask, saving the mask in
 * *@saved.  Return: that CPU, or -1.
 */
static inline int pin_first(cpu_set_t *saved)
{
	cpu_set_t one;

	if (sched_getaffinity(0, sizeof(*saved), saved) != 0)
		return -1;
	for (int cpu = 0; cpu < CPU_SETSIZE; cpu++) {
		if (!CPU_ISSET(cpu, saved))
			continue;
		CPU_ZERO(&one);
		CPU_SET(cpu, &one);
		return sched_setaffinity(0, sizeof(one), &one) == 0 ? cpu : -1;
	}
	return -1;
}

/*
 * How long a stress test runs.  It runs at least PERCPU_TEST_SECS (default
 * @def), then on until it has seen what it must see (kernel aborts,
 * migrations, remote operations: each test says), but never past
 * PERCPU_TEST_MAX_SECS (default 10 times the minimum).  A busy machine
 * (or an emulator) then makes a test slower, not wrong; a test that still
 * has not seen them at the deadline fails its check with the figures.
 */
struct test_clock {
	struct timespec t0;
	double min, max;
};

static inline double test_env_secs(const char *name, double def)
{
	const char *s = getenv(name);

	return s && atof(s) > 0 ? atof(s) : def;
}

static inline double test_seconds(double def)
{
	return test_env_secs("PERCPU_TEST_SECS", def);
}

/* Start the clock: at least @min seconds, at most PERCPU_TEST_MAX_SECS or @max. */
static inline void test_clock_start(struct test_clock *c, double min, double max)
{
	c->min = min;
	c->max = test_env_secs("PERCPU_TEST_MAX_SECS", max);
	if (c->max < c->min)
		c->max = c->min;
	clock_gettime(CLOCK_MONOTONIC, &c->t0);
}

static inline double test_clock_elapsed(const struct test_clock *c)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - c->t0.tv_sec) + (now.tv_nsec - c->t0.tv_nsec) * 1e-9;
}

/*
 * Sleep 10 ms, then say whether to stop: at the deadline, or past the
 * minimum time once @seen (everything the test must see has happened).
 */
static inline int test_clock_done(const struct test_clock *c, int seen)
{
	struct timespec nap = { 0, 10 * 1000 * 1000 };
	double t;

	while (nanosleep(&nap, &nap) != 0 && errno == EINTR)
		;
	t = test_clock_elapsed(c);
	return t >= c->max || (t >= c->min && seen);
}

/*
 * Spin iterations at each injection hook of a stress test:
 * PERCPU_TEST_INJECT_LOOPS, default @def.  Where each operation costs an
 * emulator far more than its section (MIPS under qemu-system emulates rdhwr
 * for every TLS access), interrupts land outside the sections unless they
 * spin longer.
 */
static inline int test_inject_loops(int def)
{
	const char *s = getenv("PERCPU_TEST_INJECT_LOOPS");

	return s && atoi(s) > 0 ? atoi(s) : def;
}

#endif /* PERCPU_TESTS_TESTUTIL_H */
