/* SPDX-License-Identifier: MIT */
/*
 * percpu/list.h - per-CPU lock-free LIFO lists (stacks) of intrusive nodes.
 *
 * Each CPU has its own list.  Push and pop act on the calling thread's CPU in
 * one restartable sequence: no atomic instruction, no ABA problem (the pop
 * reads head->next inside the sequence).  The `_cpu` calls act on a named
 * CPU's list from anywhere; they and the fallback path (threads without rseq)
 * take that CPU's slow-path lock (see lib/slow.c): the head word is set to
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

#include <sched.h>
#include <stddef.h>
#include <stdint.h>
#include <percpu/compiler.h>
#include <percpu/rseq.h>
#include <percpu/arch.h>

PERCPU_EXTERN_C_BEGIN

struct percpu_list_node {
	struct percpu_list_node *next;
};

/* One CPU's list, alone in its cache line(s). */
struct percpu_list_cpu {
	/*
	 * Top node; &list->end when empty; PERCPU_LIST_LOCKED while a slow
	 * path holds it.  Written by sequences on this CPU and by the holder.
	 */
	intptr_t head;
	int slow_mutex;		/* serialises slow paths on this CPU */
};

struct percpu_list {
	char *slots;		/* nr_cpus struct percpu_list_cpu, PERCPU_CACHELINE_BYTES apart */
	unsigned int nr_cpus;
	unsigned int magic;	/* PERCPU_LIST_MAGIC while initialised */
	/*
	 * The end marker: an empty list's head points here, and end.next ==
	 * &end, so a pop sequence on an empty list (which loads head->next
	 * unconditionally) reads valid memory and stores the same value back.
	 * NULL cannot be the end: it is the locked value (the one value the
	 * pop sequence compares against).
	 */
	struct percpu_list_node end;
};

#define PERCPU_LIST_MAGIC	0x70636c73u
#define PERCPU_LIST_LOCKED	((intptr_t)0)

/**
 * percpu_list_init() - set up @l with every CPU's list empty.
 * @flags: must be 0.
 * Return: 0; -EINVAL if @l is NULL or @flags is not 0; -ENOMEM.
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
 * Return: 0, or -EINVAL if @l is NULL or not initialised, or @node is NULL.
 * Async-signal-safe.
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
 * Return: 0; -EINVAL (bad @l or @node); -ERANGE if @cpu >= percpu_nr_cpus();
 * -EPERM if membarrier is unavailable and @cpu is not in the thread's
 * affinity mask.  Async-signal-safe; blocking (see the table above).
 */
PERCPU_API int percpu_list_push_cpu(struct percpu_list *l, struct percpu_list_node *node,
				    unsigned int cpu);

/**
 * percpu_list_pop_cpu() - pop the top node of @cpu's list, from any CPU.
 * Return: the node; NULL if the list is empty (errno unchanged) or on error
 * (errno EINVAL, ERANGE or EPERM as for percpu_list_push_cpu()).
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

/* Slow paths of the inline calls (fallback path). Not for direct use. */
PERCPU_API void percpu_list_push_fallback(struct percpu_list *l, struct percpu_list_node *node);
PERCPU_API struct percpu_list_node *percpu_list_pop_fallback(struct percpu_list *l);

static inline struct percpu_list_cpu *_percpu_list_cpu(const struct percpu_list *l,
						       unsigned int cpu)
{
	return (struct percpu_list_cpu *)(l->slots + (size_t)cpu * PERCPU_CACHELINE_BYTES);
}

/**
 * _percpu_list_push() - inline fast path of percpu_list_push().
 * No argument checks: @l must be initialised and @node not NULL.
 */
static inline void _percpu_list_push(struct percpu_list *l, struct percpu_list_node *node)
{
	struct percpu_rseq_abi *rs = percpu_rseq_area();

	for (;;) {
		unsigned int cpu = percpu_rseq_cpu_start(rs);
		struct percpu_list_cpu *pc = _percpu_list_cpu(l, cpu);
		intptr_t head = PERCPU_LOAD(&pc->head);
		int ret;

		if (PERCPU_UNLIKELY(head == PERCPU_LIST_LOCKED)) {
			if (percpu_rseq_is_fallback(rs))
				break;
			sched_yield();
			continue;
		}
		PERCPU_STORE(&node->next, (struct percpu_list_node *)head);
		PERCPU_TSAN_RELEASE(node);	/* after the last write to node */
		PERCPU_INJECT_C(1);
		ret = percpu_arch_cmpeqv_storev_release(rs, &pc->head, head, (intptr_t)node, cpu);
		if (PERCPU_LIKELY(ret == PERCPU_SEQ_COMMITTED))
			return;
		if (ret == PERCPU_SEQ_CPU_MISMATCH && percpu_rseq_is_fallback(rs))
			break;
	}
	percpu_list_push_fallback(l, node);
}

/**
 * _percpu_list_pop() - inline fast path of percpu_list_pop().
 * No argument checks: @l must be initialised.  NULL when the list is empty.
 */
static inline struct percpu_list_node *_percpu_list_pop(struct percpu_list *l)
{
	struct percpu_rseq_abi *rs = percpu_rseq_area();

	for (;;) {
		unsigned int cpu = percpu_rseq_cpu_start(rs);
		struct percpu_list_cpu *pc = _percpu_list_cpu(l, cpu);
		intptr_t top;
		int ret;

		PERCPU_INJECT_C(2);
		ret = percpu_arch_cmpnev_storeoffp_load(rs, &pc->head, PERCPU_LIST_LOCKED,
							offsetof(struct percpu_list_node, next),
							&top, cpu);
		if (PERCPU_LIKELY(ret == PERCPU_SEQ_COMMITTED))
			return top == (intptr_t)&l->end ? NULL : (struct percpu_list_node *)PERCPU_TSAN_ACQUIRE(top);
		if (ret == PERCPU_SEQ_CMPFAIL)		/* locked by a slow path */
			sched_yield();
		else if (ret == PERCPU_SEQ_CPU_MISMATCH && percpu_rseq_is_fallback(rs))
			return PERCPU_TSAN_ACQUIRE(percpu_list_pop_fallback(l));
	}
}

PERCPU_EXTERN_C_END

#endif /* _PERCPU_LIST_H */
