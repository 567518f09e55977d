/* SPDX-License-Identifier: MIT */
/*
 * bench/pool.h - a pool of numbered tokens moved through a structure by
 * push+pop pairs, and the check that none was lost or duplicated.
 *
 * Each thread starts holding POOL_PER_THREAD tokens.  One operation pushes a
 * held token (if any; kept if the structure is full) and pops one (which may
 * be another thread's; none if empty).  Afterwards every token must be either
 * held by exactly one thread or found exactly once when the structure is
 * drained.
 */
#ifndef BENCH_POOL_H
#define BENCH_POOL_H

#include <stdint.h>
#include <stdlib.h>

#if __has_include(<percpu/list.h>)
#include <percpu/list.h>
#include <percpu/rseq.h>
#define POOL_HAVE_PERCPU_LIST 1
#endif
#include "baselines.h"
#include "bench.h"

#define POOL_PER_THREAD	16
#define TOKEN_MAGIC	0x746f6b65u

struct token {
#ifdef POOL_HAVE_PERCPU_LIST
	struct percpu_list_node pnode;	/* percpu list link */
#endif
	struct mlist_node mnode;	/* mutex list link */
	uint32_t id;
	uint32_t magic;
};

struct holder {
	struct token **held;
	uint32_t n;
	uint64_t empty;			/* pops that found nothing */
} __attribute__((aligned(BENCH_PAD)));

struct pool {
	struct token *tokens;
	uint32_t ntokens;
	uint32_t *seen;			/* times each token was accounted for */
	uint32_t *links;		/* Treiber links, one per token */
	struct holder *holders;		/* one per thread */
	int bad;			/* a foreign, corrupt or surplus token */
};

static inline int pool_init(struct pool *p, int threads)
{
	memset(p, 0, sizeof(*p));
	p->ntokens = (uint32_t)threads * POOL_PER_THREAD;
	p->tokens = bench_zalloc(sizeof(struct token) * p->ntokens);
	p->seen = bench_zalloc(sizeof(uint32_t) * p->ntokens);
	p->links = bench_zalloc(sizeof(uint32_t) * p->ntokens);
	p->holders = bench_zalloc(sizeof(struct holder) * (size_t)threads);
	if (!p->tokens || !p->seen || !p->links || !p->holders)
		return -1;
	for (int t = 0; t < threads; t++) {
		struct holder *h = &p->holders[t];

		h->held = bench_zalloc(sizeof(struct token *) * p->ntokens);
		if (!h->held)
			return -1;
		for (uint32_t i = 0; i < POOL_PER_THREAD; i++) {
			struct token *tk = &p->tokens[(uint32_t)t * POOL_PER_THREAD + i];

			tk->id = (uint32_t)t * POOL_PER_THREAD + i;
			tk->magic = TOKEN_MAGIC;
			h->held[h->n++] = tk;
		}
	}
	return 0;
}

/* Safe on a partly initialised pool (zeroed by pool_init). */
static inline void pool_destroy(struct pool *p, int threads)
{
	for (int t = 0; p->holders && t < threads; t++)
		free(p->holders[t].held);
	free(p->holders);
	free(p->links);
	free(p->seen);
	free(p->tokens);
}

/* Count @tk as accounted for once more (any thread). */
static inline void pool_mark(struct pool *p, const struct token *tk)
{
	if (tk < p->tokens || tk >= p->tokens + p->ntokens || tk->magic != TOKEN_MAGIC ||
	    tk != &p->tokens[tk->id]) {
		__atomic_store_n(&p->bad, 1, __ATOMIC_RELAXED);
		return;
	}
	__atomic_fetch_add(&p->seen[tk->id], 1, __ATOMIC_RELAXED);
}

/* thread_fini: account for what the thread holds, report empty pops. */
static inline void pool_thread_fini(struct pool *p, struct cbench_thread *t)
{
	struct holder *h = &p->holders[t->index];

	for (uint32_t i = 0; i < h->n; i++)
		pool_mark(p, h->held[i]);
	cbench_counter(t, "empty_pops", (double)h->empty, 1);
}

/* After the structure was drained into pool_mark(): every token seen once? */
static inline const char *pool_verify(struct pool *p)
{
	if (p->bad)
		return "a pop returned a foreign or corrupt token, or too many";
	for (uint32_t i = 0; i < p->ntokens; i++) {
		if (p->seen[i] == 0)
			return "a token was lost";
		if (p->seen[i] > 1)
			return "a token was duplicated";
	}
	return NULL;
}

/*
 * The timed loop, instantiated per structure: always_inline with constant
 * function pointers, so push and pop inline into it.
 */
static inline __attribute__((always_inline)) void
pool_pairs(struct pool *p, struct cbench_thread *t, uint64_t n, void *obj,
	   int (*push)(void *obj, struct token *tk), struct token *(*pop)(void *obj))
{
	struct holder *h = &p->holders[t->index];

	for (uint64_t i = 0; i < n; i++) {
		struct token *got;

		if (h->n && push(obj, h->held[h->n - 1]) == 0)
			h->n--;
		got = pop(obj);
		if (!got)
			h->empty++;
		else if (h->n < p->ntokens)
			h->held[h->n++] = got;
		else
			__atomic_store_n(&p->bad, 1, __ATOMIC_RELAXED);
	}
}

#endif /* BENCH_POOL_H */
