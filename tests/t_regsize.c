/* SPDX-License-Identifier: MIT */
/*
 * tests/t_regsize.c - the thread's area is registered with the length the
 * kernel asks for (issue 13).  Linux 7.x gives its optimized rseq mode only to
 * registrations at least AT_RSEQ_FEATURE_SIZE long (33 on 7.2) and aligned to
 * AT_RSEQ_ALIGN (64); older kernels have one mode and take 32 bytes.
 *
 * percpu_rseq_get_info() reports the registered length; the test checks it
 * against what it expects from the auxiliary vector, and has the kernel
 * confirm it: registering the thread's area again with the same length and
 * signature gives EBUSY, with any other length EINVAL (the kernel compares
 * both before anything else, and changes nothing).  It also checks the
 * area's alignment and, pinned to each CPU in turn, that cpu_id and node_id
 * read from the area agree with getcpu(2), and that the inline fast paths find
 * the area (its offset from the thread pointer is not 0, their "not
 * initialised").
 *
 * On the newest kernel tests/arch/run.sh boots with rseq_debug=1, under which
 * the kernel kills a thread that writes a kernel-owned field: every test
 * there shows the library writes none.
 *
 * Usage: t_regsize [libc|own|fallback|seccomp]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>
#include <sys/auxv.h>
#include <sys/syscall.h>

#include <percpu/percpu.h>
#include "testutil.h"

#ifndef AT_RSEQ_FEATURE_SIZE
#define AT_RSEQ_FEATURE_SIZE	27
#endif
#ifndef AT_RSEQ_ALIGN
#define AT_RSEQ_ALIGN		28
#endif

/* What the library should register its own area with (see lib/rseq.c). */
static uint32_t expected_own_len(uint32_t feature, uint32_t align)
{
	if (feature <= 32 || feature > 64 || align > 64 || (align & (align - 1)))
		return 32;
	return feature;
}

/* rseq(2) registration of @area again: 0 or the errno. */
static int reregister(void *area, uint32_t len, uint32_t sig)
{
#ifdef __NR_rseq
	if (syscall(__NR_rseq, area, len, 0, sig) == 0)
		return 0;
	return errno;
#else
	(void)area; (void)len; (void)sig;
	return ENOSYS;
#endif
}

int main(int argc, char **argv)
{
	struct test_mode m = test_mode_setup(argc, argv);
	uint32_t feature = (uint32_t)getauxval(AT_RSEQ_FEATURE_SIZE);
	uint32_t align = (uint32_t)getauxval(AT_RSEQ_ALIGN);
	struct percpu_rseq_info info;
	struct percpu_rseq_abi *rs;
	uint32_t want, other, need_align;
	int err, bad = 0, tested = 0;
	cpu_set_t set;

	plan(6);
	rs = percpu_rseq_area();
	percpu_rseq_get_info(&info);
	diag("mode %s: feature size %u, align %u, libc size %u, registered %u, optimized %d",
	     percpu_rseq_mode_name(info.mode), feature, align, info.libc_rseq_size,
	     info.registered_size, info.optimized);

	if (info.mode == PERCPU_MODE_OWN)
		want = expected_own_len(feature, align);
	else if (info.mode == PERCPU_MODE_LIBC)
		want = info.libc_rseq_size > 32 ? info.libc_rseq_size : 32;
	else
		want = 0;
	ok(info.registered_size == want && info.optimized == (want && feature > 32 && want >= feature),
	   "mode %s registered %u bytes (expected %u), optimized %d", m.name,
	   info.registered_size, want, info.optimized);

	if (info.mode == PERCPU_MODE_FALLBACK) {
		skip(5, "mode %s: no registered area", m.name);
		return exit_status();
	}

	/*
	 * Offset 0 tells the inline fast paths "not initialised": they would
	 * all take the slow path (riscv static executables had the area at the
	 * thread pointer itself).
	 */
	ok(percpu_rseq_offset != 0 && rs == _percpu_rseq_area_fast(),
	   "the inline fast paths find the area (offset %td from the thread pointer)",
	   percpu_rseq_offset);

	err = reregister(rs, info.registered_size, info.signature);
	ok(err == EBUSY, "the kernel holds the area registered with %u bytes (again: %s)",
	   info.registered_size, strerror(err));
	other = info.registered_size == 32 ? 64 : 32;
	err = reregister(rs, other, info.signature);
	ok(err == EINVAL, "and not with %u bytes (%s)", other, strerror(err));

	need_align = info.registered_size > 32 && align > 32 ? align : 32;
	ok((uintptr_t)rs % need_align == 0, "area %p aligned to %u", (void *)rs, need_align);

	/* Pinned, the area's IDs must be those of the CPU the thread is on. */
	if (sched_getaffinity(0, sizeof(set), &set) != 0) {
		skip(1, "sched_getaffinity: %s", strerror(errno));
		return exit_status();
	}
	for (int cpu = 0; cpu < CPU_SETSIZE; cpu++) {
		cpu_set_t one;
		unsigned int c = 0, node = 0;
		int got_cpu, got_node;

		if (!CPU_ISSET(cpu, &set))
			continue;
		CPU_ZERO(&one);
		CPU_SET(cpu, &one);
		if (sched_setaffinity(0, sizeof(one), &one) != 0)
			continue;
		sched_yield();
		got_cpu = percpu_current_cpu();
		got_node = percpu_current_node();
		if (syscall(SYS_getcpu, &c, &node, NULL) != 0)
			continue;
		tested++;
		if (got_cpu != (int)c || got_cpu != cpu ||
		    (info.has_node_id ? got_node != (int)node : got_node != -ENOTSUP)) {
			diag("CPU %d: area cpu_id %d node_id %d, getcpu %u node %u", cpu, got_cpu,
			     got_node, c, node);
			bad++;
		}
	}
	sched_setaffinity(0, sizeof(set), &set);
	ok(tested > 0 && bad == 0, "cpu_id and node_id agree with getcpu(2) on %d CPUs (%d wrong)",
	   tested, bad);
	return exit_status();
}
