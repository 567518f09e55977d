/* SPDX-License-Identifier: MIT */
/*
 * percpu/arch.h - selects the restartable sequences of this architecture.
 *
 * Every architecture provides the same list of sequences (see arch/generic.h
 * for the contract); per-architecture headers must not be included directly.
 */
#ifndef _PERCPU_ARCH_H
#define _PERCPU_ARCH_H

#include <stddef.h>
#include <stdint.h>
#include <percpu/compiler.h>
#include <percpu/rseq-abi.h>

/* Results of every sequence. */
#define PERCPU_SEQ_COMMITTED	0	/* the commit store happened */
#define PERCPU_SEQ_CMPFAIL	1	/* a comparison failed: nothing was written */
#define PERCPU_SEQ_ABORTED	(-1)	/* the kernel aborted it: retry */
#define PERCPU_SEQ_CPU_MISMATCH	(-2)	/* not on @cpu (or fallback mode): re-read the CPU */

#define _PERCPU_ARCH_INSIDE 1

/* Helpers shared by every architecture file. */
#include "arch/generic.h"

#if defined(__x86_64__)
# include "arch/x86_64/sequences.h"
#elif defined(__aarch64__)
# include "arch/aarch64/sequences.h"
#elif defined(__powerpc64__)
# include "arch/ppc64/sequences.h"
#elif defined(__arm__)
# include "arch/arm/sequences.h"
#elif defined(__mips__)
# include "arch/mips/sequences.h"
#elif defined(__s390x__)
# include "arch/s390/sequences.h"
#elif defined(__riscv) && __riscv_xlen == 64
# include "arch/riscv/sequences.h"
#else
# error "libpercpu: no restartable sequences for this architecture (supported: x86_64, aarch64, ppc64, arm, mips, s390x, riscv64)"
#endif

/* Defaults for what the architecture file left out. */
#include "arch/generic.h"

#undef _PERCPU_ARCH_INSIDE

#endif /* _PERCPU_ARCH_H */
