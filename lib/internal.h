/* SPDX-License-Identifier: MIT */
/*
 * lib/internal.h - what the library's files share and do not export.
 */
#ifndef PERCPU_LIB_INTERNAL_H
#define PERCPU_LIB_INTERNAL_H

#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Per-CPU memory: nr_cpus blocks of @stride bytes each (a multiple of the
 * cache-line stride), zeroed.  Where a block spans whole pages and the machine
 * has several NUMA nodes, each CPU's block is placed on that CPU's node.
 * Return: the memory, or NULL with errno set.
 */
void *percpu_mem_alloc(size_t stride, unsigned int nr_cpus);
void percpu_mem_free(void *mem, size_t stride, unsigned int nr_cpus);

/* Round @size up to the per-CPU stride (PERCPU_CACHELINE_BYTES multiple). */
size_t percpu_mem_stride(size_t size);

/*
 * Whether the memory of a structure whose CPUs each need @fixed bytes plus
 * @count items of @item bytes fits in a size_t, @nr_cpus times over, with
 * room for every rounding percpu_mem_stride() and percpu_mem_alloc() do (up
 * to a cache line per CPU, a page overall; 1 MiB covers both).  @max is
 * SIZE_MAX, or a smaller limit to test 32-bit sizes on a 64-bit machine.
 * Return: 1 if it fits, 0 if init must fail with -EINVAL.
 */
static inline int percpu_size_fits(size_t fixed, size_t count, size_t item,
				   unsigned int nr_cpus, size_t max)
{
	const size_t slack = (size_t)1 << 20;
	size_t per_cpu;

	if (max <= slack || nr_cpus == 0)
		return 0;
	max -= slack;
	if (item && count > (max - fixed) / item)
		return 0;
	per_cpu = fixed + count * item;
	return per_cpu <= max / nr_cpus;
}

/*
 * Whether an object passed to init looks initialised and not destroyed, so
 * that init must refuse with -EBUSY rather than leak its memory and reset it
 * under running operations.  init is also handed uninitialised memory (a
 * stack or malloc() object), so only refuse what garbage can hardly look
 * like: the magic, AND a non-NULL page-aligned slots pointer (it comes from
 * mmap()), AND the CPU count of this process.  Random bytes pass with odds
 * far below 2^-40.  The one false positive left is memory that held a live
 * object which was never destroyed (a leak): documented, zero it first.
 */
static inline int percpu_looks_live(unsigned int magic, unsigned int want, const void *slots,
				    unsigned int nr_cpus, unsigned int nr_now)
{
	return magic == want && slots && ((uintptr_t)slots & 4095) == 0 && nr_cpus == nr_now;
}

/* The CPU for a fallback-path operation: sched_getcpu(), clamped to range. */
unsigned int percpu_fallback_cpu(void);

/*
 * Set (never cleared) before any thread of the process may first enter a
 * restartable sequence.  A slow path that finds it clear after taking a lock
 * word knows no sequence can have read the old value, and skips membarrier.
 */
extern int percpu_rseq_in_use;

/*
 * Slow-path lock on one CPU's committed word (list head, buffer count, ring
 * head), shared by remote operations (`_cpu` calls) and by threads on the
 * fallback path.  See lib/slow.c for the protocol.
 */
struct percpu_slow {
	intptr_t *word;		/* the committed word */
	int *mutex;		/* serialises slow paths on this CPU */
	intptr_t locked;	/* the value no sequence compares equal to or writes */
	sigset_t old_sigs;	/* restored by percpu_slow_unlock() */
	cpu_set_t old_mask;	/* pin mode: the mask to put back once locked */
	int pinned;		/* pin mode: our one-CPU mask is (or was) set */
};

/*
 * Lock @word of @cpu: afterwards no restartable sequence can commit to it
 * until percpu_slow_unlock().  Stores the word's value in *@old.  Blocks every
 * signal until the unlock (a handler on this thread could otherwise wait for
 * the lock it interrupted).
 * Return: 0, or -EPERM when membarrier is unavailable and @cpu is not in the
 * calling thread's affinity mask (checked whether or not pinning turns out
 * to be needed), or another negative errno.
 */
int percpu_slow_lock(struct percpu_slow *s, intptr_t *word, int *mutex, intptr_t locked,
		     unsigned int cpu, intptr_t *old);

/* Store @newv in the locked word (release), then undo percpu_slow_lock(). */
void percpu_slow_unlock(struct percpu_slow *s, intptr_t newv);

#endif /* PERCPU_LIB_INTERNAL_H */
