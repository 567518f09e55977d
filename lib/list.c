/* SPDX-License-Identifier: MIT */
/*
 * lib/list.c - per-CPU lists: set-up, the exported wrappers, and the slow
 * paths (remote CPU, fallback) under the slow-path lock of lib/slow.c.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include <percpu/list.h>
#include "internal.h"

static int list_ok(const struct percpu_list *l)
{
	return l && l->magic == PERCPU_LIST_MAGIC && l->slots;
}

static size_t list_stride(void)
{
	return percpu_mem_stride(sizeof(struct percpu_list_cpu));
}

int percpu_list_init(struct percpu_list *l, unsigned int flags)
{
	unsigned int nr = percpu_nr_cpus();

	if (!l || flags != 0)
		return -EINVAL;
	memset(l, 0, sizeof(*l));
	/* _percpu_list_cpu() assumes a stride of exactly one cache-line unit. */
	_Static_assert(sizeof(struct percpu_list_cpu) <= PERCPU_CACHELINE_BYTES, "slot size");
	l->slots = percpu_mem_alloc(list_stride(), nr);
	if (!l->slots)
		return -ENOMEM;
	l->end.next = &l->end;
	for (unsigned int cpu = 0; cpu < nr; cpu++)
		_percpu_list_cpu(l, cpu)->head = (intptr_t)&l->end;
	l->nr_cpus = nr;
	l->magic = PERCPU_LIST_MAGIC;
	return 0;
}

int percpu_list_destroy(struct percpu_list *l)
{
	if (!list_ok(l))
		return -EINVAL;
	percpu_mem_free(l->slots, list_stride(), l->nr_cpus);
	memset(l, 0, sizeof(*l));
	return 0;
}

int percpu_list_push(struct percpu_list *l, struct percpu_list_node *node)
{
	if (!list_ok(l) || !node || node == &l->end)
		return -EINVAL;
	_percpu_list_push(l, node);
	return 0;
}

struct percpu_list_node *percpu_list_pop(struct percpu_list *l)
{
	if (!list_ok(l)) {
		errno = EINVAL;
		return NULL;
	}
	return _percpu_list_pop(l);
}

static int lock_cpu(struct percpu_list *l, unsigned int cpu, struct percpu_slow *s,
		    intptr_t *head)
{
	struct percpu_list_cpu *pc = _percpu_list_cpu(l, cpu);

	return percpu_slow_lock(s, &pc->head, &pc->slow_mutex, PERCPU_LIST_LOCKED, cpu, head);
}

static int push_cpu(struct percpu_list *l, struct percpu_list_node *node, unsigned int cpu)
{
	struct percpu_slow s;
	intptr_t head;
	int err = lock_cpu(l, cpu, &s, &head);

	if (err)
		return err;
	node->next = (struct percpu_list_node *)head;
	PERCPU_TSAN_RELEASE(node);
	percpu_slow_unlock(&s, (intptr_t)node);
	return 0;
}

/* Return: the node (NULL if empty), or NULL with *@err set. */
static struct percpu_list_node *pop_cpu(struct percpu_list *l, unsigned int cpu, int *err)
{
	struct percpu_slow s;
	intptr_t head;

	*err = lock_cpu(l, cpu, &s, &head);
	if (*err)
		return NULL;
	if (head == (intptr_t)&l->end) {
		percpu_slow_unlock(&s, head);
		return NULL;
	}
	percpu_slow_unlock(&s, (intptr_t)PERCPU_TSAN_ACQUIRE((struct percpu_list_node *)head)->next);
	return (struct percpu_list_node *)head;
}

static int check_cpu(const struct percpu_list *l, unsigned int cpu)
{
	if (!list_ok(l))
		return -EINVAL;
	if (cpu >= l->nr_cpus)
		return -ERANGE;
	return 0;
}

int percpu_list_push_cpu(struct percpu_list *l, struct percpu_list_node *node, unsigned int cpu)
{
	int err = check_cpu(l, cpu);

	if (err)
		return err;
	if (!node || node == &l->end)
		return -EINVAL;
	return push_cpu(l, node, cpu);
}

struct percpu_list_node *percpu_list_pop_cpu(struct percpu_list *l, unsigned int cpu)
{
	struct percpu_list_node *node;
	int err = check_cpu(l, cpu);

	if (!err)
		node = pop_cpu(l, cpu, &err);
	if (err) {
		errno = -err;
		return NULL;
	}
	return node;
}

struct percpu_list_node *percpu_list_drain_cpu(struct percpu_list *l, unsigned int cpu)
{
	struct percpu_list_node *first, *node;
	struct percpu_slow s;
	intptr_t head;
	int err = check_cpu(l, cpu);

	if (!err)
		err = lock_cpu(l, cpu, &s, &head);
	if (err) {
		errno = -err;
		return NULL;
	}
	percpu_slow_unlock(&s, (intptr_t)&l->end);
	if (head == (intptr_t)&l->end)
		return NULL;
	/* The chain is ours now: end it with NULL instead of the end marker. */
	first = (struct percpu_list_node *)head;
	for (node = first; PERCPU_TSAN_ACQUIRE(node)->next != &l->end; node = node->next)
		;
	node->next = NULL;
	return first;
}

/*
 * Fallback path: the thread has no rseq, so it takes the slow-path lock of
 * the CPU it runs on.  That CPU is always in its affinity mask, so the lock
 * cannot fail with -EPERM; should it fail otherwise, try CPU 0 next, then the
 * others, so the operation is never dropped.
 */
void percpu_list_push_fallback(struct percpu_list *l, struct percpu_list_node *node)
{
	unsigned int cpu = percpu_fallback_cpu();

	for (unsigned int i = 0; push_cpu(l, node, cpu) != 0; i++)
		cpu = i % l->nr_cpus;
}

struct percpu_list_node *percpu_list_pop_fallback(struct percpu_list *l)
{
	unsigned int cpu = percpu_fallback_cpu();
	struct percpu_list_node *node;
	int err;

	for (unsigned int i = 0;; i++) {
		node = pop_cpu(l, cpu, &err);
		if (!err)
			return node;
		cpu = i % l->nr_cpus;
	}
}
