/* SPDX-License-Identifier: MIT */
/*
 * tests/t_mixed_stress.c - threads on the rseq path and threads on the
 * fallback path use the same counter, list, buffer and ring at once.
 *
 * Seccomp filters belong to a thread (without SECCOMP_FILTER_FLAG_TSYNC)
 * and pass to the threads it creates: a spawner thread installs a filter
 * that makes rseq(2) fail with ENOSYS and creates half of the workers, whose
 * registration (glibc's, or the library's own) then fails, so they take the
 * library's fallback; the main thread creates the other half, on rseq.  Each
 * worker checks its mode with percpu_rseq_mode().  Every worker adds to the
 * counter, pops and pushes list nodes and buffer pointers (locally and on
 * other CPUs) and writes ring records, with spin loops inside the sections;
 * a consumer reads every CPU's ring.  At the end:
 *   counter: the sum is exactly what the workers added;
 *   list, buffer: every node and pointer is found exactly once, and no
 *                 thread ever held one another thread held;
 *   ring: for each writer, attempts = written + lost; every record written
 *         is read once, intact; the library's lost counts agree.
 * It runs until both kinds of workers have done operations and the rseq
 * workers have seen kernel aborts: at least PERCPU_TEST_SECS (default 1),
 * at most PERCPU_TEST_MAX_SECS (see testutil.h).
 *
 * Usage: t_mixed_stress own [late]
 * late: the fallback half starts first, and the rseq half only once it has
 * done operations, while no thread of the process has used rseq yet (slow
 * paths then hold slots by their mutex alone: the first rseq thread must
 * wait for them, lib/slow.c).
 * Mode libc skips: glibc (2.36) aborts the process ("rseq registration
 * failed") when a thread's registration fails after the main thread's
 * succeeded, so there a thread cannot fall back alone.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <string.h>

/* Must precede the libpercpu headers. */
#include "stress-inject.h"

#include <percpu/percpu.h>
#include "testutil.h"
#include "ringutil.h"

#define NITEMS		1024
#define STASH		32
#define RING_SLOTS	64

struct item {
	struct percpu_list_node node;	/* first: a node pointer is an item pointer */
	int owned;			/* 1 while some thread holds it */
};

struct record {
	uint32_t writer;
	uint32_t pad;
	uint64_t seq;
	uint64_t check;
};

struct worker {
	pthread_t tid;
	int idx;
	int mode;
	int64_t added;
	unsigned long ops;
	struct item *lstash[STASH], *bstash[STASH];
	int nl, nb;
	uint64_t attempts, written, lost;
};

static struct percpu_counter counter;
static struct percpu_list list;
static struct percpu_buffer buffer;
static struct percpu_ring ring;
static struct item litems[NITEMS], bitems[NITEMS];
static struct worker *workers;
static int nworkers;
static unsigned int nr;
static int stop, started;
static unsigned long dup_takes, foreign, bad_records;
static unsigned long ops_by_mode[3];
static uint64_t *reads_by_writer;

/*
 * Out of line, like seed_of() and pause_1ms(): in ARM mode a 64-bit constant
 * (or a constant struct timespec) is loaded from a
 * literal pool within 1 KiB, which the sequences inlined into one_round()
 * would push out of reach.
 */
static __attribute__((noinline)) uint64_t record_check(uint32_t writer, uint64_t seq)
{
	return (seq * 0x9e3779b97f4a7c15ull) ^ ((uint64_t)writer << 40) ^ 0x5bd1e995u;
}

static struct item *take(void *p, struct item *pool)
{
	struct item *it = p;

	if (!it)
		return NULL;
	if (it < pool || it >= pool + NITEMS) {
		__atomic_fetch_add(&foreign, 1, __ATOMIC_RELAXED);
		return NULL;
	}
	if (__atomic_exchange_n(&it->owned, 1, __ATOMIC_ACQ_REL) != 0)
		__atomic_fetch_add(&dup_takes, 1, __ATOMIC_RELAXED);
	return it;
}

static void give(struct item *it)
{
	__atomic_store_n(&it->owned, 0, __ATOMIC_RELEASE);
}

static void one_round(struct worker *w, uint32_t r)
{
	unsigned int cpu = r % nr;
	struct record rec;
	struct item *it;
	int ret;

	_percpu_counter_add(&counter, 1);
	if (percpu_counter_add(&counter, 2) == 0)
		w->added += 2;
	w->added += 1;

	/* List: pop locally (1 in 64 from any CPU), push locally (1 in 64 on any CPU). */
	if (w->nl < STASH) {
		void *p = ((r >> 8) & 63) == 0 ? (void *)percpu_list_pop_cpu(&list, cpu) :
			  (void *)_percpu_list_pop(&list);

		if ((it = take(p, litems)) != NULL)
			w->lstash[w->nl++] = it;
	}
	if (w->nl > 0 && (r & 3) != 0) {
		it = w->lstash[--w->nl];
		give(it);
		if (((r >> 14) & 63) == 0)
			percpu_list_push_cpu(&list, &it->node, cpu);
		else
			_percpu_list_push(&list, &it->node);
	}

	/* Buffer: the same, where a push can fail when the CPU's buffer is full. */
	if (w->nb < STASH) {
		void *p = ((r >> 20) & 63) == 0 ? percpu_buffer_pop_cpu(&buffer, cpu) : _percpu_buffer_pop(&buffer);

		if ((it = take(p, bitems)) != NULL)
			w->bstash[w->nb++] = it;
	}
	if (w->nb > 0 && (r & 3) != 0) {
		it = w->bstash[w->nb - 1];
		give(it);
		ret = ((r >> 26) & 63) == 0 ? percpu_buffer_push_cpu(&buffer, it, cpu) :
		      _percpu_buffer_push(&buffer, it);
		if (ret == 0)
			w->nb--;
		else
			take(it, bitems);
	}

	/* Ring. */
	rec.writer = (uint32_t)w->idx;
	rec.pad = 0;
	rec.seq = w->attempts++;
	rec.check = record_check(rec.writer, rec.seq);
	ret = (r & 128) ? _percpu_ring_write(&ring, 1, &rec, sizeof(rec)) : percpu_ring_write(&ring, 1, &rec, sizeof(rec));
	if (ret == 0)
		w->written++;
	else if (ret == -ENOSPC)
		w->lost++;
	else
		__atomic_fetch_add(&bad_records, 1, __ATOMIC_RELAXED);
}

static __attribute__((noinline)) void pause_1ms(void)
{
	nanosleep(&(struct timespec){ 0, 1000 * 1000 }, NULL);
}

static __attribute__((noinline)) uint64_t seed_of(int idx)
{
	return 0x2545f4914f6cdd1dull * (uint64_t)(idx + 1);
}

static void *work(void *arg)
{
	struct worker *w = arg;
	uint64_t x = seed_of(w->idx);

	w->mode = percpu_rseq_mode();
	__atomic_fetch_add(&started, 1, __ATOMIC_RELEASE);
	while (!__atomic_load_n(&stop, __ATOMIC_RELAXED)) {
		for (int i = 0; i < 64; i++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			one_round(w, (uint32_t)(x >> 11));
		}
		w->ops += 64;
		__atomic_fetch_add(&ops_by_mode[w->mode], 64, __ATOMIC_RELAXED);
		publish_aborts();
		if ((w->ops & 4095) == 0)
			sched_yield();	/* let the consumer keep up on a busy machine */
		/*
		 * Every fallback operation on a list, buffer or ring locks that
		 * CPU's slot (and fences it), and rseq workers wait while it is
		 * locked: pause, or on a slow emulator they hardly run at all.
		 */
		if (w->mode == PERCPU_MODE_FALLBACK)
			pause_1ms();
	}
	publish_aborts();
	return NULL;
}

/* Creates the fallback half under a filter that only this thread has. */
static void *spawner(void *arg)
{
	int *err = arg;

	*err = install_rseq_enosys_filter();
	if (*err)
		return NULL;
	for (int i = nworkers / 2; i < nworkers; i++)
		pthread_create(&workers[i].tid, NULL, work, &workers[i]);
	return NULL;
}

static void check_record(const struct record *r)
{
	if (r->writer >= (uint32_t)nworkers || r->check != record_check(r->writer, r->seq)) {
		bad_records++;
		return;
	}
	reads_by_writer[r->writer]++;
}

static void *consume(void *arg)
{
	struct record r;
	int last;

	(void)arg;
	do {
		last = __atomic_load_n(&stop, __ATOMIC_ACQUIRE);
		for (unsigned int cpu = 0; cpu < nr; cpu++)
			while (ring_read_rec(&ring, cpu, &r, sizeof(r)) == 1)
				check_record(&r);
		sched_yield();
	} while (!last);
	return NULL;
}

static int count_items(struct item *pool, int is_list, uint64_t *found)
{
	static unsigned int seen[NITEMS];
	int bad = 0;

	memset(seen, 0, sizeof(seen));
	for (unsigned int cpu = 0; cpu < nr; cpu++) {
		if (is_list) {
			for (struct percpu_list_node *n = percpu_list_drain_cpu(&list, cpu); n; n = n->next)
				seen[(struct item *)n - pool]++;
		} else {
			void *out[64];
			ssize_t got;

			while ((got = percpu_buffer_drain_cpu(&buffer, cpu, out, 64)) > 0)
				for (ssize_t i = 0; i < got; i++)
					seen[(struct item *)out[i] - pool]++;
		}
	}
	for (int t = 0; t < nworkers; t++) {
		struct worker *w = &workers[t];

		for (int i = 0; i < (is_list ? w->nl : w->nb); i++)
			seen[(is_list ? w->lstash[i] : w->bstash[i]) - pool]++;
	}
	*found = 0;
	for (int i = 0; i < NITEMS; i++) {
		bad += seen[i] != 1;
		*found += seen[i];
	}
	return bad;
}

/* "late": the rseq workers start once the fallback ones are busy. */
static int late;

int main(int argc, char **argv)
{
	struct test_mode m = test_mode_setup(argc, argv);
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	struct test_clock clk;
	pthread_t sp, consumer;
	int spawn_err = 0, nrseq = 0, nfallback = 0, bad;
	int64_t expected = 0, sum = 0;
	uint64_t found, attempts = 0, written = 0, lost = 0, reads = 0, lib_lost = 0;
	unsigned long mismatched = 0;
	struct record r;

	late = argc > 2 && strcmp(argv[2], "late") == 0;
	if (m.mode == PERCPU_MODE_LIBC)
		skip_all("mode libc: glibc aborts the process when a new thread's rseq "
			 "registration fails, so no thread can fall back alone");
	if (m.mode == PERCPU_MODE_FALLBACK)
		skip_all("mode %s: every thread falls back; this test mixes rseq and fallback "
			 "threads", m.name);
	nr = percpu_nr_cpus();
	nworkers = 4 * (ncpu > 1 ? (int)ncpu : 2);
	workers = calloc((size_t)nworkers, sizeof(*workers));
	reads_by_writer = calloc((size_t)nworkers, sizeof(*reads_by_writer));
	plan(8);
	inject_loops[1] = inject_loops[2] = inject_loops[3] = test_inject_loops(50);

	ok(percpu_counter_init(&counter, 0) == 0 && percpu_list_init(&list, 0) == 0 &&
	   percpu_buffer_init(&buffer, NITEMS / nr, 0) == 0 &&
	   percpu_ring_init(&ring, PERCPU_RING_MIN_BYTES, 0) == 0,
	   "init counter, list, buffer (%u per CPU), ring", NITEMS / nr);
	for (int i = 0; i < NITEMS; i++) {
		percpu_list_push_cpu(&list, &litems[i].node, (unsigned int)i % nr);
		percpu_buffer_push_cpu(&buffer, &bitems[i], (unsigned int)i % nr);
	}

	for (int i = 0; i < nworkers; i++)
		workers[i].idx = i;
	pthread_create(&consumer, NULL, consume, NULL);
	if (late) {
		/*
		 * The fallback half first, holding slots by their mutex alone
		 * (no thread uses rseq yet), then the rseq half: the first rseq
		 * worker must wait for those holds (percpu_slow_quiesce()).
		 */
		struct test_clock wait;

		pthread_create(&sp, NULL, spawner, &spawn_err);
		pthread_join(sp, NULL);
		test_clock_start(&wait, 0, 60);
		while (!spawn_err && !test_clock_done(&wait, __atomic_load_n(
				&ops_by_mode[PERCPU_MODE_FALLBACK], __ATOMIC_RELAXED) >= 20000))
			;
		diag("rseq workers start after %lu fallback operations",
		     (unsigned long)__atomic_load_n(&ops_by_mode[PERCPU_MODE_FALLBACK],
						    __ATOMIC_RELAXED));
		/* Even without the fallback half: the skip below joins them. */
		for (int i = 0; i < nworkers / 2; i++)
			pthread_create(&workers[i].tid, NULL, work, &workers[i]);
	} else {
		for (int i = 0; i < nworkers / 2; i++)
			pthread_create(&workers[i].tid, NULL, work, &workers[i]);
		pthread_create(&sp, NULL, spawner, &spawn_err);
		pthread_join(sp, NULL);
	}
	if (spawn_err) {
		__atomic_store_n(&stop, 1, __ATOMIC_RELEASE);
		for (int i = 0; i < nworkers / 2; i++)
			pthread_join(workers[i].tid, NULL);
		pthread_join(consumer, NULL);
		skip(7, "cannot install a seccomp filter in one thread: %s", strerror(-spawn_err));
		return exit_status();
	}

	test_clock_start(&clk, test_seconds(1.0), 10 * test_seconds(1.0));
	while (!test_clock_done(&clk, __atomic_load_n(&ops_by_mode[m.mode], __ATOMIC_RELAXED) > 0 &&
				__atomic_load_n(&ops_by_mode[PERCPU_MODE_FALLBACK],
						__ATOMIC_RELAXED) > 0 &&
				__atomic_load_n(&live_aborts, __ATOMIC_RELAXED) > 0))
		;
	__atomic_store_n(&stop, 1, __ATOMIC_RELEASE);
	for (int i = 0; i < nworkers; i++)
		pthread_join(workers[i].tid, NULL);
	pthread_join(consumer, NULL);

	for (int i = 0; i < nworkers; i++) {
		struct worker *w = &workers[i];

		nrseq += i < nworkers / 2 && w->mode == m.mode;
		nfallback += i >= nworkers / 2 && w->mode == PERCPU_MODE_FALLBACK;
		expected += w->added;
	}
	ok(nrseq == nworkers / 2 && nfallback == nworkers / 2,
	   "%d of %d workers in mode %s, %d of %d in fallback (seccomp filter in their creator)",
	   nrseq, nworkers / 2, m.name, nfallback, nworkers - nworkers / 2);
	diag("mode %s: %lu kernel aborts; %lu ops on rseq, %lu on fallback (%.2f s)", m.name,
	     live_aborts, ops_by_mode[m.mode], ops_by_mode[PERCPU_MODE_FALLBACK],
	     test_clock_elapsed(&clk));
	ok(live_aborts > 0 && ops_by_mode[m.mode] > 0 && ops_by_mode[PERCPU_MODE_FALLBACK] > 0,
	   "both kinds ran (%lu and %lu ops) and the kernel aborted %lu sequences",
	   ops_by_mode[m.mode], ops_by_mode[PERCPU_MODE_FALLBACK], live_aborts);

	percpu_counter_sum(&counter, &sum);
	ok(sum == expected, "counter: sum %lld == %lld added", (long long)sum, (long long)expected);

	bad = count_items(litems, 1, &found);
	ok(bad == 0 && dup_takes == 0 && foreign == 0,
	   "list: each of %d nodes found exactly once (%llu found, %d wrong, %lu taken twice, "
	   "%lu foreign)", NITEMS, (unsigned long long)found, bad, dup_takes, foreign);
	bad = count_items(bitems, 0, &found);
	ok(bad == 0 && dup_takes == 0 && foreign == 0,
	   "buffer: each of %d pointers found exactly once (%llu found, %d wrong)", NITEMS,
	   (unsigned long long)found, bad);

	for (unsigned int cpu = 0; cpu < nr; cpu++) {
		uint64_t l = 0;

		while (ring_read_rec(&ring, cpu, &r, sizeof(r)) == 1)
			check_record(&r);
		l = ring_lost(&ring, cpu);
		lib_lost += l;
	}
	for (int i = 0; i < nworkers; i++) {
		struct worker *w = &workers[i];

		attempts += w->attempts;
		written += w->written;
		lost += w->lost;
		reads += reads_by_writer[i];
		mismatched += w->written + w->lost != w->attempts || reads_by_writer[i] != w->written;
	}
	ok(mismatched == 0 && written + lost == attempts && reads == written && lib_lost == lost,
	   "ring: %llu attempts = %llu written + %llu lost; %llu read; library lost %llu; %lu "
	   "writers differ", (unsigned long long)attempts, (unsigned long long)written,
	   (unsigned long long)lost, (unsigned long long)reads, (unsigned long long)lib_lost,
	   mismatched);
	ok(bad_records == 0, "ring: every record intact (%lu bad)", bad_records);

	percpu_ring_destroy(&ring);
	percpu_buffer_destroy(&buffer);
	percpu_list_destroy(&list);
	percpu_counter_destroy(&counter);
	free(reads_by_writer);
	free(workers);
	return exit_status();
}
