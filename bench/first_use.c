/* SPDX-License-Identifier: MIT */
/*
 * bench/first_use.c - what a fresh thread pays before its first operation.
 *
 * Each operation starts a thread, which reads the clock as its first action,
 * does the measured work once, and reads the clock again; thread creation and
 * exit are not in the figure (manual time), but one clock read is (about
 * 20 ns through the vDSO here).  A fixed 2048 threads per run: starting
 * threads costs ~15 us each, far more than what is measured, so running for
 * --benchmark_min_time of measured time would take minutes.
 *
 *   first_use/percpu_first_add       first _percpu_counter_add(): sets up the
 *                                    thread's rseq area, then adds
 *   first_use/percpu_rseq_register   percpu_rseq_register() on a fresh thread
 *   first_use/atomic_first_add       baseline: first lock add on a shared word
 *   first_use/getcpu_first_add       baseline: first sched_getcpu() + lock add
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>

#include <percpu/percpu.h>
#include "bench.h"

struct first_use_bench {
	struct percpu_counter pc;
	struct bench_slot word;
	uint64_t register_ok;		/* percpu_rseq_register() calls that returned 0 */
	uint64_t register_fallback;	/* ... that failed on a machine without rseq */
	int fallback_mode;
};

struct probe {
	struct first_use_bench *b;
	void (*work)(struct first_use_bench *b);
	uint64_t ns;
};

static void *setup(const struct cbench_run *r)
{
	struct first_use_bench *b = bench_zalloc(sizeof(*b));

	(void)r;
	if (!b)
		return NULL;
	if (percpu_counter_init(&b->pc, 0) != 0) {
		free(b);
		return NULL;
	}
	b->fallback_mode = percpu_rseq_mode() == PERCPU_MODE_FALLBACK;
	return b;
}

static void teardown(void *p)
{
	struct first_use_bench *b = p;

	percpu_counter_destroy(&b->pc);
	free(b);
}

static void *probe_thread(void *arg)
{
	struct probe *pr = arg;
	uint64_t t0 = bench_now_ns();

	pr->work(pr->b);
	pr->ns = bench_now_ns() - t0;
	return NULL;
}

static void run_probes(struct cbench_thread *t, uint64_t n,
		       void (*work)(struct first_use_bench *b))
{
	struct probe pr = { .b = t->shared, .work = work };

	for (uint64_t i = 0; i < n; i++) {
		pthread_t tid;

		if (pthread_create(&tid, NULL, probe_thread, &pr) != 0)
			abort();	/* cannot do the operation at all: loud */
		pthread_join(tid, NULL);
		t->manual_ns += (double)pr.ns;
	}
}

static void work_first_add(struct first_use_bench *b)
{
	_percpu_counter_add(&b->pc, 1);
}

static void work_register(struct first_use_bench *b)
{
	int ret = percpu_rseq_register();

	if (ret == 0) {
		__atomic_fetch_add(&b->register_ok, 1, __ATOMIC_RELAXED);
		percpu_rseq_unregister();
	} else if (b->fallback_mode) {
		__atomic_fetch_add(&b->register_fallback, 1, __ATOMIC_RELAXED);
	}
}

static void work_atomic(struct first_use_bench *b)
{
	__atomic_fetch_add(&b->word.v, 1, __ATOMIC_RELAXED);
}

static void work_getcpu(struct first_use_bench *b)
{
	if (sched_getcpu() >= 0)
		__atomic_fetch_add(&b->word.v, 1, __ATOMIC_RELAXED);
}

static void run_first_add(struct cbench_thread *t, uint64_t n) { run_probes(t, n, work_first_add); }
static void run_register(struct cbench_thread *t, uint64_t n) { run_probes(t, n, work_register); }
static void run_atomic(struct cbench_thread *t, uint64_t n) { run_probes(t, n, work_atomic); }
static void run_getcpu(struct cbench_thread *t, uint64_t n) { run_probes(t, n, work_getcpu); }

static const char *verify_counter(void *p, const struct cbench_run *r)
{
	struct first_use_bench *b = p;
	int64_t sum;

	if (percpu_counter_sum(&b->pc, &sum) != 0 || (uint64_t)sum != r->total_ops)
		return "counter sum != first adds done";
	return NULL;
}

static const char *verify_register(void *p, const struct cbench_run *r)
{
	struct first_use_bench *b = p;

	if (b->register_ok + b->register_fallback != r->total_ops)
		return "percpu_rseq_register() failed on a machine with rseq";
	return NULL;
}

static const char *verify_word(void *p, const struct cbench_run *r)
{
	struct first_use_bench *b = p;

	return b->word.v == r->total_ops ? NULL : "word != adds done";
}

#define FIRST_USE_BENCH(variant, fn, check)					\
	{ .name = "first_use/" variant, .setup = setup, .run = fn,		\
	  .verify = check, .teardown = teardown, .batch = 8,			\
	  .threads_mode = CBENCH_THREADS_ONE, .manual_time = 1,		\
	  .iterations = 2048 }

static const struct cbench_desc first_use_benches[] = {
	FIRST_USE_BENCH("percpu_first_add", run_first_add, verify_counter),
	FIRST_USE_BENCH("percpu_rseq_register", run_register, verify_register),
	FIRST_USE_BENCH("atomic_first_add", run_atomic, verify_word),
	FIRST_USE_BENCH("getcpu_first_add", run_getcpu, verify_word),
};

void bench_register_first_use(void)
{
	for (size_t i = 0; i < sizeof(first_use_benches) / sizeof(first_use_benches[0]); i++)
		cbench_register(&first_use_benches[i]);
}
