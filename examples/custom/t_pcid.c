/* SPDX-License-Identifier: MIT */
/*
 * examples/custom/t_pcid.c - test of the worked example (pcid.h), in each
 * registration mode (see tests/testutil.h): natively by `make check` and on
 * every architecture by `make check-arch`.
 *
 * 4 threads per CPU, unpinned, with spin loops inside each critical section,
 * a yield between reading the word and the sequence every 4096 IDs, and a
 * 1 kHz signal timer.  Exact invariants: the IDs the slots say were handed
 * out equal the IDs the threads received (a sequence that committed after a
 * preemption, a migration or another thread's ID would hand out an ID twice
 * and count it once), and the first IDs of one thread are all different.  In
 * rseq modes the run goes on until the kernel has aborted sequences.
 */
#define _GNU_SOURCE
#include "stress-inject.h"
#include "testutil.h"

#include <pthread.h>
#include <signal.h>
#include <sys/time.h>

#include "pcid.h"

#define KEEP	4096	/* IDs each thread keeps, to look for duplicates */

static struct pcid p;
static int stop;
static unsigned long signals;

struct worker {
	pthread_t tid;
	unsigned long taken;
	uint64_t kept[KEEP];
};

static void on_alarm(int sig)
{
	(void)sig;
	__atomic_fetch_add(&signals, 1, __ATOMIC_RELAXED);
}

static void *work(void *arg)
{
	struct worker *w = arg;

	while (!__atomic_load_n(&stop, __ATOMIC_RELAXED)) {
		uint64_t id = pcid_next(&p);

		if (w->taken < KEEP)
			w->kept[w->taken] = id;
		w->taken++;
		if ((w->taken & 1023) == 0)
			publish_aborts();
	}
	publish_aborts();
	return NULL;
}

static int cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	struct test_mode mode = test_mode_setup(argc, argv);
	struct itimerval tv = { { 0, 1000 }, { 0, 1000 } }, off = { { 0, 0 }, { 0, 0 } };
	int nthreads = 4 * (int)percpu_nr_cpus(), rseq = mode.mode != PERCPU_MODE_FALLBACK;
	struct sigaction sa = { .sa_handler = on_alarm, .sa_flags = SA_RESTART };
	uint64_t taken = 3, counted, a, b, c;
	unsigned long dups = 0, kept = 0;
	struct test_clock clk;
	struct worker *w;
	uint64_t *all;

	plan(6);
	inject_loops[1] = inject_loops[2] = inject_loops[3] = test_inject_loops(50);
	if (nthreads > 64)
		nthreads = 64;
	w = calloc((size_t)nthreads, sizeof(*w));
	all = calloc((size_t)nthreads * KEEP, sizeof(*all));
	if (!w || !all || pcid_init(&p) != 0) {
		printf("Bail out! cannot set up\n");
		return 1;
	}

	a = pcid_next(&p);
	b = pcid_next(&p);
	c = pcid_next(&p);
	ok(a != b && b != c && a != c && pcid_count(&p) == 3,
	   "one thread: three different IDs (%llu %llu %llu), count 3",
	   (unsigned long long)a, (unsigned long long)b, (unsigned long long)c);
	ok(percpu_rseq_mode() == mode.mode, "mode %s", percpu_rseq_mode_name(percpu_rseq_mode()));

	sigaction(SIGALRM, &sa, NULL);
	test_clock_start(&clk, test_seconds(1), 10 * test_seconds(1));
	setitimer(ITIMER_REAL, &tv, NULL);
	for (int i = 0; i < nthreads; i++)
		pthread_create(&w[i].tid, NULL, work, &w[i]);
	while (!test_clock_done(&clk, !rseq || __atomic_load_n(&live_aborts, __ATOMIC_RELAXED) > 0))
		;
	__atomic_store_n(&stop, 1, __ATOMIC_RELAXED);
	for (int i = 0; i < nthreads; i++) {
		unsigned long n = w[i].taken < KEEP ? w[i].taken : KEEP;

		pthread_join(w[i].tid, NULL);
		taken += w[i].taken;
		memcpy(all + kept, w[i].kept, n * sizeof(*all));
		kept += n;
	}
	setitimer(ITIMER_REAL, &off, NULL);

	counted = pcid_count(&p);
	ok(counted == taken, "IDs counted by the slots %llu == IDs taken %llu (%d threads, %.2f s, "
	   "%lu signals)", (unsigned long long)counted, (unsigned long long)taken, nthreads,
	   test_clock_elapsed(&clk), signals);
	qsort(all, kept, sizeof(*all), cmp);
	for (unsigned long i = 1; i < kept; i++)
		dups += all[i] == all[i - 1];
	ok(dups == 0, "%lu duplicates among the first %lu IDs of each thread (%lu IDs)", dups,
	   (unsigned long)KEEP, kept);
	ok(taken > 3 + (uint64_t)nthreads, "the threads took IDs");
	if (rseq)
		ok(live_aborts > 0, "%lu kernel aborts", live_aborts);
	else
		skip(1, "no kernel aborts on the fallback path");
	pcid_destroy(&p);
	free(all);
	free(w);
	return exit_status();
}
