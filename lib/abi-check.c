/* SPDX-License-Identifier: MIT */
/*
 * lib/abi-check.c - build-time checks of our ABI copies against libc's and
 * the kernel's headers.  Emits no code.
 */
#include "config.h"

#include <stddef.h>
#include <percpu/arch.h>

#ifdef HAVE_SYS_RSEQ_H
#include <sys/rseq.h>
#endif

#ifdef RSEQ_SIG
_Static_assert(RSEQ_SIG == PERCPU_RSEQ_SIG,
	       "PERCPU_RSEQ_SIG differs from libc's RSEQ_SIG: the kernel would kill the thread on abort");
#endif

#define CHECK_OFFSET(field, off)						\
	_Static_assert(offsetof(struct percpu_rseq_abi, field) == (off),	\
		       "struct percpu_rseq_abi: wrong offset of " #field)

CHECK_OFFSET(cpu_id_start, PERCPU_RSEQ_OFF_CPU_ID_START);
CHECK_OFFSET(cpu_id, PERCPU_RSEQ_OFF_CPU_ID);
CHECK_OFFSET(rseq_cs, PERCPU_RSEQ_OFF_RSEQ_CS);
CHECK_OFFSET(node_id, PERCPU_RSEQ_OFF_NODE_ID);
CHECK_OFFSET(mm_cid, PERCPU_RSEQ_OFF_MM_CID);
_Static_assert(sizeof(struct percpu_rseq_abi) == 32, "struct percpu_rseq_abi must be 32 bytes");

#ifdef HAVE_SYS_RSEQ_H
/* The original fields must sit where libc's struct rseq has them. */
_Static_assert(offsetof(struct rseq, cpu_id) == PERCPU_RSEQ_OFF_CPU_ID, "cpu_id");
_Static_assert(offsetof(struct rseq, rseq_cs) == PERCPU_RSEQ_OFF_RSEQ_CS, "rseq_cs");
#endif

/* ISO C forbids an empty translation unit. */
typedef int percpu_abi_check_unused;
