/* SPDX-License-Identifier: MIT */
/*
 * lib/list.c - per-CPU lists: set-up, the exported wrappers, and the slow
 * paths (first use, abort, remote CPU, fallback) under the slow-path lock of
 * lib/slow.c.
 */
#include "config.h"
#define PERCPU_LIB_BUILD 1

#include <errno.h>
#include <sched.h>
#include <string.h>

#include <percpu/list.h>
#include "internal.h"

static int list_ok(const struct percpu_list *l)
{
	return l && l->magic == PERCPU_LIST_MAGIC && l->mem.base;
}

int percpu_list_init(struct percpu_list *l, unsigned int flags)
{
	int err;

	if (!l)
		return -EINVAL;
	PERCPU_READ_ANYWAY(l, sizeof(*l));
	if (percpu_looks_live(l->magic, PERCPU_LIST_MAGIC, l->mem.base, l->mem.nr,
			      percpu_nr_cpus()))
		return -EBUSY;
	/* _percpu_list_cpu() relies on a stride of one unit. */
	_Static_assert(sizeof(struct percpu_list_cpu) <= PERCPU_CACHELINE_BYTES, "slot");
	err = percpu_mem_setup(&l->mem, sizeof(struct percpu_list_cpu), flags,
			       offsetof(struct percpu_list_cpu, slow_mutex));
	if (err)
		return err;
	l->end.next = NULL;	/* 0: the end's own encoding */
	l->magic = PERCPU_LIST_MAGIC;
	return 0;
}

int percpu_list_destroy(struct percpu_list *l)
{
	if (!list_ok(l))
		return -EINVAL;
	percpu_mem_destroy(&l->mem);
	memset(l, 0, sizeof(*l));
	return 0;
}

static int node_ok(const struct percpu_list *l, const struct percpu_list_node *node)
{
	return node && node != &l->end && ((uintptr_t)node & (sizeof(void *) - 1)) == 0;
}

int percpu_list_push(struct percpu_list *l, struct percpu_list_node *node)
{
	if (PERCPU_UNLIKELY(!list_ok(l) || !node_ok(l, node)))
		return -EINVAL;
	_percpu_list_push(l, node);
	return 0;
}

struct percpu_list_node *percpu_list_pop(struct percpu_list *l)
{
	if (PERCPU_UNLIKELY(!list_ok(l))) {
		errno = EINVAL;
		return NULL;
	}
	return _percpu_list_pop(l);
}

/* Under the lock of a slot whose head was @head: push, return the new head. */
static intptr_t push_locked(struct percpu_list *l, struct percpu_list_node *node, intptr_t head)
{
	node->next = (struct percpu_list_node *)head;
	PERCPU_TSAN_RELEASE(node);
	return _percpu_list_enc(l, node);
}

/*
 * A signal handler's push that found every slot busy (lib/slow.c: nested slow
 * paths never wait) sets the node aside on @slot's deferred stack: a
 * lock-free push (pushes alone have no ABA problem), taken in whole by the
 * slot's next lock holder.
 */
static void defer_push(struct percpu_list *l, unsigned int slot, struct percpu_list_node *node)
{
	struct percpu_list_cpu *pc = _percpu_list_cpu(l, slot);
	intptr_t old = PERCPU_LOAD(&pc->deferred);

	do
		node->next = (struct percpu_list_node *)old;
	while (!__atomic_compare_exchange_n(&pc->deferred, &old, _percpu_list_enc(l, node), 1,
					    __ATOMIC_RELEASE, __ATOMIC_RELAXED));
}

/* Under the lock of @slot, whose head is *@head: take in its deferred nodes. */
static void __attribute__((noinline)) take_deferred_nodes(struct percpu_list *l,
							   struct percpu_list_cpu *pc,
							   intptr_t *head)
{
	struct percpu_list_node *last;
	intptr_t d;

	d = __atomic_exchange_n(&pc->deferred, 0, __ATOMIC_ACQUIRE);
	if (d == 0)
		return;
	for (last = _percpu_list_dec(l, d); last->next;
	     last = _percpu_list_dec(l, (intptr_t)last->next))
		;
	last->next = (struct percpu_list_node *)*head;
	*head = d;
}

/* Inline: the test is all that runs on the common path. */
static inline void take_deferred(struct percpu_list *l, unsigned int slot, intptr_t *head)
{
	struct percpu_list_cpu *pc = _percpu_list_cpu(l, slot);

	if (PERCPU_UNLIKELY(PERCPU_LOAD(&pc->deferred) != 0))
		take_deferred_nodes(l, pc, head);
}

/* Lock @slot for a remote operation: *@head is then the whole list. */
static int lock_slot(struct percpu_slow *s, struct percpu_list *l, unsigned int slot,
		     intptr_t *head)
{
	int err = percpu_slow_lock(s, &l->mem, slot, PERCPU_LIST_LOCKED, head);

	if (!err)
		take_deferred(l, slot, head);
	return err;
}

/* The same for the fallback path: some slot; -EAGAIN when all are busy. */
static int lock_local(struct percpu_slow *s, struct percpu_list *l, unsigned int *slot,
		      intptr_t *head)
{
	int err = percpu_slow_lock_local(s, &l->mem, PERCPU_LIST_LOCKED, head, slot);

	if (!err)
		take_deferred(l, *slot, head);
	return err;
}

static int push_cpu(struct percpu_list *l, struct percpu_list_node *node, unsigned int cpu)
{
	struct percpu_slow s;
	intptr_t head;
	int err = lock_slot(&s, l, cpu, &head);

	if (err)
		return err;
	percpu_slow_unlock(&s, push_locked(l, node, head));
	return 0;
}

/* Under the lock: the top node (NULL if empty); *@head becomes the new head. */
static struct percpu_list_node *pop_locked(struct percpu_list *l, intptr_t *head)
{
	struct percpu_list_node *top;

	if (*head == 0)
		return NULL;
	top = PERCPU_TSAN_ACQUIRE(_percpu_list_dec(l, *head));
	*head = (intptr_t)top->next;
	return top;
}

static int check_cpu(const struct percpu_list *l, unsigned int cpu)
{
	if (!list_ok(l))
		return -EINVAL;
	if (cpu >= l->mem.nr)
		return -ERANGE;
	return 0;
}

int percpu_list_push_cpu(struct percpu_list *l, struct percpu_list_node *node, unsigned int cpu)
{
	int err = check_cpu(l, cpu);

	if (err)
		return err;
	if (!node_ok(l, node))
		return -EINVAL;
	return push_cpu(l, node, cpu);
}

struct percpu_list_node *percpu_list_pop_cpu(struct percpu_list *l, unsigned int cpu)
{
	struct percpu_list_node *node;
	struct percpu_slow s;
	intptr_t head;
	int err = check_cpu(l, cpu);

	if (!err)
		err = lock_slot(&s, l, cpu, &head);
	if (err) {
		errno = -err;
		return NULL;
	}
	node = pop_locked(l, &head);
	percpu_slow_unlock(&s, head);
	return node;
}

struct percpu_list_node *percpu_list_drain_cpu(struct percpu_list *l, unsigned int cpu)
{
	struct percpu_list_node *first, *node;
	struct percpu_slow s;
	intptr_t head;
	int err = check_cpu(l, cpu);

	if (!err)
		err = lock_slot(&s, l, cpu, &head);
	if (err) {
		errno = -err;
		return NULL;
	}
	percpu_slow_unlock(&s, 0);
	if (head == 0)
		return NULL;
	/* The chain is ours now: decode it, ending with NULL. */
	first = _percpu_list_dec(l, head);
	for (node = first;; node = node->next) {
		intptr_t next = (intptr_t)PERCPU_TSAN_ACQUIRE(node)->next;

		if (next == 0) {
			node->next = NULL;
			break;
		}
		node->next = _percpu_list_dec(l, next);
	}
	return first;
}

/*
 * Slow paths of the inline calls.  A thread with rseq retries its sequence
 * (after an abort, or yielding while a slow path holds the slot); a thread
 * without takes the lock of some slot (lib/slow.c).
 */
void percpu_list_push_slow(struct percpu_list *l, struct percpu_list_node *node)
{
	unsigned int waits = 0;

	for (;;) {
		struct percpu_rseq_abi *rs = percpu_slow_area();
		const uint32_t *idp;
		uint32_t id;

		if (!rs) {
			struct percpu_slow s;
			unsigned int slot;
			intptr_t head;

			if (lock_local(&s, l, &slot, &head) == 0)
				percpu_slow_unlock(&s, push_locked(l, node, head));
			else
				defer_push(l, slot, node);
			return;
		}
		if (_percpu_mem_index(&l->mem, rs, &id, &idp)) {
			struct percpu_list_cpu *pc = _percpu_list_cpu(l, id);
			intptr_t head = PERCPU_LOAD(&pc->head);

			if (head == PERCPU_LIST_LOCKED) {
				percpu_slow_wait(&waits);
				continue;
			}
			PERCPU_STORE(&node->next, (struct percpu_list_node *)head);
			PERCPU_TSAN_RELEASE(node);
			if (percpu_arch_cmpeqv_storev_release(rs, &pc->head, head,
							      _percpu_list_enc(l, node), id, idp) ==
			    PERCPU_SEQ_COMMITTED)
				return;
		}
	}
}

struct percpu_list_node *percpu_list_pop_slow(struct percpu_list *l)
{
	unsigned int waits = 0;

	for (;;) {
		struct percpu_rseq_abi *rs = percpu_slow_area();
		const uint32_t *idp;
		uint32_t id;
		intptr_t top;
		int ret;

		if (!rs) {
			struct percpu_list_node *node;
			struct percpu_slow s;
			unsigned int slot;
			intptr_t head;

			if (lock_local(&s, l, &slot, &head) != 0)
				return NULL;	/* every slot busy: see lib/slow.c */
			node = pop_locked(l, &head);
			percpu_slow_unlock(&s, head);
			return node;
		}
		if (!_percpu_mem_index(&l->mem, rs, &id, &idp))
			continue;
		ret = percpu_arch_cmpnev_storeoffp_load(rs, &_percpu_list_cpu(l, id)->head,
							PERCPU_LIST_LOCKED,
							(long)((uintptr_t)&l->end +
							       offsetof(struct percpu_list_node, next)),
							&top, id, idp);
		if (ret == PERCPU_SEQ_COMMITTED)
			return top == 0 ? NULL : PERCPU_TSAN_ACQUIRE(_percpu_list_dec(l, top));
		if (ret == PERCPU_SEQ_CMPFAIL)		/* locked by a slow path */
			percpu_slow_wait(&waits);
	}
}
