/* SPDX-License-Identifier: MIT */
/*
 * examples/custom/pcid.h - unique 64-bit IDs handed out per CPU (object IDs
 * for an allocator, event numbers for a tracer), built only from libpercpu's
 * public parts: the per-CPU memory of <percpu/mem.h>, the thread's area from
 * <percpu/rseq.h> and one sequence of <percpu/arch.h> (see percpu_arch(3)).
 * Taking an ID touches one CPU's cache line with no atomic instruction.
 * percpu_counter's addv sequence cannot do this: it does not return the old
 * value.  Compare-and-store can, because the value we compared is the one we
 * replaced.
 *
 *   operation       may run concurrently with       progress
 *   pcid_next()     pcid_next(), pcid_count()       lock-free*
 *   pcid_count()    pcid_next(), pcid_count()       wait-free
 *   init, destroy   nothing on the same object      -
 *
 * (*) it retries when the kernel preempts, migrates or signals the thread
 * inside its sequence, or when another thread on the same CPU took an ID
 * meanwhile.  Both are async-signal-safe.
 *
 * The recipe, which any structure of your own can follow:
 *   1. one slot per CPU, from percpu_mem_init();
 *   2. a word written only by sequences running on the slot's CPU, and a
 *      separate word written only with atomics by threads on the fallback
 *      path (a sequence commits with a plain store, which would overwrite
 *      what an atomic wrote between the sequence's load and its commit);
 *   3. read the CPU from the area and prepare outside the section; the
 *      sequence checks, inside it, that the CPU and the word are unchanged;
 *   4. on any result but PERCPU_SEQ_COMMITTED, start again from 3.
 */
#ifndef PCID_H
#define PCID_H

#include <stdint.h>
#include <percpu/mem.h>
#include <percpu/rseq.h>
#include <percpu/arch.h>

struct pcid_slot {
	intptr_t seq;		/* IDs taken by sequences on this CPU */
	intptr_t atomic;	/* IDs taken with atomics (fallback path) */
};

struct pcid {
	struct percpu_mem mem;	/* one struct pcid_slot per CPU */
};

/* Return: 0, or a negative errno from percpu_mem_init(). */
static inline int pcid_init(struct pcid *p)
{
	return percpu_mem_init(&p->mem, sizeof(struct pcid_slot), 0);
}

static inline int pcid_destroy(struct pcid *p)
{
	return percpu_mem_destroy(&p->mem);
}

/* ID number n of a slot's word: unique over every (n, word, slot). */
static inline uint64_t pcid_make(const struct pcid *p, uintptr_t n, int fallback,
				 unsigned int slot)
{
	return (((uint64_t)n << 1) | (unsigned int)fallback) * p->mem.nr + slot;
}

/* A new ID, never returned before by @p. */
static inline uint64_t pcid_next(struct pcid *p)
{
	for (;;) {
		struct percpu_rseq_abi *rs = percpu_rseq_area();
		struct pcid_slot *s;
		intptr_t old;
		uint32_t cpu;

		if (percpu_rseq_is_fallback(rs)) {
			/* No rseq for this thread: an atomic on the other word. */
			unsigned int i = (unsigned int)percpu_mem_current(&p->mem);

			s = (struct pcid_slot *)percpu_mem_ptr(&p->mem, i);
			old = __atomic_fetch_add(&s->atomic, 1, __ATOMIC_RELAXED);
			return pcid_make(p, (uintptr_t)old, 1, i);
		}
		/* cpu_id_start is always a valid CPU, below p->mem.nr. */
		cpu = percpu_rseq_cpu_start(rs);
		s = (struct pcid_slot *)percpu_mem_ptr(&p->mem, cpu);
		old = PERCPU_LOAD(&s->seq);
		PERCPU_INJECT_C(1);
		/*
		 * Store old + 1 only if the thread still runs on cpu (rs->cpu_id
		 * == cpu) and the word still holds old: then old is ours alone.
		 */
		if (percpu_arch_cmpeqv_storev(rs, &s->seq, old, old + 1, cpu, &rs->cpu_id) ==
		    PERCPU_SEQ_COMMITTED)
			return pcid_make(p, (uintptr_t)old, 0, cpu);
	}
}

/* How many IDs @p has handed out (exact once every pcid_next() returned). */
static inline uint64_t pcid_count(const struct pcid *p)
{
	uint64_t n = 0;

	for (unsigned int i = 0; i < p->mem.nr; i++) {
		const struct pcid_slot *s = (const struct pcid_slot *)percpu_mem_ptr(&p->mem, i);

		n += (uintptr_t)PERCPU_LOAD(&s->seq);
		n += (uintptr_t)__atomic_load_n(&s->atomic, __ATOMIC_RELAXED);
	}
	return n;
}

#endif /* PCID_H */
