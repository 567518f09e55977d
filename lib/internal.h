/* SPDX-License-Identifier: MIT */
/*
 * lib/internal.h - what the library's files share and do not export.
 */
#ifndef PERCPU_LIB_INTERNAL_H
#define PERCPU_LIB_INTERNAL_H

#include <stddef.h>

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

/* The CPU for a fallback-path operation: sched_getcpu(), clamped to range. */
unsigned int percpu_fallback_cpu(void);

#endif /* PERCPU_LIB_INTERNAL_H */
