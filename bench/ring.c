/* SPDX-License-Identifier: MIT */
/*
 * bench/ring.c - per-CPU record ring writes against shared record rings,
 * for 16, 64 and 256-byte records (the benchmark argument).
 *
 *   ring/percpu_write    _percpu_ring_write(); full rings are drained with
 *                        percpu_ring_read_cpu() (only when <percpu/ring.h>
 *                        exists)
 *   ring/vyukov_write    lock-free bounded MPMC ring of records
 *   ring/mutex_write     ring of records under a pthread mutex
 *
 * Writers append; a writer that finds the ring full drains it (every CPU for
 * libpercpu, under one drain lock so each CPU has one reader at a time) and
 * writes again.  The time per write therefore includes, amortised, one read:
 * a ring nobody reads is not a steady state.  Every record read is checked
 * (first and last word agree, so a torn record shows) and at the end the
 * count and the sum of the tags read must equal those written.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "baselines.h"
#include "bench.h"
#if __has_include(<percpu/ring.h>)
#include <percpu/ring.h>
#include <percpu/rseq.h>
#define HAVE_PERCPU_RING 1
#endif

#define RING_RECORDS	1024		/* per CPU for libpercpu, in all for the others */
#define RING_MAX_RECORD	256

static const long ring_sizes[] = {16, 64, 256};

struct ring_bench {
	size_t size;
	struct vring vring;
	struct mring mring;
#ifdef HAVE_PERCPU_RING
	struct percpu_ring pring;
	int pring_ok;
	pthread_mutex_t drain_lock;
#endif
	uint64_t written_sum;		/* sums of the tags written and read */
	uint64_t read_sum;
	uint64_t read_count;
	int bad;			/* a torn or foreign record was read */
};

struct writer {
	uint64_t rec[RING_MAX_RECORD / 8];
	uint64_t seq;
	uint64_t sum;
	uint64_t drains;
};

static void teardown(void *obj)
{
	struct ring_bench *b = obj;

#ifdef HAVE_PERCPU_RING
	if (b->pring_ok)
		percpu_ring_destroy(&b->pring);
	pthread_mutex_destroy(&b->drain_lock);
#endif
	vring_destroy(&b->vring);
	mring_destroy(&b->mring);
	free(b);
}

static void *setup(const struct cbench_run *r)
{
	struct ring_bench *b = bench_zalloc(sizeof(*b));

	if (!b)
		return NULL;
	b->size = (size_t)r->arg;
#ifdef HAVE_PERCPU_RING
	pthread_mutex_init(&b->drain_lock, NULL);
#endif
	if (vring_init(&b->vring, b->size, RING_RECORDS) != 0 ||
	    mring_init(&b->mring, b->size, RING_RECORDS) != 0) {
		teardown(b);
		return NULL;
	}
#ifdef HAVE_PERCPU_RING
	if (percpu_ring_init(&b->pring, b->size, RING_RECORDS, 0) != 0) {
		teardown(b);
		return NULL;
	}
	b->pring_ok = 1;
#endif
	return b;
}

/* Tag: writer number in the top 16 bits, sequence below. Last word: ~tag. */
static void *thread_init(struct cbench_thread *t)
{
	struct ring_bench *b = t->shared;
	struct writer *w = bench_zalloc(sizeof(*w));

	if (!w)
		abort();	/* cannot run at all: loud */
	memset(w->rec, t->index + 1, b->size);
#ifdef HAVE_PERCPU_RING
	(void)percpu_rseq_mode();	/* first use is timed in first_use/ */
#endif
	return w;
}

static inline uint64_t writer_next(struct writer *w, struct cbench_thread *t, size_t size)
{
	uint64_t tag = ((uint64_t)(t->index + 1) << 48) | ++w->seq;

	w->rec[0] = tag;
	w->rec[size / 8 - 1] = ~tag;
	w->sum += tag;
	return tag;
}

static void thread_fini(struct cbench_thread *t)
{
	struct ring_bench *b = t->shared;
	struct writer *w = t->priv;

	if (!w) {
		__atomic_store_n(&b->bad, 1, __ATOMIC_RELAXED);
		return;
	}
	__atomic_fetch_add(&b->written_sum, w->sum, __ATOMIC_RELAXED);
	cbench_counter(t, "drains", (double)w->drains, 1);
	free(w);
}

/* Check one record read and add it to the totals of this drain. */
static inline void check_record(struct ring_bench *b, const uint64_t *rec,
				uint64_t *count, uint64_t *sum)
{
	if (rec[b->size / 8 - 1] != ~rec[0] || (rec[0] >> 48) == 0)
		__atomic_store_n(&b->bad, 1, __ATOMIC_RELAXED);
	*count += 1;
	*sum += rec[0];
}

static void add_reads(struct ring_bench *b, uint64_t count, uint64_t sum)
{
	__atomic_fetch_add(&b->read_count, count, __ATOMIC_RELAXED);
	__atomic_fetch_add(&b->read_sum, sum, __ATOMIC_RELAXED);
}

static const char *verify_totals(struct ring_bench *b, const struct cbench_run *r)
{
	if (b->bad)
		return "a torn or foreign record was read";
	if (b->read_count != r->total_ops)
		return "records read != records written";
	if (b->read_sum != b->written_sum)
		return "tags read != tags written";
	return NULL;
}

/*
 * Drains read at most one ring's worth: with writers still running, "until
 * empty" could last as long as they keep writing.
 */

/* Vyukov */
static void vring_drain(struct ring_bench *b)
{
	uint64_t rec[RING_MAX_RECORD / 8], count = 0, sum = 0;

	for (int i = 0; i < RING_RECORDS && vring_dequeue(&b->vring, rec, b->size); i++)
		check_record(b, rec, &count, &sum);
	add_reads(b, count, sum);
}

static void run_vyukov(struct cbench_thread *t, uint64_t n)
{
	struct ring_bench *b = t->shared;
	struct writer *w = t->priv;

	for (uint64_t i = 0; i < n; i++) {
		writer_next(w, t, b->size);
		while (vring_enqueue(&b->vring, w->rec, b->size) == -ENOSPC) {
			vring_drain(b);
			w->drains++;
		}
	}
}

static const char *verify_vyukov(void *obj, const struct cbench_run *r)
{
	vring_drain(obj);	/* one ring's worth is all there can be */
	return verify_totals(obj, r);
}

/* mutex ring: a writer that finds it full drains it while holding the lock */
static void mring_drain_locked(struct ring_bench *b)
{
	uint64_t rec[RING_MAX_RECORD / 8], count = 0, sum = 0;

	while (mring_get_locked(&b->mring, rec, b->size))
		check_record(b, rec, &count, &sum);
	add_reads(b, count, sum);
}

static void run_mutex(struct cbench_thread *t, uint64_t n)
{
	struct ring_bench *b = t->shared;
	struct writer *w = t->priv;

	for (uint64_t i = 0; i < n; i++) {
		writer_next(w, t, b->size);
		pthread_mutex_lock(&b->mring.lock);
		if (mring_put_locked(&b->mring, w->rec, b->size) == -ENOSPC) {
			mring_drain_locked(b);
			w->drains++;
			mring_put_locked(&b->mring, w->rec, b->size);
		}
		pthread_mutex_unlock(&b->mring.lock);
	}
}

static const char *verify_mutex(void *obj, const struct cbench_run *r)
{
	struct ring_bench *b = obj;

	mring_drain_locked(b);
	return verify_totals(b, r);
}

#ifdef HAVE_PERCPU_RING
/* One reader per CPU at a time: drains take the drain lock. */
static void pring_drain(struct ring_bench *b)
{
	uint64_t rec[RING_MAX_RECORD / 8], count = 0, sum = 0;

	pthread_mutex_lock(&b->drain_lock);
	for (unsigned int cpu = 0; cpu < percpu_nr_cpus(); cpu++)
		for (int i = 0; i < RING_RECORDS &&
				percpu_ring_read_cpu(&b->pring, cpu, rec) == 1; i++)
			check_record(b, rec, &count, &sum);
	pthread_mutex_unlock(&b->drain_lock);
	add_reads(b, count, sum);
}

static void run_percpu(struct cbench_thread *t, uint64_t n)
{
	struct ring_bench *b = t->shared;
	struct writer *w = t->priv;

	for (uint64_t i = 0; i < n; i++) {
		writer_next(w, t, b->size);
		while (_percpu_ring_write(&b->pring, w->rec) == -ENOSPC) {
			pring_drain(b);
			w->drains++;
		}
	}
}

static const char *verify_percpu(void *obj, const struct cbench_run *r)
{
	pring_drain(obj);	/* one ring's worth per CPU is all there can be */
	return verify_totals(obj, r);
}
#endif

#define RING_BENCH(variant, fn, check)						\
	{ .name = "ring/" variant, .setup = setup, .thread_init = thread_init, \
	  .run = fn, .thread_fini = thread_fini, .verify = check,		\
	  .teardown = teardown, .batch = 1024, .args = ring_sizes,		\
	  .nargs = sizeof(ring_sizes) / sizeof(ring_sizes[0]) }

static const struct cbench_desc ring_benches[] = {
#ifdef HAVE_PERCPU_RING
	RING_BENCH("percpu_write", run_percpu, verify_percpu),
#endif
	RING_BENCH("vyukov_write", run_vyukov, verify_vyukov),
	RING_BENCH("mutex_write", run_mutex, verify_mutex),
};

void bench_register_ring(void)
{
	for (size_t i = 0; i < sizeof(ring_benches) / sizeof(ring_benches[0]); i++)
		cbench_register(&ring_benches[i]);
}
