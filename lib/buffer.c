/* SPDX-License-Identifier: MIT */
/*
 * lib/buffer.c - per-CPU pointer buffers: set-up, the exported wrappers, and
 * the slow paths (remote CPU, fallback) under the lock of lib/slow.c.
 */
#include "config.h"
#define PERCPU_LIB_BUILD 1

#include <errno.h>
#include <sched.h>
#include <string.h>

#include <percpu/buffer.h>
#include "internal.h"

_Static_assert(sizeof(struct percpu_buffer_cpu) == PERCPU_BUFFER_ARCH_SLOTS,
	       "the buffer sequences take the slots right after the header");

/*
 * The stride between two CPUs' blocks: the header and the pointers, rounded
 * up to a power of two, so the sequences find a block with a shift (as a
 * hand-written one would) rather than a multiply, and at least
 * PERCPU_SLAB_ARCH_ALIGN, which the fast word's flag bits need (see
 * arch/generic.h).  The pages past what a full block uses are never
 * touched, so they cost address space only.
 * Return: 0 if it would not fit in a size_t.
 */
static size_t block_size(size_t capacity)
{
	size_t need = sizeof(struct percpu_buffer_cpu) + capacity * sizeof(intptr_t);
	size_t size = PERCPU_SLAB_ARCH_ALIGN;

	while (size < need) {
		if (size > SIZE_MAX / 2)
			return 0;
		size <<= 1;
	}
	return size;
}

static int buffer_ok(const struct percpu_buffer *b)
{
	return b && b->magic == PERCPU_BUFFER_MAGIC && b->mem.base;
}

int percpu_buffer_init(struct percpu_buffer *b, size_t capacity_per_cpu, unsigned int flags)
{
	size_t size;
	int err;

	if (!b || capacity_per_cpu == 0 || capacity_per_cpu > PERCPU_BUFFER_MAX_CAPACITY)
		return -EINVAL;
	PERCPU_READ_ANYWAY(b, sizeof(*b));
	if (percpu_looks_live(b->magic, PERCPU_BUFFER_MAGIC, b->mem.base, b->mem.nr,
			      percpu_nr_cpus()))
		return -EBUSY;
	/* 2^24 pointers on each of 64 CPUs overflow a 32-bit size_t. */
	if (!percpu_size_fits(sizeof(struct percpu_buffer_cpu), capacity_per_cpu,
			      sizeof(intptr_t), percpu_nr_cpus(), SIZE_MAX))
		return -EINVAL;
	size = block_size(capacity_per_cpu);
	if (!size || !percpu_size_fits(size, 0, 0, percpu_nr_cpus(), SIZE_MAX))
		return -EINVAL;
	err = percpu_mem_setup(&b->mem, size, flags,
			       offsetof(struct percpu_buffer_cpu, slow_mutex));
	if (err)
		return err;
	b->capacity = capacity_per_cpu;
	b->fast = b->mem.fast | (uintptr_t)__builtin_ctzl(b->mem.stride);
	b->magic = PERCPU_BUFFER_MAGIC;
	return 0;
}

int percpu_buffer_destroy(struct percpu_buffer *b)
{
	if (!buffer_ok(b))
		return -EINVAL;
	percpu_mem_destroy(&b->mem);
	memset(b, 0, sizeof(*b));
	return 0;
}

int percpu_buffer_push(struct percpu_buffer *b, void *ptr)
{
	if (PERCPU_UNLIKELY(!buffer_ok(b) || !ptr))
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

/* Under the lock of slot @cpu, whose count was @n: push, then unlock. */
static int push_locked(struct percpu_buffer *b, struct percpu_slow *s, unsigned int cpu,
		       intptr_t n, void *ptr)
{
	if ((size_t)n >= b->capacity) {
		percpu_slow_unlock(s, n);
		return -ENOSPC;
	}
	PERCPU_TSAN_RELEASE(ptr);
	PERCPU_STORE(_percpu_buffer_slot(_percpu_buffer_cpu(b, cpu), (size_t)n), (intptr_t)ptr);
	percpu_slow_unlock(s, n + 1);
	return 0;
}

/* Under the lock: take up to @max pointers into @out, unlock, return how many. */
static size_t take_locked(struct percpu_buffer *b, struct percpu_slow *s, unsigned int cpu,
			  intptr_t n, void **out, size_t max)
{
	struct percpu_buffer_cpu *pc = _percpu_buffer_cpu(b, cpu);
	size_t i;

	for (i = 0; i < max && (size_t)n > i; i++)
		out[i] = PERCPU_TSAN_ACQUIRE((void *)PERCPU_LOAD(_percpu_buffer_slot(pc,
											      (size_t)n - 1 - i)));
	percpu_slow_unlock(s, n - (intptr_t)i);
	return i;
}

static int push_cpu(struct percpu_buffer *b, void *ptr, unsigned int cpu)
{
	struct percpu_slow s;
	intptr_t n;
	int err = percpu_slow_lock(&s, &b->mem, cpu, PERCPU_BUFFER_LOCKED, &n);

	if (err)
		return err;
	return push_locked(b, &s, cpu, n, ptr);
}

/* Take up to @max pointers into @out; return how many, or a negative errno. */
static ssize_t take_cpu(struct percpu_buffer *b, unsigned int cpu, void **out, size_t max)
{
	struct percpu_slow s;
	intptr_t n;
	int err = percpu_slow_lock(&s, &b->mem, cpu, PERCPU_BUFFER_LOCKED, &n);

	if (err)
		return err;
	return (ssize_t)take_locked(b, &s, cpu, n, out, max);
}

static int check_cpu(const struct percpu_buffer *b, unsigned int cpu)
{
	if (!buffer_ok(b))
		return -EINVAL;
	if (cpu >= b->mem.nr)
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
 * Slow paths of the inline calls.  A thread with rseq retries its sequence:
 * after an abort, yielding while a slow path holds the slot, and confirming
 * "full" or "empty" on the slot it runs on (the count it read may be stale).
 * A thread without rseq takes the lock of some slot (lib/slow.c).
 */
int percpu_buffer_push_slow(struct percpu_buffer *b, void *ptr)
{
	unsigned int waits = 0;

	for (;;) {
		struct percpu_rseq_abi *rs = percpu_slow_area();
		struct percpu_buffer_cpu *pc;
		const uint32_t *idp;
		uint32_t id;
		intptr_t n;
		int ret;

		if (!rs) {
			struct percpu_slow s;
			unsigned int slot;

			/* Every slot busy: a handler interrupted its own thread's. */
			if (percpu_slow_lock_local(&s, &b->mem, PERCPU_BUFFER_LOCKED, &n, &slot))
				return -EAGAIN;
			return push_locked(b, &s, slot, n, ptr);
		}
		if (!_percpu_mem_index(&b->mem, rs, &id, &idp))
			continue;
		pc = _percpu_buffer_cpu(b, id);
		n = PERCPU_LOAD(&pc->count);
		if (n == PERCPU_BUFFER_LOCKED) {
			percpu_slow_wait(&waits);
			continue;
		}
		if ((size_t)n >= b->capacity) {
			if (percpu_arch_cmpeqv_storev(rs, &pc->count, n, n, id, idp) ==
			    PERCPU_SEQ_COMMITTED)
				return -ENOSPC;
			continue;
		}
		PERCPU_TSAN_RELEASE(ptr);
		ret = percpu_arch_cmpeqv_trystorev_storev_release(rs, &pc->count, n,
								  _percpu_buffer_slot(pc, (size_t)n),
								  (intptr_t)ptr, n + 1, id, idp);
		if (ret == PERCPU_SEQ_COMMITTED)
			return 0;
	}
}

void *percpu_buffer_pop_slow(struct percpu_buffer *b)
{
	unsigned int waits = 0;

	for (;;) {
		struct percpu_rseq_abi *rs = percpu_slow_area();
		struct percpu_buffer_cpu *pc;
		const uint32_t *idp;
		uint32_t id;
		intptr_t n, p;

		if (!rs) {
			struct percpu_slow s;
			unsigned int slot;
			void *ptr = NULL;

			if (percpu_slow_lock_local(&s, &b->mem, PERCPU_BUFFER_LOCKED, &n, &slot))
				return NULL;	/* every slot busy, as above */
			take_locked(b, &s, slot, n, &ptr, 1);
			return ptr;
		}
		if (!_percpu_mem_index(&b->mem, rs, &id, &idp))
			continue;
		pc = _percpu_buffer_cpu(b, id);
		n = PERCPU_LOAD(&pc->count);
		if (n == PERCPU_BUFFER_LOCKED) {
			percpu_slow_wait(&waits);
			continue;
		}
		if (n == 0) {
			if (percpu_arch_cmpeqv_storev(rs, &pc->count, 0, 0, id, idp) ==
			    PERCPU_SEQ_COMMITTED)
				return NULL;
			continue;
		}
		p = PERCPU_LOAD(_percpu_buffer_slot(pc, (size_t)n - 1));
		if (percpu_arch_cmpeqv_cmpeqv_storev(rs, &pc->count, n,
						     _percpu_buffer_slot(pc, (size_t)n - 1), p,
						     n - 1, id, idp) == PERCPU_SEQ_COMMITTED)
			return PERCPU_TSAN_ACQUIRE((void *)p);
	}
}
