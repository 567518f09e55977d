/* SPDX-License-Identifier: MIT */
/*
 * bench/buffer.c - per-CPU pointer buffer push+pop pairs against shared
 * pointer rings.
 *
 *   buffer/percpu_push_pop    _percpu_buffer_push() + _percpu_buffer_pop()
 *                             (only when <percpu/buffer.h> exists)
 *   buffer/vyukov_push_pop    lock-free bounded MPMC ring of pointers
 *   buffer/mutex_push_pop     ring of pointers under a pthread mutex
 *   buffer/floor_rseq_push_pop  the floor: hand-written minimal rseq push
 *                             and pop on a per-CPU pointer stack (floor.h;
 *                             x86_64 with glibc's area)
 *
 * One operation is one push and one pop; see pool.h for the accounting.
 */
#include <stdlib.h>

#include <percpu/rseq.h>
#include "floor.h"
#include "pool.h"
#if __has_include(<percpu/buffer.h>)
#include <percpu/buffer.h>
#include <percpu/rseq.h>
#define HAVE_PERCPU_BUFFER 1
#endif

/* Per CPU for libpercpu, for all CPUs together for the baselines. */
#define BUFFER_CAPACITY	1024

struct buffer_bench {
	struct pool pool;
	int threads;
	struct vring vring;
	struct mring mring;
	char *floor;			/* floor.h per-CPU pointer stacks */
	unsigned int floor_cpus;
	int no_area;
#ifdef HAVE_PERCPU_BUFFER
	struct percpu_buffer pbuf;
	int pbuf_ok;
#endif
};

static void teardown(void *obj)
{
	struct buffer_bench *b = obj;

#ifdef HAVE_PERCPU_BUFFER
	if (b->pbuf_ok)
		percpu_buffer_destroy(&b->pbuf);
#endif
	vring_destroy(&b->vring);
	mring_destroy(&b->mring);
	free(b->floor);
	pool_destroy(&b->pool, b->threads);
	free(b);
}

static void *setup(const struct cbench_run *r)
{
	struct buffer_bench *b = bench_zalloc(sizeof(*b));

	if (!b)
		return NULL;
	b->threads = r->threads;
	if (pool_init(&b->pool, r->threads) != 0 ||
	    vring_init(&b->vring, sizeof(void *), BUFFER_CAPACITY) != 0 ||
	    mring_init(&b->mring, sizeof(void *), BUFFER_CAPACITY) != 0) {
		teardown(b);
		return NULL;
	}
#ifdef HAVE_PERCPU_BUFFER
	if (percpu_buffer_init(&b->pbuf, BUFFER_CAPACITY, 0) != 0) {
		teardown(b);
		return NULL;
	}
	b->pbuf_ok = 1;
#endif
	return b;
}

static void thread_fini(struct cbench_thread *t)
{
	struct buffer_bench *b = t->shared;

	pool_thread_fini(&b->pool, t);
}

BENCH_INLINE int vring_push_tok(void *obj, struct token *tk)
{
	return vring_enqueue(&((struct buffer_bench *)obj)->vring, &tk, sizeof(tk));
}

BENCH_INLINE struct token *vring_pop_tok(void *obj)
{
	struct token *tk;

	return vring_dequeue(&((struct buffer_bench *)obj)->vring, &tk, sizeof(tk)) ? tk : NULL;
}

BENCH_INLINE int mring_push_tok(void *obj, struct token *tk)
{
	return mring_put(&((struct buffer_bench *)obj)->mring, &tk, sizeof(tk));
}

BENCH_INLINE struct token *mring_pop_tok(void *obj)
{
	struct token *tk;

	return mring_get(&((struct buffer_bench *)obj)->mring, &tk, sizeof(tk)) ? tk : NULL;
}

static void run_vyukov(struct cbench_thread *t, uint64_t n)
{
	struct buffer_bench *b = t->shared;

	pool_pairs(&b->pool, t, n, b, vring_push_tok, vring_pop_tok);
}

static void run_mutex(struct cbench_thread *t, uint64_t n)
{
	struct buffer_bench *b = t->shared;

	pool_pairs(&b->pool, t, n, b, mring_push_tok, mring_pop_tok);
}

static const char *verify_vyukov(void *obj, const struct cbench_run *r)
{
	struct buffer_bench *b = obj;
	struct token *tk;

	(void)r;
	while ((tk = vring_pop_tok(b)))
		pool_mark(&b->pool, tk);
	return pool_verify(&b->pool);
}

static const char *verify_mutex(void *obj, const struct cbench_run *r)
{
	struct buffer_bench *b = obj;
	struct token *tk;

	(void)r;
	while ((tk = mring_pop_tok(b)))
		pool_mark(&b->pool, tk);
	return pool_verify(&b->pool);
}

#ifdef HAVE_PERCPU_BUFFER
BENCH_INLINE int percpu_push_tok(void *obj, struct token *tk)
{
	return _percpu_buffer_push(&((struct buffer_bench *)obj)->pbuf, tk);
}

BENCH_INLINE struct token *percpu_pop_tok(void *obj)
{
	return _percpu_buffer_pop(&((struct buffer_bench *)obj)->pbuf);
}

static void *thread_init_percpu(struct cbench_thread *t)
{
	(void)t;
	(void)percpu_rseq_mode();	/* first use is timed in first_use/ */
	return NULL;
}

static void run_percpu(struct cbench_thread *t, uint64_t n)
{
	struct buffer_bench *b = t->shared;

	pool_pairs(&b->pool, t, n, b, percpu_push_tok, percpu_pop_tok);
}

/* Pops only see the current CPU's buffer: visit every CPU we may run on. */
static const char *verify_percpu(void *obj, const struct cbench_run *r)
{
	struct buffer_bench *b = obj;
	struct token *tk;

	(void)r;
	for (unsigned int i = 0; i < cbench_nr_cpus(); i++) {
		if (cbench_pin_cpu(i) != 0)
			return "cannot move to a CPU to drain its buffer";
		while ((tk = percpu_pop_tok(b)))
			pool_mark(&b->pool, tk);
	}
	return pool_verify(&b->pool);
}
#endif

#ifdef FLOOR_HAVE_RSEQ
struct floor_ctx {
	struct rseq *rs;
	char *base;
};

BENCH_INLINE int floor_push_tok(void *obj, struct token *tk)
{
	struct floor_ctx *c = obj;

	return floor_buffer_push(c->rs, c->base, tk);
}

BENCH_INLINE struct token *floor_pop_tok(void *obj)
{
	struct floor_ctx *c = obj;

	return floor_buffer_pop(c->rs, c->base);
}

static void *setup_floor(const struct cbench_run *r)
{
	struct buffer_bench *b = setup(r);

	if (!b)
		return NULL;
	b->floor_cpus = percpu_nr_cpus();
	b->floor = bench_zalloc((size_t)b->floor_cpus << FLOOR_BUF_SHIFT);
	if (!b->floor) {
		teardown(b);
		return NULL;
	}
	return b;
}

static void *thread_init_floor(struct cbench_thread *t)
{
	struct buffer_bench *b = t->shared;

	if (!floor_area_usable())
		__atomic_store_n(&b->no_area, 1, __ATOMIC_RELAXED);
	return NULL;
}

/* ctx's address reaches only the inlined push/pop: it lives in registers. */
static void run_floor(struct cbench_thread *t, uint64_t n)
{
	struct buffer_bench *b = t->shared;
	struct floor_ctx c = { floor_area(), b->floor };

	if (b->no_area)
		return;
	pool_pairs(&b->pool, t, n, &c, floor_push_tok, floor_pop_tok);
}

/* Every thread is done: read each CPU's stack directly. */
static const char *verify_floor(void *obj, const struct cbench_run *r)
{
	struct buffer_bench *b = obj;

	(void)r;
	if (b->no_area)
		return "a thread had no registered rseq area";
	for (unsigned int cpu = 0; cpu < b->floor_cpus; cpu++) {
		char *blk = b->floor + ((size_t)cpu << FLOOR_BUF_SHIFT);
		uint64_t count = *(uint64_t *)blk;

		if (count > FLOOR_BUF_CAP)
			return "a per-CPU stack's count is beyond its capacity";
		for (uint64_t i = 0; i < count; i++)
			pool_mark(&b->pool, ((struct token **)(blk + 128))[i]);
	}
	return pool_verify(&b->pool);
}
#endif

#define BUFFER_BENCH(variant, init, fn, check)					\
	{ .name = "buffer/" variant, .setup = setup, .thread_init = init,	\
	  .run = fn, .thread_fini = thread_fini, .verify = check,		\
	  .teardown = teardown, .batch = 1024 }

static const struct cbench_desc buffer_benches[] = {
#ifdef HAVE_PERCPU_BUFFER
	BUFFER_BENCH("percpu_push_pop", thread_init_percpu, run_percpu, verify_percpu),
#endif
	BUFFER_BENCH("vyukov_push_pop", NULL, run_vyukov, verify_vyukov),
	BUFFER_BENCH("mutex_push_pop", NULL, run_mutex, verify_mutex),
};

#ifdef FLOOR_HAVE_RSEQ
static const struct cbench_desc floor_bench = {
	.name = "buffer/floor_rseq_push_pop", .setup = setup_floor,
	.thread_init = thread_init_floor, .run = run_floor, .thread_fini = thread_fini,
	.verify = verify_floor, .teardown = teardown, .batch = 1024,
};
#endif

void bench_register_buffer(void)
{
	for (size_t i = 0; i < sizeof(buffer_benches) / sizeof(buffer_benches[0]); i++)
		cbench_register(&buffer_benches[i]);
#ifdef FLOOR_HAVE_RSEQ
	if (floor_area_usable())
		cbench_register(&floor_bench);
#endif
}
