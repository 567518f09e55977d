/* SPDX-License-Identifier: MIT */
/*
 * bench/counter.c - per-CPU counter adds against atomics.
 *
 *   counter/percpu_inline        _percpu_counter_add(): the rseq fast path
 *   counter/percpu_call          percpu_counter_add(): the exported wrapper
 *   counter/call_floor           percpu_nr_cpus(), the library's smallest
 *                                exported function, then a plain private add:
 *                                what any call into the library costs (PLT,
 *                                call, return), the floor of percpu_call
 *   counter/percpu_slow          percpu_counter_add_slow() called directly: the
 *                                out-of-line path alone (on a thread with rseq
 *                                it runs the sequence; the fallback's cost is
 *                                percpu_inline in the PERCPU_DISABLE_RSEQ run)
 *   counter/plain_private        non-atomic load/add/store of a thread-private
 *                                word: no per-CPU work at all
 *   counter/atomic_shared        lock add on one counter shared by all threads
 *   counter/atomic_per_thread    lock add on a padded thread-private slot
 *   counter/getcpu_atomic        sched_getcpu() + lock add on a padded
 *                                per-CPU slot
 *   counter/floor_rseq_inc       the floor: a hand-written minimal rseq
 *                                increment (floor.h; x86_64 with glibc's
 *                                area registered, else not run)
 *
 * Every run checks that the counter (or the sum of the slots) equals the
 * number of adds done by all threads.
 */
#define _GNU_SOURCE
#include <sched.h>
#include <stdlib.h>

/* Count kernel aborts of the inline sequence (must precede the headers). */
static __thread unsigned long tls_aborts;
#define PERCPU_ON_ABORT()	(tls_aborts++)

#include <percpu/percpu.h>
#include "bench.h"
#include "floor.h"

struct counter_bench {
	struct percpu_counter pc;
	struct bench_slot shared;
	struct bench_slot *slots;	/* one per thread or per CPU */
	unsigned int nslots;
	int errors;			/* non-zero returns of percpu_counter_add() */
	char *floor;			/* floor.h per-CPU counter blocks */
	unsigned int floor_cpus;
	int no_area;			/* a floor thread found no rseq area */
};

static void *setup(const struct cbench_run *r)
{
	struct counter_bench *b = bench_zalloc(sizeof(*b));
	unsigned int ncpus = percpu_nr_cpus();

	if (!b)
		return NULL;
	b->nslots = (unsigned int)r->threads > ncpus ? (unsigned int)r->threads : ncpus;
	b->slots = bench_zalloc(sizeof(struct bench_slot) * b->nslots);
	if (!b->slots || percpu_counter_init(&b->pc, 0) != 0) {
		free(b->slots);
		free(b);
		return NULL;
	}
	return b;
}

static void teardown(void *p)
{
	struct counter_bench *b = p;

	percpu_counter_destroy(&b->pc);
	free(b->floor);
	free(b->slots);
	free(b);
}

static const char *verify_percpu(void *p, const struct cbench_run *r)
{
	struct counter_bench *b = p;
	int64_t sum;

	if (b->errors)
		return "percpu_counter_add() returned an error";
	if (percpu_counter_sum(&b->pc, &sum) != 0)
		return "percpu_counter_sum() failed";
	if ((uint64_t)sum != r->total_ops)
		return "counter sum != adds done";
	return NULL;
}

static const char *verify_slots(void *p, const struct cbench_run *r)
{
	struct counter_bench *b = p;
	uint64_t sum = __atomic_load_n(&b->shared.v, __ATOMIC_RELAXED);

	for (unsigned int i = 0; i < b->nslots; i++)
		sum += __atomic_load_n(&b->slots[i].v, __ATOMIC_RELAXED);
	return sum == r->total_ops ? NULL : "sum of slots != adds done";
}

/* Set the thread's rseq area up now, so first use is not timed here. */
static void *thread_init(struct cbench_thread *t)
{
	(void)t;
	(void)percpu_rseq_mode();
	return (void *)(uintptr_t)tls_aborts;
}

static void thread_fini(struct cbench_thread *t)
{
	cbench_counter(t, "aborts", (double)(tls_aborts - (uintptr_t)t->priv), 1);
}

static void run_inline(struct cbench_thread *t, uint64_t n)
{
	struct counter_bench *b = t->shared;

	for (uint64_t i = 0; i < n; i++)
		_percpu_counter_add(&b->pc, 1);
}

static void run_call(struct cbench_thread *t, uint64_t n)
{
	struct counter_bench *b = t->shared;
	int err = 0;

	for (uint64_t i = 0; i < n; i++)
		err |= percpu_counter_add(&b->pc, 1);
	if (err)
		__atomic_store_n(&b->errors, 1, __ATOMIC_RELAXED);
}

static void run_slow(struct cbench_thread *t, uint64_t n)
{
	struct counter_bench *b = t->shared;

	for (uint64_t i = 0; i < n; i++)
		percpu_counter_add_slow(&b->pc, 1);
}

/*
 * Relaxed atomic load and store compile to a plain load, add and store (no
 * lock prefix), and the compiler may not fold the loop into one add.
 */
static void run_plain_private(struct cbench_thread *t, uint64_t n)
{
	struct counter_bench *b = t->shared;
	uint64_t *v = &b->slots[t->index].v;

	for (uint64_t i = 0; i < n; i++)
		__atomic_store_n(v, __atomic_load_n(v, __ATOMIC_RELAXED) + 1, __ATOMIC_RELAXED);
}

/*
 * The call's result feeds the add, so neither is hoisted out of the loop,
 * and the word is reloaded after each call, as percpu_call's caller must.
 */
static void run_call_floor(struct cbench_thread *t, uint64_t n)
{
	struct counter_bench *b = t->shared;
	uint64_t *v = &b->slots[t->index].v;

	for (uint64_t i = 0; i < n; i++) {
		uint64_t one = percpu_nr_cpus() != 0;

		__atomic_store_n(v, __atomic_load_n(v, __ATOMIC_RELAXED) + one, __ATOMIC_RELAXED);
	}
}

static void run_atomic_shared(struct cbench_thread *t, uint64_t n)
{
	struct counter_bench *b = t->shared;

	for (uint64_t i = 0; i < n; i++)
		__atomic_fetch_add(&b->shared.v, 1, __ATOMIC_RELAXED);
}

static void run_atomic_per_thread(struct cbench_thread *t, uint64_t n)
{
	struct counter_bench *b = t->shared;
	uint64_t *v = &b->slots[t->index].v;

	for (uint64_t i = 0; i < n; i++)
		__atomic_fetch_add(v, 1, __ATOMIC_RELAXED);
}

static void run_getcpu_atomic(struct cbench_thread *t, uint64_t n)
{
	struct counter_bench *b = t->shared;

	for (uint64_t i = 0; i < n; i++) {
		int cpu = sched_getcpu();

		if (cpu < 0 || (unsigned int)cpu >= b->nslots)
			cpu = 0;
		__atomic_fetch_add(&b->slots[cpu].v, 1, __ATOMIC_RELAXED);
	}
}

#ifdef FLOOR_HAVE_RSEQ
static void *setup_floor(const struct cbench_run *r)
{
	struct counter_bench *b = setup(r);

	if (!b)
		return NULL;
	b->floor_cpus = percpu_nr_cpus();
	b->floor = bench_zalloc((size_t)b->floor_cpus << FLOOR_COUNTER_SHIFT);
	if (!b->floor) {
		teardown(b);
		return NULL;
	}
	return b;
}

static void *thread_init_floor(struct cbench_thread *t)
{
	struct counter_bench *b = t->shared;

	if (!floor_area_usable())
		__atomic_store_n(&b->no_area, 1, __ATOMIC_RELAXED);
	return thread_init(t);
}

/* The area pointer and the blocks' base stay in registers for the batch. */
static void run_floor(struct cbench_thread *t, uint64_t n)
{
	struct counter_bench *b = t->shared;
	struct rseq *rs = floor_area();
	char *base = b->floor;

	if (b->no_area)
		return;
	for (uint64_t i = 0; i < n; i++)
		floor_counter_inc(rs, base);
}

static const char *verify_floor(void *p, const struct cbench_run *r)
{
	struct counter_bench *b = p;
	uint64_t sum = 0;

	if (b->no_area)
		return "a thread had no registered rseq area";
	for (unsigned int cpu = 0; cpu < b->floor_cpus; cpu++)
		sum += *(uint64_t *)(b->floor + ((size_t)cpu << FLOOR_COUNTER_SHIFT));
	return sum == r->total_ops ? NULL : "sum of the floor's per-CPU counts != adds done";
}

static const struct cbench_desc floor_bench = {
	.name = "counter/floor_rseq_inc", .setup = setup_floor,
	.thread_init = thread_init_floor, .run = run_floor, .thread_fini = thread_fini,
	.verify = verify_floor, .teardown = teardown, .batch = 4096,
};

/* Self-test: the floor loses one increment per call, so verify() must fail. */
static void run_floor_broken(struct cbench_thread *t, uint64_t n)
{
	run_floor(t, n - 1);
}

static const struct cbench_desc broken_floor_bench = {
	.name = "selftest/broken_floor", .setup = setup_floor,
	.thread_init = thread_init_floor, .run = run_floor_broken,
	.verify = verify_floor, .teardown = teardown, .batch = 4096,
};
#endif

/*
 * ns per _percpu_counter_add() by a plain clock_gettime() loop on the
 * calling thread, bound to the CPU it is on: no Google Benchmark code runs
 * anywhere near it.  The summary sets it beside the harness's figure for
 * counter/percpu_inline, to show the harness adds nothing (its library is
 * a Debian DEBUG build, but only its setup runs outside our loop).
 * Best of 64 runs of 2^20 adds (~1 ms each: short, so that some run
 * escapes preemption on a busy machine).  Return: ns per add, or < 0.
 */
double bench_counter_clock_loop(void)
{
	struct counter_bench *b;
	struct cbench_run r = { .threads = 1, .pinned = 1 };
	struct cbench_thread t = { .threads = 1 };
	cpu_set_t old, one;
	double best = -1;
	int cpu = sched_getcpu();

	if (cpu < 0 || sched_getaffinity(0, sizeof(old), &old) != 0)
		return -1;
	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	if (sched_setaffinity(0, sizeof(one), &one) != 0)
		return -1;
	b = setup(&r);
	if (b) {
		t.shared = b;
		(void)percpu_rseq_mode();
		run_inline(&t, 1u << 20);	/* warm up */
		for (int rep = 0; rep < 64; rep++) {
			uint64_t t0 = bench_now_ns();

			run_inline(&t, 1u << 20);
			double ns = (double)(bench_now_ns() - t0) / (1u << 20);
			if (best < 0 || ns < best)
				best = ns;
		}
		teardown(b);
	}
	sched_setaffinity(0, sizeof(old), &old);
	return best;
}

/* Self-test of the harness: loses one add per call, so verify() must fail. */
static void run_broken(struct cbench_thread *t, uint64_t n)
{
	run_inline(t, n - 1);
}

#define COUNTER_BENCH(variant, fn, check)					\
	{ .name = "counter/" variant, .setup = setup, .thread_init = thread_init, \
	  .run = fn, .thread_fini = thread_fini, .verify = check,		\
	  .teardown = teardown, .batch = 4096 }

static const struct cbench_desc counter_benches[] = {
	COUNTER_BENCH("percpu_inline", run_inline, verify_percpu),
	COUNTER_BENCH("percpu_call", run_call, verify_percpu),
	COUNTER_BENCH("call_floor", run_call_floor, verify_slots),
	COUNTER_BENCH("percpu_slow", run_slow, verify_percpu),
	COUNTER_BENCH("plain_private", run_plain_private, verify_slots),
	COUNTER_BENCH("atomic_shared", run_atomic_shared, verify_slots),
	COUNTER_BENCH("atomic_per_thread", run_atomic_per_thread, verify_slots),
	COUNTER_BENCH("getcpu_atomic", run_getcpu_atomic, verify_slots),
};

static const struct cbench_desc broken_bench = {
	.name = "selftest/broken_counter", .setup = setup, .run = run_broken,
	.verify = verify_percpu, .teardown = teardown, .batch = 4096,
};

void bench_register_counter(void)
{
	for (size_t i = 0; i < sizeof(counter_benches) / sizeof(counter_benches[0]); i++)
		cbench_register(&counter_benches[i]);
	/* Only for the smoke test (bench-smoke.sh): proves failures are loud. */
	if (getenv("PERCPU_BENCH_SELFTEST_BREAK"))
		cbench_register(&broken_bench);
#ifdef FLOOR_HAVE_RSEQ
	if (floor_area_usable()) {
		cbench_register(&floor_bench);
		if (getenv("PERCPU_BENCH_SELFTEST_BREAK"))
			cbench_register(&broken_floor_bench);
	}
#endif
}
