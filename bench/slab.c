/* SPDX-License-Identifier: MIT */
/*
 * bench/slab.c - the per-CPU slab (percpu/slab.h): one class of a slab of
 * 136 classes, as an allocator's front end uses it.
 *
 *   slab/percpu_push_pop      _percpu_slab_push() + _percpu_slab_pop()
 *   slab/floor_rseq_push_pop  the floor: hand-written minimal push and pop on
 *                             the same layout (floor.h; x86_64, glibc's area)
 *   slab/percpu_single32      32 _percpu_slab_push() then 32 _percpu_slab_pop()
 *   slab/percpu_batch32       _percpu_slab_push_batch() of 32, then
 *                             _percpu_slab_pop_batch() of 32
 *
 * One operation of the first two is one push and one pop (see pool.h); of
 * the last two, 32 pointers pushed and 32 popped, so their ratio is the
 * saving of batches per pointer.
 */
#include <stdlib.h>
#include <string.h>

#include <percpu/rseq.h>
#include "floor.h"
#include "pool.h"
#if __has_include(<percpu/slab.h>)
#include <percpu/slab.h>
#define HAVE_PERCPU_SLAB 1
#endif

#ifdef HAVE_PERCPU_SLAB
#define SLAB_CLASSES	136
#define SLAB_CLASS	7
#define SLAB_CAP	1024
#define BATCH		32

struct slab_bench {
	struct pool pool;
	int threads;
	struct percpu_slab slab;
	int slab_ok;
	char *floor;
	unsigned int floor_cpus;
	int no_area;
	/* Batch benchmarks: BATCH tokens per thread, counted at the end. */
	char *btokens;
	uint32_t *bseen;
	void ***bheld;
	size_t *bn;
};

static void teardown(void *obj)
{
	struct slab_bench *b = obj;

	if (b->slab_ok)
		percpu_slab_destroy(&b->slab);
	free(b->floor);
	for (int t = 0; b->bheld && t < b->threads; t++)
		free(b->bheld[t]);
	free(b->bheld);
	free(b->bn);
	free(b->bseen);
	free(b->btokens);
	pool_destroy(&b->pool, b->threads);
	free(b);
}

static void *setup(const struct cbench_run *r)
{
	struct slab_bench *b = bench_zalloc(sizeof(*b));
	uint16_t maxc[SLAB_CLASSES];

	if (!b)
		return NULL;
	b->threads = r->threads;
	for (int c = 0; c < SLAB_CLASSES; c++)
		maxc[c] = c == SLAB_CLASS ? SLAB_CAP : 32;
	if (pool_init(&b->pool, r->threads) != 0 ||
	    percpu_slab_init(&b->slab, SLAB_CLASSES, maxc, NULL, 0) != 0) {
		teardown(b);
		return NULL;
	}
	b->slab_ok = 1;
	b->btokens = bench_zalloc((size_t)r->threads * BATCH);
	b->bseen = bench_zalloc(sizeof(uint32_t) * (size_t)r->threads * BATCH);
	b->bheld = bench_zalloc(sizeof(void **) * (size_t)r->threads);
	b->bn = bench_zalloc(sizeof(size_t) * (size_t)r->threads);
	if (!b->btokens || !b->bseen || !b->bheld || !b->bn) {
		teardown(b);
		return NULL;
	}
	for (int t = 0; t < r->threads; t++) {
		b->bheld[t] = bench_zalloc(sizeof(void *) * BATCH);
		if (!b->bheld[t]) {
			teardown(b);
			return NULL;
		}
		for (int i = 0; i < BATCH; i++)
			b->bheld[t][i] = &b->btokens[t * BATCH + i];
		b->bn[t] = BATCH;
	}
	return b;
}

static void thread_fini(struct cbench_thread *t)
{
	struct slab_bench *b = t->shared;

	pool_thread_fini(&b->pool, t);
}

static void *thread_init_percpu(struct cbench_thread *t)
{
	(void)t;
	(void)percpu_rseq_mode();	/* first use is timed in first_use/ */
	return NULL;
}

BENCH_INLINE int percpu_push_tok(void *obj, struct token *tk)
{
	return _percpu_slab_push(&((struct slab_bench *)obj)->slab, SLAB_CLASS, tk);
}

BENCH_INLINE struct token *percpu_pop_tok(void *obj)
{
	return _percpu_slab_pop(&((struct slab_bench *)obj)->slab, SLAB_CLASS);
}

static void run_percpu(struct cbench_thread *t, uint64_t n)
{
	struct slab_bench *b = t->shared;

	pool_pairs(&b->pool, t, n, b, percpu_push_tok, percpu_pop_tok);
}

static void mark_tokens(void *arg, unsigned int cls, void **ptrs, size_t n)
{
	struct slab_bench *b = arg;

	(void)cls;
	for (size_t i = 0; i < n; i++)
		pool_mark(&b->pool, ptrs[i]);
}

static const char *verify_percpu(void *obj, const struct cbench_run *r)
{
	struct slab_bench *b = obj;

	(void)r;
	for (unsigned int cpu = 0; cpu < percpu_nr_cpus(); cpu++)
		if (percpu_slab_drain_cpu(&b->slab, cpu, PERCPU_SLAB_ALL_CLASSES, mark_tokens, b) < 0)
			return "drain failed";
	return pool_verify(&b->pool);
}

/*
 * 32 pushes then 32 pops, singly or in one batch each.  With several threads
 * on a CPU a batch may move fewer: what stays is kept for the next round.
 */
BENCH_INLINE void rounds(struct slab_bench *b, int idx, uint64_t n, int batch)
{
	void **held = b->bheld[idx];
	size_t k = b->bn[idx];

	for (uint64_t i = 0; i < n; i++) {
		size_t pushed = 0, popped = 0;

		if (batch) {
			ssize_t got = k ? _percpu_slab_push_batch(&b->slab, SLAB_CLASS, held, k) : 0;

			pushed = got > 0 ? (size_t)got : 0;
		} else {
			while (pushed < k && _percpu_slab_push(&b->slab, SLAB_CLASS,
							       held[k - 1 - pushed]) == 0)
				pushed++;
		}
		if (batch && pushed && pushed < k)
			memmove(held, held + pushed, (k - pushed) * sizeof(void *));
		k -= pushed;
		if (batch) {
			ssize_t got = _percpu_slab_pop_batch(&b->slab, SLAB_CLASS, held + k, BATCH - k);

			popped = got > 0 ? (size_t)got : 0;
		} else {
			void *p;

			while (k + popped < BATCH &&
			       (p = _percpu_slab_pop(&b->slab, SLAB_CLASS)) != NULL)
				held[k + popped++] = p;
		}
		k += popped;
	}
	b->bn[idx] = k;
}

static void run_single32(struct cbench_thread *t, uint64_t n)
{
	rounds(t->shared, t->index, n, 0);
}

static void run_batch32(struct cbench_thread *t, uint64_t n)
{
	rounds(t->shared, t->index, n, 1);
}

static void count_batch(void *arg, unsigned int cls, void **ptrs, size_t n)
{
	struct slab_bench *b = arg;

	(void)cls;
	for (size_t i = 0; i < n; i++) {
		char *p = ptrs[i];

		if (p < b->btokens || p >= b->btokens + (size_t)b->threads * BATCH)
			b->pool.bad = 1;
		else
			b->bseen[p - b->btokens]++;
	}
}

static const char *verify_batch(void *obj, const struct cbench_run *r)
{
	struct slab_bench *b = obj;

	(void)r;
	for (unsigned int cpu = 0; cpu < percpu_nr_cpus(); cpu++)
		if (percpu_slab_drain_cpu(&b->slab, cpu, SLAB_CLASS, count_batch, b) < 0)
			return "drain failed";
	for (int t = 0; t < b->threads; t++)
		count_batch(b, SLAB_CLASS, b->bheld[t], b->bn[t]);
	if (b->pool.bad)
		return "a foreign pointer came out of the slab";
	for (size_t i = 0; i < (size_t)b->threads * BATCH; i++)
		if (b->bseen[i] != 1)
			return b->bseen[i] ? "a pointer was duplicated" : "a pointer was lost";
	return NULL;
}

#ifdef FLOOR_HAVE_RSEQ
struct floor_ctx {
	struct rseq *rs;
	char *base;
};

BENCH_INLINE int floor_push_tok(void *obj, struct token *tk)
{
	struct floor_ctx *c = obj;

	return floor_slab_push(c->rs, c->base, tk);
}

BENCH_INLINE struct token *floor_pop_tok(void *obj)
{
	struct floor_ctx *c = obj;

	return floor_slab_pop(c->rs, c->base);
}

static void *setup_floor(const struct cbench_run *r)
{
	struct slab_bench *b = setup(r);

	if (!b)
		return NULL;
	b->floor_cpus = percpu_nr_cpus();
	b->floor = bench_zalloc((size_t)b->floor_cpus << FLOOR_SLAB_SHIFT);
	if (!b->floor) {
		teardown(b);
		return NULL;
	}
	for (unsigned int cpu = 0; cpu < b->floor_cpus; cpu++)
		floor_slab_init(b->floor, cpu);
	return b;
}

static void *thread_init_floor(struct cbench_thread *t)
{
	struct slab_bench *b = t->shared;

	if (!floor_area_usable())
		__atomic_store_n(&b->no_area, 1, __ATOMIC_RELAXED);
	return NULL;
}

static void run_floor(struct cbench_thread *t, uint64_t n)
{
	struct slab_bench *b = t->shared;
	struct floor_ctx c = { floor_area(), b->floor };

	if (b->no_area)
		return;
	pool_pairs(&b->pool, t, n, &c, floor_push_tok, floor_pop_tok);
}

static const char *verify_floor(void *obj, const struct cbench_run *r)
{
	struct slab_bench *b = obj;

	(void)r;
	if (b->no_area)
		return "a thread had no registered rseq area";
	for (unsigned int cpu = 0; cpu < b->floor_cpus; cpu++) {
		uint64_t *blk = (uint64_t *)(b->floor + ((size_t)cpu << FLOOR_SLAB_SHIFT));
		uint64_t cur = blk[FLOOR_SLAB_CLASS] & 0xffff;

		if (cur < FLOOR_SLAB_BEGIN || cur > FLOOR_SLAB_BEGIN + FLOOR_SLAB_CAP)
			return "a per-CPU header is out of range";
		for (uint64_t i = FLOOR_SLAB_BEGIN; i < cur; i++)
			pool_mark(&b->pool, (struct token *)blk[i]);
	}
	return pool_verify(&b->pool);
}
#endif

#define SLAB_BENCH(variant, init, fn, check)					\
	{ .name = "slab/" variant, .setup = setup, .thread_init = init,	\
	  .run = fn, .thread_fini = thread_fini, .verify = check,		\
	  .teardown = teardown, .batch = 1024 }

static const struct cbench_desc slab_benches[] = {
	SLAB_BENCH("percpu_push_pop", thread_init_percpu, run_percpu, verify_percpu),
	SLAB_BENCH("percpu_single32", thread_init_percpu, run_single32, verify_batch),
	SLAB_BENCH("percpu_batch32", thread_init_percpu, run_batch32, verify_batch),
};

#ifdef FLOOR_HAVE_RSEQ
static const struct cbench_desc floor_bench = {
	.name = "slab/floor_rseq_push_pop", .setup = setup_floor,
	.thread_init = thread_init_floor, .run = run_floor, .thread_fini = thread_fini,
	.verify = verify_floor, .teardown = teardown, .batch = 1024,
};
#endif
#endif /* HAVE_PERCPU_SLAB */

void bench_register_slab(void)
{
#ifdef HAVE_PERCPU_SLAB
	for (size_t i = 0; i < sizeof(slab_benches) / sizeof(slab_benches[0]); i++)
		cbench_register(&slab_benches[i]);
#ifdef FLOOR_HAVE_RSEQ
	if (floor_area_usable())
		cbench_register(&floor_bench);
#endif
#endif
}
