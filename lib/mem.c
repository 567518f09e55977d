/* SPDX-License-Identifier: MIT */
/*
 * lib/mem.c - per-CPU memory (see percpu/mem.h): one mapping per structure,
 * slots a cache-line multiple apart, untouched until used, placed on their
 * CPU's NUMA node where a slot spans whole pages.
 *
 * Nothing here calls malloc: an allocator creates its per-CPU caches from
 * inside its own malloc.  The NUMA topology comes from sysfs with open/read
 * into stack buffers, and placement is the mbind system call.
 */
#include "config.h"
#define PERCPU_LIB_BUILD 1

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include <percpu/mem.h>
#include "internal.h"

#define PERCPU_MPOL_PREFERRED	1	/* <linux/mempolicy.h> MPOL_PREFERRED */
/* Nodes we place memory on; beyond it, slots stay where first touched. */
#define PERCPU_MAX_NODES	1024

static size_t page_size(void)
{
	static size_t page;

	if (!page)
		page = (size_t)sysconf(_SC_PAGESIZE);
	return page;
}

/* Read a small sysfs file into @buf (NUL-terminated). Return its length or -1. */
static ssize_t read_small(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t len;

	if (fd < 0)
		return -1;
	len = read(fd, buf, size - 1);
	close(fd);
	if (len < 0)
		return -1;
	buf[len] = '\0';
	return len;
}

/* Is @cpu in a list such as "0-3,8-11"? */
static int cpu_in_list(const char *s, unsigned int cpu)
{
	while (*s >= '0' && *s <= '9') {
		char *end;
		unsigned long lo = strtoul(s, &end, 10), hi = lo;

		if (*end == '-')
			hi = strtoul(end + 1, &end, 10);
		if (cpu >= lo && cpu <= hi)
			return 1;
		s = *end == ',' ? end + 1 : end;
	}
	return 0;
}

/*
 * The NUMA node of @cpu, or -1 when the machine has one node or sysfs does not
 * say.  One small read per node: called at init only, for slots that span
 * whole pages.
 */
static int cpu_node(unsigned int cpu, unsigned int *nr_nodes)
{
	char path[64], buf[1024];
	unsigned int node, seen = 0;

	if (read_small("/sys/devices/system/node/possible", buf, sizeof(buf)) <= 0 ||
	    strcmp(buf, "0\n") == 0 || strcmp(buf, "0") == 0) {
		*nr_nodes = 1;
		return -1;
	}
	for (node = 0; node < PERCPU_MAX_NODES && seen < 64; node++) {
		snprintf(path, sizeof(path), "/sys/devices/system/node/node%u/cpulist", node);
		if (read_small(path, buf, sizeof(buf)) < 0) {
			seen++;		/* node numbers may have holes */
			continue;
		}
		seen = 0;
		*nr_nodes = node + 1;
		if (cpu_in_list(buf, cpu))
			return (int)node;
	}
	return -1;
}

/* Prefer @cpu's node for @len bytes at @addr.  Best effort. */
static void place_slot(void *addr, size_t len, unsigned int cpu)
{
	unsigned long mask[PERCPU_MAX_NODES / (8 * sizeof(unsigned long))];
	unsigned int nr_nodes = 1;
	int node = cpu_node(cpu, &nr_nodes);

	if (node < 0 || nr_nodes < 2)
		return;
	memset(mask, 0, sizeof(mask));
	mask[node / (8 * sizeof(unsigned long))] |= 1UL << (node % (8 * sizeof(unsigned long)));
#ifdef SYS_mbind
	syscall(SYS_mbind, addr, len, PERCPU_MPOL_PREFERRED, mask,
		(unsigned long)PERCPU_MAX_NODES + 1, 0UL);
#else
	(void)addr; (void)len;
#endif
}

static int multi_node(void)
{
	static int state;	/* 0: unknown, 1: one node, 2: several */
	char buf[64];

	if (!state)
		state = read_small("/sys/devices/system/node/possible", buf, sizeof(buf)) > 0 &&
			strchr(buf, '-') ? 2 : 1;
	return state == 2;
}

int percpu_mem_setup(struct percpu_mem *m, size_t size, unsigned int flags, int mutex_off)
{
	return percpu_mem_setup_fd(m, size, flags, mutex_off, -1, 0);
}

size_t percpu_mem_stride(size_t size)
{
	return (size + PERCPU_CACHELINE_BYTES - 1) / PERCPU_CACHELINE_BYTES * PERCPU_CACHELINE_BYTES;
}

size_t percpu_mem_map_len(size_t size)
{
	return (percpu_mem_stride(size) * percpu_nr_cpus() + page_size() - 1) / page_size() *
	       page_size();
}

int percpu_mem_setup_fd(struct percpu_mem *m, size_t size, unsigned int flags, int mutex_off,
			int fd, off_t offset)
{
	size_t stride, len;
	unsigned int nr;
	void *mem;

	if (!m || size == 0 || size > PERCPU_MEM_MAX_SLOT || (flags & ~PERCPU_MM_CID))
		return -EINVAL;
	/* The fast paths rely on it: see _percpu_rseq_area_fast(). */
	if (!percpu_rseq_global_ready())
		return -EAGAIN;
	nr = percpu_nr_cpus();
	if ((flags & PERCPU_MM_CID) && !percpu_rseq_mm_cid_usable())
		return -ENOTSUP;
	stride = percpu_mem_stride(size);
	/* The whole mapping must fit in a size_t: a caller's error, not memory. */
	if (stride > (SIZE_MAX - page_size()) / nr)
		return -EINVAL;
	len = (stride * nr + page_size() - 1) / page_size() * page_size();
	/* mmap: zeroed, page aligned, and untouched until a slot is used. */
	if (fd >= 0)	/* shared with other processes: the caller sized the file */
		mem = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, offset);
	else
		mem = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		return -ENOMEM;
	memset(m, 0, sizeof(*m));
	m->base = mem;
	m->stride = stride;
	m->nr = nr;
	m->index = (flags & PERCPU_MM_CID) ? PERCPU_INDEX_MM_CID : PERCPU_INDEX_CPU;
	m->mutex_off = (int16_t)mutex_off;
	m->map_len = len;
	m->fast = (uintptr_t)mem | (m->index == PERCPU_INDEX_MM_CID ? PERCPU_MEM_FAST_MM_CID : 0);
	/*
	 * An mm_cid slot may be used from any CPU: only CPU-indexed slots have
	 * a node of their own.
	 */
	if (m->index == PERCPU_INDEX_CPU && stride % page_size() == 0 && multi_node()) {
		for (unsigned int cpu = 0; cpu < nr; cpu++)
			place_slot(percpu_mem_ptr(m, cpu), stride, cpu);
	}
	/*
	 * Not shared memory: a fork child resets slot mutexes it finds taken
	 * (lib/slow.c), which in a MAP_SHARED mapping are the parent's live
	 * ones.  The child does not write structures it shares with its
	 * parent (their writers are all in the process that made them).
	 */
	if (mutex_off >= 0 && fd < 0 && percpu_slow_register(m) != 0) {
		munmap(mem, len);
		memset(m, 0, sizeof(*m));
		return -ENOMEM;
	}
	return 0;
}

int percpu_mem_init(struct percpu_mem *m, size_t size, unsigned int flags)
{
	return percpu_mem_setup(m, size, flags, -1);
}

int percpu_mem_destroy(struct percpu_mem *m)
{
	if (!m || !m->base)
		return -EINVAL;
	percpu_slow_unregister(m);
	munmap(m->base, m->map_len);
	memset(m, 0, sizeof(*m));
	return 0;
}

int percpu_mem_current(const struct percpu_mem *m)
{
	struct percpu_rseq_abi *rs;
	uint32_t id;
	const uint32_t *idp;

	if (!m || !m->base)
		return -EINVAL;
	rs = percpu_rseq_thread_area();
	if (_percpu_mem_index(m, rs, &id, &idp))
		return (int)id;
	return (int)percpu_fallback_cpu();
}
