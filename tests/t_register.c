/* SPDX-License-Identifier: MIT */
/*
 * tests/t_register.c - registration in one mode: who owns the area, double
 * registration, reference counts, features, cpu_id while pinned to each CPU,
 * many threads created and exiting, fork() from a multithreaded process, and
 * an application that registered its own area first.
 *
 * Usage: t_register [libc|own|fallback|seccomp]
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <sys/wait.h>

#include <percpu/percpu.h>
#include "testutil.h"

static struct percpu_counter counter;
static struct test_mode m;

static int expected_register_result(void)
{
	return m.mode == PERCPU_MODE_FALLBACK ? -m.fallback_errno : 0;
}

static void test_register_twice(void)
{
	int r1 = percpu_rseq_register();
	int r2 = percpu_rseq_register();

	ok(r1 == expected_register_result() && r2 == r1,
	   "register twice: %d, %d (expected %d)", r1, r2, expected_register_result());
	if (m.mode == PERCPU_MODE_FALLBACK) {
		ok(percpu_rseq_unregister() == -EINVAL, "unregister without a reference: -EINVAL");
		ok(percpu_rseq_mode() == PERCPU_MODE_FALLBACK, "still fallback");
		return;
	}
	ok(percpu_rseq_unregister() == 0 && percpu_rseq_mode() == m.mode,
	   "first unregister keeps the area (mode %s)", percpu_rseq_mode_name(percpu_rseq_mode()));
	ok(percpu_rseq_unregister() == 0 && percpu_rseq_unregister() == -EINVAL,
	   "second unregister drops it; a third is -EINVAL");
}

static void test_info(void)
{
	struct percpu_rseq_info info;
	int node, cid;

	percpu_rseq_get_info(&info);
	diag("mode %s, fallback errno %d, sig 0x%08x, feature size %u, align %u, libc size %u, "
	     "usable %u, node_id %d, mm_cid %d", percpu_rseq_mode_name(info.mode),
	     info.fallback_errno, info.signature, info.feature_size, info.align,
	     info.libc_rseq_size, info.usable_size, info.has_node_id, info.has_mm_cid);
	ok(info.mode == m.mode && (m.mode != PERCPU_MODE_FALLBACK ||
				   info.fallback_errno == m.fallback_errno),
	   "mode %s (errno %d), expected %s", percpu_rseq_mode_name(info.mode),
	   info.fallback_errno, m.name);
	node = percpu_current_node();
	cid = percpu_current_mm_cid();
	ok((info.has_node_id ? node >= 0 : node == -ENOTSUP) &&
	   (info.has_mm_cid ? cid >= 0 && (unsigned int)cid < percpu_nr_cpus() : cid == -ENOTSUP),
	   "node_id %d and mm_cid %d agree with the detected features", node, cid);
	if (m.mode == PERCPU_MODE_OWN)
		ok(info.usable_size == 32 || info.usable_size == info.feature_size ||
		   (info.feature_size == 0 && info.usable_size == 20),
		   "own area: usable size %u from feature size %u", info.usable_size,
		   info.feature_size);
	else if (m.mode == PERCPU_MODE_LIBC)
		/* The kernel fills every field it knows, whatever glibc says. */
		ok(info.usable_size == (info.feature_size == 0 ? 20 :
					info.feature_size > 32 ? 32 : info.feature_size),
		   "libc area: usable size %u from the kernel's feature size, not libc's %u",
		   info.usable_size,
		   info.libc_rseq_size);
	else {
		uint32_t cpu_id = PERCPU_LOAD(&percpu_rseq_area()->cpu_id);

		ok(info.usable_size == 0 && !info.has_node_id && !info.has_mm_cid,
		   "fallback: no usable area");
		/* What the inline counter add tests to take the fallback inline. */
		ok(cpu_id == PERCPU_CPU_ID_REGISTRATION_FAILED,
		   "fallback: the area's cpu_id says \"registration failed\" (%d)", (int)cpu_id);
	}
}

static void test_pinned(void)
{
	cpu_set_t orig, one;
	int checked = 0, bad = 0;

	sched_getaffinity(0, sizeof(orig), &orig);
	for (int cpu = 0; cpu < CPU_SETSIZE; cpu++) {
		struct percpu_rseq_abi *rs = percpu_rseq_area();

		if (!CPU_ISSET(cpu, &orig))
			continue;
		CPU_ZERO(&one);
		CPU_SET(cpu, &one);
		if (sched_setaffinity(0, sizeof(one), &one) != 0)
			continue;
		checked++;
		if (percpu_current_cpu() != cpu || sched_getcpu() != cpu)
			bad++;
		if (m.mode != PERCPU_MODE_FALLBACK &&
		    (PERCPU_LOAD(&rs->cpu_id) != (uint32_t)cpu ||
		     PERCPU_LOAD(&rs->cpu_id_start) != (uint32_t)cpu))
			bad++;
	}
	sched_setaffinity(0, sizeof(orig), &orig);
	ok(checked > 0 && bad == 0, "cpu_id follows pinning to each of %d CPUs (%d mismatches)",
	   checked, bad);
}

#define WAVES 20
#define PER_WAVE 16
#define ADDS 1000

static void *short_thread(void *arg)
{
	int *wrong = arg;

	for (int i = 0; i < ADDS; i++)
		_percpu_counter_add(&counter, 1);
	if (percpu_rseq_mode() != m.mode)
		__atomic_fetch_add(wrong, 1, __ATOMIC_RELAXED);
	return NULL;
}

static void test_threads(void)
{
	int wrong = 0;
	int64_t before, after;

	percpu_counter_sum(&counter, &before);
	for (int w = 0; w < WAVES; w++) {
		pthread_t t[PER_WAVE];

		for (int i = 0; i < PER_WAVE; i++)
			pthread_create(&t[i], NULL, short_thread, &wrong);
		for (int i = 0; i < PER_WAVE; i++)
			pthread_join(t[i], NULL);
	}
	percpu_counter_sum(&counter, &after);
	ok(after - before == (int64_t)WAVES * PER_WAVE * ADDS && wrong == 0,
	   "%d threads created and exited: sum grew by %lld, %d in the wrong mode",
	   WAVES * PER_WAVE, (long long)(after - before), wrong);
}

static int spin_stop, spin_started;

static void *spinner(void *arg)
{
	(void)arg;
	__atomic_fetch_add(&spin_started, 1, __ATOMIC_RELEASE);
	while (!__atomic_load_n(&spin_stop, __ATOMIC_RELAXED))
		_percpu_counter_add(&counter, 1);
	return NULL;
}

static int child_checks(void)
{
	int64_t s0, s1;
	pthread_t t;
	int wrong = 0;

	if (percpu_rseq_mode() != m.mode)
		return 10;
	percpu_counter_sum(&counter, &s0);
	for (int i = 0; i < ADDS; i++)
		_percpu_counter_add(&counter, 1);
	pthread_create(&t, NULL, short_thread, &wrong);
	pthread_join(t, NULL);
	percpu_counter_sum(&counter, &s1);
	if (s1 - s0 != 2 * ADDS)
		return 11;
	return wrong ? 12 : 0;
}

static void test_fork(void)
{
	pthread_t t[4];
	int status = -1;
	pid_t pid;

#ifdef __SANITIZE_THREAD__
	skip(1, "ThreadSanitizer cannot start threads in the child of a multithreaded fork");
	return;
#endif
	for (int i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, spinner, NULL);
	/*
	 * Fork once every spinner runs its loop, not while one is still in
	 * thread start-up: there a sanitizer runtime holds its own locks (the
	 * child of an ASan build then hung in its allocator), which is not
	 * what this test is about.
	 */
	while (__atomic_load_n(&spin_started, __ATOMIC_ACQUIRE) < 4)
		sched_yield();
	pid = fork();
	if (pid == 0)
		_exit(child_checks());
	waitpid(pid, &status, 0);
	__atomic_store_n(&spin_stop, 1, __ATOMIC_RELAXED);
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	ok(pid > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0,
	   "fork() from a multithreaded process: the child keeps working (status %d)",
	   WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}

/* The application registers its own area before libpercpu sees the thread. */
static struct percpu_rseq_abi app_area __attribute__((aligned(32)));

static void *app_registers_first(void *arg)
{
	int *res = arg;

	app_area.cpu_id = (uint32_t)-1;
	if (syscall(__NR_rseq, &app_area, sizeof(app_area), 0, PERCPU_RSEQ_SIG) != 0) {
		res[0] = -errno;
		return NULL;
	}
	res[0] = 0;
	res[1] = percpu_rseq_register();
	res[2] = percpu_rseq_mode();
	for (int i = 0; i < ADDS; i++)
		_percpu_counter_add(&counter, 1);
	syscall(__NR_rseq, &app_area, sizeof(app_area), 1, PERCPU_RSEQ_SIG);
	return NULL;
}

static void test_app_owned(void)
{
	int res[3] = { -1, 0, 0 };
	int64_t before, after;
	pthread_t t;

	if (m.mode != PERCPU_MODE_OWN) {
		skip(1, "the application can register only when libc did not (mode %s)", m.name);
		return;
	}
	percpu_counter_sum(&counter, &before);
	pthread_create(&t, NULL, app_registers_first, res);
	pthread_join(t, NULL);
	percpu_counter_sum(&counter, &after);
	ok(res[0] == 0 && res[1] == -EBUSY && res[2] == PERCPU_MODE_FALLBACK &&
	   after - before == ADDS,
	   "application registered first: register %d (-EBUSY), mode %s, sum grew by %lld",
	   res[1], percpu_rseq_mode_name(res[2]), (long long)(after - before));
}

/*
 * At thread exit the library must unregister its own area.  glibc runs key
 * destructors in key order and ours was created at load time, so this later
 * key's destructor runs after the library's: by then no area may remain
 * registered, which a fresh registration proves.
 */
static pthread_key_t late_key;
static int late_result = 1;
static struct percpu_rseq_abi late_area __attribute__((aligned(32)));

static void late_destructor(void *arg)
{
	(void)arg;
	late_area.cpu_id = (uint32_t)-1;
	late_result = (int)syscall(__NR_rseq, &late_area, sizeof(late_area), 0, PERCPU_RSEQ_SIG);
	if (late_result == 0)
		syscall(__NR_rseq, &late_area, sizeof(late_area), 1, PERCPU_RSEQ_SIG);
	else
		late_result = -errno;
}

static void *exiting_thread(void *arg)
{
	(void)arg;
	_percpu_counter_add(&counter, 1);
	pthread_setspecific(late_key, &late_key);
	return NULL;
}

static void test_exit_unregisters(void)
{
	pthread_t t;

	if (m.mode != PERCPU_MODE_OWN) {
		skip(1, "only the library's own area is unregistered at exit (mode %s)", m.name);
		return;
	}
	pthread_key_create(&late_key, late_destructor);
	pthread_create(&t, NULL, exiting_thread, NULL);
	pthread_join(t, NULL);
	ok(late_result == 0, "thread exit unregistered the library's area (a new "
	   "registration in a later destructor returned %d)", late_result);
}

int main(int argc, char **argv)
{
	m = test_mode_setup(argc, argv);
	plan(m.mode == PERCPU_MODE_FALLBACK ? 13 : 12);
	ok(percpu_counter_init(&counter, 0) == 0, "init a counter");
	test_info();
	test_register_twice();
	test_pinned();
	test_threads();
	test_fork();
	test_app_owned();
	test_exit_unregisters();
	percpu_counter_destroy(&counter);
	return exit_status();
}
