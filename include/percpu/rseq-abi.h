/* SPDX-License-Identifier: MIT */
/*
 * percpu/rseq-abi.h - the kernel's struct rseq, as the library sees it.
 */
#ifndef _PERCPU_RSEQ_ABI_H
#define _PERCPU_RSEQ_ABI_H

#include <stdint.h>

/*
 * The kernel's struct rseq, extended layout (Linux >= 6.3).  We carry our own
 * copy because distribution UAPI headers (Debian 12: Linux 6.1) lack node_id
 * and mm_cid.  Every field but rseq_cs is written by the kernel only: the
 * library reads them with PERCPU_LOAD() and never writes them.
 */
struct percpu_rseq_abi {
	uint32_t cpu_id_start;	/* kernel: always a valid CPU number */
	uint32_t cpu_id;	/* kernel: CPU number, or <0 (unregistered) */
	uint64_t rseq_cs;	/* user: current critical-section descriptor */
	uint32_t flags;		/* deprecated, always 0 */
	uint32_t node_id;	/* kernel: NUMA node, if feature size >= 24 */
	uint32_t mm_cid;	/* kernel: concurrency ID, if feature size >= 28 */
} __attribute__((aligned(32)));

/* Offsets used by the assembly in arch/ (checked at build time in lib/). */
#define PERCPU_RSEQ_OFF_CPU_ID_START	0
#define PERCPU_RSEQ_OFF_CPU_ID		4
#define PERCPU_RSEQ_OFF_RSEQ_CS		8
#define PERCPU_RSEQ_OFF_NODE_ID		20
#define PERCPU_RSEQ_OFF_MM_CID		24

#endif /* _PERCPU_RSEQ_ABI_H */
