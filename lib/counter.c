/* SPDX-License-Identifier: MIT */
/*
 * lib/counter.c - per-CPU counters: set-up, reads, and the out-of-line paths.
 */
#include "config.h"
#define PERCPU_LIB_BUILD 1

#include <errno.h>
#include <string.h>

#include <percpu/counter.h>
#include "internal.h"

static int counter_ok(const struct percpu_counter *c)
{
	return c && c->magic == PERCPU_COUNTER_MAGIC && c->mem.base;
}

int percpu_counter_init(struct percpu_counter *c, unsigned int flags)
{
	int err;

	if (!c)
		return -EINVAL;
	PERCPU_READ_ANYWAY(c, sizeof(*c));
	if (percpu_looks_live(c->magic, PERCPU_COUNTER_MAGIC, c->mem.base, c->mem.nr,
			      percpu_nr_cpus()))
		return -EBUSY;
	/* _percpu_counter_slot() relies on a stride of one unit. */
	_Static_assert(sizeof(struct percpu_counter_slot) <= PERCPU_CACHELINE_BYTES, "slot");
	err = percpu_mem_setup(&c->mem, sizeof(struct percpu_counter_slot), flags, -1);
	if (err)
		return err;
	c->base[0] = c->base[1] = 0;
	c->reset_gen = 0;
	c->magic = PERCPU_COUNTER_MAGIC;
	return 0;
}

int percpu_counter_destroy(struct percpu_counter *c)
{
	if (!counter_ok(c))
		return -EINVAL;
	percpu_mem_destroy(&c->mem);
	memset(c, 0, sizeof(*c));
	return 0;
}

/* Fallback path: an atomic add on the slot of the CPU we run on. */
static void add_atomic(struct percpu_counter *c, int64_t v)
{
	struct percpu_counter_slot *slot =
		_percpu_counter_slot(c, percpu_fallback_cpu());

#if PERCPU_HAVE_ATOMIC64
	__atomic_fetch_add(&slot->atomic, v, __ATOMIC_RELAXED);
#else
	uint32_t lo = (uint32_t)v, old;
	int32_t hi = (int32_t)((uint64_t)v >> 32);

	old = __atomic_fetch_add(&slot->atomic_lo, lo, __ATOMIC_RELAXED);
	if ((uint32_t)(old + lo) < old)
		hi++;		/* carry out of the low half */
	if (hi)
		__atomic_fetch_add(&slot->atomic_hi, hi, __ATOMIC_RELAXED);
#endif
}

static int64_t slot_atomic(const struct percpu_counter_slot *slot)
{
#if PERCPU_HAVE_ATOMIC64
	return PERCPU_LOAD(&slot->atomic);
#else
	uint64_t hi = (uint32_t)PERCPU_LOAD(&slot->atomic_hi);

	return (int64_t)((hi << 32) + PERCPU_LOAD(&slot->atomic_lo));
#endif
}

void percpu_counter_add_slow(struct percpu_counter *c, int64_t v)
{
	if (percpu_on_fallback()) {
		add_atomic(c, v);
		return;
	}
	for (;;) {
		struct percpu_rseq_abi *rs = percpu_rseq_thread_area();
		const uint32_t *idp;
		uint32_t id;
		int ret;

		if (percpu_rseq_is_fallback(rs)) {
			add_atomic(c, v);
			return;
		}
		if (!_percpu_mem_index(&c->mem, rs, &id, &idp))
			continue;	/* mm_cid out of date: the area is being updated */
#if INTPTR_MAX >= INT64_MAX
		ret = percpu_arch_addv(rs, &_percpu_counter_slot(c, id)->rseq, (intptr_t)v, id, idp);
#else
		{
			intptr_t *word = &_percpu_counter_slot(c, id)->rseq;
			intptr_t old = PERCPU_LOAD(word), sum;

			/* The word would overflow: the atomic half takes it. */
			if (v < INTPTR_MIN || v > INTPTR_MAX ||
			    __builtin_add_overflow(old, (intptr_t)v, &sum)) {
				add_atomic(c, v);
				return;
			}
			ret = percpu_arch_cmpeqv_storev(rs, word, old, sum, id, idp);
		}
#endif
		if (ret == PERCPU_SEQ_COMMITTED)
			return;
	}
}

int percpu_counter_add(struct percpu_counter *c, int64_t v)
{
	if (PERCPU_UNLIKELY(!c || c->magic != PERCPU_COUNTER_MAGIC))
		return -EINVAL;
	_percpu_counter_add(c, v);
	return 0;
}

static int64_t slot_value(const struct percpu_counter *c, unsigned int cpu)
{
	struct percpu_counter_slot *slot = _percpu_counter_slot(c, cpu);

	return (int64_t)PERCPU_LOAD(&slot->rseq) + slot_atomic(slot);
}

static int64_t raw_sum(const struct percpu_counter *c)
{
	int64_t sum = 0;

	for (unsigned int cpu = 0; cpu < c->mem.nr; cpu++)
		sum += slot_value(c, cpu);
	return sum;
}

/*
 * The base copies are only ever written while sums are directed at the other
 * copy, so where 64-bit loads are not single instructions (MIPS o32, whose
 * libatomic would take a lock a signal handler could wait on), a plain copy
 * is enough: a sum that could see a half-written copy sees reset_gen move
 * and retries.
 */
static int64_t base_load(const int64_t *p)
{
#if PERCPU_HAVE_ATOMIC64
	return PERCPU_LOAD(p);
#else
	int64_t v;

	memcpy(&v, (const void *)p, sizeof(v));
	PERCPU_BARRIER();
	return v;
#endif
}

static void base_store(int64_t *p, int64_t v)
{
#if PERCPU_HAVE_ATOMIC64
	PERCPU_STORE(p, v);
#else
	memcpy(p, &v, sizeof(v));
#endif
}

/*
 * A seqlock reader without a writer-held state: take the generation, the
 * base it published, every slot, then check the generation again.
 *
 * Why it is right: the reset that published @gen read the slots before its
 * release store of reset_gen, which our acquire load synchronises with, so
 * every slot we read is at least as new as what that reset read into the
 * base: the sum is counted from after that reset.  If another reset published
 * while we read the slots, our slots may be newer than its base but our base
 * is older: retry rather than mix them (subtracting the newer base from older
 * slots gave negative sums while only +1 was ever added).
 *
 * Why it never blocks: a reset in progress has not touched base[gen & 1] nor
 * reset_gen, so a sum that interrupts one (even on the same thread, from a
 * signal handler) completes against the previous reset.
 */
int percpu_counter_sum(const struct percpu_counter *c, int64_t *sum)
{
	unsigned long gen;
	int64_t base, raw;

	if (!counter_ok(c) || !sum)
		return -EINVAL;
	do {
		gen = PERCPU_LOAD_ACQUIRE(&c->reset_gen);
		base = base_load(&c->base[gen & 1]);
		raw = raw_sum(c);
		/* Order the slot and base loads before the second look. */
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
	} while (PERCPU_LOAD(&c->reset_gen) != gen);
	*sum = raw - base;
	return 0;
}

int percpu_counter_read_cpu(const struct percpu_counter *c, unsigned int cpu, int64_t *val)
{
	if (!counter_ok(c) || !val)
		return -EINVAL;
	if (cpu >= c->mem.nr)
		return -ERANGE;
	*val = slot_value(c, cpu);
	return 0;
}

/*
 * Each slot is read once; an add lands either before that read (and is
 * removed with the base) or after it (and is counted by later sums).  The new
 * base goes to the copy sums are not reading, and the release store of the
 * generation publishes it with the slot reads it came from (see
 * percpu_counter_sum()).  Resets must not race each other: both would write
 * the same copy.
 */
int percpu_counter_reset(struct percpu_counter *c)
{
	unsigned long gen;

	if (!counter_ok(c))
		return -EINVAL;
	gen = PERCPU_LOAD(&c->reset_gen);
	base_store(&c->base[(gen + 1) & 1], raw_sum(c));
	PERCPU_STORE_RELEASE(&c->reset_gen, gen + 1);
	return 0;
}
