/* SPDX-License-Identifier: MIT */
/*
 * tests/t_counter_stress.c - per-CPU counter under preemption, migration and
 * signals: 4 threads per CPU, unpinned, spin loops inside each critical
 * section, a 1 kHz signal timer whose handler adds too.  The sum must be
 * exact, and on the rseq paths the kernel must have aborted sequences.  It
 * runs until the kernel has aborted sequences (rseq modes) and signal
 * handlers have added, at least PERCPU_TEST_SECS, at most
 * PERCPU_TEST_MAX_SECS (see testutil.h).
 *
 * Usage: t_counter_stress [libc|own|fallback|seccomp]
 *   PERCPU_TEST_SECS          minimum seconds to run (default 1)
 *   PERCPU_TEST_MAX_SECS      deadline (default 10 times the minimum)
 *   PERCPU_TEST_INJECT_LOOPS  spin iterations at each hook (default 50)
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <sys/time.h>
#include <time.h>

/* Must precede the libpercpu headers. */
#include "stress-inject.h"

#include <percpu/percpu.h>
#include "testutil.h"

static struct percpu_counter counter;
static int stop;
/* long, not int64_t: a 64-bit atomic is a libatomic lock on o32 MIPS, unsafe in a handler. */
static long signal_adds;
static unsigned long total_aborts, total_signals;

static void on_alarm(int sig)
{
	(void)sig;
	_percpu_counter_add(&counter, 1);
	__atomic_fetch_add(&signal_adds, 1, __ATOMIC_RELAXED);
}

struct worker {
	pthread_t tid;
	int64_t added;
	unsigned long aborts;
	int mode;
};

static void *work(void *arg)
{
	struct worker *w = arg;
	int64_t added = 0;

	w->mode = percpu_rseq_mode();
	while (!__atomic_load_n(&stop, __ATOMIC_RELAXED)) {
		for (int i = 0; i < 64; i++) {
			_percpu_counter_add(&counter, 1);
			added += 1;
		}
		/* The exported wrapper, and a value that is not 1. */
		if (percpu_counter_add(&counter, -5) == 0)
			added -= 5;
		publish_aborts();
	}
	w->added = added;
	publish_aborts();
	return NULL;
}

static int64_t rseq_words_total(void)
{
	int64_t t = 0;

	for (unsigned int cpu = 0; cpu < counter.mem.nr; cpu++)
		t += _percpu_counter_slot(&counter, cpu)->rseq;
	return t;
}

int main(int argc, char **argv)
{
	struct test_mode m = test_mode_setup(argc, argv);
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	int nthreads = 4 * (ncpu > 0 ? (int)ncpu : 1);
	double secs = test_seconds(1.0);
	struct worker *w = calloc(nthreads, sizeof(*w));
	struct itimerval tv = { { 0, 1000 }, { 0, 1000 } }, off = { { 0, 0 }, { 0, 0 } };
	struct sigaction sa = { .sa_handler = on_alarm, .sa_flags = SA_RESTART };
	struct test_clock clk;
	int64_t expected = 0, sum = 0, percpu = 0;
	int wrong_mode = 0;
	sigset_t alrm;
	/* PERCPU_TEST_MM_CID set: the counter is indexed by mm_cid. */
	unsigned int cflags = getenv("PERCPU_TEST_MM_CID") ? PERCPU_MM_CID : 0;

	plan(7);
	inject_loops[1] = inject_loops[2] = inject_loops[3] =
		test_inject_loops(50);

	ok(percpu_counter_init(&counter, cflags) == 0, "init counter for %u CPUs%s",
	   percpu_nr_cpus(), cflags ? ", indexed by mm_cid" : "");
	sigaction(SIGALRM, &sa, NULL);
	test_clock_start(&clk, secs, 10 * secs);
	setitimer(ITIMER_REAL, &tv, NULL);
	for (int i = 0; i < nthreads; i++)
		pthread_create(&w[i].tid, NULL, work, &w[i]);
	/* Signals go to the workers; the main thread only keeps time. */
	sigemptyset(&alrm);
	sigaddset(&alrm, SIGALRM);
	pthread_sigmask(SIG_BLOCK, &alrm, NULL);
	while (!test_clock_done(&clk, __atomic_load_n(&signal_adds, __ATOMIC_RELAXED) > 0 &&
				(m.mode == PERCPU_MODE_FALLBACK ||
				 __atomic_load_n(&live_aborts, __ATOMIC_RELAXED) > 0)))
		;
	secs = test_clock_elapsed(&clk);
	__atomic_store_n(&stop, 1, __ATOMIC_RELAXED);
	for (int i = 0; i < nthreads; i++) {
		pthread_join(w[i].tid, NULL);
		expected += w[i].added;
		wrong_mode += w[i].mode != m.mode;
	}
	setitimer(ITIMER_REAL, &off, NULL);
	sigaction(SIGALRM, &(struct sigaction){ .sa_handler = SIG_IGN }, NULL);
	expected += signal_adds;
	total_signals = (unsigned long)signal_adds;
	total_aborts = live_aborts;

	ok(wrong_mode == 0, "all %d threads ran in mode %s (%d did not)", nthreads, m.name,
	   wrong_mode);
	percpu_counter_sum(&counter, &sum);
	ok(sum == expected, "sum %lld == expected %lld (%d threads, %.2f s, %lu signal adds)",
	   (long long)sum, (long long)expected, nthreads, secs, total_signals);

	for (unsigned int cpu = 0; cpu < percpu_nr_cpus(); cpu++) {
		int64_t v;

		percpu_counter_read_cpu(&counter, cpu, &v);
		percpu += v;
	}
	ok(percpu == sum, "per-CPU shares add up to the sum (%lld)", (long long)percpu);

	diag("mode %s: %lu kernel aborts in %lld ops (%.2f s)", m.name, total_aborts,
	     (long long)expected, secs);
	ok(total_signals > 0, "signal handlers added %lu times", total_signals);
	if (m.mode == PERCPU_MODE_FALLBACK)
		ok(total_aborts == 0 && rseq_words_total() == 0,
		   "fallback: no sequence ran (aborts %lu, rseq words %lld)", total_aborts,
		   (long long)rseq_words_total());
	else
		ok(total_aborts > 0, "the kernel aborted %lu sequences (0 would mean the abort "
		   "path was never exercised)", total_aborts);

	percpu_counter_reset(&counter);
	percpu_counter_add(&counter, 42);
	percpu_counter_sum(&counter, &sum);
	ok(sum == 42, "after reset and add(42) the sum is %lld", (long long)sum);
	percpu_counter_destroy(&counter);
	free(w);
	return exit_status();
}
