/* SPDX-License-Identifier: MIT */
/*
 * bench/ring.c - per-CPU event ring writes against shared record rings,
 * for 16, 64 and 256-byte payloads (the benchmark argument).
 *
 * Three families:
 *
 *   ring/...              one write, the cost of the writer alone
 *   ring_write_read/...   one write then one read of a record, one pinned
 *                         thread: a producer and its consumer, back to back
 *
 *   ring_consume/...      one reader draining while writer threads run on
 *                         the other CPUs (see consume_benches below)
 *
 *   percpu_write, percpu_write_read
 *                         _percpu_ring_write() (a timestamped event with
 *                         a 16-byte header), percpu_ring_read_cpu(): batch
 *                         reads in drains, one event per read in write_read
 *   vyukov_ts_write, mutex_ts_write
 *                         the baselines below with the same clock read per
 *                         record (under the lock for the mutex ring, so in
 *                         ring order): what a tracer's event costs them
 *   vyukov_write, vyukov_write_read
 *                         lock-free bounded MPMC ring of records
 *   mutex_write, mutex_write_read
 *                         ring of records under a pthread mutex (the read
 *                         takes the lock again, as a separate consumer would)
 *   clock_only            the timestamp clock alone (bench_clock(), the
 *                         same as percpu_ring_clock()), back to back: the
 *                         share of the _ts_ and percpu rows no ring can save
 *   floor_rseq_write, floor_rseq_write_read
 *                         the floor: a hand-written minimal rseq write of a
 *                         16-byte record into a power-of-two ring and a plain
 *                         single-consumer read (floor.h; x86_64 with glibc's
 *                         area; 16-byte records only)
 *   floor_rseq_ts_write   the floor write after a clock read (kept as the
 *                         _ts_ baselines keep theirs): the least a
 *                         timestamped per-CPU write can cost
 *
 * Both time only the ring operations (manual time).  Records are prepared,
 * untimed, a chunk at a time (at most 16 KiB, at most RING_BATCH records)
 * before the clock starts: writing a record's words just before copying it
 * would stall every copy on store-to-load forwarding (two 8-byte stores
 * read back by one 16-byte load), which costs more than the write itself.
 * ring/ first drains, untimed, the ring(s) it writes to, and a batch is a
 * quarter of a ring, so the timed loop drains only when threads share a
 * ring and fill it; then the clock stops around the drain (`drains`
 * counter, per write: 0 when pinned).
 *
 * Every record read is checked (first and last word agree, so a torn record
 * shows) and at the end the count and the sum of the tags read must equal
 * those written.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "baselines.h"
#include "bench.h"
#include "floor.h"
#include <percpu/rseq.h>
#if __has_include(<percpu/ring.h>)
#include <percpu/ring.h>
#define HAVE_PERCPU_RING 1
#endif

#define RING_RECORDS	1024		/* per CPU for libpercpu, in all for the others */
#define RING_MAX_RECORD	256

/* Records per run() call: a ring holds four batches. */
#define RING_BATCH	(RING_RECORDS / 4)

static const long ring_sizes[] = {16, 64, 256};
static const long clock_sizes[] = {16};
#ifdef FLOOR_HAVE_RSEQ
static const long floor_sizes[] = {FLOOR_RING_RECORD};
#endif

struct ring_bench {
	size_t size;
	struct vring vring;
	struct mring mring;
#ifdef HAVE_PERCPU_RING
	struct percpu_ring pring;
	int pring_ok;
	pthread_mutex_t drain_lock;
#endif
	char *floor;			/* floor.h per-CPU rings */
	unsigned int floor_cpus;
	pthread_mutex_t floor_lock;	/* one reader per floor ring */
	int no_area;
	uint64_t written_sum;		/* sums of the tags written and read */
	uint64_t read_sum;
	uint64_t read_count;
	int bad;			/* a torn or foreign record was read */
};


struct writer {
	uint64_t *recs;			/* one chunk of prepared records */
	uint64_t seq;
	uint64_t sum;
	uint64_t drains;
	unsigned int cpu;		/* write_read: the CPU the thread is pinned to */
};

/* Records per prepared chunk: at most 16 KiB, so they stay in L1. */
static size_t ring_chunk(size_t size)
{
	size_t c = 16384 / size;

	return c < RING_BATCH ? c : RING_BATCH;
}

static void teardown(void *obj)
{
	struct ring_bench *b = obj;

#ifdef HAVE_PERCPU_RING
	if (b->pring_ok)
		percpu_ring_destroy(&b->pring);
	pthread_mutex_destroy(&b->drain_lock);
#endif
	pthread_mutex_destroy(&b->floor_lock);
	vring_destroy(&b->vring);
	mring_destroy(&b->mring);
	free(b->floor);
	free(b);
}

static void *setup(const struct cbench_run *r)
{
	struct ring_bench *b = bench_zalloc(sizeof(*b));

	if (!b)
		return NULL;
	b->size = (size_t)r->arg;
	pthread_mutex_init(&b->floor_lock, NULL);
#ifdef HAVE_PERCPU_RING
	pthread_mutex_init(&b->drain_lock, NULL);
#endif
	if (vring_init(&b->vring, b->size, RING_RECORDS) != 0 ||
	    mring_init(&b->mring, b->size, RING_RECORDS) != 0) {
		teardown(b);
		return NULL;
	}
#ifdef HAVE_PERCPU_RING
	/* Room for RING_RECORDS events with their 16-byte headers. */
	if (percpu_ring_init(&b->pring, RING_RECORDS * PERCPU_RING_SPAN(b->size), 0) != 0) {
		teardown(b);
		return NULL;
	}
	b->pring_ok = 1;
#endif
	return b;
}

static void *thread_init(struct cbench_thread *t)
{
	struct ring_bench *b = t->shared;
	struct writer *w = bench_zalloc(sizeof(*w));

	if (!w || !(w->recs = bench_zalloc(ring_chunk(b->size) * b->size)))
		abort();	/* cannot run at all: loud */
	memset(w->recs, t->index + 1, ring_chunk(b->size) * b->size);
#ifdef HAVE_PERCPU_RING
	(void)percpu_rseq_mode();	/* first use is timed in first_use/ */
#endif
	w->cpu = (unsigned int)cbench_cpu_os_index((unsigned int)t->index);
	return w;
}

/*
 * Tag @k records of the chunk: writer number in the top 16 bits, sequence
 * below; last word ~tag.  Every record tagged here is written before the
 * next chunk is tagged, so w->sum is the sum of the tags written.
 */
static void writer_prepare(struct writer *w, struct cbench_thread *t, size_t size, size_t k)
{
	for (size_t j = 0; j < k; j++) {
		uint64_t *rec = w->recs + j * (size / 8);
		uint64_t tag = ((uint64_t)(t->index + 1) << 48) | ++w->seq;

		rec[0] = tag;
		rec[size / 8 - 1] = ~tag;
		w->sum += tag;
	}
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
	free(w->recs);
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
 * The ring operations ring_timed() takes.  Forced inline: left to itself,
 * gcc 12 kept the larger ones (percpu_write, vyukov_write) out of line, so
 * those rows paid a call, six register saves and a frame per record that
 * the mutex rows, inlined, did not.
 */
#define RING_OP static inline __attribute__((always_inline))

/*
 * The timed loop, instantiated per structure (always_inline with constant
 * function pointers, so the operations inline into it): @n writes, each
 * followed by a read when @read is given, in chunks of prepared records.
 * write() returns 0 or non-zero when the ring is full; then the clock stops
 * while drain() makes room.  read() returns 1 if it copied a record.
 */
static inline __attribute__((always_inline)) void
ring_timed(struct cbench_thread *t, uint64_t n, void *obj,
	   int (*write)(void *obj, const uint64_t *rec), void (*drain)(void *obj),
	   int (*read)(void *obj, uint64_t *rec))
{
	struct ring_bench *b = t->shared;
	struct writer *w = t->priv;
	const size_t size = b->size, chunk = ring_chunk(size);
	uint64_t rec[RING_MAX_RECORD / 8], count = 0, sum = 0;

	for (uint64_t done = 0; done < n; ) {
		size_t k = n - done < chunk ? (size_t)(n - done) : chunk;
		uint64_t t0;

		writer_prepare(w, t, size, k);
		t0 = bench_now_ns();
		for (size_t j = 0; j < k; j++) {
			const uint64_t *r = w->recs + j * (size / 8);

			while (write(obj, r) != 0) {
				uint64_t t1 = bench_now_ns();

				drain(obj);
				w->drains++;
				t0 += bench_now_ns() - t1;
			}
			if (read && read(obj, rec))
				check_record(b, rec, &count, &sum);
		}
		t->manual_ns += (double)(bench_now_ns() - t0);
		done += k;
	}
	if (read)
		add_reads(b, count, sum);
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

/*
 * Where the _ts_ baselines and clock_only put each timestamp: the thread's
 * own word (a word shared by all writers would add cache-line traffic that
 * has nothing to do with the rings).  Their records hold the payload only,
 * so they save the timestamp's store into the record that a tracer needs
 * and percpu_write makes (its 16-byte event header).
 */
static __thread uint64_t ts_sink;

/* The tracer's clock: CLOCK_MONOTONIC through the vDSO, as percpu_ring_clock(). */
static inline uint64_t bench_clock(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* clock_only: @n clock reads, timed like the writes (no records, no ring). */
static void run_clock(struct cbench_thread *t, uint64_t n)
{
	uint64_t t0 = bench_now_ns();

	for (uint64_t i = 0; i < n; i++)
		__atomic_store_n(&ts_sink, bench_clock(), __ATOMIC_RELAXED);
	t->manual_ns += (double)(bench_now_ns() - t0);
}

static const char *verify_clock(void *obj, const struct cbench_run *r)
{
	(void)obj;
	(void)r;
	return NULL;
}

RING_OP int vyukov_write(void *obj, const uint64_t *rec)
{
	struct ring_bench *b = obj;

	return vring_enqueue(&b->vring, rec, b->size);
}

/* With a timestamp (not in ring order: a lock-free ring cannot give that). */
RING_OP int vyukov_ts_write(void *obj, const uint64_t *rec)
{
	__atomic_store_n(&ts_sink, bench_clock(), __ATOMIC_RELAXED);
	return vyukov_write(obj, rec);
}

static void vyukov_drain(void *obj)
{
	vring_drain(obj);
}

RING_OP int vyukov_read(void *obj, uint64_t *rec)
{
	struct ring_bench *b = obj;

	return vring_dequeue(&b->vring, rec, b->size);
}

static void run_vyukov(struct cbench_thread *t, uint64_t n)
{
	vring_drain(t->shared);
	ring_timed(t, n, t->shared, vyukov_write, vyukov_drain, NULL);
}

static void run_vyukov_ts(struct cbench_thread *t, uint64_t n)
{
	vring_drain(t->shared);
	ring_timed(t, n, t->shared, vyukov_ts_write, vyukov_drain, NULL);
}

static void run_vyukov_rw(struct cbench_thread *t, uint64_t n)
{
	ring_timed(t, n, t->shared, vyukov_write, vyukov_drain, vyukov_read);
}

static const char *verify_vyukov(void *obj, const struct cbench_run *r)
{
	vring_drain(obj);	/* one ring's worth is all there can be */
	return verify_totals(obj, r);
}

/* mutex ring: the reader takes the lock as a writer does */
static void mring_drain_locked(struct ring_bench *b)
{
	uint64_t rec[RING_MAX_RECORD / 8], count = 0, sum = 0;

	while (mring_get_locked(&b->mring, rec, b->size))
		check_record(b, rec, &count, &sum);
	add_reads(b, count, sum);
}

static void mutex_drain(void *obj)
{
	struct ring_bench *b = obj;

	pthread_mutex_lock(&b->mring.lock);
	mring_drain_locked(b);
	pthread_mutex_unlock(&b->mring.lock);
}

RING_OP int mutex_write(void *obj, const uint64_t *rec)
{
	struct ring_bench *b = obj;
	int ret;

	pthread_mutex_lock(&b->mring.lock);
	ret = mring_put_locked(&b->mring, rec, b->size);
	pthread_mutex_unlock(&b->mring.lock);
	return ret;
}

/*
 * The baselines with a timestamp per record, as a tracer needs and as the
 * per-CPU ring takes: the same clock (percpu_ring_clock()), read under the
 * lock so that timestamps are in ring order (kept in ts_sink, above).
 */

RING_OP int mutex_ts_write(void *obj, const uint64_t *rec)
{
	struct ring_bench *b = obj;
	int ret;

	pthread_mutex_lock(&b->mring.lock);
	__atomic_store_n(&ts_sink, bench_clock(), __ATOMIC_RELAXED);
	ret = mring_put_locked(&b->mring, rec, b->size);
	pthread_mutex_unlock(&b->mring.lock);
	return ret;
}

static void run_mutex_ts(struct cbench_thread *t, uint64_t n)
{
	mutex_drain(t->shared);
	ring_timed(t, n, t->shared, mutex_ts_write, mutex_drain, NULL);
}

RING_OP int mutex_read(void *obj, uint64_t *rec)
{
	struct ring_bench *b = obj;
	int got;

	pthread_mutex_lock(&b->mring.lock);
	got = mring_get_locked(&b->mring, rec, b->size);
	pthread_mutex_unlock(&b->mring.lock);
	return got;
}

static void run_mutex(struct cbench_thread *t, uint64_t n)
{
	mutex_drain(t->shared);
	ring_timed(t, n, t->shared, mutex_write, mutex_drain, NULL);
}

static void run_mutex_rw(struct cbench_thread *t, uint64_t n)
{
	ring_timed(t, n, t->shared, mutex_write, mutex_drain, mutex_read);
}

static const char *verify_mutex(void *obj, const struct cbench_run *r)
{
	struct ring_bench *b = obj;

	mring_drain_locked(b);
	return verify_totals(b, r);
}

#ifdef HAVE_PERCPU_RING
/*
 * One reader per CPU at a time: drains take the drain lock.  A drain reads
 * many events per call, as a tracer's consumer does.
 */
static void pring_drain_cpu_locked(struct ring_bench *b, unsigned int cpu)
{
	static uint64_t buf[8192];	/* under drain_lock */
	uint64_t count = 0, sum = 0;
	ssize_t n;

	while ((n = percpu_ring_read_cpu(&b->pring, cpu, buf, sizeof(buf))) > 0) {
		const struct percpu_ring_event *ev;
		size_t off = 0;

		while ((ev = percpu_ring_event_next(buf, (size_t)n, &off)) != NULL)
			check_record(b, percpu_ring_event_payload(ev), &count, &sum);
	}
	add_reads(b, count, sum);
}

static void pring_drain(void *obj)
{
	struct ring_bench *b = obj;

	pthread_mutex_lock(&b->drain_lock);
	for (unsigned int cpu = 0; cpu < percpu_nr_cpus(); cpu++)
		pring_drain_cpu_locked(b, cpu);
	pthread_mutex_unlock(&b->drain_lock);
}

static void pring_drain_cpu(struct ring_bench *b, int cpu)
{
	if (cpu < 0 || (unsigned int)cpu >= percpu_nr_cpus())
		return;
	pthread_mutex_lock(&b->drain_lock);
	pring_drain_cpu_locked(b, (unsigned int)cpu);
	pthread_mutex_unlock(&b->drain_lock);
}

RING_OP int percpu_write(void *obj, const uint64_t *rec)
{
	struct ring_bench *b = obj;

	return _percpu_ring_write(&b->pring, 1, rec, b->size) == -ENOSPC;
}

/* write_read runs one pinned thread: it is its CPU's only reader. */
struct percpu_rw_ctx {
	struct ring_bench *b;
	unsigned int cpu;
};

RING_OP int percpu_rw_write(void *obj, const uint64_t *rec)
{
	return percpu_write(((struct percpu_rw_ctx *)obj)->b, rec);
}

static void percpu_rw_drain(void *obj)
{
	pring_drain(((struct percpu_rw_ctx *)obj)->b);
}

RING_OP int percpu_rw_read(void *obj, uint64_t *rec)
{
	struct percpu_rw_ctx *c = obj;
	uint64_t ev[PERCPU_RING_SPAN(RING_MAX_RECORD) / 8];

	if (percpu_ring_read_cpu(&c->b->pring, c->cpu, ev, PERCPU_RING_SPAN(c->b->size)) <= 0)
		return 0;
	memcpy(rec, percpu_ring_event_payload((struct percpu_ring_event *)ev), c->b->size);
	return 1;
}

static void run_percpu(struct cbench_thread *t, uint64_t n)
{
	pring_drain_cpu(t->shared, sched_getcpu());
	ring_timed(t, n, t->shared, percpu_write, pring_drain, NULL);
}

static void run_percpu_rw(struct cbench_thread *t, uint64_t n)
{
	struct percpu_rw_ctx c = { t->shared, ((struct writer *)t->priv)->cpu };

	ring_timed(t, n, &c, percpu_rw_write, percpu_rw_drain, percpu_rw_read);
}

static const char *verify_percpu(void *obj, const struct cbench_run *r)
{
	pring_drain(obj);	/* one ring's worth per CPU is all there can be */
	return verify_totals(obj, r);
}
#endif

#ifdef FLOOR_HAVE_RSEQ
static void *setup_floor(const struct cbench_run *r)
{
	struct ring_bench *b = setup(r);

	if (!b)
		return NULL;
	b->floor_cpus = percpu_nr_cpus();
	b->floor = bench_zalloc((size_t)b->floor_cpus << FLOOR_RING_SHIFT);
	if (!b->floor) {
		teardown(b);
		return NULL;
	}
	return b;
}

static void *thread_init_floor(struct cbench_thread *t)
{
	struct ring_bench *b = t->shared;

	if (!floor_area_usable())
		__atomic_store_n(&b->no_area, 1, __ATOMIC_RELAXED);
	return thread_init(t);
}

static void floor_drain_cpu_locked(struct ring_bench *b, unsigned int cpu)
{
	uint64_t rec[FLOOR_RING_RECORD / 8], count = 0, sum = 0;

	while (floor_ring_read16(b->floor, cpu, rec))
		check_record(b, rec, &count, &sum);
	add_reads(b, count, sum);
}

static void floor_drain_all(struct ring_bench *b)
{
	pthread_mutex_lock(&b->floor_lock);
	for (unsigned int cpu = 0; cpu < b->floor_cpus; cpu++)
		floor_drain_cpu_locked(b, cpu);
	pthread_mutex_unlock(&b->floor_lock);
}

/* The area pointer and the rings' base: in registers for the batch. */
struct floor_ctx {
	struct ring_bench *b;
	struct rseq *rs;
	char *base;
	unsigned int cpu;
};

RING_OP int floor_write(void *obj, const uint64_t *rec)
{
	struct floor_ctx *c = obj;

	return floor_ring_write16(c->rs, c->base, rec);
}

/* The floor with the clock: read first, kept as the _ts_ baselines keep it. */
RING_OP int floor_ts_write(void *obj, const uint64_t *rec)
{
	__atomic_store_n(&ts_sink, bench_clock(), __ATOMIC_RELAXED);
	return floor_write(obj, rec);
}

static void floor_drain(void *obj)
{
	floor_drain_all(((struct floor_ctx *)obj)->b);
}

RING_OP int floor_read(void *obj, uint64_t *rec)
{
	struct floor_ctx *c = obj;

	return floor_ring_read16(c->base, c->cpu, rec);
}

/* Inlined with a constant @write, as ring_timed() needs. */
static inline __attribute__((always_inline)) void
run_floor_with(struct cbench_thread *t, uint64_t n, int (*write)(void *obj, const uint64_t *rec))
{
	struct ring_bench *b = t->shared;
	struct floor_ctx c = { b, floor_area(), b->floor, 0 };

	if (b->no_area)
		return;
	/* Drain the CPU the thread is on, untimed, before its timed writes. */
	pthread_mutex_lock(&b->floor_lock);
	floor_drain_cpu_locked(b, __atomic_load_n(&c.rs->cpu_id_start, __ATOMIC_RELAXED));
	pthread_mutex_unlock(&b->floor_lock);
	ring_timed(t, n, &c, write, floor_drain, NULL);
}

static void run_floor(struct cbench_thread *t, uint64_t n)
{
	run_floor_with(t, n, floor_write);
}

static void run_floor_ts(struct cbench_thread *t, uint64_t n)
{
	run_floor_with(t, n, floor_ts_write);
}

static void run_floor_rw(struct cbench_thread *t, uint64_t n)
{
	struct ring_bench *b = t->shared;
	struct floor_ctx c = { b, floor_area(), b->floor, ((struct writer *)t->priv)->cpu };

	if (b->no_area)
		return;
	ring_timed(t, n, &c, floor_write, floor_drain, floor_read);
}

static const char *verify_floor(void *obj, const struct cbench_run *r)
{
	struct ring_bench *b = obj;

	if (b->no_area)
		return "a thread had no registered rseq area";
	floor_drain_all(b);
	return verify_totals(b, r);
}
#endif

#define RING_BENCH(variant, setup_fn, init_fn, fn, check, sizes)		\
	{ .name = "ring/" variant, .setup = setup_fn, .thread_init = init_fn, \
	  .run = fn, .thread_fini = thread_fini, .verify = check,		\
	  .teardown = teardown, .batch = RING_BATCH, .args = sizes,		\
	  .nargs = sizeof(sizes) / sizeof(sizes[0]), .manual_time = 1 }

/* Producer and consumer back to back: one pinned thread. */
#define RING_RW_BENCH(variant, setup_fn, init_fn, fn, check, sizes)	\
	{ .name = "ring_write_read/" variant, .setup = setup_fn,		\
	  .thread_init = init_fn, .run = fn, .thread_fini = thread_fini,	\
	  .verify = check, .teardown = teardown, .batch = RING_BATCH,	\
	  .args = sizes, .nargs = sizeof(sizes) / sizeof(sizes[0]),	\
	  .threads_mode = CBENCH_THREADS_ONE, .manual_time = 1 }

static const struct cbench_desc ring_benches[] = {
#ifdef HAVE_PERCPU_RING
	RING_BENCH("percpu_write", setup, thread_init, run_percpu, verify_percpu, ring_sizes),
#endif
	RING_BENCH("vyukov_write", setup, thread_init, run_vyukov, verify_vyukov, ring_sizes),
	RING_BENCH("mutex_write", setup, thread_init, run_mutex, verify_mutex, ring_sizes),
	RING_BENCH("vyukov_ts_write", setup, thread_init, run_vyukov_ts, verify_vyukov, ring_sizes),
	RING_BENCH("mutex_ts_write", setup, thread_init, run_mutex_ts, verify_mutex, ring_sizes),
	RING_BENCH("clock_only", setup, thread_init, run_clock, verify_clock, clock_sizes),
#ifdef HAVE_PERCPU_RING
	RING_RW_BENCH("percpu_write_read", setup, thread_init, run_percpu_rw, verify_percpu,
		      ring_sizes),
#endif
	RING_RW_BENCH("vyukov_write_read", setup, thread_init, run_vyukov_rw, verify_vyukov,
		      ring_sizes),
	RING_RW_BENCH("mutex_write_read", setup, thread_init, run_mutex_rw, verify_mutex,
		      ring_sizes),
};

#ifdef FLOOR_HAVE_RSEQ
static const struct cbench_desc floor_benches[] = {
	RING_BENCH("floor_rseq_write", setup_floor, thread_init_floor, run_floor, verify_floor,
		   floor_sizes),
	RING_BENCH("floor_rseq_ts_write", setup_floor, thread_init_floor, run_floor_ts,
		   verify_floor, floor_sizes),
	RING_RW_BENCH("floor_rseq_write_read", setup_floor, thread_init_floor, run_floor_rw,
		      verify_floor, floor_sizes),
};
#endif

/*
 * ring_consume/...: events drained per second by ONE reader while writers
 * run.  One writer thread per other CPU (at least one) writes 64-byte
 * records flat out, from setup to teardown; the benchmark's thread (pinned
 * to the first CPU) reads, and only its reading is timed: an operation is
 * one event read.  `lost` (per read) is what the writers dropped meanwhile.
 *
 *   percpu_read_batch   percpu_ring_read_cpu() into a 64 KiB buffer, every
 *                       CPU in turn (the consumer of a tracer)
 *   mutex_read_batch    the mutex ring, up to 256 records per lock hold
 */
#define CONSUME_RECORD	64
#define CONSUME_BUF	(64 * 1024)

struct consume_bench {
	int percpu;
	int stop;
	unsigned int nwriters;
	pthread_t tid[256];
#ifdef HAVE_PERCPU_RING
	struct percpu_ring ring;
#endif
	struct mring mring;
	uint64_t lost;		/* mutex variant: records the writers dropped */
	uint64_t carry;		/* events read beyond the last run()'s count */
	uint64_t *buf;
};

static void *consume_writer(void *arg)
{
	struct consume_bench *c = arg;
	uint64_t rec[CONSUME_RECORD / 8] = { 0 };
	unsigned int i = __atomic_fetch_add(&c->nwriters, 0, __ATOMIC_RELAXED);

	(void)i;
	while (!__atomic_load_n(&c->stop, __ATOMIC_RELAXED)) {
		rec[0]++;
		rec[CONSUME_RECORD / 8 - 1] = rec[0];
#ifdef HAVE_PERCPU_RING
		if (c->percpu) {
			_percpu_ring_write(&c->ring, 1, rec, sizeof(rec));
			continue;
		}
#endif
		pthread_mutex_lock(&c->mring.lock);
		if (mring_put_locked(&c->mring, rec, CONSUME_RECORD) != 0)
			c->lost++;
		pthread_mutex_unlock(&c->mring.lock);
	}
	return NULL;
}

struct consume_start {
	struct consume_bench *c;
	unsigned int cpu;
};

static void *consume_writer_pinned(void *arg)
{
	struct consume_start *st = arg;
	struct consume_bench *c = st->c;

	cbench_pin_cpu(st->cpu);
	free(st);
	return consume_writer(c);
}

static void consume_teardown(void *obj)
{
	struct consume_bench *c = obj;

	__atomic_store_n(&c->stop, 1, __ATOMIC_RELAXED);
	for (unsigned int i = 0; i < c->nwriters; i++)
		pthread_join(c->tid[i], NULL);
#ifdef HAVE_PERCPU_RING
	if (c->percpu)
		percpu_ring_destroy(&c->ring);
#endif
	mring_destroy(&c->mring);
	free(c->buf);
	free(c);
}

static void *consume_setup(const struct cbench_run *r, int percpu)
{
	struct consume_bench *c = bench_zalloc(sizeof(*c));
	unsigned int ncpu = cbench_nr_cpus(), n = ncpu > 1 ? ncpu - 1 : 1;

	(void)r;
	if (!c)
		return NULL;
	c->percpu = percpu;
	c->buf = malloc(CONSUME_BUF);
	if (!c->buf || mring_init(&c->mring, CONSUME_RECORD, 16384) != 0) {
		free(c->buf);
		free(c);
		return NULL;
	}
#ifdef HAVE_PERCPU_RING
	if (percpu && percpu_ring_init(&c->ring, 1 << 20, 0) != 0) {
		mring_destroy(&c->mring);
		free(c->buf);
		free(c);
		return NULL;
	}
#endif
	if (n > 256)
		n = 256;
	for (unsigned int i = 0; i < n; i++) {
		struct consume_start *st = malloc(sizeof(*st));

		if (!st)
			break;
		st->c = c;
		st->cpu = (i + 1) % ncpu;
		if (pthread_create(&c->tid[i], NULL, consume_writer_pinned, st) != 0) {
			free(st);
			break;
		}
		c->nwriters = i + 1;
	}
	return c;
}

#ifdef HAVE_PERCPU_RING
static void *consume_setup_percpu(const struct cbench_run *r)
{
	return consume_setup(r, 1);
}

static void run_consume_percpu(struct cbench_thread *t, uint64_t n)
{
	struct consume_bench *c = t->shared;
	uint64_t got = c->carry, t0 = bench_now_ns(), bad = 0;
	unsigned int nr = percpu_nr_cpus();

	while (got < n) {
		for (unsigned int cpu = 0; cpu < nr; cpu++) {
			ssize_t len = percpu_ring_read_cpu(&c->ring, cpu, c->buf, CONSUME_BUF);
			const struct percpu_ring_event *ev;
			size_t off = 0;

			while (len > 0 && (ev = percpu_ring_event_next(c->buf, (size_t)len, &off))) {
				const uint64_t *p = percpu_ring_event_payload(ev);

				bad += p[0] != p[CONSUME_RECORD / 8 - 1];
				got++;
			}
		}
	}
	t->manual_ns += (double)(bench_now_ns() - t0);
	c->carry = got - n;
	if (bad)
		cbench_counter(t, "bad", (double)bad, 0);
}

static const char *verify_consume_percpu(void *obj, const struct cbench_run *r)
{
	struct consume_bench *c = obj;
	struct percpu_ring_lost l;
	uint64_t lost = 0;

	(void)r;
	for (unsigned int cpu = 0; cpu < percpu_nr_cpus(); cpu++)
		if (percpu_ring_lost_cpu(&c->ring, cpu, &l, 0) == 0)
			lost += l.full;
	(void)lost;
	return NULL;
}
#endif

static void *consume_setup_mutex(const struct cbench_run *r)
{
	return consume_setup(r, 0);
}

static void run_consume_mutex(struct cbench_thread *t, uint64_t n)
{
	struct consume_bench *c = t->shared;
	uint64_t got = c->carry, t0 = bench_now_ns(), bad = 0;

	while (got < n) {
		int k = 0;

		pthread_mutex_lock(&c->mring.lock);
		while (k < 256 && mring_get_locked(&c->mring, c->buf + k * (CONSUME_RECORD / 8),
						   CONSUME_RECORD))
			k++;
		pthread_mutex_unlock(&c->mring.lock);
		for (int i = 0; i < k; i++) {
			const uint64_t *p = c->buf + i * (CONSUME_RECORD / 8);

			bad += p[0] != p[CONSUME_RECORD / 8 - 1];
		}
		got += (uint64_t)k;
	}
	t->manual_ns += (double)(bench_now_ns() - t0);
	c->carry = got - n;
	if (bad)
		cbench_counter(t, "bad", (double)bad, 0);
}

static const char *verify_consume(void *obj, const struct cbench_run *r)
{
	(void)obj;
	(void)r;
	return NULL;
}

static const struct cbench_desc consume_benches[] = {
#ifdef HAVE_PERCPU_RING
	{ .name = "ring_consume/percpu_read_batch", .setup = consume_setup_percpu,
	  .run = run_consume_percpu, .verify = verify_consume_percpu,
	  .teardown = consume_teardown, .batch = 4096, .threads_mode = CBENCH_THREADS_ONE,
	  .manual_time = 1 },
#endif
	{ .name = "ring_consume/mutex_read_batch", .setup = consume_setup_mutex,
	  .run = run_consume_mutex, .verify = verify_consume, .teardown = consume_teardown,
	  .batch = 4096, .threads_mode = CBENCH_THREADS_ONE, .manual_time = 1 },
};

void bench_register_ring(void)
{
	for (size_t i = 0; i < sizeof(consume_benches) / sizeof(consume_benches[0]); i++)
		cbench_register(&consume_benches[i]);
	for (size_t i = 0; i < sizeof(ring_benches) / sizeof(ring_benches[0]); i++)
		cbench_register(&ring_benches[i]);
#ifdef FLOOR_HAVE_RSEQ
	if (floor_area_usable()) {
		for (size_t i = 0; i < sizeof(floor_benches) / sizeof(floor_benches[0]); i++)
			cbench_register(&floor_benches[i]);
	}
#endif
}
