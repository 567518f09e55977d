/* SPDX-License-Identifier: MIT */
/*
 * bench/list.c - per-CPU list push+pop pairs against shared stacks.
 *
 *   list/percpu_push_pop     _percpu_list_push() + _percpu_list_pop()
 *                            (only when <percpu/list.h> exists)
 *   list/treiber_push_pop    lock-free Treiber stack, versioned head
 *   list/mutex_push_pop      list under a pthread mutex
 *   list/floor_rseq_push_pop the floor: hand-written minimal rseq push and
 *                            pop (floor.h; x86_64 with glibc's area)
 *
 * One operation is one push and one pop; see pool.h for the accounting.
 */
#include <stddef.h>
#include <stdlib.h>

#include <percpu/rseq.h>
#include "floor.h"
#include "pool.h"

struct list_bench {
	struct pool pool;
	int threads;
	struct treiber treiber;
	struct mlist mlist;
	char *floor;			/* floor.h per-CPU heads */
	unsigned int floor_cpus;
	int no_area;
#ifdef POOL_HAVE_PERCPU_LIST
	struct percpu_list plist;
	int plist_ok;
#endif
};

static void teardown(void *obj)
{
	struct list_bench *b = obj;

#ifdef POOL_HAVE_PERCPU_LIST
	if (b->plist_ok)
		percpu_list_destroy(&b->plist);
#endif
	pthread_mutex_destroy(&b->mlist.lock);
	free(b->floor);
	pool_destroy(&b->pool, b->threads);
	free(b);
}

static void *setup(const struct cbench_run *r)
{
	struct list_bench *b = bench_zalloc(sizeof(*b));

	if (!b)
		return NULL;
	b->threads = r->threads;
	pthread_mutex_init(&b->mlist.lock, NULL);
	if (pool_init(&b->pool, r->threads) != 0) {
		teardown(b);
		return NULL;
	}
	b->treiber.next = b->pool.links;
#ifdef POOL_HAVE_PERCPU_LIST
	if (percpu_list_init(&b->plist, 0) != 0) {
		teardown(b);
		return NULL;
	}
	b->plist_ok = 1;
#endif
	return b;
}

static void thread_fini(struct cbench_thread *t)
{
	struct list_bench *b = t->shared;

	pool_thread_fini(&b->pool, t);
}

/* Treiber */
BENCH_INLINE int treiber_push_tok(void *obj, struct token *tk)
{
	struct list_bench *b = obj;

	treiber_push(&b->treiber, tk->id);
	return 0;
}

BENCH_INLINE struct token *treiber_pop_tok(void *obj)
{
	struct list_bench *b = obj;
	int64_t i = treiber_pop(&b->treiber);

	if (i < 0)
		return NULL;
	if ((uint64_t)i >= b->pool.ntokens) {
		b->pool.bad = 1;
		return NULL;
	}
	return &b->pool.tokens[i];
}

static void run_treiber(struct cbench_thread *t, uint64_t n)
{
	struct list_bench *b = t->shared;

	pool_pairs(&b->pool, t, n, b, treiber_push_tok, treiber_pop_tok);
}

static const char *verify_treiber(void *obj, const struct cbench_run *r)
{
	struct list_bench *b = obj;
	struct token *tk;

	(void)r;
	while ((tk = treiber_pop_tok(b)))
		pool_mark(&b->pool, tk);
	return pool_verify(&b->pool);
}

/* mutex list */
BENCH_INLINE int mlist_push_tok(void *obj, struct token *tk)
{
	struct list_bench *b = obj;

	mlist_push(&b->mlist, &tk->mnode);
	return 0;
}

BENCH_INLINE struct token *mlist_pop_tok(void *obj)
{
	struct list_bench *b = obj;
	struct mlist_node *n = mlist_pop(&b->mlist);

	return n ? (struct token *)((char *)n - offsetof(struct token, mnode)) : NULL;
}

static void run_mutex(struct cbench_thread *t, uint64_t n)
{
	struct list_bench *b = t->shared;

	pool_pairs(&b->pool, t, n, b, mlist_push_tok, mlist_pop_tok);
}

static const char *verify_mutex(void *obj, const struct cbench_run *r)
{
	struct list_bench *b = obj;
	struct token *tk;

	(void)r;
	while ((tk = mlist_pop_tok(b)))
		pool_mark(&b->pool, tk);
	return pool_verify(&b->pool);
}

#ifdef POOL_HAVE_PERCPU_LIST
BENCH_INLINE int percpu_push_tok(void *obj, struct token *tk)
{
	struct list_bench *b = obj;

	_percpu_list_push(&b->plist, &tk->pnode);
	return 0;
}

BENCH_INLINE struct token *percpu_pop_tok(void *obj)
{
	struct list_bench *b = obj;
	struct percpu_list_node *n = _percpu_list_pop(&b->plist);

	return n ? (struct token *)((char *)n - offsetof(struct token, pnode)) : NULL;
}

static void *thread_init_percpu(struct cbench_thread *t)
{
	(void)t;
	(void)percpu_rseq_mode();	/* first use is timed in first_use/ */
	return NULL;
}

static void run_percpu(struct cbench_thread *t, uint64_t n)
{
	struct list_bench *b = t->shared;

	pool_pairs(&b->pool, t, n, b, percpu_push_tok, percpu_pop_tok);
}

/* Pops only see the current CPU's list: visit every CPU we may run on. */
static const char *verify_percpu(void *obj, const struct cbench_run *r)
{
	struct list_bench *b = obj;
	struct token *tk;

	(void)r;
	for (unsigned int i = 0; i < cbench_nr_cpus(); i++) {
		if (cbench_pin_cpu(i) != 0)
			return "cannot move to a CPU to drain its list";
		while ((tk = percpu_pop_tok(b)))
			pool_mark(&b->pool, tk);
	}
	return pool_verify(&b->pool);
}
#endif

#ifdef FLOOR_HAVE_RSEQ
/* The floor links tokens through mnode, whose first word is its next. */
struct floor_ctx {
	struct rseq *rs;
	char *base;
};

BENCH_INLINE int floor_push_tok(void *obj, struct token *tk)
{
	struct floor_ctx *c = obj;

	floor_list_push(c->rs, c->base, (struct floor_list_node *)&tk->mnode);
	return 0;
}

BENCH_INLINE struct token *floor_pop_tok(void *obj)
{
	struct floor_ctx *c = obj;
	struct floor_list_node *n = floor_list_pop(c->rs, c->base);

	return n ? (struct token *)((char *)n - offsetof(struct token, mnode)) : NULL;
}

static void *setup_floor(const struct cbench_run *r)
{
	struct list_bench *b = setup(r);

	if (!b)
		return NULL;
	b->floor_cpus = percpu_nr_cpus();
	b->floor = bench_zalloc((size_t)b->floor_cpus << FLOOR_LIST_SHIFT);
	if (!b->floor) {
		teardown(b);
		return NULL;
	}
	return b;
}

static void *thread_init_floor(struct cbench_thread *t)
{
	struct list_bench *b = t->shared;

	if (!floor_area_usable())
		__atomic_store_n(&b->no_area, 1, __ATOMIC_RELAXED);
	return NULL;
}

/* ctx's address reaches only the inlined push/pop: it lives in registers. */
static void run_floor(struct cbench_thread *t, uint64_t n)
{
	struct list_bench *b = t->shared;
	struct floor_ctx c = { floor_area(), b->floor };

	if (b->no_area)
		return;
	pool_pairs(&b->pool, t, n, &c, floor_push_tok, floor_pop_tok);
}

/* Every thread is done: walk each CPU's list directly. */
static const char *verify_floor(void *obj, const struct cbench_run *r)
{
	struct list_bench *b = obj;

	(void)r;
	if (b->no_area)
		return "a thread had no registered rseq area";
	for (unsigned int cpu = 0; cpu < b->floor_cpus; cpu++) {
		struct floor_list_node *n =
			*(struct floor_list_node **)(b->floor + ((size_t)cpu << FLOOR_LIST_SHIFT));
		uint32_t guard = 0;

		for (; n && guard <= b->pool.ntokens; n = n->next, guard++)
			pool_mark(&b->pool, (struct token *)((char *)n - offsetof(struct token, mnode)));
		if (n)
			return "a per-CPU list has a cycle";
	}
	return pool_verify(&b->pool);
}
#endif

#define LIST_BENCH(variant, init, fn, check)					\
	{ .name = "list/" variant, .setup = setup, .thread_init = init,	\
	  .run = fn, .thread_fini = thread_fini, .verify = check,		\
	  .teardown = teardown, .batch = 1024 }

static const struct cbench_desc list_benches[] = {
#ifdef POOL_HAVE_PERCPU_LIST
	LIST_BENCH("percpu_push_pop", thread_init_percpu, run_percpu, verify_percpu),
#endif
	LIST_BENCH("treiber_push_pop", NULL, run_treiber, verify_treiber),
	LIST_BENCH("mutex_push_pop", NULL, run_mutex, verify_mutex),
};

#ifdef FLOOR_HAVE_RSEQ
static const struct cbench_desc floor_bench = {
	.name = "list/floor_rseq_push_pop", .setup = setup_floor,
	.thread_init = thread_init_floor, .run = run_floor, .thread_fini = thread_fini,
	.verify = verify_floor, .teardown = teardown, .batch = 1024,
};
#endif

void bench_register_list(void)
{
	for (size_t i = 0; i < sizeof(list_benches) / sizeof(list_benches[0]); i++)
		cbench_register(&list_benches[i]);
#ifdef FLOOR_HAVE_RSEQ
	if (floor_area_usable())
		cbench_register(&floor_bench);
#endif
}
