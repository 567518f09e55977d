/* SPDX-License-Identifier: MIT */
/*
 * percpu/mem.h - per-CPU memory and the index that picks a thread's slot.
 *
 * Every libpercpu structure keeps its per-CPU data in one struct percpu_mem:
 * `nr` slots of `stride` bytes, slot i at base + i * stride, reached in
 * constant time from a fast path.  The memory is reserved at init and
 * populated by the kernel on first touch: a slot that is never used costs no
 * memory (init writes nothing into it, and an all-zero slot is a valid empty
 * one for every structure).  Where the machine has several NUMA nodes, slots
 * that span whole pages are placed on the node of their CPU.
 *
 * The index is what a thread uses to pick its slot:
 *   - the CPU it runs on (the default): nr = percpu_nr_cpus();
 *   - with PERCPU_MM_CID, its memory-map concurrency id (Linux >= 6.3): an id
 *     below the number of threads of the process running at once, so a
 *     process running 4 threads on a 256-CPU machine touches 4 slots, packed
 *     at the start of the memory.
 * A restartable sequence checks, inside the section, that the field it
 * indexed with (cpu_id or mm_cid of the rseq area) still holds the same value.
 *
 * Users may keep their own per-CPU data the same way: percpu_mem_init() a
 * struct percpu_mem and use percpu_mem_ptr(m, i) for slot i.
 */
#ifndef _PERCPU_MEM_H
#define _PERCPU_MEM_H

#include <stddef.h>
#include <stdint.h>
#include <percpu/compiler.h>
#include <percpu/rseq.h>

PERCPU_EXTERN_C_BEGIN

/* Flag of percpu_mem_init() and of every structure's init: index by mm_cid. */
#define PERCPU_MM_CID		(1u << 0)

/* Values of struct percpu_mem's index. */
#define PERCPU_INDEX_CPU	0
#define PERCPU_INDEX_MM_CID	1
#define PERCPU_INDEX_NONE	2	/* no writers (a read-only handle): no fast path */

/* Largest slot accepted by percpu_mem_init(), in bytes (a quarter of the address space). */
#define PERCPU_MEM_MAX_SLOT	((size_t)1 << (8 * sizeof(size_t) - 2))

struct percpu_reg;

struct percpu_mem {
	char *base;		/* slot i at base + i * stride */
	size_t stride;		/* a multiple of PERCPU_CACHELINE_BYTES */
	uint32_t nr;		/* number of slots: every index is below it */
	uint8_t index;		/* PERCPU_INDEX_CPU, _MM_CID or _NONE */
	uint8_t registered;	/* in the library's list of structures (fork) */
	int16_t mutex_off;	/* offset of each slot's slow-path mutex, or -1 */
	size_t map_len;		/* bytes mapped */
	struct percpu_reg *reg;	/* the library's record of it (fork), shared by copies */
	void *reserved;
	/*
	 * What a fast path needs of the fields above in one word: base (page
	 * aligned) | PERCPU_MEM_FAST_MM_CID when indexed by mm_cid.  So a
	 * CPU-indexed fast path loads one word, not two (each load a fast path
	 * repeats after a sequence's memory clobber shows in its cost), and
	 * uses it as the base as it is: no mask.
	 */
	uintptr_t fast;
};

#define PERCPU_MEM_FAST_MM_CID	0x40u	/* indexed by mm_cid */
#define PERCPU_MEM_FAST_BITS	0xffu	/* flag bits below the base */

/**
 * percpu_mem_init() - reserve @nr slots of at least @size bytes each, zeroed.
 * @flags: 0 or PERCPU_MM_CID.
 *
 * Nothing is written into the slots: their memory is populated when first
 * touched.  Never calls malloc (see libpercpu(7) for what is safe inside an
 * allocator).
 *
 * Return: 0; -EINVAL if @m is NULL, @size is 0 or above PERCPU_MEM_MAX_SLOT,
 * the slots together would not fit in a size_t, or @flags has unknown bits; -ENOTSUP if PERCPU_MM_CID is asked for while
 * threads use rseq and the kernel does not provide mm_cid (Linux < 6.3) or
 * cannot fence every CPU (no membarrier); -ENOMEM.
 */
PERCPU_API int percpu_mem_init(struct percpu_mem *m, size_t size, unsigned int flags);

/**
 * percpu_mem_destroy() - release @m's memory.  Nothing may use it any more.
 * Return: 0, or -EINVAL if @m is NULL or not initialised.
 */
PERCPU_API int percpu_mem_destroy(struct percpu_mem *m);

/**
 * percpu_mem_current() - the slot index of the calling thread in @m: its
 * CPU, or its mm_cid for an mm_cid-indexed @m (on the fallback path, the CPU
 * from sched_getcpu()).  May be stale as soon as it returns.
 * Return: the index (below m->nr), or -EINVAL if @m is NULL or not
 * initialised.  Async-signal-safe.
 */
PERCPU_API int percpu_mem_current(const struct percpu_mem *m);

/* Slot @i of @m.  No checks: @i must be below m->nr. */
PERCPU_INLINE void *percpu_mem_ptr(const struct percpu_mem *m, unsigned int i)
{
	return m->base + (size_t)i * m->stride;
}

/* The slots' base in a fast word (struct percpu_mem's fast). */
PERCPU_INLINE char *_percpu_mem_fast_base(uintptr_t fast)
{
	return (char *)(fast & ~(uintptr_t)PERCPU_MEM_FAST_BITS);
}

/* The same for a CPU-indexed fast word, which is the base as it is. */
PERCPU_INLINE char *_percpu_mem_fast_cpu_base(uintptr_t fast)
{
	return (char *)fast;
}

/*
 * The index a fast path uses on area @rs: *@id is the slot, *@idp the field
 * of @rs the sequence must find still equal to *@id.  Return 0 when the area
 * is not registered (cpu_id negative: a thread not set up yet, or one on the
 * fallback path, which so never starts a sequence bound to fail), when an
 * mm_cid is out of range, or when the structure takes no writes here
 * (PERCPU_INDEX_NONE): go to the slow path, which says why.
 */
PERCPU_INLINE int _percpu_mem_index(const struct percpu_mem *m, struct percpu_rseq_abi *rs,
				    uint32_t *id, const uint32_t **idp)
{
	uint32_t cpu = PERCPU_LOAD(&rs->cpu_id);

	if (PERCPU_UNLIKELY((int32_t)cpu < 0))
		return 0;
	if (PERCPU_LIKELY(m->index == PERCPU_INDEX_CPU)) {
		*id = cpu;
		*idp = &rs->cpu_id;
		return 1;
	}
	*id = PERCPU_LOAD(&rs->mm_cid);
	*idp = &rs->mm_cid;
	return *id < m->nr && m->index == PERCPU_INDEX_MM_CID;
}

PERCPU_EXTERN_C_END

#endif /* _PERCPU_MEM_H */
