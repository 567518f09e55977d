/* SPDX-License-Identifier: MIT */
/*
 * percpu/counter.h - per-CPU 64-bit counters.
 *
 * An add touches only the current CPU's slot, in one restartable sequence:
 * no atomic instruction, no shared cache line.  Reading sums every slot.
 *
 *   operation                      may run concurrently with      progress
 *   _percpu_counter_add()          everything but init/destroy   wait-free*
 *   percpu_counter_sum()           everything but init/destroy   lock-free**
 *   percpu_counter_reset()         adds, sums (not other resets) wait-free
 *   percpu_counter_init/destroy()  nothing on the same counter    -
 *
 * (*) retries only when the kernel preempts, migrates or signals the thread
 * inside the few instructions of the sequence.  (**) a sum retries only when
 * a reset completes while it reads the slots; it never waits for a reset in
 * progress (not even one its own thread interrupted), so it is
 * async-signal-safe.  Each sum is one the counter held since the last reset
 * that completed before the sum began.
 */
#ifndef _PERCPU_COUNTER_H
#define _PERCPU_COUNTER_H

#include <stdint.h>
#include <percpu/compiler.h>
#include <percpu/rseq.h>
#include <percpu/mem.h>

PERCPU_EXTERN_C_BEGIN

/* One CPU's share, alone in its cache line(s). */
struct percpu_counter_slot {
	/* Written only by restartable sequences running on this CPU. */
	intptr_t rseq;
	/*
	 * Written only with atomic adds: by threads on the fallback path (which
	 * may run anywhere by the time they add), and on 32-bit machines when
	 * the word above would overflow.  Kept apart so the two never race.
	 */
#if PERCPU_HAVE_ATOMIC64
	int64_t atomic;
#else
	/*
	 * No lock-free 64-bit atomics (mips o32): libatomic would take a lock,
	 * which a signal handler could then wait on forever.  Two 32-bit
	 * atomics instead: the low half, and the high half with the carries.
	 */
	uint32_t atomic_lo;
	int32_t atomic_hi;
#endif
};

struct percpu_counter {
	struct percpu_mem mem;	/* one struct percpu_counter_slot per slot */
	unsigned int magic;	/* PERCPU_COUNTER_MAGIC while initialised */
	/*
	 * What a sum subtracts, moved by reset.  A reset writes the copy that
	 * sums do not read, then publishes it by bumping reset_gen; a sum
	 * takes base[gen & 1] and the slots, and retries if reset_gen moved
	 * meanwhile: base and slots always come from the same side of every
	 * reset (see lib/counter.c).
	 */
	int64_t base[2];
	unsigned long reset_gen;
};

#define PERCPU_COUNTER_MAGIC	0x70637063u

/**
 * percpu_counter_init() - set up @c with every CPU's slot at zero.
 * @flags: 0, or PERCPU_MM_CID to index by concurrency id (percpu/mem.h).
 *
 * Not the kernel's percpu_counter_init(c, value): the second argument is
 * flags, and a counter starts at zero.  Never calls malloc.
 *
 * Return: 0; -EINVAL if @c is NULL or @flags has unknown bits; -ENOTSUP
 * (PERCPU_MM_CID without kernel support); -ENOMEM; -EBUSY if @c is initialised
 * and not destroyed (see percpu_counter(3)).
 */
PERCPU_API int percpu_counter_init(struct percpu_counter *c, unsigned int flags);

/**
 * percpu_counter_destroy() - free @c's memory.  No add may be running on it.
 * Return: 0, or -EINVAL if @c is NULL or not initialised.
 */
PERCPU_API int percpu_counter_destroy(struct percpu_counter *c);

/**
 * percpu_counter_add() - add @v to the calling CPU's slot (out-of-line).
 * Return: 0, or -EINVAL if @c is NULL or not initialised.
 * Async-signal-safe; wait-free apart from kernel-caused restarts.
 */
PERCPU_API int percpu_counter_add(struct percpu_counter *c, int64_t v);

/**
 * percpu_counter_sum() - store the sum of every CPU's slot in *@sum.
 *
 * Exact once every add has returned; while adds run, each is counted either
 * fully or not at all (except on 32-bit machines without 64-bit atomics, where
 * a fallback-path add is two atomic adds and a racing sum may see one).  A sum
 * racing percpu_counter_reset() returns a value counted from before or from
 * after that reset, never a mix of the two.  Async-signal-safe; lock-free.
 * Return: 0, or -EINVAL if @c or @sum is NULL or @c is not initialised.
 */
PERCPU_API int percpu_counter_sum(const struct percpu_counter *c, int64_t *sum);

/**
 * percpu_counter_read_cpu() - store @cpu's share in *@val (ignores resets).
 * Return: 0; -EINVAL if @c or @val is NULL or @c is not initialised;
 * -ERANGE if @cpu >= percpu_nr_cpus().
 */
PERCPU_API int percpu_counter_read_cpu(const struct percpu_counter *c, unsigned int cpu,
				       int64_t *val);

/**
 * percpu_counter_reset() - make the sum zero.
 *
 * Adds that run concurrently are either included in what the reset removes
 * or counted afterwards, never lost.  Resets must not race each other.
 * Return: 0, or -EINVAL if @c is NULL or not initialised.
 */
PERCPU_API int percpu_counter_reset(struct percpu_counter *c);

/*
 * Slow path of _percpu_counter_add(): sets the thread up, retries after an
 * abort, and adds with an atomic on the fallback path.  Not for direct use.
 */
PERCPU_API void percpu_counter_add_slow(struct percpu_counter *c, int64_t v);

PERCPU_INLINE struct percpu_counter_slot *
_percpu_counter_slot(const struct percpu_counter *c, unsigned int i)
{
	/* Slots are exactly one stride unit apart: a shift, not a multiply. */
	return (struct percpu_counter_slot *)(c->mem.base + (size_t)i * PERCPU_CACHELINE_BYTES);
}

/*
 * The sequence of _percpu_counter_add() alone, on the area @rs.
 * Return: 1 if it committed the add; 0 if the slow path must make it.
 */
PERCPU_INLINE int _percpu_counter_try(struct percpu_counter *c, int64_t v,
				      struct percpu_rseq_abi *rs)
{
#if INTPTR_MAX >= INT64_MAX
	/*
	 * One sequence reads the index, finds the slot and adds: nothing read
	 * before it to compare again.  The checks are the list's (percpu/list.h).
	 */
	uintptr_t fast = c->mem.fast;
	int r;

	PERCPU_INJECT_C(1);
	if (PERCPU_LIKELY(!(fast & PERCPU_MEM_FAST_MM_CID)))
		r = percpu_arch_counter_add_cpu(rs, UINT32_C(1) << 31, _percpu_mem_fast_cpu_base(fast),
						(intptr_t)v);
	else if ((int32_t)PERCPU_LOAD(&rs->cpu_id) >= 0)
		r = percpu_arch_counter_add_mm_cid(rs, c->mem.nr, _percpu_mem_fast_base(fast),
						   (intptr_t)v);
	else
		return 0;
	return PERCPU_LIKELY(r == PERCPU_SEQ_COMMITTED);
#else
	const uint32_t *idp;
	uint32_t id;

	/* 32-bit word: commit only a sum that does not overflow. */
	if (PERCPU_LIKELY(_percpu_mem_index(&c->mem, rs, &id, &idp) &&
			  v >= INTPTR_MIN && v <= INTPTR_MAX)) {
		struct percpu_counter_slot *slot = _percpu_counter_slot(c, id);
		intptr_t old = PERCPU_LOAD(&slot->rseq), sum;

		PERCPU_INJECT_C(1);
		return !__builtin_add_overflow(old, (intptr_t)v, &sum) &&
		       percpu_arch_cmpeqv_storev(rs, &slot->rseq, old, sum, id, idp) ==
		       PERCPU_SEQ_COMMITTED;
	}
	return 0;
#endif
}

/**
 * _percpu_counter_add() - inline fast path of percpu_counter_add().
 *
 * No argument checks: @c must be initialised.  Async-signal-safe.  One
 * restartable sequence; on a thread known to be on the fallback path, the
 * fallback's atomic add; everything else (first use, abort) is in the
 * out-of-line percpu_counter_add_slow().
 */
PERCPU_INLINE void _percpu_counter_add(struct percpu_counter *c, int64_t v)
{
	struct percpu_rseq_abi *rs = _percpu_rseq_area_fast();

	if (PERCPU_LIKELY(_percpu_counter_try(c, v, rs)))
		return;
#if PERCPU_HAVE_ATOMIC64
	/*
	 * A thread on the fallback path for good: the slow path's atomic add,
	 * inline (the same slot: the CPU sched_getcpu() gives).
	 */
	if (PERCPU_LOAD(&rs->cpu_id) == PERCPU_CPU_ID_REGISTRATION_FAILED) {
		unsigned int cpu = (unsigned int)_percpu_fallback_getcpu();

		__atomic_fetch_add(&_percpu_counter_slot(c, cpu < c->mem.nr ? cpu : 0)->atomic, v,
				   __ATOMIC_RELAXED);
		return;
	}
#endif
	percpu_counter_add_slow(c, v);
}

PERCPU_INLINE void _percpu_counter_inc(struct percpu_counter *c)
{
	_percpu_counter_add(c, 1);
}

PERCPU_EXTERN_C_END

#endif /* _PERCPU_COUNTER_H */
