/* SPDX-License-Identifier: MIT */
/*
 * percpu/buffer.h - per-CPU bounded LIFO buffers of pointers.
 *
 * Each CPU has an array of `capacity` pointers and a count.  Push stores the
 * pointer in slot[count] speculatively and commits count + 1; pop loads
 * slot[count - 1] and commits count - 1.  Both read the index and the count
 * inside the section (arch/generic.h, the buffer pair), so nothing read
 * before it needs comparing again.  The `_cpu` calls and the fallback path take
 * the CPU's slow-path lock (lib/slow.c): the count is set to
 * PERCPU_BUFFER_LOCKED (-1), which the sequences take for full and empty
 * alike (one unsigned compare with the capacity).
 *
 *   operation                   may run concurrently with        progress
 *   _percpu_buffer_push/pop()   everything but init/destroy      lock-free*
 *   percpu_buffer_push/pop()    same                             lock-free*
 *   percpu_buffer_*_cpu()       everything but init/destroy      blocking**
 *   fallback-path push/pop      same                             blocking**
 *   percpu_buffer_init/destroy  nothing on the same buffer       -
 *
 * (*) and (**): as in percpu/list.h.
 */
#ifndef _PERCPU_BUFFER_H
#define _PERCPU_BUFFER_H

#include <errno.h>
#include <sched.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <percpu/compiler.h>
#include <percpu/rseq.h>
#include <percpu/mem.h>

PERCPU_EXTERN_C_BEGIN

/* Header of one CPU's block; the capacity pointer slots follow it. */
struct percpu_buffer_cpu {
	/*
	 * Number of pointers stored, or PERCPU_BUFFER_LOCKED while a slow path
	 * holds it.  Written by sequences on this CPU and by the holder.
	 */
	intptr_t count;
	int slow_mutex;		/* serialises slow paths on this CPU */
};

struct percpu_buffer {
	struct percpu_mem mem;	/* per slot: the header, then capacity pointers */
	size_t capacity;	/* pointers per slot */
	unsigned int magic;	/* PERCPU_BUFFER_MAGIC while initialised */
	/*
	 * What the fast path needs of mem in one word, packed as the slab's
	 * (arch/generic.h): mem.fast (the base, with PERCPU_MEM_FAST_MM_CID
	 * for an mm_cid-indexed buffer) | log2(mem.stride).  mem.fast alone
	 * has no shift: the list and the counter use it as the base as it is,
	 * with a constant stride.  Reading base, stride and index apart cost
	 * most of the gap to a hand-written sequence.
	 */
	uintptr_t fast;
};

#define PERCPU_BUFFER_MAGIC		0x70636266u
#define PERCPU_BUFFER_LOCKED		((intptr_t)-1)
/* Largest capacity_per_cpu accepted by percpu_buffer_init(). */
#define PERCPU_BUFFER_MAX_CAPACITY	((size_t)1 << 24)

/**
 * percpu_buffer_init() - set up @b with room for @capacity_per_cpu pointers
 * on each CPU, all empty.
 * @flags: 0, or PERCPU_MM_CID to index by concurrency id (percpu/mem.h).
 * Never calls malloc.
 * Return: 0; -EINVAL if @b is NULL, @capacity_per_cpu is 0 or above
 * PERCPU_BUFFER_MAX_CAPACITY, or @flags has unknown bits, or the memory for
 * every CPU would not fit in a size_t (32-bit machines); -ENOTSUP
 * (PERCPU_MM_CID without kernel support); -ENOMEM if it cannot be mapped;
 * -EBUSY if @b is initialised and not destroyed (see percpu_buffer(3)).
 */
PERCPU_API int percpu_buffer_init(struct percpu_buffer *b, size_t capacity_per_cpu,
				  unsigned int flags);

/**
 * percpu_buffer_destroy() - free @b's memory.  Nothing may run on @b.
 * Return: 0, or -EINVAL if @b is NULL or not initialised.
 */
PERCPU_API int percpu_buffer_destroy(struct percpu_buffer *b);

/**
 * percpu_buffer_push() - store @ptr in the calling CPU's buffer.
 * Return: 0; -ENOSPC if that buffer is full (nothing stored); -EAGAIN in a
 * signal handler that interrupted a fallback-path operation of this thread
 * when every buffer was busy (percpu_buffer(3)); -EINVAL if @b
 * is invalid or @ptr is NULL.  Async-signal-safe.
 */
PERCPU_API int percpu_buffer_push(struct percpu_buffer *b, void *ptr);

/**
 * percpu_buffer_pop() - take the last pointer of the calling CPU's buffer.
 * Return: the pointer, or NULL if that buffer is empty or @b is invalid
 * (errno EINVAL).  Async-signal-safe.
 */
PERCPU_API void *percpu_buffer_pop(struct percpu_buffer *b);

/**
 * percpu_buffer_push_cpu() - store @ptr in @cpu's buffer, from any CPU.
 * Return: 0; -ENOSPC if full; -EINVAL (bad @b or NULL @ptr); -ERANGE if
 * @cpu >= percpu_nr_cpus(); -EAGAIN (busy, see percpu_buffer_push()); -EPERM
 * if membarrier is unavailable and @cpu is
 * not in the thread's affinity mask.  Blocking (see the table above).
 */
PERCPU_API int percpu_buffer_push_cpu(struct percpu_buffer *b, void *ptr, unsigned int cpu);

/**
 * percpu_buffer_pop_cpu() - take the last pointer of @cpu's buffer.
 * Return: the pointer; NULL if empty (errno unchanged) or on error (errno
 * EINVAL, ERANGE or EPERM as for percpu_buffer_push_cpu()).
 */
PERCPU_API void *percpu_buffer_pop_cpu(struct percpu_buffer *b, unsigned int cpu);

/**
 * percpu_buffer_drain_cpu() - take up to @max pointers of @cpu's buffer at
 * once, last stored first, into @out.
 * Return: how many were taken (0 if empty); -EINVAL if @b or @out is invalid
 * (@out may be NULL when @max is 0); -ERANGE; -EPERM as above.
 */
PERCPU_API ssize_t percpu_buffer_drain_cpu(struct percpu_buffer *b, unsigned int cpu,
					   void **out, size_t max);

/* Slow paths of the inline calls (first use, abort, full/empty, lock, fallback). */
PERCPU_API int percpu_buffer_push_slow(struct percpu_buffer *b, void *ptr);
PERCPU_API void *percpu_buffer_pop_slow(struct percpu_buffer *b);

PERCPU_INLINE struct percpu_buffer_cpu *_percpu_buffer_cpu(const struct percpu_buffer *b,
							   unsigned int i)
{
	return (struct percpu_buffer_cpu *)percpu_mem_ptr(&b->mem, i);
}

/* Slot @i of @cpu's block: after the header, word aligned. */
PERCPU_INLINE intptr_t *_percpu_buffer_slot(struct percpu_buffer_cpu *pc, size_t i)
{
	return (intptr_t *)(pc + 1) + i;
}

/*
 * The buffer's sequences (arch/generic.h) find a CPU's block from the fast
 * word: percpu_buffer_init() makes the stride a power of two, at least
 * PERCPU_SLAB_ARCH_ALIGN.  They take the slots at PERCPU_BUFFER_ARCH_SLOTS,
 * after the header (lib/buffer.c checks it is sizeof(struct
 * percpu_buffer_cpu)).
 */
/**
 * _percpu_buffer_push() - inline fast path of percpu_buffer_push().
 * No argument checks: @b must be initialised and @ptr not NULL.
 * Return: 0, or -ENOSPC if the calling CPU's buffer is full (-EAGAIN: see
 * percpu_buffer_push()).
 */
PERCPU_INLINE int _percpu_buffer_push(struct percpu_buffer *b, void *ptr)
{
	struct percpu_rseq_abi *rs = _percpu_rseq_area_fast();
	uintptr_t fast = b->fast;
	int r;

	PERCPU_TSAN_RELEASE(ptr);	/* the slot is written in the sequence */
	PERCPU_INJECT_C(1);
	/*
	 * One sequence reads the index, finds the block, checks the count is
	 * below the capacity (LOCKED, -1, never is), stores the pointer and
	 * commits count + 1.  A negative cpu_id is at or above 2^31 (see
	 * _percpu_list_push()); an unregistered area's mm_cid may be 0.
	 */
	if (PERCPU_LIKELY(!(fast & PERCPU_MEM_FAST_MM_CID)))
		r = percpu_arch_buffer_push_cpu(rs, UINT32_C(1) << 31, fast, b->capacity,
						(intptr_t)ptr);
	else if ((int32_t)PERCPU_LOAD(&rs->cpu_id) >= 0)
		r = percpu_arch_buffer_push_mm_cid(rs, b->mem.nr, fast, b->capacity,
						   (intptr_t)ptr);
	else
		r = PERCPU_SEQ_CPU_MISMATCH;
	if (PERCPU_LIKELY(r == PERCPU_SEQ_COMMITTED))
		return 0;
	return percpu_buffer_push_slow(b, ptr);
}

/**
 * _percpu_buffer_pop() - inline fast path of percpu_buffer_pop().
 * No argument checks: @b must be initialised.  NULL when the buffer is empty.
 */
PERCPU_INLINE void *_percpu_buffer_pop(struct percpu_buffer *b)
{
	struct percpu_rseq_abi *rs = _percpu_rseq_area_fast();
	uintptr_t fast = b->fast;
	intptr_t p;
	int r;

	PERCPU_INJECT_C(2);
	/*
	 * The count is read inside the section and the pointer loaded there:
	 * no ABA compare.  Empty (0) and LOCKED (-1) both fail the sequence's
	 * one compare, and the slow path tells them apart.
	 */
	if (PERCPU_LIKELY(!(fast & PERCPU_MEM_FAST_MM_CID)))
		r = percpu_arch_buffer_pop_cpu(rs, UINT32_C(1) << 31, fast, b->capacity, &p);
	else if ((int32_t)PERCPU_LOAD(&rs->cpu_id) >= 0)
		r = percpu_arch_buffer_pop_mm_cid(rs, b->mem.nr, fast, b->capacity, &p);
	else
		r = PERCPU_SEQ_CPU_MISMATCH;
	if (PERCPU_LIKELY(r == PERCPU_SEQ_COMMITTED))
		return PERCPU_TSAN_ACQUIRE((void *)p);
	return percpu_buffer_pop_slow(b);
}

PERCPU_EXTERN_C_END

#endif /* _PERCPU_BUFFER_H */
