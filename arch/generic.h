/* SPDX-License-Identifier: MIT */
/*
 * arch/generic.h - the contract every architecture file fulfils, the
 * assembly helpers they all share, and defaults for what an architecture file
 * does not define.
 *
 * An architecture file (arch/<arch>/sequences.h) defines:
 *
 *   PERCPU_RSEQ_SIG        the signature word placed before each abort handler
 *                          (must equal libc's RSEQ_SIG; checked in lib/abi-check.c)
 *   PERCPU_ARCH_NAME       a string, for messages
 *   PERCPU_HAVE_ARCH_RSEQ  1
 *   PERCPU_CACHELINE_BYTES only where the stride between CPUs is not 64
 *
 * percpu_arch_thread_pointer(), and the bodies of the sequences below, as
 * macros _PERCPU_ARCH_<NAME>() that this file turns into the functions
 * percpu_arch_<name>(), so each architecture file is a plain list of
 * sequences with nothing else to repeat.  A body uses the parameter names
 * shown below.  The three sequences with a _release variant take an argument
 * that is either _PERCPU_ARCH_RELAXED or _PERCPU_ARCH_RELEASE, defined by the
 * architecture as the text its commit needs (a barrier before the commit
 * store, or the commit instruction itself).
 *
 * Each sequence runs as one restartable critical section on the area @rs,
 * only while the index field @idp of that area (&rs->cpu_id, or &rs->mm_cid
 * for structures indexed by concurrency id) still holds @id, the index the
 * caller read before the sequence (@idp always points into @rs, which is
 * 32-byte aligned like every registered area: an architecture short of
 * registers may find the area from @idp alone), and returns PERCPU_SEQ_COMMITTED,
 * PERCPU_SEQ_CMPFAIL, PERCPU_SEQ_ABORTED or PERCPU_SEQ_CPU_MISMATCH.  The
 * check is made inside the section, after the descriptor is published: a
 * preemption, migration or signal after it aborts the section, and the kernel
 * updates the index fields before the thread returns to user space.  "v" is
 * always the word whose store commits.  _release variants order every
 * earlier load and store before the commit store.
 *
 *   percpu_arch_cmpeqv_storev[_release](rs, v, expect, newv, id, idp)
 *       if (*v != expect) cmpfail; *v = newv
 *   percpu_arch_cmpnev_storeoffp_load(rs, v, expectnot, voffp, load, id, idp)
 *       if (*v == expectnot) cmpfail; *load = *v; *v = *(intptr_t *)(*v + voffp)
 *       (*load is defined only when the sequence commits: an architecture
 *       may return it in a register, an asm goto output)
 *   percpu_arch_addv(rs, v, count, id, idp)
 *       *v += count
 *   percpu_arch_cmpeqv_cmpeqv_storev(rs, v, expect, v2, expect2, newv, id, idp)
 *       if (*v != expect || *v2 != expect2) cmpfail; *v = newv
 *   percpu_arch_cmpeqv_trystorev_storev[_release](rs, v, expect, v2, newv2, newv, id, idp)
 *       if (*v != expect) cmpfail; *v2 = newv2; *v = newv
 *   percpu_arch_cmpeqv_trymemcpy_storev[_release](rs, v, expect, dst, src, len, newv, id, idp)
 *       if (*v != expect) cmpfail; copy len bytes src->dst; *v = newv
 *       (dst, src word aligned, len a multiple of sizeof(intptr_t); word-wise copy)
 *       The copy may go either way: into the per-CPU block (a slab's push
 *       batch: src is the caller's array) or out of it (a pop batch: dst is
 *       the caller's array, written before the commit, so an aborted section
 *       may leave it partly written).  Reading src inside the section, after
 *       the comparison, is what makes a copy out free of ABA.
 *   percpu_arch_cmpeqv_tryevent_storev_release(rs, v, expect, dst, hdr, src, plen, ts, newv,
 *                                              id, idp)
 *       Only where the architecture defines PERCPU_ARCH_HAVE_TRYEVENT (the
 *       ring, percpu/ring.h, stages the whole event and uses
 *       cmpeqv_trymemcpy_storev_release elsewhere).  @hdr is an event
 *       header's first 8 bytes as a word (16-bit size, 16-bit type, 32-bit
 *       seq at offset 4), @ts a 64-bit timestamp, @src @plen bytes of
 *       payload (a multiple of 8, any alignment), @dst 8-byte aligned.
 *       if (*v != expect) cmpfail;
 *       dst[0..7] = hdr; dst[8..15] = ts; dst[16..16+plen) = src[0..plen);
 *       then a terminator at t = dst + 16 + plen: 32-bit 0 at t,
 *       32-bit (seq + 1) at t + 4, ts at t + 8; *v = newv   (commit: a release)
 *   percpu_arch_cmpeqv_trymemcpy_wide_storev[_release](...)
 *       the same as cmpeqv_trymemcpy_storev[_release], but it may copy with
 *       the CPU's widest vector moves: call it only where
 *       percpu_arch_wide_copy_ok() returned 1 (an architecture without such
 *       a copy takes the plain one, and its percpu_arch_wide_copy_ok() is 0)
 *   percpu_arch_wide_copy_ok()
 *       1 if the wide copy may run on this CPU (not for fast paths: a
 *       structure asks once, at init)
 *   percpu_arch_slab_push_cpu(rs, nr, fast, cls, ptr)
 *       id = rs->cpu_id; if (id >= nr) mismatch;
 *       slot = (intptr_t *)((fast & -PERCPU_SLAB_ARCH_ALIGN) + ((uintptr_t)id << (fast & 63)));
 *       hdr = slot[cls];
 *       if ((hdr & 0xffff) >= ((hdr >> 16) & 0xffff)) cmpfail;
 *       slot[hdr & 0xffff] = ptr; slot[cls] = hdr + 1     (commit: a release)
 *   percpu_arch_slab_pop_cpu(rs, nr, fast, cls, begin, load)
 *       id = rs->cpu_id; if (id >= nr) mismatch; slot, hdr as above;
 *       if ((hdr & 0xffff) <= begin) cmpfail;
 *       *load = slot[(hdr & 0xffff) - 1]; slot[cls] = hdr - 1
 *       (*load defined only when the sequence commits, as above)
 *   percpu_arch_slab_push_mm_cid(), percpu_arch_slab_pop_mm_cid()
 *       the same with id = rs->mm_cid
 *       The slab's pair (percpu/slab.h: a class's header packs the 16-bit
 *       unit offsets {current, end}).  Unlike the others these read the
 *       index themselves, inside the section (the field is part of the
 *       name, so its offset is a constant in the text), and find the slot
 *       from it there: nothing is read before the section, so nothing is
 *       compared again (no header compare, no ABA compare of the popped
 *       word).  @fast packs the slots' base, aligned to
 *       PERCPU_SLAB_ARCH_ALIGN (256), with log2 of the slot size (at least
 *       8) in its low 6 bits; bits 6 and 7 are the caller's (ignored).  The unsigned
 *       compare with @nr is the only index check: a negative cpu_id (an
 *       area not registered) fails it when nr <= 2^31, but an mm_cid of an
 *       unregistered area may be 0, so a caller of the _mm_cid pair must
 *       have seen cpu_id >= 0 first.
 *   percpu_arch_list_push_cpu(rs, nr, base, next, newv)
 *       id = rs->cpu_id; if (id >= nr) mismatch;
 *       v = (intptr_t *)(base + ((uintptr_t)id << PERCPU_CACHELINE_SHIFT));
 *       if (*v == 1) cmpfail; *next = *v; *v = newv   (commit: a release)
 *   percpu_arch_list_pop_cpu(rs, nr, base, voffp, load)
 *       id, v as above; if (*v == 1) cmpfail;
 *       *load = *v; *v = *(intptr_t *)(*v + voffp)
 *       (*load defined only when the sequence commits, as above)
 *   percpu_arch_list_push_mm_cid(), percpu_arch_list_pop_mm_cid()
 *       the same with id = rs->mm_cid
 *       The list's pair (percpu/list.h: slots PERCPU_CACHELINE_BYTES
 *       apart, the head first in each, 1 the head of a locked slot), made
 *       like the slab's: the index is read inside the section and the slot
 *       found from it there, so the head is read once, inside, and compared
 *       with nothing read before.  The index checks are the slab pair's
 *       (one unsigned compare with @nr; the _mm_cid callers check cpu_id
 *       >= 0 first).  The pop loads *(*v + voffp) whatever *v is: the
 *       list makes an empty head (0) point at a word holding 0.
 *   percpu_arch_buffer_push_cpu(rs, nr, fast, cap, ptr)
 *       id = rs->cpu_id; if (id >= nr) mismatch;
 *       v = (intptr_t *)((fast & -PERCPU_SLAB_ARCH_ALIGN) +
 *                        ((uintptr_t)id << (fast & 63)));
 *       slots = (intptr_t *)((char *)v + PERCPU_BUFFER_ARCH_SLOTS);
 *       if ((uintptr_t)*v >= cap) cmpfail;
 *       slots[*v] = ptr; *v = *v + 1                 (commit: a release)
 *   percpu_arch_buffer_pop_cpu(rs, nr, fast, cap, load)
 *       id, v, slots as above; if ((uintptr_t)(*v - 1) >= cap) cmpfail;
 *       *load = slots[*v - 1]; *v = *v - 1
 *       (*load defined only when the sequence commits, as above)
 *   percpu_arch_buffer_push_mm_cid(), percpu_arch_buffer_pop_mm_cid()
 *       the same with id = rs->mm_cid
 *       The buffer's pair (percpu/buffer.h: blocks a power of two bytes
 *       apart, each a count followed by @cap pointers), made like the
 *       list's.  @fast is packed as the slab's (the blocks' base, log2 of
 *       their stride, at least 8, and two bits of the caller's), and the
 *       block found from it the same way.  The count is read once, inside
 *       the section, so nothing is compared again (the pop needs no ABA
 *       compare of the popped word).  The one unsigned compare with @cap
 *       fails a full block, an empty one (the pop's 0 - 1) and a locked
 *       one (count -1, at or above any capacity) alike.  The index checks
 *       are the slab pair's (the _mm_cid callers check cpu_id >= 0 first).
 *   percpu_arch_counter_add_cpu(rs, nr, base, count)
 *       id = rs->cpu_id; if (id >= nr) mismatch;
 *       v = (intptr_t *)(base + ((uintptr_t)id << PERCPU_CACHELINE_SHIFT));
 *       *v += count
 *   percpu_arch_counter_add_mm_cid()
 *       the same with id = rs->mm_cid
 *       The counter's add (percpu/counter.h), made like the list's pair
 *       (same index checks, same slots): addv with the index read inside
 *       the section.
 *   percpu_arch_thread_pointer()
 *       the thread pointer, from which libc's area lies at __rseq_offset
 *
 * Every descriptor (struct rseq_cs) is emitted by the assembly into section
 * __rseq_cs, with its address in __rseq_cs_ptr_array and its non-abort exit
 * points in __rseq_exit_point_array, so debuggers and checkpoint tools find it.
 * The helpers below do that the same way on every architecture; an
 * architecture file adds how to publish the descriptor and check the CPU
 * (its ENTER), and the signature and branch of its abort handler.
 *
 * Fault injection: each sequence expands PERCPU_INJECT_ASM(n) between its CPU
 * check and its commit.  Stress tests define PERCPU_INJECT_ASM,
 * PERCPU_INJECT_INPUT (starting with a comma) and PERCPU_INJECT_CLOBBER
 * (starting with a comma) before including any libpercpu header; each
 * architecture offers PERCPU_ARCH_INJECT_SPIN_ASM(n) etc. to make that easy.
 *
 * <percpu/arch.h> includes this file twice: before the architecture file for
 * the helpers, and after it for the defaults.
 */
#ifndef _PERCPU_ARCH_INSIDE
# error "include <percpu/arch.h>, not arch/generic.h"
#endif

#ifndef PERCPU_ARCH_GENERIC_HELPERS_H
#define PERCPU_ARCH_GENERIC_HELPERS_H

/*
 * One u64 field of the kernel ABI holding an address.  The kernel reads
 * struct rseq_cs and tools read the pointer arrays as u64 on every
 * architecture, so on 32-bit machines the address fills the low-order half,
 * which comes first in memory on little-endian machines and last on
 * big-endian ones; the other half is 0.
 */
#if __SIZEOF_POINTER__ == 8
#define _PERCPU_ASM_U64_PTR(x)	".quad " x "\n\t"
#elif __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define _PERCPU_ASM_U64_PTR(x)	".long " x ", 0x0\n\t"
#else
#define _PERCPU_ASM_U64_PTR(x)	".long 0x0, " x "\n\t"
#endif

/*
 * Every sequence uses the same local labels:
 *   1: start_ip   2: post-commit ip   3: descriptor   4: abort_ip
 * The descriptor (struct rseq_cs: version, flags, start_ip,
 * post_commit_offset, abort_ip) is emitted here rather than built in C: C
 * code taking the address of assembler-local labels under -fPIE produced
 * wrong addresses on aarch64 and mips.
 */
#define _PERCPU_ASM_DESCRIPTOR						\
	".pushsection __rseq_cs, \"aw\"\n\t"				\
	".balign 32\n\t"						\
	"3:\n\t"							\
	".long 0x0, 0x0\n\t"						\
	_PERCPU_ASM_U64_PTR("1f")					\
	_PERCPU_ASM_U64_PTR("(2f - 1f)")				\
	_PERCPU_ASM_U64_PTR("4f")					\
	".popsection\n\t"						\
	".pushsection __rseq_cs_ptr_array, \"aw\"\n\t"			\
	_PERCPU_ASM_U64_PTR("3b")					\
	".popsection\n\t"

/*
 * Alignment of the base packed with flag bits in the slab sequences' @fast
 * word: its low 8 bits are free (the slots are page aligned).  A slot is at
 * least this large.
 */
#define PERCPU_SLAB_ARCH_ALIGN	256

/*
 * Offset of the first pointer in a buffer's per-CPU block (percpu/buffer.h:
 * the count and the slow-path mutex, two words), for the buffer sequences.
 * percpu/buffer.h checks it against struct percpu_buffer_cpu.
 */
#if __SIZEOF_POINTER__ == 8
#define PERCPU_BUFFER_ARCH_SLOTS	16
#else
#define PERCPU_BUFFER_ARCH_SLOTS	8
#endif

/* A branch out of the section other than the abort (start_ip, exit_ip). */
#define _PERCPU_ASM_EXIT_POINT(label)					\
	".pushsection __rseq_exit_point_array, \"aw\"\n\t"		\
	_PERCPU_ASM_U64_PTR("1f")					\
	_PERCPU_ASM_U64_PTR("%l[" #label "]")				\
	".popsection\n\t"

/* Sequences with a comparison add _PERCPU_ASM_EXIT_POINT(cmpfail) too. */
#define _PERCPU_ASM_PROLOGUE						\
	_PERCPU_ASM_DESCRIPTOR						\
	_PERCPU_ASM_EXIT_POINT(mismatch)

/* The C side of every sequence: what each asm goto label returns. */
#define _PERCPU_SEQ_RESULTS						\
	return PERCPU_SEQ_COMMITTED;					\
abort:									\
	PERCPU_ON_ABORT();						\
	return PERCPU_SEQ_ABORTED;					\
mismatch:								\
	return PERCPU_SEQ_CPU_MISMATCH

#define _PERCPU_SEQ_RESULTS_CMP						\
	_PERCPU_SEQ_RESULTS;						\
cmpfail:								\
	return PERCPU_SEQ_CMPFAIL

#endif /* PERCPU_ARCH_GENERIC_HELPERS_H */

/* Defaults, once the architecture file has said what it has. */
#if defined(PERCPU_ARCH_NAME) && !defined(PERCPU_ARCH_GENERIC_DEFAULTS_H)
#define PERCPU_ARCH_GENERIC_DEFAULTS_H

/*
 * Stride between two CPUs' data: at least one cache line, so two CPUs never
 * write the same line.
 */
#ifndef PERCPU_CACHELINE_BYTES
#define PERCPU_CACHELINE_BYTES	64
#endif

/* log2 of the stride, for the list sequences' shift. */
#if PERCPU_CACHELINE_BYTES == 64
#define PERCPU_CACHELINE_SHIFT	6
#elif PERCPU_CACHELINE_BYTES == 128
#define PERCPU_CACHELINE_SHIFT	7
#elif PERCPU_CACHELINE_BYTES == 256
#define PERCPU_CACHELINE_SHIFT	8
#else
# error "PERCPU_CACHELINE_BYTES is not 64, 128 or 256"
#endif

/* The sequences, from the architecture's bodies (see the top of this file). */
PERCPU_INLINE int percpu_arch_cmpeqv_storev(struct percpu_rseq_abi *rs, intptr_t *v,
					    intptr_t expect, intptr_t newv, uint32_t id,
					    const uint32_t *idp)
{
	_PERCPU_ARCH_CMPEQV_STOREV(_PERCPU_ARCH_RELAXED);
}

PERCPU_INLINE int percpu_arch_cmpeqv_storev_release(struct percpu_rseq_abi *rs, intptr_t *v,
						    intptr_t expect, intptr_t newv,
						    uint32_t id,
					    const uint32_t *idp)
{
	_PERCPU_ARCH_CMPEQV_STOREV(_PERCPU_ARCH_RELEASE);
}

PERCPU_INLINE int percpu_arch_cmpnev_storeoffp_load(struct percpu_rseq_abi *rs, intptr_t *v,
						    intptr_t expectnot, long voffp,
						    intptr_t *load, uint32_t id,
					    const uint32_t *idp)
{
	_PERCPU_ARCH_CMPNEV_STOREOFFP_LOAD();
}

PERCPU_INLINE int percpu_arch_addv(struct percpu_rseq_abi *rs, intptr_t *v, intptr_t count,
				   uint32_t id,
					    const uint32_t *idp)
{
	_PERCPU_ARCH_ADDV();
}

PERCPU_INLINE int percpu_arch_cmpeqv_cmpeqv_storev(struct percpu_rseq_abi *rs, intptr_t *v,
						   intptr_t expect, intptr_t *v2,
						   intptr_t expect2, intptr_t newv,
						   uint32_t id,
					    const uint32_t *idp)
{
	_PERCPU_ARCH_CMPEQV_CMPEQV_STOREV();
}

PERCPU_INLINE int percpu_arch_cmpeqv_trystorev_storev(struct percpu_rseq_abi *rs, intptr_t *v,
						      intptr_t expect, intptr_t *v2,
						      intptr_t newv2, intptr_t newv,
						      uint32_t id,
					    const uint32_t *idp)
{
	_PERCPU_ARCH_CMPEQV_TRYSTOREV_STOREV(_PERCPU_ARCH_RELAXED);
}

PERCPU_INLINE int percpu_arch_cmpeqv_trystorev_storev_release(struct percpu_rseq_abi *rs,
							      intptr_t *v, intptr_t expect,
							      intptr_t *v2, intptr_t newv2,
							      intptr_t newv, uint32_t id,
					    const uint32_t *idp)
{
	_PERCPU_ARCH_CMPEQV_TRYSTOREV_STOREV(_PERCPU_ARCH_RELEASE);
}

PERCPU_INLINE int percpu_arch_cmpeqv_trymemcpy_storev(struct percpu_rseq_abi *rs, intptr_t *v,
						      intptr_t expect, void *dst,
						      const void *src, size_t len,
						      intptr_t newv, uint32_t id,
					    const uint32_t *idp)
{
	_PERCPU_ARCH_CMPEQV_TRYMEMCPY_STOREV(_PERCPU_ARCH_RELAXED);
}

PERCPU_INLINE int percpu_arch_cmpeqv_trymemcpy_storev_release(struct percpu_rseq_abi *rs,
							      intptr_t *v, intptr_t expect,
							      void *dst, const void *src,
							      size_t len, intptr_t newv,
							      uint32_t id,
					    const uint32_t *idp)
{
	_PERCPU_ARCH_CMPEQV_TRYMEMCPY_STOREV(_PERCPU_ARCH_RELEASE);
}

#ifdef PERCPU_ARCH_HAVE_TRYEVENT
PERCPU_INLINE int percpu_arch_cmpeqv_tryevent_storev_release(struct percpu_rseq_abi *rs,
							     intptr_t *v, intptr_t expect,
							     void *dst, uint64_t hdr,
							     const void *src, size_t plen,
							     uint64_t ts, intptr_t newv,
							     uint32_t id, const uint32_t *idp)
{
	_PERCPU_ARCH_CMPEQV_TRYEVENT_STOREV();
}
#endif

#ifndef _PERCPU_ARCH_CMPEQV_TRYMEMCPY_WIDE_STOREV
#define _PERCPU_ARCH_CMPEQV_TRYMEMCPY_WIDE_STOREV(release)		\
	_PERCPU_ARCH_CMPEQV_TRYMEMCPY_STOREV(release)

PERCPU_INLINE int percpu_arch_wide_copy_ok(void)
{
	return 0;
}
#endif

PERCPU_INLINE int percpu_arch_cmpeqv_trymemcpy_wide_storev(struct percpu_rseq_abi *rs,
							   intptr_t *v, intptr_t expect,
							   void *dst, const void *src,
							   size_t len, intptr_t newv,
							   uint32_t id, const uint32_t *idp)
{
	_PERCPU_ARCH_CMPEQV_TRYMEMCPY_WIDE_STOREV(_PERCPU_ARCH_RELAXED);
}

PERCPU_INLINE int percpu_arch_cmpeqv_trymemcpy_wide_storev_release(struct percpu_rseq_abi *rs,
								   intptr_t *v, intptr_t expect,
								   void *dst, const void *src,
								   size_t len, intptr_t newv,
								   uint32_t id,
								   const uint32_t *idp)
{
	_PERCPU_ARCH_CMPEQV_TRYMEMCPY_WIDE_STOREV(_PERCPU_ARCH_RELEASE);
}

PERCPU_INLINE int percpu_arch_slab_push_cpu(struct percpu_rseq_abi *rs, uint32_t nr,
					     uintptr_t fast, unsigned int cls, intptr_t ptr)
{
	_PERCPU_ARCH_SLAB_PUSH(PERCPU_RSEQ_OFF_CPU_ID);
}

PERCPU_INLINE int percpu_arch_slab_push_mm_cid(struct percpu_rseq_abi *rs, uint32_t nr,
						uintptr_t fast, unsigned int cls, intptr_t ptr)
{
	_PERCPU_ARCH_SLAB_PUSH(PERCPU_RSEQ_OFF_MM_CID);
}

PERCPU_INLINE int percpu_arch_slab_pop_cpu(struct percpu_rseq_abi *rs, uint32_t nr,
					    uintptr_t fast, unsigned int cls, unsigned int begin,
					    intptr_t *load)
{
	_PERCPU_ARCH_SLAB_POP(PERCPU_RSEQ_OFF_CPU_ID);
}

PERCPU_INLINE int percpu_arch_slab_pop_mm_cid(struct percpu_rseq_abi *rs, uint32_t nr,
					       uintptr_t fast, unsigned int cls,
					       unsigned int begin, intptr_t *load)
{
	_PERCPU_ARCH_SLAB_POP(PERCPU_RSEQ_OFF_MM_CID);
}

PERCPU_INLINE int percpu_arch_list_push_cpu(struct percpu_rseq_abi *rs, uint32_t nr,
					     char *base, intptr_t *next, intptr_t newv)
{
	_PERCPU_ARCH_LIST_PUSH(PERCPU_RSEQ_OFF_CPU_ID);
}

PERCPU_INLINE int percpu_arch_list_push_mm_cid(struct percpu_rseq_abi *rs, uint32_t nr,
						char *base, intptr_t *next, intptr_t newv)
{
	_PERCPU_ARCH_LIST_PUSH(PERCPU_RSEQ_OFF_MM_CID);
}

PERCPU_INLINE int percpu_arch_list_pop_cpu(struct percpu_rseq_abi *rs, uint32_t nr,
					    char *base, intptr_t voffp, intptr_t *load)
{
	_PERCPU_ARCH_LIST_POP(PERCPU_RSEQ_OFF_CPU_ID);
}

PERCPU_INLINE int percpu_arch_list_pop_mm_cid(struct percpu_rseq_abi *rs, uint32_t nr,
					       char *base, intptr_t voffp, intptr_t *load)
{
	_PERCPU_ARCH_LIST_POP(PERCPU_RSEQ_OFF_MM_CID);
}

PERCPU_INLINE int percpu_arch_buffer_push_cpu(struct percpu_rseq_abi *rs, uint32_t nr,
					       uintptr_t fast, uintptr_t cap, intptr_t ptr)
{
	_PERCPU_ARCH_BUFFER_PUSH(PERCPU_RSEQ_OFF_CPU_ID);
}

PERCPU_INLINE int percpu_arch_buffer_push_mm_cid(struct percpu_rseq_abi *rs, uint32_t nr,
						  uintptr_t fast, uintptr_t cap, intptr_t ptr)
{
	_PERCPU_ARCH_BUFFER_PUSH(PERCPU_RSEQ_OFF_MM_CID);
}

PERCPU_INLINE int percpu_arch_buffer_pop_cpu(struct percpu_rseq_abi *rs, uint32_t nr,
					      uintptr_t fast, uintptr_t cap, intptr_t *load)
{
	_PERCPU_ARCH_BUFFER_POP(PERCPU_RSEQ_OFF_CPU_ID);
}

PERCPU_INLINE int percpu_arch_buffer_pop_mm_cid(struct percpu_rseq_abi *rs, uint32_t nr,
						 uintptr_t fast, uintptr_t cap, intptr_t *load)
{
	_PERCPU_ARCH_BUFFER_POP(PERCPU_RSEQ_OFF_MM_CID);
}

PERCPU_INLINE int percpu_arch_counter_add_cpu(struct percpu_rseq_abi *rs, uint32_t nr,
					       char *base, intptr_t count)
{
	_PERCPU_ARCH_COUNTER_ADD(PERCPU_RSEQ_OFF_CPU_ID);
}

PERCPU_INLINE int percpu_arch_counter_add_mm_cid(struct percpu_rseq_abi *rs, uint32_t nr,
						  char *base, intptr_t count)
{
	_PERCPU_ARCH_COUNTER_ADD(PERCPU_RSEQ_OFF_MM_CID);
}

#endif /* PERCPU_ARCH_GENERIC_DEFAULTS_H */
