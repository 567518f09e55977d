/* SPDX-License-Identifier: MIT */
/*
 * arch/generic.h - defaults for what an architecture file does not define,
 * and the contract every architecture file fulfils.
 *
 * An architecture file (arch/<arch>/sequences.h) defines:
 *
 *   PERCPU_RSEQ_SIG        the signature word placed before each abort handler
 *                          (must equal libc's RSEQ_SIG; checked in lib/rseq.c)
 *   PERCPU_ARCH_NAME       a string, for messages
 *   PERCPU_HAVE_ARCH_RSEQ  1
 *
 * and these sequences.  Each runs as one restartable critical section on the
 * area @rs, only while the thread runs on @cpu, and returns
 * PERCPU_SEQ_COMMITTED, PERCPU_SEQ_CMPFAIL, PERCPU_SEQ_ABORTED or
 * PERCPU_SEQ_CPU_MISMATCH.  "v" is always the word whose store commits.
 * _release variants order every earlier store before the commit store.
 *
 *   percpu_arch_cmpeqv_storev[_release](rs, v, expect, newv, cpu)
 *       if (*v != expect) cmpfail; *v = newv
 *   percpu_arch_cmpnev_storeoffp_load(rs, v, expectnot, voffp, load, cpu)
 *       if (*v == expectnot) cmpfail; *load = *v; *v = *(intptr_t *)(*v + voffp)
 *   percpu_arch_addv(rs, v, count, cpu)
 *       *v += count
 *   percpu_arch_cmpeqv_cmpeqv_storev(rs, v, expect, v2, expect2, newv, cpu)
 *       if (*v != expect || *v2 != expect2) cmpfail; *v = newv
 *   percpu_arch_cmpeqv_trystorev_storev[_release](rs, v, expect, v2, newv2, newv, cpu)
 *       if (*v != expect) cmpfail; *v2 = newv2; *v = newv
 *   percpu_arch_cmpeqv_trymemcpy_storev[_release](rs, v, expect, dst, src, len, newv, cpu)
 *       if (*v != expect) cmpfail; copy len bytes src->dst; *v = newv
 *       (dst, src word aligned, len a multiple of sizeof(intptr_t); word-wise copy)
 *
 * Every descriptor (struct rseq_cs) is emitted by the assembly into section
 * __rseq_cs, with its address in __rseq_cs_ptr_array and its non-abort exit
 * points in __rseq_exit_point_array, so debuggers and checkpoint tools find it.
 *
 * Fault injection: each sequence expands PERCPU_INJECT_ASM(n) between its CPU
 * check and its commit.  Stress tests define PERCPU_INJECT_ASM,
 * PERCPU_INJECT_INPUT (starting with a comma) and PERCPU_INJECT_CLOBBER
 * (starting with a comma) before including any libpercpu header; each
 * architecture offers PERCPU_ARCH_INJECT_SPIN_ASM(n) etc. to make that easy.
 */
#ifndef _PERCPU_ARCH_INSIDE
# error "include <percpu/arch.h>, not arch/generic.h"
#endif

#ifndef PERCPU_ARCH_GENERIC_H
#define PERCPU_ARCH_GENERIC_H

/*
 * Stride between two CPUs' data: at least one cache line, so two CPUs never
 * write the same line.
 */
#ifndef PERCPU_CACHELINE_BYTES
#define PERCPU_CACHELINE_BYTES	64
#endif

#endif /* PERCPU_ARCH_GENERIC_H */
