/* SPDX-License-Identifier: MIT */
/*
 * tests/t_structs_api.c - lists, buffers and rings: every bad argument of
 * every public call, and the basic semantics on one pinned CPU (LIFO order,
 * -ENOSPC at capacity with nothing lost, lost counts, records in order).
 *
 * Usage: t_structs_api [libc|own|fallback|seccomp]
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <string.h>

#include <percpu/percpu.h>
#include "lib/internal.h"	/* percpu_size_fits(), to try 32-bit limits */
#include "testutil.h"
#include "ringutil.h"

#ifndef PERCPU_RING_STEP
#define PERCPU_RING_STEP 1	/* before positions stepped by 2 */
#endif

static unsigned int nr;

static void test_list_args(void)
{
	struct percpu_list l, zero;
	struct percpu_list_node n;

	memset(&zero, 0, sizeof(zero));
	ok(percpu_list_init(NULL, 0) == -EINVAL && percpu_list_init(&l, 0x80) == -EINVAL,
	   "list init: NULL and flags != 0 give -EINVAL");
	ok(percpu_list_destroy(NULL) == -EINVAL && percpu_list_destroy(&zero) == -EINVAL,
	   "list destroy: NULL and uninitialised give -EINVAL");
	ok(percpu_list_init(&l, 0) == 0, "list init");
	ok(percpu_list_push(NULL, &n) == -EINVAL && percpu_list_push(&l, NULL) == -EINVAL &&
	   percpu_list_push(&zero, &n) == -EINVAL, "list push: bad list or node: -EINVAL");
	errno = 0;
	ok(percpu_list_pop(NULL) == NULL && errno == EINVAL, "list pop(NULL): NULL, EINVAL");
	ok(percpu_list_push_cpu(&l, &n, nr) == -ERANGE &&
	   percpu_list_push_cpu(&l, NULL, 0) == -EINVAL &&
	   percpu_list_push_cpu(NULL, &n, 0) == -EINVAL, "list push_cpu: -ERANGE, -EINVAL");
	errno = 0;
	ok(percpu_list_pop_cpu(&l, nr) == NULL && errno == ERANGE, "list pop_cpu: ERANGE");
	errno = 0;
	ok(percpu_list_drain_cpu(&l, nr) == NULL && errno == ERANGE &&
	   percpu_list_drain_cpu(NULL, 0) == NULL && errno == EINVAL,
	   "list drain_cpu: ERANGE, EINVAL");
	errno = 0;
	ok(percpu_list_pop_cpu(&l, 0) == NULL && errno == 0 && percpu_list_pop(&l) == NULL,
	   "failed calls changed nothing: the list is empty");
	ok(percpu_list_destroy(&l) == 0, "list destroy");
}

static void test_list_lifo(int cpu)
{
	struct percpu_list l;
	struct percpu_list_node n[4], *chain;
	int good;

	percpu_list_init(&l, 0);
	_percpu_list_push(&l, &n[0]);
	percpu_list_push(&l, &n[1]);
	_percpu_list_push(&l, &n[2]);
	good = percpu_list_pop(&l) == &n[2] && _percpu_list_pop(&l) == &n[1] &&
	       _percpu_list_pop(&l) == &n[0] && _percpu_list_pop(&l) == NULL &&
	       percpu_list_pop(&l) == NULL;
	ok(good, "list: LIFO order on CPU %d (inline and exported), NULL when empty", cpu);

	good = percpu_list_push_cpu(&l, &n[0], (unsigned int)cpu) == 0 &&
	       percpu_list_push_cpu(&l, &n[1], (unsigned int)cpu) == 0 &&
	       _percpu_list_pop(&l) == &n[1] &&
	       percpu_list_pop_cpu(&l, (unsigned int)cpu) == &n[0] &&
	       percpu_list_pop_cpu(&l, (unsigned int)cpu) == NULL;
	ok(good, "list: push_cpu/pop_cpu meet the local pops");

	for (int i = 0; i < 4; i++)
		percpu_list_push_cpu(&l, &n[i], nr - 1);
	chain = percpu_list_drain_cpu(&l, nr - 1);
	good = chain == &n[3] && n[3].next == &n[2] && n[2].next == &n[1] &&
	       n[1].next == &n[0] && n[0].next == NULL &&
	       percpu_list_drain_cpu(&l, nr - 1) == NULL &&
	       percpu_list_pop_cpu(&l, nr - 1) == NULL;
	ok(good, "list: drain_cpu(%u) returns the chain in pop order, NULL-ended, then empty",
	   nr - 1);
	percpu_list_destroy(&l);
}

static void test_buffer_args(void)
{
	struct percpu_buffer b, zero;
	int x;
	void *out[2];

	memset(&zero, 0, sizeof(zero));
	ok(percpu_buffer_init(NULL, 4, 0) == -EINVAL && percpu_buffer_init(&b, 0, 0) == -EINVAL &&
	   percpu_buffer_init(&b, PERCPU_BUFFER_MAX_CAPACITY + 1, 0) == -EINVAL &&
	   percpu_buffer_init(&b, 4, 0x80) == -EINVAL,
	   "buffer init: NULL, capacity 0 or too large, flags: -EINVAL");
	ok(percpu_buffer_destroy(NULL) == -EINVAL && percpu_buffer_destroy(&zero) == -EINVAL,
	   "buffer destroy: NULL and uninitialised give -EINVAL");
	ok(percpu_buffer_init(&b, 4, 0) == 0, "buffer init");
	ok(percpu_buffer_push(NULL, &x) == -EINVAL && percpu_buffer_push(&b, NULL) == -EINVAL &&
	   percpu_buffer_push(&zero, &x) == -EINVAL, "buffer push: bad buffer or NULL: -EINVAL");
	errno = 0;
	ok(percpu_buffer_pop(NULL) == NULL && errno == EINVAL, "buffer pop(NULL): EINVAL");
	ok(percpu_buffer_push_cpu(&b, &x, nr) == -ERANGE &&
	   percpu_buffer_push_cpu(&b, NULL, 0) == -EINVAL &&
	   percpu_buffer_push_cpu(NULL, &x, 0) == -EINVAL, "buffer push_cpu: -ERANGE, -EINVAL");
	errno = 0;
	ok(percpu_buffer_pop_cpu(&b, nr) == NULL && errno == ERANGE, "buffer pop_cpu: ERANGE");
	ok(percpu_buffer_drain_cpu(&b, nr, out, 2) == -ERANGE &&
	   percpu_buffer_drain_cpu(&b, 0, NULL, 2) == -EINVAL &&
	   percpu_buffer_drain_cpu(NULL, 0, out, 2) == -EINVAL &&
	   percpu_buffer_drain_cpu(&b, 0, NULL, 0) == 0,
	   "buffer drain_cpu: -ERANGE, -EINVAL; NULL out with max 0 is fine");
	ok(percpu_buffer_pop(&b) == NULL && percpu_buffer_pop_cpu(&b, 0) == NULL,
	   "failed calls changed nothing: the buffer is empty");
	ok(percpu_buffer_destroy(&b) == 0, "buffer destroy");
}

static void test_buffer_capacity(int cpu)
{
	struct percpu_buffer b;
	int x[6], good = 1;
	void *out[8];

	percpu_buffer_init(&b, 4, 0);
	for (int i = 0; i < 4; i++)
		good &= (i & 1 ? percpu_buffer_push(&b, &x[i]) : _percpu_buffer_push(&b, &x[i])) == 0;
	good &= _percpu_buffer_push(&b, &x[4]) == -ENOSPC && percpu_buffer_push(&b, &x[4]) == -ENOSPC;
	good &= percpu_buffer_push_cpu(&b, &x[4], (unsigned int)cpu) == -ENOSPC;
	ok(good, "buffer: 4 pushes fit on CPU %d, the 5th is -ENOSPC (inline, exported, _cpu)",
	   cpu);
	good = 1;
	for (int i = 3; i >= 0; i--)
		good &= (i & 1 ? _percpu_buffer_pop(&b) : percpu_buffer_pop(&b)) == &x[i];
	good &= _percpu_buffer_pop(&b) == NULL;
	ok(good, "buffer: pops return the 4 pointers last-in first-out, nothing lost, then NULL");

	for (int i = 0; i < 4; i++)
		percpu_buffer_push_cpu(&b, &x[i], nr - 1);
	good = percpu_buffer_pop_cpu(&b, nr - 1) == &x[3] &&
	       percpu_buffer_drain_cpu(&b, nr - 1, out, 2) == 2 && out[0] == &x[2] &&
	       out[1] == &x[1] && percpu_buffer_drain_cpu(&b, nr - 1, out, 8) == 1 &&
	       out[0] == &x[0] && percpu_buffer_drain_cpu(&b, nr - 1, out, 8) == 0;
	ok(good, "buffer: pop_cpu and drain_cpu(max) on CPU %u take from the top", nr - 1);
	percpu_buffer_destroy(&b);
}

/*
 * On every CPU of @mask, the inline calls and the _cpu calls (which find a
 * block by multiplying with the stride) must reach the same block: the
 * sequences find it with a shift, so the stride must be a power of two.  A
 * capacity of 100 makes a block of 816 bytes, not one.
 */
static void test_buffer_every_cpu(const cpu_set_t *mask)
{
	struct percpu_buffer b;
	cpu_set_t one;
	int x[2], good = 1, cpus = 0;

	if (percpu_buffer_init(&b, 100, 0) != 0) {
		ok(0, "buffer: init with capacity 100");
		return;
	}
	for (int cpu = 0; cpu < CPU_SETSIZE && (unsigned int)cpu < nr; cpu++) {
		if (!CPU_ISSET(cpu, mask))
			continue;
		CPU_ZERO(&one);
		CPU_SET(cpu, &one);
		if (sched_setaffinity(0, sizeof(one), &one) != 0)
			continue;
		cpus++;
		good &= _percpu_buffer_push(&b, &x[0]) == 0 &&
			percpu_buffer_pop_cpu(&b, (unsigned int)cpu) == &x[0];
		good &= percpu_buffer_push_cpu(&b, &x[1], (unsigned int)cpu) == 0 &&
			_percpu_buffer_pop(&b) == &x[1];
	}
	ok(good && cpus > 0, "buffer: on each of %d CPUs the inline and the _cpu calls share a "
	   "block", cpus);
	percpu_buffer_destroy(&b);
}

/*
 * Size computations of every init: what overflows a size_t is -EINVAL,
 * what fits but cannot be mapped is -ENOMEM; never a short mapping.
 */
static void test_sizes(void)
{
	const size_t max32 = UINT32_MAX;
	struct percpu_ring r;
	int ret;

	ok(!percpu_size_fits(2 * PERCPU_CACHELINE_BYTES, (size_t)1 << 24,
			     4096, 1, max32) &&
	   !percpu_size_fits(2 * PERCPU_CACHELINE_BYTES, (size_t)1 << 20, 4096, 2, max32) &&
	   !percpu_size_fits(64, PERCPU_BUFFER_MAX_CAPACITY, 4, 64, max32) &&
	   percpu_size_fits(2 * PERCPU_CACHELINE_BYTES, 1024, 64, 64, max32) &&
	   percpu_size_fits(64, 1024, 4, 256, max32) &&
	   !percpu_size_fits(0, 1, 1, 1, (size_t)1 << 20) &&
	   !percpu_size_fits(64, SIZE_MAX / 2, 4, 1, SIZE_MAX) &&
	   !percpu_size_fits(64, 1, 4, 0, SIZE_MAX),
	   "size check with a 32-bit size_t: ring 4096 x 2^20 x 2 CPUs and buffer 2^24 x 64 CPUs "
	   "overflow, small ones fit");
	/* 1 GiB per CPU: mapped (untouched) or -ENOMEM, never a crash. */
	ret = percpu_ring_init(&r, PERCPU_RING_MAX_BYTES, 0);
	ok(ret == 0 || ret == -ENOMEM,
	   "ring init with the largest sizes: %d", ret);
	if (ret == 0)
		percpu_ring_destroy(&r);
}

/*
 * init on a live object: -EBUSY, and the object keeps working with its
 * contents; garbage, zeroed and destroyed objects initialise normally.
 */
static void test_reinit(void)
{
	struct percpu_counter c;
	struct percpu_list l;
	struct percpu_buffer b;
	struct percpu_ring r;
	struct percpu_list_node n;
	int64_t sum = 0;
	uint64_t rec = 42, back = 0;
	int x, good;

	good = percpu_counter_init(&c, 0) == 0 && percpu_counter_add(&c, 5) == 0 &&
	       percpu_counter_init(&c, 0) == -EBUSY &&
	       percpu_counter_sum(&c, &sum) == 0 && sum == 5 && percpu_counter_destroy(&c) == 0 &&
	       percpu_counter_init(&c, 0) == 0 && percpu_counter_destroy(&c) == 0;
	good &= percpu_list_init(&l, 0) == 0 && percpu_list_push_cpu(&l, &n, 0) == 0 &&
		percpu_list_init(&l, 0) == -EBUSY && percpu_list_pop_cpu(&l, 0) == &n &&
		percpu_list_destroy(&l) == 0;
	good &= percpu_buffer_init(&b, 4, 0) == 0 && percpu_buffer_push_cpu(&b, &x, 0) == 0 &&
		percpu_buffer_init(&b, 8, 0) == -EBUSY && b.capacity == 4 &&
		percpu_buffer_pop_cpu(&b, 0) == &x && percpu_buffer_destroy(&b) == 0;
	good &= percpu_ring_init(&r, PERCPU_RING_MIN_BYTES, 0) == 0 &&
		percpu_ring_write(&r, 1, &rec, sizeof(rec)) == 0 &&
		percpu_ring_init(&r, PERCPU_RING_MIN_BYTES, 0) == -EBUSY;
	for (unsigned int cpu = 0; cpu < nr && back != 42; cpu++)
		ring_read_rec(&r, cpu, &back, sizeof(back));
	good &= back == 42 && percpu_ring_destroy(&r) == 0;
	ok(good, "init of a live counter, list, buffer, ring: -EBUSY, contents kept; "
	   "after destroy: 0");

	memset(&c, 0xa5, sizeof(c));
	memset(&l, 0xa5, sizeof(l));
	memset(&b, 0xa5, sizeof(b));
	memset(&r, 0xa5, sizeof(r));
	good = percpu_counter_init(&c, 0) == 0 && percpu_list_init(&l, 0) == 0 &&
	       percpu_buffer_init(&b, 4, 0) == 0 && percpu_ring_init(&r, PERCPU_RING_MIN_BYTES, 0) == 0;
	percpu_counter_destroy(&c);
	percpu_list_destroy(&l);
	percpu_buffer_destroy(&b);
	percpu_ring_destroy(&r);
	/* The magic alone (a stale or unlucky word) is not enough to refuse. */
	memset(&c, 0, sizeof(c));
	c.magic = PERCPU_COUNTER_MAGIC;
	c.mem.nr = nr;
	memset(&r, 0, sizeof(r));
	r.magic = PERCPU_RING_MAGIC;
	r.mem.base = (char *)&r + 1;
	r.mem.nr = nr;
	good &= percpu_counter_init(&c, 0) == 0 && percpu_ring_init(&r, PERCPU_RING_MIN_BYTES, 0) == 0;
	percpu_counter_destroy(&c);
	percpu_ring_destroy(&r);
	ok(good, "garbage, or the magic without memory from mmap: init works");
}

int main(int argc, char **argv)
{
	struct test_mode m = test_mode_setup(argc, argv);
	cpu_set_t saved;
	int cpu;

	nr = percpu_nr_cpus();
	plan(31);
	diag("mode %s, %u CPUs", m.name, nr);
	test_list_args();
	test_buffer_args();
	test_sizes();
	test_reinit();
	cpu = pin_first(&saved);
	if (cpu < 0) {
		skip(7, "cannot pin to a CPU");
	} else {
		test_list_lifo(cpu);
		test_buffer_capacity(cpu);
		test_buffer_every_cpu(&saved);
		sched_setaffinity(0, sizeof(saved), &saved);
	}
	return exit_status();
}
