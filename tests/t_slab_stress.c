/* SPDX-License-Identifier: MIT */
/*
 * tests/t_slab_stress.c - a per-CPU slab under preemption, migration and
 * signals: 2 workers per CPU, unpinned, pushing and popping single pointers
 * and batches (inline and exported calls), growing and shrinking their
 * classes locally; a 1 kHz SIGALRM whose handler pops and pushes too; a
 * remote thread draining CPUs (one class or all), shrinking classes on other
 * CPUs (the pointers above the new end come to it) and growing them back,
 * and moving workers between CPUs.
 *
 * Exact invariants: every item is found exactly once at the end (in the slab,
 * a worker's or handler's stash, or the remote thread's); no item is taken
 * twice without a push between; every item comes out of its own class; no
 * class holds more than its capacity, nor has a capacity above its max.
 *
 * It runs until it has seen kernel aborts (rseq modes), handler operations,
 * remote operations and, with several CPUs, migrations: at least
 * PERCPU_TEST_SECS (default 1), at most PERCPU_TEST_MAX_SECS (default 10x).
 *
 * Usage: t_slab_stress [libc|own|fallback|seccomp]
 * Environment: PERCPU_TEST_MM_CID=1 indexes the slab by mm_cid.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

/* Must precede the libpercpu headers. */
#include "stress-inject.h"

#include <percpu/percpu.h>
#include "testutil.h"

#define NCLASSES	136	/* classes of the slab */
#define USED		6	/* classes the test moves items through */
#define NITEMS		4096
#define STASH		256
#define HSTASH		4
#define BATCH		16

struct item {
	uint32_t id;
	uint32_t cls;
	int owned;		/* 1 while some thread holds it */
};

struct worker {
	pthread_t tid;
	int idx;
	int mode;
	struct item *stash[STASH];
	int nstash;
	struct item *hstash[HSTASH];
	int nhstash;
};

static struct percpu_slab slab;
static struct item items[NITEMS];
static uint16_t maxc[NCLASSES], initc[NCLASSES];
static unsigned int nr;
static int nthreads, nallowed, allowed[CPU_SETSIZE];
static int stop;
static unsigned long dup_takes, bad_items, wrong_class, remote_ops, handler_ops, migrations;
static unsigned long total_ops;
static __thread struct worker *tls_worker;
static __thread uint64_t tls_rand;
static __thread int tls_last_cpu = -1;

/* The remote thread's items (handlers append under the class lock). */
static struct item *rstash[NITEMS];
static int nrstash;

static uint32_t rnd(void)
{
	tls_rand ^= tls_rand << 13;
	tls_rand ^= tls_rand >> 7;
	tls_rand ^= tls_rand << 17;
	return (uint32_t)(tls_rand >> 11);
}

static struct item *take(void *p, unsigned int cls)
{
	struct item *it = p;

	if (!it)
		return NULL;
	if (it < items || it >= items + NITEMS) {
		__atomic_fetch_add(&bad_items, 1, __ATOMIC_RELAXED);
		return NULL;
	}
	if (it->cls != cls)
		__atomic_fetch_add(&wrong_class, 1, __ATOMIC_RELAXED);
	if (__atomic_exchange_n(&it->owned, 1, __ATOMIC_ACQ_REL) != 0)
		__atomic_fetch_add(&dup_takes, 1, __ATOMIC_RELAXED);
	return it;
}

static void give(struct item *it)
{
	__atomic_store_n(&it->owned, 0, __ATOMIC_RELEASE);
}

/* Push the last items of @stash of class @cls; return how many went. */
static int push_some(struct item **stash, int *n, uint32_t r)
{
	unsigned int cls;
	void *batch[BATCH];
	int k = 0, i;
	ssize_t got;

	if (*n == 0)
		return 0;
	cls = stash[*n - 1]->cls;
	if ((r & 3) != 0) {
		struct item *it = stash[*n - 1];
		int ret;

		give(it);
		ret = (r & 4) ? percpu_slab_push(&slab, cls, it) : _percpu_slab_push(&slab, cls, it);
		if (ret != 0) {
			take(it, cls);
			return 0;
		}
		(*n)--;
		return 1;
	}
	/* A batch: the run of same-class items at the top of the stash. */
	while (k < BATCH && k < *n && stash[*n - 1 - k]->cls == cls)
		k++;
	for (i = 0; i < k; i++) {
		batch[i] = stash[*n - k + i];
		give(batch[i]);
	}
	got = (r & 8) ? percpu_slab_push_batch(&slab, cls, batch, (size_t)k) :
	      (ssize_t)_percpu_slab_push_batch(&slab, cls, batch, (size_t)k);
	/* -EAGAIN: a handler found the slot held by its own thread (fallback). */
	if (got == -EAGAIN) {
		got = 0;
	} else if (got < 0 || got > k) {
		__atomic_fetch_add(&bad_items, 1, __ATOMIC_RELAXED);
		got = 0;
	}
	/* batch[0..got) are in the slab; the rest are still ours. */
	for (i = (int)got; i < k; i++)
		take(batch[i], cls);
	for (i = 0; i < k - (int)got; i++)
		stash[*n - k + i] = batch[got + i];
	*n -= (int)got;
	return (int)got;
}

static void pop_some(struct item **stash, int *n, int max, uint32_t r)
{
	unsigned int cls = (r >> 8) % USED;
	void *batch[BATCH];
	ssize_t got;

	if (*n >= max)
		return;
	if ((r & 3) != 0) {
		void *p = (r & 4) ? percpu_slab_pop(&slab, cls) : _percpu_slab_pop(&slab, cls);
		struct item *it = take(p, cls);

		if (it)
			stash[(*n)++] = it;
		return;
	}
	got = max - *n < BATCH ? max - *n : BATCH;
	got = (r & 8) ? percpu_slab_pop_batch(&slab, cls, batch, (size_t)got) :
	      (ssize_t)_percpu_slab_pop_batch(&slab, cls, batch, (size_t)got);
	for (ssize_t i = 0; i < got; i++) {
		struct item *it = take(batch[i], cls);

		if (it)
			stash[(*n)++] = it;
	}
}

static void on_alarm(int sig)
{
	struct worker *w = tls_worker;
	int saved = errno;

	(void)sig;
	if (!w)
		return;
	__atomic_fetch_add(&handler_ops, 1, __ATOMIC_RELAXED);
	pop_some(w->hstash, &w->nhstash, HSTASH, rnd());
	while (w->nhstash > 0 && push_some(w->hstash, &w->nhstash, rnd()) > 0)
		;
	errno = saved;
}

static void *work(void *arg)
{
	struct worker *w = arg;
	sigset_t alrm;
	unsigned long ops = 0;

	tls_worker = w;
	tls_rand = 0x2545f4914f6cdd1dull * (uint64_t)(w->idx + 1);
	w->mode = percpu_rseq_mode();
	while (!__atomic_load_n(&stop, __ATOMIC_RELAXED)) {
		int cpu = percpu_current_cpu();

		if (cpu != tls_last_cpu) {
			if (tls_last_cpu >= 0)
				__atomic_fetch_add(&migrations, 1, __ATOMIC_RELAXED);
			tls_last_cpu = cpu;
		}
		publish_aborts();
		for (int i = 0; i < 64; i++) {
			uint32_t r = rnd();

			if ((r & 1023) == 0) {
				unsigned int cls = (r >> 12) % USED;

				if (r & 2048)
					percpu_slab_grow(&slab, cls, 1 + (r >> 20) % 8);
				else
					percpu_slab_shrink(&slab, cls, 1 + (r >> 20) % 8);
				continue;
			}
			if (w->nstash == 0 || (w->nstash < STASH && (r & 0x30) == 0x30))
				pop_some(w->stash, &w->nstash, STASH, r >> 6);
			else
				push_some(w->stash, &w->nstash, r >> 6);
			ops++;
		}
	}
	sigemptyset(&alrm);
	sigaddset(&alrm, SIGALRM);
	pthread_sigmask(SIG_BLOCK, &alrm, NULL);
	publish_aborts();
	__atomic_fetch_add(&total_ops, ops, __ATOMIC_RELAXED);
	return NULL;
}

/* Handler of drain and shrink: under the class lock, only takes items. */
static void to_rstash(void *arg, unsigned int cls, void **ptrs, size_t n)
{
	(void)arg;
	for (size_t i = 0; i < n; i++) {
		struct item *it = take(ptrs[i], cls);

		if (it && nrstash < NITEMS)
			rstash[nrstash++] = it;
		else if (it)
			__atomic_fetch_add(&bad_items, 1, __ATOMIC_RELAXED);
	}
}

static void *remote(void *arg)
{
	struct worker *w = arg;

	tls_rand = 0x9e3779b97f4a7c15ull;
	while (!__atomic_load_n(&stop, __ATOMIC_RELAXED)) {
		unsigned int cpu = rnd() % nr, cls = rnd() % USED;
		uint32_t r = rnd();
		ssize_t ret;

		if ((r & 3) == 0)
			ret = percpu_slab_drain_cpu(&slab, cpu, (r & 4) ? PERCPU_SLAB_ALL_CLASSES : cls,
						    to_rstash, NULL);
		else if ((r & 3) == 1)
			ret = percpu_slab_shrink_cpu(&slab, cpu, cls, 1 + (r >> 8) % 16, to_rstash,
						     NULL);
		else
			ret = percpu_slab_grow_cpu(&slab, cpu, cls, 1 + (r >> 8) % 16);
		if (ret < 0 && ret != -EPERM)
			__atomic_fetch_add(&bad_items, 1, __ATOMIC_RELAXED);
		__atomic_fetch_add(&remote_ops, 1, __ATOMIC_RELAXED);
		/* Give the items back through this CPU's slab. */
		while (nrstash > 0 && push_some(rstash, &nrstash, rnd()) > 0)
			;
		/* Move a worker now and then (migrations inside sections). */
		if ((r & 0x70) == 0 && nallowed > 1) {
			cpu_set_t one;

			CPU_ZERO(&one);
			CPU_SET(allowed[rnd() % (unsigned int)nallowed], &one);
			pthread_setaffinity_np(w[rnd() % (unsigned int)nthreads].tid, sizeof(one), &one);
		}
		if ((r & 0x380) == 0)
			sched_yield();
	}
	return NULL;
}

static int seen_enough(const struct test_mode *m)
{
	if (nallowed > 1 && __atomic_load_n(&migrations, __ATOMIC_RELAXED) == 0)
		return 0;
	if (__atomic_load_n(&handler_ops, __ATOMIC_RELAXED) == 0 ||
	    __atomic_load_n(&remote_ops, __ATOMIC_RELAXED) == 0)
		return 0;
	return m->mode == PERCPU_MODE_FALLBACK || __atomic_load_n(&live_aborts, __ATOMIC_RELAXED) > 0;
}

static void collect_all(void *arg, unsigned int cls, void **ptrs, size_t n)
{
	unsigned int *seen = arg;

	for (size_t i = 0; i < n; i++) {
		struct item *it = ptrs[i];

		if (it < items || it >= items + NITEMS || it->cls != cls)
			bad_items++;
		else
			seen[it->id]++;
	}
}

int main(int argc, char **argv)
{
	struct test_mode m = test_mode_setup(argc, argv);
	struct itimerval tv = { { 0, 1000 }, { 0, 1000 } }, off = { { 0, 0 }, { 0, 0 } };
	struct sigaction sa = { .sa_handler = on_alarm, .sa_flags = SA_RESTART };
	static unsigned int seen[NITEMS];
	unsigned int flags = getenv("PERCPU_TEST_MM_CID") ? PERCPU_MM_CID : 0;
	struct test_clock clk;
	struct worker *w;
	pthread_t rt;
	sigset_t alrm, old;
	cpu_set_t mask;
	int err, wrong_mode = 0, over = 0, bad = 0, seeded = 0;
	unsigned long found = 0;
	double secs = test_seconds(1);

	nr = percpu_nr_cpus();
	sched_getaffinity(0, sizeof(mask), &mask);
	for (int c = 0; c < CPU_SETSIZE; c++)
		if (CPU_ISSET(c, &mask))
			allowed[nallowed++] = c;
	nthreads = 2 * nallowed;
	for (int c = 0; c < NCLASSES; c++) {
		maxc[c] = 64;
		initc[c] = 16;
	}
	inject_loops[1] = inject_loops[2] = inject_loops[3] = test_inject_loops(50);
	err = percpu_slab_init(&slab, NCLASSES, maxc, initc, flags);
	if (err == -ENOTSUP)
		skip_all("PERCPU_MM_CID: no mm_cid or membarrier here");
	plan(6);
	diag("mode %s, %u CPUs, %d allowed, %d workers, %s index", m.name, nr, nallowed, nthreads,
	     flags ? "mm_cid" : "CPU");
	ok(err == 0, "init: %d classes of max 64, 16 to begin with", NCLASSES);
	for (int i = 0; i < NITEMS; i++) {
		items[i].id = (uint32_t)i;
		items[i].cls = (uint32_t)(i % USED);
	}
	/* Seed: what does not fit on this CPU starts in the remote stash. */
	for (int i = 0; i < NITEMS; i++) {
		if (percpu_slab_push(&slab, items[i].cls, &items[i]) == 0) {
			seeded++;
		} else {
			items[i].owned = 1;
			rstash[nrstash++] = &items[i];
		}
	}
	w = calloc((size_t)nthreads, sizeof(*w));
	sigaction(SIGALRM, &sa, NULL);
	test_clock_start(&clk, secs, 10 * secs);
	for (int i = 0; i < nthreads; i++) {
		w[i].idx = i;
		pthread_create(&w[i].tid, NULL, work, &w[i]);
	}
	sigemptyset(&alrm);
	sigaddset(&alrm, SIGALRM);
	pthread_sigmask(SIG_BLOCK, &alrm, &old);
	pthread_create(&rt, NULL, remote, w);
	setitimer(ITIMER_REAL, &tv, NULL);
	while (!test_clock_done(&clk, seen_enough(&m)))
		;
	setitimer(ITIMER_REAL, &off, NULL);
	__atomic_store_n(&stop, 1, __ATOMIC_RELAXED);
	/*
	 * The remote thread first: it moves workers with
	 * pthread_setaffinity_np(), which on a joined thread is a use after
	 * free (musl crashed on it).
	 */
	pthread_join(rt, NULL);
	for (int i = 0; i < nthreads; i++) {
		pthread_join(w[i].tid, NULL);
		wrong_mode += w[i].mode != m.mode;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);

	ok(seen_enough(&m), "saw %lu CPU changes (%d CPUs), %lu handler operations, %lu remote "
	   "operations, %lu kernel aborts in %.1f s, %lu operations (mode %s)", migrations,
	   nallowed, handler_ops, remote_ops, live_aborts, test_clock_elapsed(&clk), total_ops,
	   m.name);
	ok(wrong_mode == 0, "every worker ran in mode %s", m.name);
	/* Capacities in range, lengths within capacity, on every slot. */
	for (unsigned int cpu = 0; cpu < nr; cpu++)
		for (unsigned int c = 0; c < NCLASSES; c++) {
			ssize_t len = percpu_slab_length_cpu(&slab, cpu, c);
			ssize_t cap = percpu_slab_capacity_cpu(&slab, cpu, c);

			over += len < 0 || cap < 0 || len > cap || cap > maxc[c];
		}
	ok(over == 0, "every class of every slot: length <= capacity <= max (%d wrong)", over);
	for (unsigned int cpu = 0; cpu < nr; cpu++)
		percpu_slab_drain_cpu(&slab, cpu, PERCPU_SLAB_ALL_CLASSES, collect_all, seen);
	for (int t = 0; t < nthreads; t++) {
		for (int i = 0; i < w[t].nstash; i++)
			seen[w[t].stash[i]->id]++;
		for (int i = 0; i < w[t].nhstash; i++)
			seen[w[t].hstash[i]->id]++;
	}
	for (int i = 0; i < nrstash; i++)
		seen[rstash[i]->id]++;
	for (int i = 0; i < NITEMS; i++) {
		bad += seen[i] != 1;
		found += seen[i];
	}
	ok(bad == 0 && bad_items == 0, "every one of %d items found exactly once (%lu found, %d "
	   "wrong, %lu bad pointers; %d seeded in the slab)", NITEMS, found, bad, bad_items, seeded);
	ok(dup_takes == 0 && wrong_class == 0, "no item taken twice (%lu), none from another "
	   "class (%lu)", dup_takes, wrong_class);
	percpu_slab_destroy(&slab);
	free(w);
	return exit_status();
}
