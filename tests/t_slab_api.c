/* SPDX-License-Identifier: MIT */
/*
 * tests/t_slab_api.c - per-CPU slabs: every bad argument of every public call
 * with its documented error, and the semantics on one pinned CPU: LIFO order,
 * classes kept apart, -ENOSPC and partial batches at capacity, local and
 * remote grow/shrink, shrink and drain handing over exactly what was there,
 * lazy set-up (init touches no CPU's memory), mm_cid indexing.
 *
 * Usage: t_slab_api [libc|own|fallback|seccomp]
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <sched.h>
#include <stdint.h>
#include <string.h>
#include <sys/types.h>

#include <percpu/percpu.h>
#include "testutil.h"

#define NCLASSES	130
#define NOBJ		4096

static unsigned int nr;
static char objs[NOBJ];

/*
 * The inline fast paths' slow paths, interposed (this program's definitions
 * take the calls from its own inlined code) to count how often the fast
 * path gave up: on one pinned CPU with rseq, only a class's first use should.
 * Only where the library is a shared object (tests/Makefile.am defines
 * COUNT_SLOW_CALLS): a static link (tests/arch/run.sh) has no RTLD_NEXT.
 */
static unsigned long slow_calls;
#ifdef COUNT_SLOW_CALLS
void *percpu_slab_pop_slow(struct percpu_slab *s, unsigned int cls)
{
	static void *(*real)(struct percpu_slab *, unsigned int);

	if (!real)
		real = (void *(*)(struct percpu_slab *, unsigned int))dlsym(RTLD_NEXT,
									    "percpu_slab_pop_slow");
	slow_calls++;
	return real(s, cls);
}

int percpu_slab_push_slow(struct percpu_slab *s, unsigned int cls, void *ptr)
{
	static int (*real)(struct percpu_slab *, unsigned int, void *);

	if (!real)
		real = (int (*)(struct percpu_slab *, unsigned int, void *))dlsym(RTLD_NEXT,
									  "percpu_slab_push_slow");
	slow_calls++;
	return real(s, cls, ptr);
}
#endif

struct collect {
	void *got[NOBJ];
	unsigned int cls[NOBJ];
	size_t n;
	unsigned int calls;
};

static void collect(void *arg, unsigned int cls, void **ptrs, size_t n)
{
	struct collect *c = arg;

	for (size_t i = 0; i < n && c->n < NOBJ; i++) {
		c->cls[c->n] = cls;
		c->got[c->n++] = ptrs[i];
	}
	c->calls++;
}

static uint16_t maxc[NCLASSES], initc[NCLASSES];

static void test_init_args(void)
{
	struct percpu_slab s, zero;
	uint16_t big[2] = { 40000, 40000 };
	uint16_t bad_init[1] = { 9 }, max8[1] = { 8 };

	memset(&zero, 0, sizeof(zero));
	ok(percpu_slab_init(NULL, 1, max8, NULL, 0) == -EINVAL &&
	   percpu_slab_init(&s, 0, max8, NULL, 0) == -EINVAL &&
	   percpu_slab_init(&s, PERCPU_SLAB_MAX_CLASSES + 1, max8, NULL, 0) == -EINVAL &&
	   percpu_slab_init(&s, 1, NULL, NULL, 0) == -EINVAL &&
	   percpu_slab_init(&s, 1, max8, NULL, 0x80) == -EINVAL,
	   "init: NULL slab or capacities, 0 or too many classes, unknown flags: -EINVAL");
	ok(percpu_slab_init(&s, 1, max8, bad_init, 0) == -EINVAL,
	   "init: a capacity above its max_capacity: -EINVAL");
	ok(percpu_slab_init(&s, 2, big, NULL, 0) == -EINVAL,
	   "init: more than PERCPU_SLAB_MAX_UNITS units per slot: -EINVAL");
	ok(percpu_slab_destroy(NULL) == -EINVAL && percpu_slab_destroy(&zero) == -EINVAL,
	   "destroy: NULL and uninitialised give -EINVAL");
	ok(percpu_slab_init(&s, NCLASSES, maxc, initc, 0) == 0, "init with %d classes",
	   NCLASSES);
	ok(percpu_slab_init(&s, NCLASSES, maxc, initc, 0) == -EBUSY,
	   "init again without destroy: -EBUSY");
	{
		int untouched = 1;

		/* Init writes nothing: every CPU's memory still reads 0. */
		for (unsigned int cpu = 0; cpu < nr; cpu++)
			for (unsigned int c = 0; c <= NCLASSES; c++)
				untouched &= _percpu_slab_slot(&s, cpu)[c] == 0;
		ok(untouched, "init wrote nothing into any CPU's slot");
	}
	ok(percpu_slab_destroy(&s) == 0 && percpu_slab_destroy(&s) == -EINVAL,
	   "destroy, then destroy again: -EINVAL");
}

static void test_call_args(struct percpu_slab *s)
{
	struct percpu_slab zero;
	void *p = objs, *out[2];

	memset(&zero, 0, sizeof(zero));
	ok(percpu_slab_push(NULL, 0, p) == -EINVAL && percpu_slab_push(&zero, 0, p) == -EINVAL &&
	   percpu_slab_push(s, NCLASSES, p) == -EINVAL && percpu_slab_push(s, 0, NULL) == -EINVAL,
	   "push: bad slab, class or NULL pointer: -EINVAL");
	errno = 0;
	ok(percpu_slab_pop(NULL, 0) == NULL && errno == EINVAL, "pop(NULL): NULL, EINVAL");
	errno = 0;
	ok(percpu_slab_pop(s, NCLASSES) == NULL && errno == EINVAL, "pop(bad class): NULL, EINVAL");
	ok(percpu_slab_push_batch(NULL, 0, out, 1) == -EINVAL &&
	   percpu_slab_push_batch(s, NCLASSES, out, 1) == -EINVAL &&
	   percpu_slab_push_batch(s, 0, NULL, 1) == -EINVAL &&
	   percpu_slab_push_batch(s, 0, out, PERCPU_SLAB_MAX_UNITS + 1) == -EINVAL,
	   "push_batch: bad slab, class, NULL array, n too large: -EINVAL");
	ok(percpu_slab_pop_batch(NULL, 0, out, 1) == -EINVAL &&
	   percpu_slab_pop_batch(s, NCLASSES, out, 1) == -EINVAL &&
	   percpu_slab_pop_batch(s, 0, NULL, 1) == -EINVAL &&
	   percpu_slab_pop_batch(s, 0, out, PERCPU_SLAB_MAX_UNITS + 1) == -EINVAL,
	   "pop_batch: bad slab, class, NULL array, n too large: -EINVAL");
	ok(percpu_slab_push_batch(s, 0, NULL, 0) == 0 && percpu_slab_pop_batch(s, 0, NULL, 0) == 0,
	   "batches of 0 with a NULL array: 0");
	ok(percpu_slab_grow(NULL, 0, 1) == -EINVAL && percpu_slab_grow(s, NCLASSES, 1) == -EINVAL &&
	   percpu_slab_shrink(&zero, 0, 1) == -EINVAL &&
	   percpu_slab_shrink(s, NCLASSES, 1) == -EINVAL,
	   "grow/shrink: bad slab or class: -EINVAL");
	ok(percpu_slab_grow_cpu(s, nr, 0, 1) == -ERANGE &&
	   percpu_slab_grow_cpu(NULL, 0, 0, 1) == -EINVAL &&
	   percpu_slab_grow_cpu(s, 0, NCLASSES, 1) == -EINVAL,
	   "grow_cpu: -ERANGE for a CPU out of range, -EINVAL for bad slab or class");
	ok(percpu_slab_shrink_cpu(s, nr, 0, 1, NULL, NULL) == -ERANGE &&
	   percpu_slab_shrink_cpu(&zero, 0, 0, 1, NULL, NULL) == -EINVAL &&
	   percpu_slab_shrink_cpu(s, 0, NCLASSES, 1, NULL, NULL) == -EINVAL,
	   "shrink_cpu: -ERANGE, -EINVAL");
	ok(percpu_slab_drain_cpu(s, nr, 0, collect, NULL) == -ERANGE &&
	   percpu_slab_drain_cpu(s, 0, 0, NULL, NULL) == -EINVAL &&
	   percpu_slab_drain_cpu(NULL, 0, 0, collect, NULL) == -EINVAL &&
	   percpu_slab_drain_cpu(s, 0, NCLASSES, collect, NULL) == -EINVAL,
	   "drain_cpu: -ERANGE, -EINVAL for no handler, bad slab or class");
	ok(percpu_slab_length_cpu(s, nr, 0) == -ERANGE && percpu_slab_length_cpu(NULL, 0, 0) ==
	   -EINVAL && percpu_slab_length_cpu(s, 0, NCLASSES) == -EINVAL &&
	   percpu_slab_capacity_cpu(s, nr, 0) == -ERANGE &&
	   percpu_slab_capacity_cpu(&zero, 0, 0) == -EINVAL &&
	   percpu_slab_capacity_cpu(s, 0, NCLASSES) == -EINVAL,
	   "length_cpu/capacity_cpu: -ERANGE, -EINVAL");
}

/* On @cpu, pinned: the local calls, each against the remote view. */
static void test_local(struct percpu_slab *s, unsigned int cpu)
{
	void *out[64], *in[64];
	int lifo = 1, apart = 1;
	ssize_t n;

	ok(percpu_slab_length_cpu(s, cpu, 3) == 0 && percpu_slab_capacity_cpu(s, cpu, 3) ==
	   initc[3], "before first use: empty, capacity as given at init (%zd)",
	   percpu_slab_capacity_cpu(s, cpu, 3));
	/* Class 3: capacity 4 of max 8.  Class 4 next to it stays apart. */
	for (int i = 0; i < 4; i++)
		lifo &= percpu_slab_push(s, 3, &objs[i]) == 0;
	ok(lifo && percpu_slab_push(s, 3, &objs[4]) == -ENOSPC &&
	   percpu_slab_length_cpu(s, cpu, 3) == 4,
	   "push 4 into capacity 4, the fifth gives -ENOSPC, length 4");
	ok(_percpu_slab_push(s, 4, &objs[100]) == 0 && percpu_slab_length_cpu(s, cpu, 4) == 1,
	   "inline push into the next class");
	for (int i = 3; i >= 0; i--)
		lifo &= (i & 1 ? _percpu_slab_pop(s, 3) : percpu_slab_pop(s, 3)) == &objs[i];
	errno = 0;
	ok(lifo && percpu_slab_pop(s, 3) == NULL && errno == 0, "pops in LIFO order, then NULL "
	   "with errno unchanged");
	apart = percpu_slab_pop(s, 4) == &objs[100] && percpu_slab_pop(s, 4) == NULL;
	ok(apart, "the next class kept its own pointer");

	ok(percpu_slab_grow(s, 3, 100) == 4 && percpu_slab_capacity_cpu(s, cpu, 3) == 8 &&
	   percpu_slab_grow(s, 3, 1) == 0,
	   "grow by 100 adds 4 (up to max_capacity 8), then 0");
	for (int i = 0; i < 64; i++)
		in[i] = &objs[200 + i];
	n = percpu_slab_push_batch(s, 3, in, 5);
	ok(n == 5 && percpu_slab_length_cpu(s, cpu, 3) == 5, "push_batch of 5 (%zd)", n);
	ok(percpu_slab_shrink(s, 3, 100) == 3 && percpu_slab_capacity_cpu(s, cpu, 3) == 5,
	   "local shrink removes only the unused capacity (3)");
	n = percpu_slab_push_batch(s, 3, in + 5, 10);
	ok(n == 0, "push_batch into a full class: 0 (%zd)", n);
	ok(percpu_slab_grow(s, 3, 2) == 2, "grow by 2");
	n = _percpu_slab_push_batch(s, 3, in + 5, 10);
	ok(n == 2 && percpu_slab_length_cpu(s, cpu, 3) == 7,
	   "push_batch of 10 into 2 free: 2 (partial)");
	memset(out, 0, sizeof(out));
	n = percpu_slab_pop_batch(s, 3, out, 3);
	ok(n == 3 && out[0] == in[4] && out[1] == in[5] && out[2] == in[6] && out[3] == NULL,
	   "pop_batch of 3: the last 3 stored, most recent last, nothing written beyond");
	n = _percpu_slab_pop_batch(s, 3, out, 64);
	ok(n == 4 && out[0] == in[0] && out[3] == in[3], "pop_batch of 64 from 4: 4");
	n = percpu_slab_pop_batch(s, 3, out, 64);
	ok(n == 0, "pop_batch from empty: 0");

	/* Remote views and operations on our own CPU (the lock on our slot). */
	ok(percpu_slab_grow_cpu(s, cpu, 3, 1) == 1 && percpu_slab_capacity_cpu(s, cpu, 3) == 8,
	   "grow_cpu adds 1 (to max)");
	ok(percpu_slab_push_batch(s, 3, in, 8) == 8, "fill the class (8)");
	{
		struct collect c;

		memset(&c, 0, sizeof(c));
		ok(percpu_slab_shrink_cpu(s, cpu, 3, 3, NULL, NULL) == -EINVAL &&
		   percpu_slab_length_cpu(s, cpu, 3) == 8 && percpu_slab_capacity_cpu(s, cpu, 3) == 8,
		   "shrink_cpu over stored pointers without a handler: -EINVAL, nothing changed");
		n = percpu_slab_shrink_cpu(s, cpu, 3, 3, collect, &c);
		ok(n == 3 && c.n == 3 && c.got[0] == in[5] && c.got[2] == in[7] && c.cls[0] == 3 &&
		   percpu_slab_length_cpu(s, cpu, 3) == 5 && percpu_slab_capacity_cpu(s, cpu, 3) == 5,
		   "shrink_cpu by 3 of a full class hands the 3 pointers above the new end to the "
		   "handler");
		n = percpu_slab_shrink_cpu(s, cpu, 3, 100, collect, &c);
		ok(n == 5 && c.n == 8 && percpu_slab_capacity_cpu(s, cpu, 3) == 0 &&
		   percpu_slab_push(s, 3, in[0]) == -ENOSPC,
		   "shrink_cpu to 0: all handed over, push gives -ENOSPC");
		ok(percpu_slab_grow_cpu(s, cpu, 3, 8) == 8, "grow_cpu back to 8");
	}
	{
		struct collect c;
		int all = 1;

		memset(&c, 0, sizeof(c));
		ok(percpu_slab_push_batch(s, 0, in, 2) == 2 && percpu_slab_push_batch(s, 3, in + 2,
										   3) == 3 &&
		   percpu_slab_push(s, NCLASSES - 1, in[5]) == 0, "push 2, 3 and 1 into 3 classes");
		n = percpu_slab_drain_cpu(s, cpu, 3, collect, &c);
		ok(n == 3 && c.calls == 1 && c.got[0] == in[2] && c.got[2] == in[4] &&
		   percpu_slab_length_cpu(s, cpu, 3) == 0 && percpu_slab_length_cpu(s, cpu, 0) == 2,
		   "drain_cpu of one class: its 3 pointers in one call, others untouched");
		n = percpu_slab_drain_cpu(s, cpu, PERCPU_SLAB_ALL_CLASSES, collect, &c);
		ok(n == 3 && c.calls == 3 && c.n == 6 && c.cls[3] == 0 && c.cls[5] == NCLASSES - 1,
		   "drain_cpu of every class: 3 more, one call per non-empty class");
		for (unsigned int k = 0; k < NCLASSES; k++)
			all &= percpu_slab_length_cpu(s, cpu, k) == 0;
		ok(all && percpu_slab_capacity_cpu(s, cpu, 3) == 8, "all empty, capacity kept");
	}
}

/* Another CPU's slot from here (needs two allowed CPUs). */
static void test_remote(struct percpu_slab *s, unsigned int here, unsigned int other)
{
	struct collect c;
	ssize_t n;

	memset(&c, 0, sizeof(c));
	ok(percpu_slab_grow_cpu(s, other, 5, 100) == maxc[5] - initc[5] &&
	   percpu_slab_capacity_cpu(s, other, 5) == maxc[5] &&
	   percpu_slab_capacity_cpu(s, here, 5) == initc[5],
	   "grow_cpu on another CPU changes that CPU only");
	n = percpu_slab_shrink_cpu(s, other, 5, 1, collect, &c);
	ok(n == 1 && c.n == 0 && percpu_slab_capacity_cpu(s, other, 5) == maxc[5] - 1,
	   "shrink_cpu of an empty class on another CPU hands nothing over");
	n = percpu_slab_drain_cpu(s, other, PERCPU_SLAB_ALL_CLASSES, collect, &c);
	ok(n == 0 && c.calls == 0, "drain_cpu of an empty CPU: 0, no call");
}

/*
 * Pinned, with rseq: 10000 inline push+pop pairs take the fast path, bar the
 * class's first use and the odd abort.  (x86_64 once gave a sequence's
 * memory operand the register its descriptor address is loaded into: every
 * pop failed its comparison and went to the slow path, still correct.)
 */
static void test_fast(const struct test_mode *m)
{
	struct percpu_slab s;
	cpu_set_t saved;
	unsigned long before;
	int good = 1;

#ifndef COUNT_SLOW_CALLS
	skip(1, "slow-path calls are counted only against the shared library");
	return;
#endif
	if (m->mode == PERCPU_MODE_FALLBACK) {
		skip(1, "mode %s: every operation takes the slow path", m->name);
		return;
	}
	memset(&s, 0, sizeof(s));
	if (percpu_slab_init(&s, NCLASSES, maxc, initc, 0) != 0 || pin_first(&saved) < 0) {
		skip(1, "cannot set up or pin");
		return;
	}
	before = slow_calls;
	for (int i = 0; i < 10000; i++) {
		good &= _percpu_slab_push(&s, 9, &objs[i & 7]) == 0;
		good &= _percpu_slab_pop(&s, 9) == &objs[i & 7];
	}
	sched_setaffinity(0, sizeof(saved), &saved);
	ok(good && slow_calls - before < 100, "10000 inline push+pop pairs on a pinned CPU took "
	   "the slow path %lu times", slow_calls - before);
	percpu_slab_destroy(&s);
}

static void test_mm_cid(void)
{
	struct percpu_slab s;
	int err;
	void *p;

	memset(&s, 0, sizeof(s));
	err = percpu_slab_init(&s, NCLASSES, maxc, initc, PERCPU_MM_CID);
	if (err == -ENOTSUP) {
		skip(2, "no mm_cid here");
		return;
	}
	ok(err == 0, "init with PERCPU_MM_CID (%d)", err);
	err = percpu_slab_push(&s, 7, &objs[7]);
	p = percpu_slab_pop(&s, 7);
	ok(err == 0 && p == &objs[7] && percpu_slab_destroy(&s) == 0,
	   "mm_cid slab: push then pop (%d, %p)", err, p);
}

int main(int argc, char **argv)
{
	struct test_mode m = test_mode_setup(argc, argv);
	struct percpu_slab s;
	cpu_set_t saved;
	int cpu, other = -1;

	nr = percpu_nr_cpus();
	for (int c = 0; c < NCLASSES; c++) {
		maxc[c] = 8;
		initc[c] = 4;
	}
	plan(50);
	diag("mode %s, %u CPUs", m.name, nr);
	test_init_args();
	memset(&s, 0, sizeof(s));
	if (percpu_slab_init(&s, NCLASSES, maxc, initc, 0) != 0)
		skip_all("init failed");
	test_call_args(&s);
	cpu = pin_first(&saved);
	if (cpu < 0) {
		skip(30, "cannot pin to a CPU");
	} else {
		test_local(&s, (unsigned int)cpu);
		for (int c = cpu + 1; c < CPU_SETSIZE && c < (int)nr; c++)
			if (CPU_ISSET(c, &saved)) {
				other = c;
				break;
			}
		if (other < 0)
			skip(3, "one CPU allowed: no other CPU to act on");
		else
			test_remote(&s, (unsigned int)cpu, (unsigned int)other);
		sched_setaffinity(0, sizeof(saved), &saved);
	}
	ok(percpu_slab_destroy(&s) == 0, "destroy");
	test_fast(&m);
	test_mm_cid();
	return exit_status();
}
