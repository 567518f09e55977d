/* SPDX-License-Identifier: MIT */
/*
 * lib/mem.c - memory with one block per possible CPU.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <unistd.h>
#include <sys/mman.h>
#ifdef HAVE_HWLOC
#include <hwloc.h>
#endif

#include <percpu/arch.h>
#include "internal.h"

size_t percpu_mem_stride(size_t size)
{
	size_t line = PERCPU_CACHELINE_BYTES;

	if (size == 0)
		size = 1;
	return (size + line - 1) / line * line;
}

static size_t mem_length(size_t stride, unsigned int nr_cpus)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	size_t len = stride * nr_cpus;

	return (len + page - 1) / page * page;
}

#ifdef HAVE_HWLOC
/*
 * Bind each CPU's block to the NUMA node of that CPU.  Only blocks that are
 * whole pages can be placed; smaller ones share pages with other CPUs and stay
 * where first touched.  Best effort: placement never makes allocation fail.
 */
static void place_on_nodes(char *mem, size_t stride, unsigned int nr_cpus)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	hwloc_topology_t topo;

	if (stride % page != 0)
		return;
	if (hwloc_topology_init(&topo) != 0)
		return;
	if (hwloc_topology_load(topo) == 0 &&
	    hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_NUMANODE) > 1) {
		hwloc_bitmap_t set = hwloc_bitmap_alloc();
		hwloc_bitmap_t nodes = hwloc_bitmap_alloc();

		for (unsigned int cpu = 0; set && nodes && cpu < nr_cpus; cpu++) {
			hwloc_bitmap_only(set, cpu);
			hwloc_cpuset_to_nodeset(topo, set, nodes);
			if (hwloc_bitmap_iszero(nodes))
				continue;
			hwloc_set_area_membind(topo, mem + (size_t)cpu * stride, stride, nodes,
					       HWLOC_MEMBIND_BIND, HWLOC_MEMBIND_BYNODESET);
		}
		hwloc_bitmap_free(set);
		hwloc_bitmap_free(nodes);
	}
	hwloc_topology_destroy(topo);
}
#endif

void *percpu_mem_alloc(size_t stride, unsigned int nr_cpus)
{
	void *mem;

	if (stride == 0 || nr_cpus == 0 || stride > SIZE_MAX / nr_cpus) {
		errno = EINVAL;
		return NULL;
	}
	/* mmap: zeroed, page aligned, and untouched until each CPU writes it. */
	mem = mmap(NULL, mem_length(stride, nr_cpus), PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		return NULL;
#ifdef HAVE_HWLOC
	place_on_nodes(mem, stride, nr_cpus);
#endif
	return mem;
}

void percpu_mem_free(void *mem, size_t stride, unsigned int nr_cpus)
{
	if (mem)
		munmap(mem, mem_length(stride, nr_cpus));
}
