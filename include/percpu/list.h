/* SPDX-License-Identifier: MIT */
/*
 * percpu/list.h - per-CPU lock-free LIFO lists (stacks) of intrusive nodes.
 *
 * Each CPU has its own list.  Push and pop act on the calling thread's CPU in
 * one restartable sequence: no atomic instruction, no ABA problem (the pop
 * reads head->next inside the sequence).  The `_cpu` calls act on a named
 * CPU's list from anywhere; they and the fallback path (threads without rseq)
 * take a slot's slow-path lock (see lib/slow.c): the head word is set to
 * PERCPU_LIST_LOCKED, which every sequence's comparison rejects, and a
 * membarrier aborts sequences already past their comparison.
 *
 *   operation                 may run concurrently with          progress
 *   _percpu_list_push/pop()   everything but init/destroy        lock-free*
 *   percpu_list_push/pop()    same                               lock-free*
 *   percpu_list_*_cpu()       everything but init/destroy        blocking**
 *   fallback-path push/pop    same                               blocking**
 *   percpu_list_init/destroy  nothing on the same list           -
 *
 * (*) while no slow path holds that CPU's lock; a sequence that finds it held
 * yields until it is released.  (**) serialised per CPU with other slow
 * paths; costs a membarrier (about 1 us) when threads use rseq.
 *
 * A node belongs to the list from its push until a pop or drain returns it;
 * the list writes only node->next.  The list must not be copied or moved.
 */
#ifndef _PERCPU_LIST_H
#define _PERCPU_LIST_H

#include <stddef.h>
#include <stdint.h>
#include <percpu/compiler.h>
#include <percpu/rseq.h>
#include <percpu/mem.h>

PERCPU_EXTERN_C_BEGIN

struct percpu_list_node {
	/*
	 * While the node is on a list: the next node, in the list's own
	 * encoding (see below).  Not for the caller to read until a pop or a
	 * drain hands the node back.
	 */
	struct percpu_list_node *next;
};

/* One CPU's list, alone in its cache line(s). */
struct percpu_list_cpu {
	/*
	 * Top node, encoded as its distance from &list->end (0: empty), or
	 * PERCPU_LIST_LOCKED while a slow path holds it.  Written by sequences
	 * on this CPU and by the holder.  The encoding makes an all-zero slot
	 * an empty list, so init writes nothing into the slots and a CPU that
	 * never uses the list costs no memory.
	 */
	intptr_t head;
	int slow_mutex;		/* serialises slow paths on this slot */
	/*
	 * Nodes a signal handler pushed on the fallback path while every slot
	 * was busy (its own thread held one: lib/slow.c), same encoding; the
	 * slot's next slow-path holder takes them in.  Sequences never look.
	 */
	intptr_t deferred;
};

struct percpu_list {
	struct percpu_mem mem;	/* one struct percpu_list_cpu per slot */
	unsigned int magic;	/* PERCPU_LIST_MAGIC while initialised */
	/*
	 * The end marker: the encoding of a node is its distance from here, so
	 * an empty list's head is 0 and end.next (0) is the end's own encoding.
	 * A pop sequence on an empty list (which loads head->next
	 * unconditionally) thus reads this valid word and stores 0 back.
	 */
	struct percpu_list_node end;
};

#define PERCPU_LIST_MAGIC	0x70636c73u
/*
 * Never the distance between two pointer-aligned nodes.  The list's
 * sequences (arch/generic.h) compare the head with 1 themselves.
 */
#define PERCPU_LIST_LOCKED	((intptr_t)1)

/**
 * percpu_list_init() - set up @l with every CPU's list empty.
 * @flags: 0, or PERCPU_MM_CID to index by concurrency id (percpu/mem.h).
 * Never calls malloc.
 * Return: 0; -EINVAL if @l is NULL or @flags has unknown bits; -ENOTSUP
 * (PERCPU_MM_CID without kernel support); -ENOMEM; -EBUSY if @l is
 * initialised and not destroyed (see percpu_list(3)).
 */
PERCPU_API int percpu_list_init(struct percpu_list *l, unsigned int flags);

/**
 * percpu_list_destroy() - free @l's memory.  Nodes still on it are not
 * touched (drain them first if they need freeing).  Nothing may run on @l.
 * Return: 0, or -EINVAL if @l is NULL or not initialised.
 */
PERCPU_API int percpu_list_destroy(struct percpu_list *l);

/**
 * percpu_list_push() - push @node on the calling CPU's list (out-of-line).
 * Return: 0, or -EINVAL if @l is NULL or not initialised, or @node is NULL or
 * not pointer-aligned.  Async-signal-safe.
 */
PERCPU_API int percpu_list_push(struct percpu_list *l, struct percpu_list_node *node);

/**
 * percpu_list_pop() - pop the top node of the calling CPU's list.
 * Return: the node, or NULL if that list is empty or @l is invalid (errno
 * EINVAL).  Other CPUs' lists are not looked at.  Async-signal-safe.
 */
PERCPU_API struct percpu_list_node *percpu_list_pop(struct percpu_list *l);

/**
 * percpu_list_push_cpu() - push @node on @cpu's list, from any CPU.
 * @cpu: the slot: a CPU number, or an mm_cid for an mm_cid-indexed list.
 * Return: 0; -EINVAL (bad @l or @node); -ERANGE if @cpu >= percpu_nr_cpus();
 * -EAGAIN in a signal handler that interrupted a fallback-path operation of
 * this thread, when that list was busy (percpu_list(3));
 * -EPERM if membarrier is unavailable and @cpu is not in the thread's
 * affinity mask.  Async-signal-safe; blocking (see the table above).
 */
PERCPU_API int percpu_list_push_cpu(struct percpu_list *l, struct percpu_list_node *node,
				    unsigned int cpu);

/**
 * percpu_list_pop_cpu() - pop the top node of @cpu's list, from any CPU.
 * Return: the node; NULL if the list is empty (errno unchanged) or on error
 * (errno EINVAL, ERANGE, EAGAIN or EPERM as for percpu_list_push_cpu()).
 */
PERCPU_API struct percpu_list_node *percpu_list_pop_cpu(struct percpu_list *l, unsigned int cpu);

/**
 * percpu_list_drain_cpu() - take every node of @cpu's list at once.
 * Return: the former top node, the nodes chained by ->next in pop order and
 * the last one's next NULL; NULL if empty or on error (errno as for
 * percpu_list_pop_cpu()).
 */
PERCPU_API struct percpu_list_node *percpu_list_drain_cpu(struct percpu_list *l,
							  unsigned int cpu);

/* Slow paths of the inline calls (first use, abort, lock, fallback). */
PERCPU_API void percpu_list_push_slow(struct percpu_list *l, struct percpu_list_node *node);
PERCPU_API struct percpu_list_node *percpu_list_pop_slow(struct percpu_list *l);

PERCPU_INLINE struct percpu_list_cpu *_percpu_list_cpu(const struct percpu_list *l,
						       unsigned int i)
{
	/* Slots are exactly one stride unit apart: a shift, not a multiply. */
	return (struct percpu_list_cpu *)(l->mem.base + (size_t)i * PERCPU_CACHELINE_BYTES);
}

PERCPU_INLINE intptr_t _percpu_list_enc(const struct percpu_list *l,
					const struct percpu_list_node *node)
{
	return (intptr_t)((uintptr_t)node - (uintptr_t)&l->end);
}

PERCPU_INLINE struct percpu_list_node *_percpu_list_dec(const struct percpu_list *l, intptr_t v)
{
	return (struct percpu_list_node *)((uintptr_t)&l->end + (uintptr_t)v);
}

/*
 * The index checks of the list's sequences: a negative cpu_id (an area not
 * registered) is at or above 2^31, and an unregistered area's mm_cid may be
 * 0, so cpu_id is checked before an mm_cid-indexed sequence.
 */
#define _PERCPU_LIST_CPU_NR	(UINT32_C(1) << 31)

/**
 * _percpu_list_push() - inline fast path of percpu_list_push().
 * No argument checks: @l must be initialised and @node not NULL.
 */
PERCPU_INLINE void _percpu_list_push(struct percpu_list *l, struct percpu_list_node *node)
{
	struct percpu_rseq_abi *rs = _percpu_rseq_area_fast();
	intptr_t enc = _percpu_list_enc(l, node);
	uintptr_t fast = l->mem.fast;
	int r;

	PERCPU_TSAN_RELEASE(node);	/* node->next is written in the sequence */
	PERCPU_INJECT_C(1);
	/*
	 * One sequence reads the index, finds the slot, checks the head is
	 * not locked, links the node to it and commits: node->next gets the
	 * head in the list's encoding.
	 */
	if (PERCPU_LIKELY(!(fast & PERCPU_MEM_FAST_MM_CID)))
		r = percpu_arch_list_push_cpu(rs, _PERCPU_LIST_CPU_NR, _percpu_mem_fast_cpu_base(fast),
					      (intptr_t *)&node->next, enc);
	else if ((int32_t)PERCPU_LOAD(&rs->cpu_id) >= 0)
		r = percpu_arch_list_push_mm_cid(rs, l->mem.nr, _percpu_mem_fast_base(fast),
						 (intptr_t *)&node->next, enc);
	else
		r = PERCPU_SEQ_CPU_MISMATCH;
	if (PERCPU_LIKELY(r == PERCPU_SEQ_COMMITTED))
		return;
	percpu_list_push_slow(l, node);
}

/**
 * _percpu_list_pop() - inline fast path of percpu_list_pop().
 * No argument checks: @l must be initialised.  NULL when the list is empty.
 */
PERCPU_INLINE struct percpu_list_node *_percpu_list_pop(struct percpu_list *l)
{
	struct percpu_rseq_abi *rs = _percpu_rseq_area_fast();
	/* head->next of the encoded head: &l->end + head + offsetof(next) */
	intptr_t voffp = (intptr_t)((uintptr_t)&l->end +
				    offsetof(struct percpu_list_node, next));
	uintptr_t fast = l->mem.fast;
	intptr_t top;
	int r;

	PERCPU_INJECT_C(2);
	/*
	 * The head is read inside the section and its next loaded there: no
	 * ABA check.  An empty head (0) loads end.next (0) and stores it back.
	 */
	if (PERCPU_LIKELY(!(fast & PERCPU_MEM_FAST_MM_CID)))
		r = percpu_arch_list_pop_cpu(rs, _PERCPU_LIST_CPU_NR, _percpu_mem_fast_cpu_base(fast),
					     voffp, &top);
	else if ((int32_t)PERCPU_LOAD(&rs->cpu_id) >= 0)
		r = percpu_arch_list_pop_mm_cid(rs, l->mem.nr, _percpu_mem_fast_base(fast), voffp,
						&top);
	else
		r = PERCPU_SEQ_CPU_MISMATCH;
	if (PERCPU_LIKELY(r == PERCPU_SEQ_COMMITTED))
		return top == 0 ? NULL : PERCPU_TSAN_ACQUIRE(_percpu_list_dec(l, top));
	return percpu_list_pop_slow(l);
}

PERCPU_EXTERN_C_END

#endif /* _PERCPU_LIST_H */
