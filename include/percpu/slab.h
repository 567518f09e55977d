/* SPDX-License-Identifier: MIT */
/*
 * percpu/slab.h - per-CPU caches of pointers in many size classes: the
 * front end of a memory allocator.
 *
 * One slot of per-CPU memory (percpu/mem.h) per CPU, or per mm_cid, holds
 * every class.  In units of one pointer (intptr_t) a slot is:
 *
 *   [0, nr_classes)            one header word per class
 *   nr_classes                 the slot's slow-path mutex
 *   [begin[c], begin[c + 1])   the pointers of class c (a stack)
 *
 * A header packs two 16-bit unit offsets in one word: current (the top of
 * the stack, bits 0-15) and end (bits 16-31; end - begin[c] is the class's
 * capacity on that CPU, at most its max_capacity).  So a push or pop, of one
 * pointer or of a batch, is one restartable sequence whose only commit is
 * the store of the header.  Capacity moves change end alone.
 *
 * A header of 0 is "not set up yet" (the memory of a slot is untouched until
 * the slot is used: init writes nothing) or "held by a slow path" (the
 * LOCKED value of lib/slow.c's protocol): both look full to a push and empty
 * to a pop (current 0 is below every begin), so the fast paths go to their
 * slow path, which takes the class's lock, sets the header up (capacity as
 * given at init) or waits for the holder.
 *
 *   operation                        may run concurrently with      progress
 *   _percpu_slab_push/pop[_batch]()  everything but init/destroy    lock-free*
 *   percpu_slab_push/pop[_batch]()   same                           lock-free*
 *   percpu_slab_grow/shrink()        same                           lock-free*
 *   percpu_slab_*_cpu()              everything but init/destroy    blocking**
 *   fallback-path operations         same                           blocking**
 *   percpu_slab_init/destroy()       nothing on the same slab       -
 *
 * (*) with rseq: retried only when the kernel aborted the sequence or a slow
 * path holds the class; a class's first use on a CPU takes its lock once.
 * (**) under the slot's slow-path lock (lib/slow.c): a membarrier fence
 * (every CPU for mm_cid-indexed slabs), signals blocked while held.
 */
#ifndef _PERCPU_SLAB_H
#define _PERCPU_SLAB_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <percpu/compiler.h>
#include <percpu/rseq.h>
#include <percpu/mem.h>

PERCPU_EXTERN_C_BEGIN

/* Most size classes in one slab. */
#define PERCPU_SLAB_MAX_CLASSES		256
/* Most units (headers + mutex + every class's max_capacity) in one slot. */
#define PERCPU_SLAB_MAX_UNITS		65535u
/* Class argument of percpu_slab_drain_cpu(): every class. */
#define PERCPU_SLAB_ALL_CLASSES		(~0u)

#define PERCPU_SLAB_MAGIC		0x70637362u

/*
 * The word a single push or pop reads from struct percpu_slab: the slots'
 * base (page aligned, so its low bits are free) with log2 of the slot size
 * and the index mode in those low bits.  One load instead of three (base,
 * shift, index mode): each load a fast path repeats after the previous
 * sequence's memory clobber showed in the cost of a push+pop pair.  The
 * batches read it too, for whether the CPU has the architecture's wide copy
 * (percpu_arch_wide_copy_ok(), asked once at init).
 */
#define PERCPU_SLAB_FAST_SHIFT		0x3fu	/* log2 of mem.stride */
#define PERCPU_SLAB_FAST_MM_CID		0x40u	/* indexed by mm_cid */
#define PERCPU_SLAB_FAST_WIDE		0x80u	/* batches copy with wide moves */
#define PERCPU_SLAB_FAST_BITS		(PERCPU_SLAB_ARCH_ALIGN - 1)	/* below the base */

struct percpu_slab {
	struct percpu_mem mem;		/* per slot: headers, mutex, pointers */
	uintptr_t fast;			/* base | flags: PERCPU_SLAB_FAST_* */
	unsigned int nr_classes;
	unsigned int magic;		/* PERCPU_SLAB_MAGIC while initialised */
	/* log2 of mem.stride: a slot is a power of two, reached with a shift. */
	unsigned int stride_shift;
	/* Class c's pointers are units [begin[c], begin[c + 1]) of each slot. */
	uint16_t begin[PERCPU_SLAB_MAX_CLASSES + 1];
	uint16_t init_capacity[PERCPU_SLAB_MAX_CLASSES];
};

/*
 * Receives pointers taken out of a slab by percpu_slab_drain_cpu() and
 * percpu_slab_shrink_cpu(): @n pointers of class @cls at @ptrs (valid only
 * during the call).  It runs with the class locked and signals blocked: it
 * must not call any percpu_slab function on the same slab.
 */
typedef void (*percpu_slab_handler_t)(void *arg, unsigned int cls, void **ptrs, size_t n);

/**
 * percpu_slab_init() - set up @s with @nr_classes classes.
 * @max_capacity: for each class, the most pointers it may hold on one CPU.
 * @capacity: for each class, its capacity on each CPU to begin with (at most
 * its max_capacity), or NULL for max_capacity.
 * @flags: 0, or PERCPU_MM_CID to index by concurrency id (percpu/mem.h).
 *
 * Never calls malloc, and writes nothing into any CPU's memory.
 * Return: 0; -EINVAL if @s or @max_capacity is NULL, @nr_classes is 0 or
 * above PERCPU_SLAB_MAX_CLASSES, a capacity is above its max_capacity, the
 * units of a slot (nr_classes + 1 + the sum of max_capacity) exceed
 * PERCPU_SLAB_MAX_UNITS, or @flags has unknown bits; -ENOTSUP (PERCPU_MM_CID
 * without kernel support); -ENOMEM; -EBUSY if @s is initialised and not
 * destroyed; -EAGAIN in a signal handler that interrupted the library's own
 * initialisation.
 */
PERCPU_API int percpu_slab_init(struct percpu_slab *s, unsigned int nr_classes,
				const uint16_t *max_capacity, const uint16_t *capacity,
				unsigned int flags);

/**
 * percpu_slab_destroy() - free @s's memory.  Pointers still in it are
 * forgotten (drain every CPU first to get them back).  Nothing may run on @s.
 * Return: 0, or -EINVAL if @s is NULL or not initialised.
 */
PERCPU_API int percpu_slab_destroy(struct percpu_slab *s);

/**
 * percpu_slab_push() - store @ptr in class @cls of the calling CPU.
 * Return: 0; -ENOSPC if that class is full there (nothing stored); -EAGAIN
 * (nothing stored) in a signal handler that interrupted a slow path of its
 * own thread, when the slot it needs is busy (the batch, grow, shrink and
 * _cpu calls too; a pop then finds nothing); -EINVAL if @s is invalid,
 * @cls >= nr_classes or @ptr is NULL.  Async-signal-safe.
 */
PERCPU_API int percpu_slab_push(struct percpu_slab *s, unsigned int cls, void *ptr);

/**
 * percpu_slab_pop() - take the last pointer stored in class @cls of the
 * calling CPU.
 * Return: the pointer; NULL if that class is empty (errno unchanged) or on
 * error (errno EINVAL: bad @s or @cls).  Async-signal-safe.
 */
PERCPU_API void *percpu_slab_pop(struct percpu_slab *s, unsigned int cls);

/**
 * percpu_slab_push_batch() - store up to @n pointers of @ptrs in class @cls
 * of the calling CPU, in one sequence: as many as there is room for.
 * Return: how many were stored (ptrs[0] to ptrs[ret - 1]; fewer than @n only
 * if the class is then full); -EINVAL if @s, @cls or @ptrs (NULL with @n > 0)
 * is invalid or @n > PERCPU_SLAB_MAX_UNITS.  NULL pointers are not checked
 * for: the caller must not store any.  Async-signal-safe.
 */
PERCPU_API ssize_t percpu_slab_push_batch(struct percpu_slab *s, unsigned int cls,
					  void *const *ptrs, size_t n);

/**
 * percpu_slab_pop_batch() - take up to @n pointers of class @cls of the
 * calling CPU into @out, in one sequence: the last ones stored, the most
 * recent at out[ret - 1].
 * Return: how many were taken (fewer than @n only if the class is then
 * empty); -EINVAL as for percpu_slab_push_batch().  Async-signal-safe.
 */
PERCPU_API ssize_t percpu_slab_pop_batch(struct percpu_slab *s, unsigned int cls, void **out,
					 size_t n);

/**
 * percpu_slab_grow() - add up to @n to the capacity of class @cls on the
 * calling CPU (up to its max_capacity).
 * Return: the capacity added (0 at max_capacity); -EINVAL (bad @s or @cls).
 */
PERCPU_API ssize_t percpu_slab_grow(struct percpu_slab *s, unsigned int cls, size_t n);

/**
 * percpu_slab_shrink() - remove up to @n of the unused capacity of class
 * @cls on the calling CPU (never below what it holds: no pointer moves).
 * Return: the capacity removed; -EINVAL (bad @s or @cls).
 */
PERCPU_API ssize_t percpu_slab_shrink(struct percpu_slab *s, unsigned int cls, size_t n);

/**
 * percpu_slab_grow_cpu() - add up to @n to the capacity of class @cls on
 * @cpu (the slot index: an mm_cid for mm_cid-indexed slabs), from any CPU.
 * Return: the capacity added; -EINVAL (bad @s or @cls); -ERANGE if @cpu >=
 * percpu_nr_cpus(); -EPERM if membarrier is unavailable and @cpu is not in
 * the thread's affinity mask.  Blocking.
 */
PERCPU_API ssize_t percpu_slab_grow_cpu(struct percpu_slab *s, unsigned int cpu,
					unsigned int cls, size_t n);

/**
 * percpu_slab_shrink_cpu() - remove up to @n of the capacity of class @cls on
 * @cpu, from any CPU.  Pointers in the capacity removed are handed to
 * @handler (which may be NULL only if none are: otherwise -EINVAL and
 * nothing changes).
 * Return: the capacity removed; errors as for percpu_slab_grow_cpu().
 */
PERCPU_API ssize_t percpu_slab_shrink_cpu(struct percpu_slab *s, unsigned int cpu,
					  unsigned int cls, size_t n,
					  percpu_slab_handler_t handler, void *arg);

/**
 * percpu_slab_drain_cpu() - take every pointer of class @cls on @cpu, or of
 * every class with PERCPU_SLAB_ALL_CLASSES, and hand them to @handler, one
 * call per non-empty class.  Capacities are left as they are.
 * Return: how many pointers were handed over; -EINVAL if @s or @handler is
 * NULL or @cls is invalid; -ERANGE; -EPERM as for percpu_slab_grow_cpu().
 */
PERCPU_API ssize_t percpu_slab_drain_cpu(struct percpu_slab *s, unsigned int cpu,
					 unsigned int cls, percpu_slab_handler_t handler,
					 void *arg);

/**
 * percpu_slab_length_cpu() - how many pointers class @cls holds on @cpu.
 * A snapshot without any lock: while a slow path holds the class, 0.
 * Return: the count; -EINVAL; -ERANGE.  Async-signal-safe, wait-free.
 */
PERCPU_API ssize_t percpu_slab_length_cpu(const struct percpu_slab *s, unsigned int cpu,
					  unsigned int cls);

/**
 * percpu_slab_capacity_cpu() - the capacity of class @cls on @cpu.  A
 * snapshot as for percpu_slab_length_cpu() (before the class's first use on
 * @cpu, and while a slow path holds it, the capacity given at init).
 * Return: the capacity; -EINVAL; -ERANGE.  Async-signal-safe, wait-free.
 */
PERCPU_API ssize_t percpu_slab_capacity_cpu(const struct percpu_slab *s, unsigned int cpu,
					    unsigned int cls);

/* Slow paths of the inline calls (first use, abort, full/empty, lock, fallback). */
PERCPU_API int percpu_slab_push_slow(struct percpu_slab *s, unsigned int cls, void *ptr);
PERCPU_API void *percpu_slab_pop_slow(struct percpu_slab *s, unsigned int cls);
PERCPU_API ssize_t percpu_slab_push_batch_slow(struct percpu_slab *s, unsigned int cls,
					       void *const *ptrs, size_t n);
PERCPU_API ssize_t percpu_slab_pop_batch_slow(struct percpu_slab *s, unsigned int cls,
					      void **out, size_t n);

/* The words of slot @i: headers first, then the mutex, then the pointers. */
PERCPU_INLINE intptr_t *_percpu_slab_slot(const struct percpu_slab *s, unsigned int i)
{
	return (intptr_t *)(s->mem.base + ((size_t)i << s->stride_shift));
}

PERCPU_INLINE unsigned int _percpu_slab_cur(intptr_t hdr)
{
	return (unsigned int)((uintptr_t)hdr & 0xffff);
}

PERCPU_INLINE unsigned int _percpu_slab_end(intptr_t hdr)
{
	return (unsigned int)(((uintptr_t)hdr >> 16) & 0xffff);
}

PERCPU_INLINE intptr_t _percpu_slab_hdr(unsigned int cur, unsigned int end)
{
	return (intptr_t)(((uintptr_t)end << 16) | cur);
}

/**
 * _percpu_slab_push() - inline fast path of percpu_slab_push().
 * No argument checks: @s must be initialised, @cls valid, @ptr not NULL.
 * Return: 0, or -ENOSPC if the class is full on the calling CPU (-EAGAIN:
 * see percpu_slab_push()).
 */
PERCPU_INLINE int _percpu_slab_push(struct percpu_slab *s, unsigned int cls, void *ptr)
{
	struct percpu_rseq_abi *rs = _percpu_rseq_area_fast();
	uintptr_t fast = PERCPU_LOAD(&s->fast);
	int r;

	PERCPU_TSAN_RELEASE(ptr);
	PERCPU_INJECT_C(1);
	/*
	 * One sequence reads the index, finds the slot and the header, and
	 * stores: a header of 0 (not set up, or locked) looks full.  A
	 * negative cpu_id (an area not registered) is at or above 2^31; an
	 * unregistered area's mm_cid may be 0, so cpu_id is checked first.
	 */
	if (PERCPU_LIKELY(!(fast & PERCPU_SLAB_FAST_MM_CID)))
		r = percpu_arch_slab_push_cpu(rs, UINT32_C(1) << 31, fast, cls, (intptr_t)ptr);
	else if ((int32_t)PERCPU_LOAD(&rs->cpu_id) >= 0)
		r = percpu_arch_slab_push_mm_cid(rs, s->mem.nr, fast, cls, (intptr_t)ptr);
	else
		r = PERCPU_SEQ_CPU_MISMATCH;
	if (PERCPU_LIKELY(r == PERCPU_SEQ_COMMITTED))
		return 0;
	return percpu_slab_push_slow(s, cls, ptr);
}

/**
 * _percpu_slab_pop() - inline fast path of percpu_slab_pop().
 * No argument checks.  NULL when the class is empty on the calling CPU.
 */
PERCPU_INLINE void *_percpu_slab_pop(struct percpu_slab *s, unsigned int cls)
{
	struct percpu_rseq_abi *rs = _percpu_rseq_area_fast();
	uintptr_t fast = PERCPU_LOAD(&s->fast);
	intptr_t p;
	int r;

	PERCPU_INJECT_C(2);
	/*
	 * The pointer is read inside the section, after the header: no ABA
	 * check is needed.  A header of 0 looks empty: current 0 is below
	 * every begin.  Index checks as for _percpu_slab_push().
	 */
	if (PERCPU_LIKELY(!(fast & PERCPU_SLAB_FAST_MM_CID)))
		r = percpu_arch_slab_pop_cpu(rs, UINT32_C(1) << 31, fast, cls, s->begin[cls], &p);
	else if ((int32_t)PERCPU_LOAD(&rs->cpu_id) >= 0)
		r = percpu_arch_slab_pop_mm_cid(rs, s->mem.nr, fast, cls, s->begin[cls], &p);
	else
		r = PERCPU_SEQ_CPU_MISMATCH;
	if (PERCPU_LIKELY(r == PERCPU_SEQ_COMMITTED))
		return PERCPU_TSAN_ACQUIRE((void *)p);
	return percpu_slab_pop_slow(s, cls);
}

/**
 * _percpu_slab_push_batch() - inline fast path of percpu_slab_push_batch().
 * No argument checks; @n >= 1 and at most PERCPU_SLAB_MAX_UNITS.
 * Return: how many were stored (-EAGAIN: see percpu_slab_push()).
 */
PERCPU_INLINE ssize_t _percpu_slab_push_batch(struct percpu_slab *s, unsigned int cls,
					     void *const *ptrs, size_t n)
{
	struct percpu_rseq_abi *rs = _percpu_rseq_area_fast();
	const uint32_t *idp;
	uint32_t id;
	int r;

	if (PERCPU_LIKELY(_percpu_mem_index(&s->mem, rs, &id, &idp))) {
		intptr_t *slot = _percpu_slab_slot(s, id);
		intptr_t hdr = PERCPU_LOAD(&slot[cls]);
		unsigned int cur = _percpu_slab_cur(hdr), end = _percpu_slab_end(hdr);

		if (PERCPU_LIKELY(cur < end)) {
			size_t k = end - cur < n ? end - cur : n;

			for (size_t i = 0; i < k; i++)
				PERCPU_TSAN_RELEASE(ptrs[i]);
			PERCPU_INJECT_C(1);
			/* Copy into the free slots, then commit the header. */
			if (PERCPU_LOAD(&s->fast) & PERCPU_SLAB_FAST_WIDE)
				r = percpu_arch_cmpeqv_trymemcpy_wide_storev_release(
					rs, &slot[cls], hdr, &slot[cur], ptrs,
					k * sizeof(intptr_t), hdr + (intptr_t)k, id, idp);
			else
				r = percpu_arch_cmpeqv_trymemcpy_storev_release(
					rs, &slot[cls], hdr, &slot[cur], ptrs,
					k * sizeof(intptr_t), hdr + (intptr_t)k, id, idp);
			if (PERCPU_LIKELY(r == PERCPU_SEQ_COMMITTED))
				return (ssize_t)k;
		}
	}
	return percpu_slab_push_batch_slow(s, cls, ptrs, n);
}

/**
 * _percpu_slab_pop_batch() - inline fast path of percpu_slab_pop_batch().
 * No argument checks; @n >= 1 and at most PERCPU_SLAB_MAX_UNITS.
 * Return: how many were taken (-EAGAIN: see percpu_slab_push()).
 */
PERCPU_INLINE ssize_t _percpu_slab_pop_batch(struct percpu_slab *s, unsigned int cls,
					    void **out, size_t n)
{
	struct percpu_rseq_abi *rs = _percpu_rseq_area_fast();
	const uint32_t *idp;
	uint32_t id;
	int r;

	if (PERCPU_LIKELY(_percpu_mem_index(&s->mem, rs, &id, &idp))) {
		intptr_t *slot = _percpu_slab_slot(s, id);
		intptr_t hdr = PERCPU_LOAD(&slot[cls]);
		unsigned int cur = _percpu_slab_cur(hdr), begin = s->begin[cls];

		if (PERCPU_LIKELY(cur > begin)) {
			size_t k = cur - begin < n ? cur - begin : n;

			PERCPU_INJECT_C(2);
			/*
			 * Copy out of the slab, then commit the header.  The copy
			 * is made inside the section, after the header compare,
			 * so no ABA check is needed; an abort leaves @out
			 * partly written, which nobody reads before the commit.
			 */
			if (PERCPU_LOAD(&s->fast) & PERCPU_SLAB_FAST_WIDE)
				r = percpu_arch_cmpeqv_trymemcpy_wide_storev(
					rs, &slot[cls], hdr, out, &slot[cur - k],
					k * sizeof(intptr_t), hdr - (intptr_t)k, id, idp);
			else
				r = percpu_arch_cmpeqv_trymemcpy_storev(
					rs, &slot[cls], hdr, out, &slot[cur - k],
					k * sizeof(intptr_t), hdr - (intptr_t)k, id, idp);
			if (PERCPU_LIKELY(r == PERCPU_SEQ_COMMITTED)) {
				for (size_t i = 0; i < k; i++)
					(void)PERCPU_TSAN_ACQUIRE(out[i]);
				return (ssize_t)k;
			}
		}
	}
	return percpu_slab_pop_batch_slow(s, cls, out, n);
}

PERCPU_EXTERN_C_END

#endif /* _PERCPU_SLAB_H */
