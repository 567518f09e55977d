/* SPDX-License-Identifier: MIT */
/*
 * lib/buffer.c - per-CPU pointer buffers: set-up, the exported wrappers, and
 * the slow paths (remote CPU, fallback) under the lock of lib/slow.c.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include <percpu/buffer.h>
#include "internal.h"

static int buffer_ok(const struct percpu_buffer *b)
{
	return b && b->magic == PERCPU_BUFFER_MAGIC && b->slots;
}

int percpu_buffer_init(struct percpu_buffer *b, size_t capacity_per_cpu, unsigned int flags)
{
	unsigned int nr = percpu_nr_cpus();
	size_t stride;

	if (!b || flags != 0 || capacity_per_cpu == 0 ||
	    capacity_per_cpu > PERCPU_BUFFER_MAX_CAPACITY)
		return -EINVAL;
	memset(b, 0, sizeof(*b));
	stride = percpu_mem_stride(sizeof(struct percpu_buffer_cpu) +
				   capacity_per_cpu * sizeof(intptr_t));
	b->slots = percpu_mem_alloc(stride, nr);
	if (!b->slots)
		return -ENOMEM;
	b->stride = stride;
	b->capacity = capacity_per_cpu;
	b->nr_cpus = nr;
	b->magic = PERCPU_BUFFER_MAGIC;
	return 0;
}

int percpu_buffer_destroy(struct percpu_buffer *b)
{
	if (!buffer_ok(b))
		return -EINVAL;
	percpu_mem_free(b->slots, b->stride, b->nr_cpus);
	memset(b, 0, sizeof(*b));
	return 0;
}

int percpu_buffer_push(struct percpu_buffer *b, void *ptr)
{
	if (!buffer_ok(b) || !ptr)
		return -EINVAL;
	return _percpu_buffer_push(b, ptr);
}

void *percpu_buffer_pop(struct percpu_buffer *b)
{
	if (!buffer_ok(b)) {
		errno = EINVAL;
		return NULL;
	}
	return _percpu_buffer_pop(b);
}

static int lock_cpu(struct percpu_buffer *b, unsigned int cpu, struct percpu_slow *s,
		    intptr_t *count)
{
	struct percpu_buffer_cpu *pc = _percpu_buffer_cpu(b, cpu);

	return percpu_slow_lock(s, &pc->count, &pc->slow_mutex, PERCPU_BUFFER_LOCKED, cpu,
				count);
}

static int push_cpu(struct percpu_buffer *b, void *ptr, unsigned int cpu)
{
	struct percpu_buffer_cpu *pc = _percpu_buffer_cpu(b, cpu);
	struct percpu_slow s;
	intptr_t n;
	int err = lock_cpu(b, cpu, &s, &n);

	if (err)
		return err;
	if ((size_t)n >= b->capacity) {
		percpu_slow_unlock(&s, n);
		return -ENOSPC;
	}
	PERCPU_TSAN_RELEASE(ptr);
	PERCPU_STORE(_percpu_buffer_slot(pc, (size_t)n), (intptr_t)ptr);
	percpu_slow_unlock(&s, n + 1);
	return 0;
}

/* Take up to @max pointers into @out; return how many, or a negative errno. */
static ssize_t take_cpu(struct percpu_buffer *b, unsigned int cpu, void **out, size_t max)
{
	struct percpu_buffer_cpu *pc = _percpu_buffer_cpu(b, cpu);
	struct percpu_slow s;
	intptr_t n;
	size_t i;
	int err = lock_cpu(b, cpu, &s, &n);

	if (err)
		return err;
	for (i = 0; i < max && (size_t)n > i; i++)
		out[i] = (void *)PERCPU_TSAN_ACQUIRE(PERCPU_LOAD(_percpu_buffer_slot(pc, (size_t)n - 1 - i)));
	percpu_slow_unlock(&s, n - (intptr_t)i);
	return (ssize_t)i;
}

static int check_cpu(const struct percpu_buffer *b, unsigned int cpu)
{
	if (!buffer_ok(b))
		return -EINVAL;
	if (cpu >= b->nr_cpus)
		return -ERANGE;
	return 0;
}

int percpu_buffer_push_cpu(struct percpu_buffer *b, void *ptr, unsigned int cpu)
{
	int err = check_cpu(b, cpu);

	if (err)
		return err;
	if (!ptr)
		return -EINVAL;
	return push_cpu(b, ptr, cpu);
}

void *percpu_buffer_pop_cpu(struct percpu_buffer *b, unsigned int cpu)
{
	void *ptr = NULL;
	ssize_t ret = check_cpu(b, cpu);

	if (ret == 0)
		ret = take_cpu(b, cpu, &ptr, 1);
	if (ret < 0) {
		errno = (int)-ret;
		return NULL;
	}
	return ptr;
}

ssize_t percpu_buffer_drain_cpu(struct percpu_buffer *b, unsigned int cpu, void **out,
				size_t max)
{
	int err = check_cpu(b, cpu);

	if (err)
		return err;
	if (!out && max > 0)
		return -EINVAL;
	return take_cpu(b, cpu, out, max);
}

/*
 * Fallback path: lock the CPU the thread runs on (always in its affinity
 * mask); on an unexpected failure try the other CPUs rather than drop it.
 */
int percpu_buffer_push_fallback(struct percpu_buffer *b, void *ptr)
{
	unsigned int cpu = percpu_fallback_cpu();
	int err;

	for (unsigned int i = 0; (err = push_cpu(b, ptr, cpu)) != 0 && err != -ENOSPC; i++)
		cpu = i % b->nr_cpus;
	return err;
}

void *percpu_buffer_pop_fallback(struct percpu_buffer *b)
{
	unsigned int cpu = percpu_fallback_cpu();
	void *ptr = NULL;

	for (unsigned int i = 0; take_cpu(b, cpu, &ptr, 1) < 0; i++)
		cpu = i % b->nr_cpus;
	return ptr;
}
