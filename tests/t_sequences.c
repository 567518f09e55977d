/* SPDX-License-Identifier: MIT */
/*
 * tests/t_sequences.c - every sequence of this architecture, one by one: what
 * it writes when it commits, that it writes nothing on a failed comparison or
 * on another CPU, and that every descriptor it emitted is well formed and has
 * the signature right before its abort handler.
 *
 * The first part runs each sequence on an area the kernel does not know,
 * whose cpu_id we set: that checks the instructions even where rseq is
 * missing (qemu-user), and nothing can abort there.  The second part runs them
 * on the thread's real area, where the kernel may abort them.
 *
 * Usage: t_sequences [libc|own|fallback|seccomp]
 */
#define _GNU_SOURCE
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

/*
 * Every sequence is built with the stress tests' injection hooks, which cost
 * registers: this proves that each still finds enough on this architecture.
 */
static int inject_loops[4] = { 0, 3, 2, 1 };
#define PERCPU_INJECT_ASM(n)	PERCPU_ARCH_INJECT_SPIN_ASM(n)
#define PERCPU_INJECT_INPUT	PERCPU_ARCH_INJECT_SPIN_INPUT(inject_loops)
#define PERCPU_INJECT_CLOBBER	PERCPU_ARCH_INJECT_SPIN_CLOBBER

#include <percpu/percpu.h>
#include "testutil.h"

/* struct rseq_cs as the kernel reads it. */
struct cs_desc {
	uint32_t version;
	uint32_t flags;
	uint64_t start_ip;
	uint64_t post_commit_offset;
	uint64_t abort_ip;
};

/* The linker defines these for sections whose names are C identifiers. */
extern const uint64_t __start___rseq_cs_ptr_array[] __attribute__((weak, visibility("hidden")));
extern const uint64_t __stop___rseq_cs_ptr_array[] __attribute__((weak, visibility("hidden")));
extern const uint64_t __start___rseq_exit_point_array[]
	__attribute__((weak, visibility("hidden")));
extern const uint64_t __stop___rseq_exit_point_array[]
	__attribute__((weak, visibility("hidden")));

#define NWORDS 20	/* past two turns of the widest copy loop (x86: 64 B) */
#define NCHECKS 20	/* ok() calls in check_all() */

static struct percpu_rseq_abi fake;
static intptr_t v, v2, load, node[2];
static intptr_t src[NWORDS], dst[NWORDS];

static void fill(intptr_t *a, intptr_t base)
{
	for (int i = 0; i < NWORDS; i++)
		a[i] = base + i;
}

/*
 * The slab's batches (percpu/slab.h): the committed word and the copied
 * words in one block; a pop batch copies out of the block into the caller's
 * memory, a push batch into the block, every length from one word up.
 * Exactly the words asked for move, nothing beyond.  A function of its own:
 * in ARM mode one large function pushed gcc's literal pool out of reach.
 */
static __attribute__((noinline)) void check_copies(struct percpu_rseq_abi *rs, unsigned int cpu,
						   int real, const char *where, int wide)
{
	const char *how = wide ? "trymemcpy_wide" : "trymemcpy";
	intptr_t block[1 + NWORDS], out[NWORDS + 1];
	int good = 1, r;

#define CHECK(cond, ...)	ok(cond, __VA_ARGS__)
#define RUN(call)							\
	do {								\
		if (real)						\
			cpu = percpu_rseq_cpu_start(rs);		\
		r = (call);						\
	} while (r == PERCPU_SEQ_ABORTED || (real && r == PERCPU_SEQ_CPU_MISMATCH))

	for (size_t k = 1; k <= NWORDS; k++) {
		fill(block + 1, 200);
		block[0] = 10;
		for (int i = 0; i <= NWORDS; i++)
			out[i] = -1;
		RUN(wide ? percpu_arch_cmpeqv_trymemcpy_wide_storev(rs, &block[0], 10, out,
								 &block[1 + NWORDS - k],
								 k * sizeof(intptr_t),
								 10 - (intptr_t)k, cpu,
								 &rs->cpu_id) :
			   percpu_arch_cmpeqv_trymemcpy_storev(rs, &block[0], 10, out,
							       &block[1 + NWORDS - k],
							       k * sizeof(intptr_t), 10 - (intptr_t)k,
							       cpu, &rs->cpu_id));
		good &= r == PERCPU_SEQ_COMMITTED && block[0] == 10 - (intptr_t)k &&
			out[0] == 200 + NWORDS - (intptr_t)k && out[k - 1] == 200 + NWORDS - 1 &&
			out[k] == -1;
	}
	CHECK(good, "%s: %s copies 1 to %d words out of the committed block",
	      where, how, NWORDS);
	good = 1;
	for (size_t k = 1; k < NWORDS; k++) {
		fill(src, 300);
		fill(block + 1, 0);
		block[0] = 20;
		RUN(wide ? percpu_arch_cmpeqv_trymemcpy_wide_storev_release(
				   rs, &block[0], 20, &block[2], src, k * sizeof(intptr_t),
				   20 + (intptr_t)k, cpu, &rs->cpu_id) :
			   percpu_arch_cmpeqv_trymemcpy_storev_release(
				   rs, &block[0], 20, &block[2], src, k * sizeof(intptr_t),
				   20 + (intptr_t)k, cpu, &rs->cpu_id));
		good &= r == PERCPU_SEQ_COMMITTED && block[0] == 20 + (intptr_t)k &&
			block[1] == 0 && block[2] == 300 && block[1 + k] == 300 + (intptr_t)k - 1 &&
			(k + 2 > NWORDS || block[2 + k] == (intptr_t)k + 1);
	}
	CHECK(good, "%s: %s_release copies 1 to %d words into the committed block",
	      where, how, NWORDS - 1);
#undef RUN
#undef CHECK
}

/*
 * Run @call into r again while the kernel aborted it or moved the thread
 * (only on the real area, where the pinned thread still finds one slot).
 */
#define RUN_PINNED(call)						\
	do {								\
		r = (call);						\
	} while (real && (r == PERCPU_SEQ_ABORTED || r == PERCPU_SEQ_CPU_MISMATCH))

/*
 * The slab's pair (percpu/slab.h), which reads the index itself inside the
 * section: slots of 1 << SLAB_SHIFT bytes from a base aligned to
 * PERCPU_SLAB_ARCH_ALIGN, class 1's header in word 1 of each, its pointers
 * in words [4, end).  The flag bit above the shift in @fast must be
 * ignored.  On the real area the thread is pinned, so every call finds the
 * same slot; the kernel may still abort a call, which is then run again.
 */
#define SLAB_SHIFT	8
#define SLAB_WORDS	((1u << SLAB_SHIFT) / sizeof(intptr_t))
#define SLAB_HDR(cur, end)	((intptr_t)(((uintptr_t)(end) << 16) | (cur)))
#define NSLAB		6	/* ok() calls in check_slab() */

static intptr_t *slab_slot(intptr_t *mem, unsigned int i)
{
	return mem + (size_t)i * SLAB_WORDS;
}

static __attribute__((noinline)) void check_slab(struct percpu_rseq_abi *rs, int real,
						 const char *where)
{
	unsigned int nslots = real ? percpu_nr_cpus() : 4, used = 3, changed = 0, i;
	size_t size = (size_t)nslots << SLAB_SHIFT;
	intptr_t *mem = aligned_alloc(PERCPU_SLAB_ARCH_ALIGN, size), *slot, p = 0;
	uintptr_t fast = (uintptr_t)mem | SLAB_SHIFT | (PERCPU_SLAB_ARCH_ALIGN / 2);
	const uint32_t nr = UINT32_C(1) << 31;
	int r, good = 1;

	if (!mem)
		abort();
	memset(mem, 0, size);
	for (i = 0; i < nslots; i++) {
		slab_slot(mem, i)[1] = SLAB_HDR(4, 7);
		slab_slot(mem, i)[7] = -7;	/* right past the class: never written */
	}
	for (intptr_t k = 0; k < 3; k++) {
		RUN_PINNED(percpu_arch_slab_push_cpu(rs, nr, fast, 1, 1000 + k));
		good &= r == PERCPU_SEQ_COMMITTED;
	}
	if (real)
		used = percpu_rseq_cpu_start(rs);
	slot = slab_slot(mem, used);
	ok(good && slot[1] == SLAB_HDR(7, 7) && slot[4] == 1000 && slot[6] == 1002,
	   "%s: slab_push_cpu pushes 3 into slot %u (header 0x%lx)", where, used,
	   (unsigned long)slot[1]);
	RUN_PINNED(percpu_arch_slab_push_cpu(rs, nr, fast, 1, 1003));
	ok(r == PERCPU_SEQ_CMPFAIL && slot[1] == SLAB_HDR(7, 7) && slot[7] == -7,
	   "%s: slab_push_cpu on a full class fails, writes nothing (%d)", where, r);
	good = 1;
	for (intptr_t k = 2; k >= 0; k--) {
		RUN_PINNED(percpu_arch_slab_pop_cpu(rs, nr, fast, 1, 4, &p));
		good &= r == PERCPU_SEQ_COMMITTED && p == 1000 + k;
	}
	ok(good && slot[1] == SLAB_HDR(4, 7), "%s: slab_pop_cpu pops 3, last in first out",
	   where);
	RUN_PINNED(percpu_arch_slab_pop_cpu(rs, nr, fast, 1, 4, &p));
	ok(r == PERCPU_SEQ_CMPFAIL && slot[1] == SLAB_HDR(4, 7),
	   "%s: slab_pop_cpu on an empty class fails (%d)", where, r);
	/* A header of 0 (a class locked or not set up) is full and empty. */
	slot[1] = 0;
	RUN_PINNED(percpu_arch_slab_push_cpu(rs, nr, fast, 1, 1004));
	good = r == PERCPU_SEQ_CMPFAIL;
	RUN_PINNED(percpu_arch_slab_pop_cpu(rs, nr, fast, 1, 4, &p));
	ok(good && r == PERCPU_SEQ_CMPFAIL && slot[0] == 0 && slot[1] == 0,
	   "%s: a header of 0 fails push and pop", where);
	/* end in the top half of the 16 bits (the sign bit of a 32-bit word). */
	slot[1] = SLAB_HDR(4, 0xfff0);
	RUN_PINNED(percpu_arch_slab_push_cpu(rs, nr, fast, 1, 1005));
	good = r == PERCPU_SEQ_COMMITTED && slot[1] == SLAB_HDR(5, 0xfff0) && slot[4] == 1005;
	RUN_PINNED(percpu_arch_slab_pop_cpu(rs, nr, fast, 1, 4, &p));
	good &= r == PERCPU_SEQ_COMMITTED && p == 1005 && slot[1] == SLAB_HDR(4, 0xfff0);
	for (i = 0; i < nslots; i++)
		changed += i != used && (slab_slot(mem, i)[1] != SLAB_HDR(4, 7) ||
					 slab_slot(mem, i)[4] != 0);
	ok(good && changed == 0, "%s: end 0xfff0 works, no other slot touched (%u)", where,
	   changed);
	free(mem);
}

/*
 * The slab pair's index checks, on the fake area: an index at or above nr
 * and a negative cpu_id mismatch and write nothing; the _mm_cid pair
 * indexes by mm_cid.
 */
static __attribute__((noinline)) void check_slab_index(void)
{
	intptr_t *mem = aligned_alloc(PERCPU_SLAB_ARCH_ALIGN, (size_t)4 << SLAB_SHIFT), p = 0;
	uintptr_t fast = (uintptr_t)mem | SLAB_SHIFT;
	int n = 0;

	if (!mem)
		abort();
	memset(mem, 0, (size_t)4 << SLAB_SHIFT);
	for (unsigned int i = 0; i < 4; i++)
		slab_slot(mem, i)[1] = SLAB_HDR(4, 7);
	fake.cpu_id = 3;
	fake.mm_cid = 2;
	n += percpu_arch_slab_push_cpu(&fake, 3, fast, 1, 1) == PERCPU_SEQ_CPU_MISMATCH;
	n += percpu_arch_slab_pop_cpu(&fake, 3, fast, 1, 0, &p) == PERCPU_SEQ_CPU_MISMATCH;
	n += percpu_arch_slab_push_mm_cid(&fake, 2, fast, 1, 1) == PERCPU_SEQ_CPU_MISMATCH;
	fake.cpu_id = (uint32_t)-1;
	n += percpu_arch_slab_push_cpu(&fake, UINT32_C(1) << 31, fast, 1, 1) ==
	     PERCPU_SEQ_CPU_MISMATCH;
	n += percpu_arch_slab_pop_cpu(&fake, UINT32_C(1) << 31, fast, 1, 0, &p) ==
	     PERCPU_SEQ_CPU_MISMATCH;
	fake.cpu_id = 3;
	ok(n == 5 && slab_slot(mem, 3)[1] == SLAB_HDR(4, 7) && slab_slot(mem, 2)[1] ==
	   SLAB_HDR(4, 7), "slab pair: index >= nr or cpu_id -1 mismatches, writes nothing (%d)",
	   n);
	n = percpu_arch_slab_push_mm_cid(&fake, 4, fast, 1, 77) == PERCPU_SEQ_COMMITTED;
	n += percpu_arch_slab_pop_mm_cid(&fake, 4, fast, 1, 4, &p) == PERCPU_SEQ_COMMITTED &&
	     p == 77;
	ok(n == 2 && slab_slot(mem, 2)[4] == 77 && slab_slot(mem, 2)[1] == SLAB_HDR(4, 7) &&
	   slab_slot(mem, 3)[4] == 0, "slab pair by mm_cid uses slot mm_cid (%d)", n);
	free(mem);
}

#define NLIST		5	/* ok() calls in check_list() */
#define LIST_WORDS	(PERCPU_CACHELINE_BYTES / sizeof(intptr_t))

/* The list's end marker and nodes: a node's encoding is its distance from lend. */
static intptr_t lend, lnode[3];

static intptr_t list_enc(intptr_t *n)
{
	return (intptr_t)((uintptr_t)n - (uintptr_t)&lend);
}

static __attribute__((noinline)) void check_list(struct percpu_rseq_abi *rs, int real,
						 const char *where)
{
	unsigned int nslots = real ? percpu_nr_cpus() : 4, used = 3, changed = 0, i;
	size_t size = (size_t)nslots * PERCPU_CACHELINE_BYTES;
	intptr_t *mem = aligned_alloc(PERCPU_CACHELINE_BYTES, size), *slot, p = -9;
	const uint32_t nr = UINT32_C(1) << 31;
	int r, good = 1;

	if (!mem)
		abort();
	memset(mem, 0, size);
	for (i = 0; i < nslots; i++)
		mem[i * LIST_WORDS + 1] = -7;	/* right past the head: never written */
	lend = 0;
	for (i = 0; i < 3; i++) {
		lnode[i] = -5;
		RUN_PINNED(percpu_arch_list_push_cpu(rs, nr, (char *)mem, &lnode[i],
					      list_enc(&lnode[i])));
		good &= r == PERCPU_SEQ_COMMITTED;
	}
	if (real)
		used = percpu_rseq_cpu_start(rs);
	slot = mem + (size_t)used * LIST_WORDS;
	ok(good && slot[0] == list_enc(&lnode[2]) && lnode[2] == list_enc(&lnode[1]) &&
	   lnode[1] == list_enc(&lnode[0]) && lnode[0] == 0,
	   "%s: list_push_cpu pushes 3 on slot %u, each linked to the last", where, used);
	good = 1;
	for (i = 3; i-- > 0;) {
		RUN_PINNED(percpu_arch_list_pop_cpu(rs, nr, (char *)mem, (intptr_t)&lend, &p));
		good &= r == PERCPU_SEQ_COMMITTED && p == list_enc(&lnode[i]);
	}
	ok(good && slot[0] == 0, "%s: list_pop_cpu pops 3, last in first out", where);
	RUN_PINNED(percpu_arch_list_pop_cpu(rs, nr, (char *)mem, (intptr_t)&lend, &p));
	ok(r == PERCPU_SEQ_COMMITTED && p == 0 && slot[0] == 0 && lend == 0,
	   "%s: list_pop_cpu on an empty list loads 0 (%d)", where, r);
	/* A locked head (1) fails push and pop, and nothing is written. */
	slot[0] = 1;
	lnode[0] = -5;
	RUN_PINNED(percpu_arch_list_push_cpu(rs, nr, (char *)mem, &lnode[0], list_enc(&lnode[0])));
	good = r == PERCPU_SEQ_CMPFAIL && lnode[0] == -5;
	RUN_PINNED(percpu_arch_list_pop_cpu(rs, nr, (char *)mem, (intptr_t)&lend, &p));
	ok(good && r == PERCPU_SEQ_CMPFAIL && slot[0] == 1,
	   "%s: a locked head fails push and pop (%d)", where, r);
	slot[0] = 0;
	for (i = 0; i < nslots; i++)
		changed += mem[i * LIST_WORDS] != 0 || mem[i * LIST_WORDS + 1] != -7;
	ok(changed == 0, "%s: list pair touches no other slot or word (%u)", where, changed);
	free(mem);
}

/*
 * The list pair's index checks, on the fake area (as for the slab pair).
 */
static __attribute__((noinline)) void check_list_index(void)
{
	size_t size = (size_t)4 * PERCPU_CACHELINE_BYTES;
	intptr_t *mem = aligned_alloc(PERCPU_CACHELINE_BYTES, size), p = -9;
	char *base = (char *)mem;
	int n = 0;

	if (!mem)
		abort();
	memset(mem, 0, size);
	lend = 0;
	lnode[0] = -5;
	fake.cpu_id = 3;
	fake.mm_cid = 2;
	n += percpu_arch_list_push_cpu(&fake, 3, base, &lnode[0], list_enc(&lnode[0])) ==
	     PERCPU_SEQ_CPU_MISMATCH;
	n += percpu_arch_list_pop_cpu(&fake, 3, base, (intptr_t)&lend, &p) ==
	     PERCPU_SEQ_CPU_MISMATCH;
	n += percpu_arch_list_push_mm_cid(&fake, 2, base, &lnode[0], list_enc(&lnode[0])) ==
	     PERCPU_SEQ_CPU_MISMATCH;
	n += percpu_arch_list_pop_mm_cid(&fake, 2, base, (intptr_t)&lend, &p) ==
	     PERCPU_SEQ_CPU_MISMATCH;
	fake.cpu_id = (uint32_t)-1;
	n += percpu_arch_list_push_cpu(&fake, UINT32_C(1) << 31, base, &lnode[0],
				       list_enc(&lnode[0])) == PERCPU_SEQ_CPU_MISMATCH;
	n += percpu_arch_list_pop_cpu(&fake, UINT32_C(1) << 31, base, (intptr_t)&lend, &p) ==
	     PERCPU_SEQ_CPU_MISMATCH;
	fake.cpu_id = 3;
	ok(n == 6 && mem[3 * LIST_WORDS] == 0 && mem[2 * LIST_WORDS] == 0 && lnode[0] == -5,
	   "list pair: index >= nr or cpu_id -1 mismatches, writes nothing (%d)", n);
	n = percpu_arch_list_push_mm_cid(&fake, 4, base, &lnode[0], list_enc(&lnode[0])) ==
	    PERCPU_SEQ_COMMITTED;
	n += mem[2 * LIST_WORDS] == list_enc(&lnode[0]) && mem[3 * LIST_WORDS] == 0 &&
	     lnode[0] == 0;
	n += percpu_arch_list_pop_mm_cid(&fake, 4, base, (intptr_t)&lend, &p) ==
	     PERCPU_SEQ_COMMITTED && p == list_enc(&lnode[0]);
	ok(n == 3 && mem[2 * LIST_WORDS] == 0, "list pair by mm_cid uses slot mm_cid (%d)", n);
	free(mem);
}

#define NCOUNTER	2	/* ok() calls in check_counter() */

/*
 * The counter's add: slots one cache line apart, as the list's.  On the
 * real area a retried add may land on another CPU's slot: the sum is exact
 * either way, and no word but the slots' first moves.
 */
static __attribute__((noinline)) void check_counter(struct percpu_rseq_abi *rs, int real,
						    const char *where)
{
	unsigned int nslots = real ? percpu_nr_cpus() : 4, changed = 0, i;
	size_t size = (size_t)nslots * PERCPU_CACHELINE_BYTES;
	intptr_t *mem = aligned_alloc(PERCPU_CACHELINE_BYTES, size), sum = 0;
	const uint32_t nr = UINT32_C(1) << 31;
	int r, good = 1;

	if (!mem)
		abort();
	memset(mem, 0, size);
	for (i = 0; i < nslots; i++)
		mem[i * LIST_WORDS + 1] = -7;	/* right past the count: never written */
	for (i = 0; i < 3; i++) {
		RUN_PINNED(percpu_arch_counter_add_cpu(rs, nr, (char *)mem, 5 + (intptr_t)i));
		good &= r == PERCPU_SEQ_COMMITTED;
	}
	RUN_PINNED(percpu_arch_counter_add_cpu(rs, nr, (char *)mem, -20));
	good &= r == PERCPU_SEQ_COMMITTED;
	for (i = 0; i < nslots; i++) {
		sum += mem[i * LIST_WORDS];
		changed += mem[i * LIST_WORDS + 1] != -7;
	}
	ok(good && sum == -2 && (real || mem[3 * LIST_WORDS] == -2),
	   "%s: counter_add_cpu adds 5, 6, 7 and -20 on the slot of its CPU (sum %ld)", where,
	   (long)sum);
	ok(changed == 0, "%s: counter_add_cpu touches no other word (%u)", where, changed);
	free(mem);
}

/* The counter add's index checks, on the fake area (as for the list). */
static __attribute__((noinline)) void check_counter_index(void)
{
	size_t size = (size_t)4 * PERCPU_CACHELINE_BYTES;
	intptr_t *mem = aligned_alloc(PERCPU_CACHELINE_BYTES, size);
	char *base = (char *)mem;
	int n = 0;

	if (!mem)
		abort();
	memset(mem, 0, size);
	fake.cpu_id = 3;
	fake.mm_cid = 2;
	n += percpu_arch_counter_add_cpu(&fake, 3, base, 1) == PERCPU_SEQ_CPU_MISMATCH;
	n += percpu_arch_counter_add_mm_cid(&fake, 2, base, 1) == PERCPU_SEQ_CPU_MISMATCH;
	fake.cpu_id = (uint32_t)-1;
	n += percpu_arch_counter_add_cpu(&fake, UINT32_C(1) << 31, base, 1) ==
	     PERCPU_SEQ_CPU_MISMATCH;
	fake.cpu_id = 3;
	ok(n == 3 && mem[0] == 0 && mem[2 * LIST_WORDS] == 0 && mem[3 * LIST_WORDS] == 0,
	   "counter add: index >= nr or cpu_id -1 mismatches, writes nothing (%d)", n);
	n = percpu_arch_counter_add_mm_cid(&fake, 4, base, 9) == PERCPU_SEQ_COMMITTED;
	ok(n == 1 && mem[2 * LIST_WORDS] == 9 && mem[3 * LIST_WORDS] == 0,
	   "counter add by mm_cid adds on slot mm_cid (%d)", n);
	free(mem);
}

/*
 * The buffer pair on blocks of 1 << BUF_SHIFT bytes (base and shift packed
 * in the fast word as for the slab pair): the count in word 0,
 * word 1 (the slow-path mutex) never written by a sequence, BUF_CAP pointers
 * from PERCPU_BUFFER_ARCH_SLOTS on, and the word right past them a canary.
 */
#define NBUF		6	/* ok() calls in check_buffer() */
#define BUF_SHIFT	8	/* the least stride the fast word allows */
#define BUF_WORDS	((1u << BUF_SHIFT) / sizeof(intptr_t))
#define BUF_FIRST	(PERCPU_BUFFER_ARCH_SLOTS / sizeof(intptr_t))
#define BUF_CAP		5

static intptr_t *buf_block(intptr_t *mem, unsigned int i)
{
	return mem + (size_t)i * BUF_WORDS;
}

/* The fast word, packed as the slab's; the caller's bits 6 and 7 must be ignored. */
static uintptr_t buf_fast(intptr_t *mem)
{
	return (uintptr_t)mem | BUF_SHIFT | 0xc0;
}

static intptr_t *buf_alloc(unsigned int nslots)
{
	size_t size = (size_t)nslots << BUF_SHIFT;
	intptr_t *mem = aligned_alloc(PERCPU_SLAB_ARCH_ALIGN, size);

	if (!mem)
		abort();
	memset(mem, 0, size);
	for (unsigned int i = 0; i < nslots; i++)
		buf_block(mem, i)[BUF_FIRST + BUF_CAP] = -7;
	return mem;
}

static __attribute__((noinline)) void check_buffer(struct percpu_rseq_abi *rs, int real,
						   const char *where)
{
	unsigned int nslots = real ? percpu_nr_cpus() : 4, used = 3, changed = 0, i, k;
	intptr_t *mem = buf_alloc(nslots), *blk, p = -9;
	uintptr_t fast = buf_fast(mem);
	const uint32_t nr = UINT32_C(1) << 31;
	int r, good = 1;

	for (k = 0; k < BUF_CAP; k++) {
		RUN_PINNED(percpu_arch_buffer_push_cpu(rs, nr, fast, BUF_CAP, 1000 + k));
		good &= r == PERCPU_SEQ_COMMITTED;
	}
	if (real)
		used = percpu_rseq_cpu_start(rs);
	blk = buf_block(mem, used);
	ok(good && blk[0] == BUF_CAP && blk[BUF_FIRST] == 1000 &&
	   blk[BUF_FIRST + BUF_CAP - 1] == 1000 + BUF_CAP - 1,
	   "%s: buffer_push_cpu fills block %u (count %ld)", where, used, (long)blk[0]);
	RUN_PINNED(percpu_arch_buffer_push_cpu(rs, nr, fast, BUF_CAP, 2000));
	ok(r == PERCPU_SEQ_CMPFAIL && blk[0] == BUF_CAP && blk[BUF_FIRST + BUF_CAP] == -7,
	   "%s: buffer_push_cpu on a full block fails, writes nothing (%d)", where, r);
	good = 1;
	for (k = BUF_CAP; k-- > 0;) {
		RUN_PINNED(percpu_arch_buffer_pop_cpu(rs, nr, fast, BUF_CAP, &p));
		good &= r == PERCPU_SEQ_COMMITTED && p == (intptr_t)(1000 + k);
	}
	ok(good && blk[0] == 0, "%s: buffer_pop_cpu pops %u, last in first out", where,
	   BUF_CAP);
	RUN_PINNED(percpu_arch_buffer_pop_cpu(rs, nr, fast, BUF_CAP, &p));
	ok(r == PERCPU_SEQ_CMPFAIL && blk[0] == 0,
	   "%s: buffer_pop_cpu on an empty block fails (%d)", where, r);
	/* LOCKED (-1) fails both; a push there must not write word 1 (slot -1). */
	blk[0] = -1;
	blk[BUF_FIRST] = -3;
	RUN_PINNED(percpu_arch_buffer_push_cpu(rs, nr, fast, BUF_CAP, 3000));
	good = r == PERCPU_SEQ_CMPFAIL;
	RUN_PINNED(percpu_arch_buffer_pop_cpu(rs, nr, fast, BUF_CAP, &p));
	ok(good && r == PERCPU_SEQ_CMPFAIL && blk[0] == -1 && blk[1] == 0 &&
	   blk[BUF_FIRST] == -3, "%s: a LOCKED count fails push and pop (%d)", where, r);
	memset(blk, 0, (size_t)1 << BUF_SHIFT);
	blk[BUF_FIRST + BUF_CAP] = -7;
	for (i = 0; i < nslots; i++)
		for (k = 0; k < BUF_WORDS; k++)
			changed += buf_block(mem, i)[k] != (k == BUF_FIRST + BUF_CAP ? -7 : 0);
	ok(changed == 0, "%s: buffer pair touches no other block (%u)", where, changed);
	free(mem);
}

/* The buffer pair's index checks, on the fake area (as for the slab pair). */
static __attribute__((noinline)) void check_buffer_index(void)
{
	intptr_t *mem = buf_alloc(4), p = -9;
	uintptr_t fast = buf_fast(mem);
	int n = 0;

	fake.cpu_id = 3;
	fake.mm_cid = 2;
	n += percpu_arch_buffer_push_cpu(&fake, 3, fast, BUF_CAP, 1) ==
	     PERCPU_SEQ_CPU_MISMATCH;
	n += percpu_arch_buffer_pop_cpu(&fake, 3, fast, BUF_CAP, &p) ==
	     PERCPU_SEQ_CPU_MISMATCH;
	n += percpu_arch_buffer_push_mm_cid(&fake, 2, fast, BUF_CAP, 1) ==
	     PERCPU_SEQ_CPU_MISMATCH;
	n += percpu_arch_buffer_pop_mm_cid(&fake, 2, fast, BUF_CAP, &p) ==
	     PERCPU_SEQ_CPU_MISMATCH;
	fake.cpu_id = (uint32_t)-1;
	n += percpu_arch_buffer_push_cpu(&fake, UINT32_C(1) << 31, fast, BUF_CAP, 1) ==
	     PERCPU_SEQ_CPU_MISMATCH;
	n += percpu_arch_buffer_pop_cpu(&fake, UINT32_C(1) << 31, fast, BUF_CAP, &p) ==
	     PERCPU_SEQ_CPU_MISMATCH;
	fake.cpu_id = 3;
	ok(n == 6 && buf_block(mem, 3)[0] == 0 && buf_block(mem, 2)[0] == 0 &&
	   buf_block(mem, 3)[BUF_FIRST] == 0,
	   "buffer pair: index >= nr or cpu_id -1 mismatches, writes nothing (%d)", n);
	n = percpu_arch_buffer_push_mm_cid(&fake, 4, fast, BUF_CAP, 77) ==
	    PERCPU_SEQ_COMMITTED;
	n += buf_block(mem, 2)[0] == 1 && buf_block(mem, 2)[BUF_FIRST] == 77 &&
	     buf_block(mem, 3)[0] == 0;
	n += percpu_arch_buffer_pop_mm_cid(&fake, 4, fast, BUF_CAP, &p) ==
	     PERCPU_SEQ_COMMITTED && p == 77;
	ok(n == 3 && buf_block(mem, 2)[0] == 0, "buffer pair by mm_cid uses block mm_cid (%d)", n);
	free(mem);
}

/*
 * Aborts, on the real area: a long spin at injection hook @hook, with a
 * timer signal due in it, makes the kernel abort the section there; the
 * count must be as before (a push's speculative store may have happened).
 */
#define NABORT	2	/* ok() calls in check_buffer_abort() */

static void on_alarm(int sig)
{
	(void)sig;
}

static __attribute__((noinline)) int buffer_abort_at(struct percpu_rseq_abi *rs, intptr_t *mem,
						     int hook, int pop)
{
	struct itimerval it = { .it_value = { .tv_usec = 2000 } }, off;
	intptr_t p = -9;
	int r;

	memset(&off, 0, sizeof(off));
	inject_loops[hook] = INT32_MAX;
	setitimer(ITIMER_REAL, &it, NULL);
	if (pop)
		r = percpu_arch_buffer_pop_cpu(rs, UINT32_C(1) << 31, buf_fast(mem), BUF_CAP, &p);
	else
		r = percpu_arch_buffer_push_cpu(rs, UINT32_C(1) << 31, buf_fast(mem), BUF_CAP,
						4000 + hook);
	/*
	 * A preemption may have aborted the section before the timer fired:
	 * disarm it while on_alarm() still catches a signal already due.
	 */
	setitimer(ITIMER_REAL, &off, NULL);
	inject_loops[hook] = hook == 1 ? 3 : hook == 2 ? 2 : 1;
	return r;
}

static __attribute__((noinline)) void check_buffer_abort(struct percpu_rseq_abi *rs)
{
	unsigned int nslots = percpu_nr_cpus(), cpu, i;
	intptr_t *mem = buf_alloc(nslots);
	struct sigaction sa = { .sa_handler = on_alarm }, old;
	int n = 0, m = 0;

	sigaction(SIGALRM, &sa, &old);
	for (i = 1; i <= 3; i++) {
		cpu = percpu_rseq_cpu_start(rs);
		buf_block(mem, cpu)[0] = 2;
		n += buffer_abort_at(rs, mem, (int)i, 0) == PERCPU_SEQ_ABORTED &&
		     buf_block(mem, cpu)[0] == 2;
	}
	ok(n == 3, "buffer_push_cpu aborted at hooks 1-3 leaves the count (%d)", n);
	for (i = 1; i <= 3; i++) {
		cpu = percpu_rseq_cpu_start(rs);
		buf_block(mem, cpu)[0] = 2;
		buf_block(mem, cpu)[BUF_FIRST + 1] = 55;
		m += buffer_abort_at(rs, mem, (int)i, 1) == PERCPU_SEQ_ABORTED &&
		     buf_block(mem, cpu)[0] == 2 && buf_block(mem, cpu)[BUF_FIRST + 1] == 55;
	}
	ok(m == 3, "buffer_pop_cpu aborted at hooks 1-3 leaves the block (%d)", m);
	sigaction(SIGALRM, &old, NULL);
	free(mem);
}

/*
 * The ring's event copy (percpu/ring.h), where the architecture has one:
 * header word, timestamp, 0 to EV_WORDS - 1 payload words (past two turns of
 * the widest copy loop) from a source of any alignment, then a terminator
 * (32-bit 0, seq + 1, timestamp), and nothing beyond.  A comparison that fails, an index that does not match
 * (fake area) and a section aborted at each hook (real area) write nothing
 * that counts: *v keeps its value.
 */
#define NEVENT		3	/* ok() calls in check_event() */
#define EV_WORDS	20
#define EV_TS		0x1122334455667788ull

struct ev_hdr {
	uint16_t size, type;
	uint32_t seq;
};

/* Not inlined: clang with AddressSanitizer ran out of registers for it in check_event(). */
static __attribute__((noinline)) int event_at(struct percpu_rseq_abi *rs, uint64_t hdr,
					      const void *src, uint64_t *out, size_t pw,
					      unsigned int cpu)
{
#ifdef PERCPU_ARCH_HAVE_TRYEVENT
	return percpu_arch_cmpeqv_tryevent_storev_release(rs, &v, 30, out, hdr, src, pw * 8, EV_TS,
							  31, cpu, &rs->cpu_id);
#else
	(void)rs, (void)hdr, (void)src, (void)out, (void)pw, (void)cpu;
	return PERCPU_SEQ_CMPFAIL;
#endif
}

static __attribute__((noinline)) int event_abort_at(struct percpu_rseq_abi *rs, uint64_t hdr,
						    const void *src, uint64_t *out, int hook)
{
	struct itimerval it = { .it_value = { .tv_usec = 2000 } }, off;
	unsigned int cpu = percpu_rseq_cpu_start(rs);
	int r;

	memset(&off, 0, sizeof(off));
	inject_loops[hook] = INT32_MAX;
	setitimer(ITIMER_REAL, &it, NULL);
	r = event_at(rs, hdr, src, out, 3, cpu);
	setitimer(ITIMER_REAL, &off, NULL);	/* as in buffer_abort_at() */
	inject_loops[hook] = hook == 1 ? 3 : hook == 2 ? 2 : 1;
	return r;
}

static __attribute__((noinline)) void check_event(struct percpu_rseq_abi *rs, int real,
						  const char *where)
{
	/* One word more: the payload is read from an odd address too. */
	uint64_t pay[EV_WORDS + 1], out[2 + EV_WORDS + 3], hdr, p0, pl;
	struct ev_hdr h = { .size = 123, .type = 0xbeef, .seq = 0xfffffffe };
	struct ev_hdr t;
	unsigned int cpu = 3;
	int good = 1, r;

#ifndef PERCPU_ARCH_HAVE_TRYEVENT
	skip(NEVENT, "%s: no event sequence on %s", where, PERCPU_ARCH_NAME);
	return;
#endif
	memcpy(&hdr, &h, sizeof(h));
	for (int i = 0; i < EV_WORDS + 1; i++)
		pay[i] = 500 + (uint64_t)i;
	memset(out, 0xa5, sizeof(out));
	v = 29;
	if (real)
		cpu = percpu_rseq_cpu_start(rs);
	r = event_at(rs, hdr, pay, out, EV_WORDS, cpu);
	ok(r == PERCPU_SEQ_CMPFAIL && v == 29 && out[0] == 0xa5a5a5a5a5a5a5a5ull,
	   "%s: tryevent cmpfail writes nothing (%d)", where, r);
	for (size_t k = 0; k < 2 * EV_WORDS; k++) {
		size_t pw = k / 2;
		/* Odd k: from 3 bytes in (the same words, shifted). */
		const unsigned char *src = (const unsigned char *)pay + (k & 1) * 3;

		memcpy(&p0, src, 8);
		memcpy(&pl, src + (pw ? pw - 1 : 0) * 8, 8);
		memset(out, 0xa5, sizeof(out));
		do {
			v = 30;
			if (real)
				cpu = percpu_rseq_cpu_start(rs);
			r = event_at(rs, hdr, src, out, pw, cpu);
		} while (real && (r == PERCPU_SEQ_ABORTED || r == PERCPU_SEQ_CPU_MISMATCH));
		memcpy(&t, &out[2 + pw], sizeof(t));
		good &= r == PERCPU_SEQ_COMMITTED && v == 31 && out[0] == hdr && out[1] == EV_TS &&
			(pw == 0 || (out[2] == p0 && out[1 + pw] == pl)) &&
			t.size == 0 && t.type == 0 && t.seq == 0xffffffff && out[3 + pw] == EV_TS &&
			out[4 + pw] == 0xa5a5a5a5a5a5a5a5ull;
	}
	ok(good, "%s: tryevent copies header, timestamp, 0 to %d payload words (aligned or not), "
	   "terminator",
	   where, EV_WORDS - 1);
	if (!real) {
		v = 30;
		memset(out, 0xa5, sizeof(out));
		r = event_at(rs, hdr, pay, out, 4, cpu + 1);
		ok(r == PERCPU_SEQ_CPU_MISMATCH && v == 30 && out[0] == 0xa5a5a5a5a5a5a5a5ull,
		   "%s: tryevent on another index writes nothing (%d)", where, r);
	} else {
		struct sigaction sa = { .sa_handler = on_alarm }, old;
		int n = 0;

		sigaction(SIGALRM, &sa, &old);
		for (int hook = 1; hook <= 3; hook++) {
			v = 30;
			n += event_abort_at(rs, hdr, pay, out, hook) == PERCPU_SEQ_ABORTED && v == 30;
		}
		sigaction(SIGALRM, &old, NULL);
		ok(n == 3, "%s: tryevent aborted at hooks 1-3 does not commit (%d)", where, n);
	}
}

/*
 * Run every sequence on @rs as CPU @cpu.  On the real area (@real) the kernel
 * may abort a sequence or move the thread first: then read the CPU again and
 * run it again, as every caller of a sequence does.
 */
static void check_all(struct percpu_rseq_abi *rs, unsigned int cpu, int real, const char *where)
{
	int r;

#define CHECK(cond, ...)	ok(cond, __VA_ARGS__)
#define RUN(call)							\
	do {								\
		if (real)						\
			cpu = percpu_rseq_cpu_start(rs);		\
		r = (call);						\
	} while (r == PERCPU_SEQ_ABORTED || (real && r == PERCPU_SEQ_CPU_MISMATCH))

	v = 1;
	RUN(percpu_arch_cmpeqv_storev(rs, &v, 1, 2, cpu, &rs->cpu_id));
	CHECK(r == PERCPU_SEQ_COMMITTED && v == 2, "%s: cmpeqv_storev commits (%d, v %ld)",
	      where, r, (long)v);
	RUN(percpu_arch_cmpeqv_storev(rs, &v, 1, 3, cpu, &rs->cpu_id));
	CHECK(r == PERCPU_SEQ_CMPFAIL && v == 2, "%s: cmpeqv_storev cmpfail (%d, v %ld)",
	      where, r, (long)v);
	RUN(percpu_arch_cmpeqv_storev_release(rs, &v, 2, 4, cpu, &rs->cpu_id));
	CHECK(r == PERCPU_SEQ_COMMITTED && v == 4, "%s: cmpeqv_storev_release (%d, v %ld)",
	      where, r, (long)v);

	/* A two-node list: pop the head, as a per-CPU free list would. */
	node[0] = (intptr_t)&node[1];
	node[1] = 0;
	v = (intptr_t)&node[0];
	load = 0;
	RUN(percpu_arch_cmpnev_storeoffp_load(rs, &v, 0, 0, &load, cpu, &rs->cpu_id));
	CHECK(r == PERCPU_SEQ_COMMITTED && load == (intptr_t)&node[0] &&
	      v == (intptr_t)&node[1], "%s: cmpnev_storeoffp_load pops (%d)", where, r);
	RUN(percpu_arch_cmpnev_storeoffp_load(rs, &v, (intptr_t)&node[1], 0, &load, cpu, &rs->cpu_id));
	/* *load is the caller's only after a commit (it may be a register). */
	CHECK(r == PERCPU_SEQ_CMPFAIL && v == (intptr_t)&node[1],
	      "%s: cmpnev_storeoffp_load cmpfail (%d)", where, r);

	v = 40;
	RUN(percpu_arch_addv(rs, &v, 2, cpu, &rs->cpu_id));
	CHECK(r == PERCPU_SEQ_COMMITTED && v == 42, "%s: addv (%d, v %ld)", where, r, (long)v);
	RUN(percpu_arch_addv(rs, &v, -50, cpu, &rs->cpu_id));
	CHECK(r == PERCPU_SEQ_COMMITTED && v == -8, "%s: addv negative (%d, v %ld)", where, r,
	      (long)v);

	v = 5;
	v2 = 6;
	RUN(percpu_arch_cmpeqv_cmpeqv_storev(rs, &v, 5, &v2, 7, 9, cpu, &rs->cpu_id));
	CHECK(r == PERCPU_SEQ_CMPFAIL && v == 5, "%s: cmpeqv_cmpeqv_storev second cmpfail (%d)",
	      where, r);
	RUN(percpu_arch_cmpeqv_cmpeqv_storev(rs, &v, 5, &v2, 6, 9, cpu, &rs->cpu_id));
	CHECK(r == PERCPU_SEQ_COMMITTED && v == 9 && v2 == 6,
	      "%s: cmpeqv_cmpeqv_storev commits (%d, v %ld)", where, r, (long)v);

	v = 1;
	v2 = 0;
	RUN(percpu_arch_cmpeqv_trystorev_storev(rs, &v, 2, &v2, 7, 3, cpu, &rs->cpu_id));
	CHECK(r == PERCPU_SEQ_CMPFAIL && v == 1 && v2 == 0,
	      "%s: cmpeqv_trystorev_storev cmpfail writes nothing (%d)", where, r);
	RUN(percpu_arch_cmpeqv_trystorev_storev(rs, &v, 1, &v2, 7, 3, cpu, &rs->cpu_id));
	CHECK(r == PERCPU_SEQ_COMMITTED && v == 3 && v2 == 7,
	      "%s: cmpeqv_trystorev_storev (%d, v %ld, v2 %ld)", where, r, (long)v, (long)v2);
	RUN(percpu_arch_cmpeqv_trystorev_storev_release(rs, &v, 3, &v2, 8, 4, cpu, &rs->cpu_id));
	CHECK(r == PERCPU_SEQ_COMMITTED && v == 4 && v2 == 8,
	      "%s: cmpeqv_trystorev_storev_release (%d)", where, r);

	fill(src, 100);
	fill(dst, 0);
	v = 1;
	RUN(percpu_arch_cmpeqv_trymemcpy_storev(rs, &v, 0, dst, src, sizeof(src), 2, cpu, &rs->cpu_id));
	CHECK(r == PERCPU_SEQ_CMPFAIL && v == 1 && dst[0] == 0,
	      "%s: cmpeqv_trymemcpy_storev cmpfail copies nothing (%d)", where, r);
	RUN(percpu_arch_cmpeqv_trymemcpy_storev(rs, &v, 1, dst, src, 3 * sizeof(intptr_t), 2,
						cpu, &rs->cpu_id));
	CHECK(r == PERCPU_SEQ_COMMITTED && v == 2 && dst[0] == 100 && dst[2] == 102 &&
	      dst[3] == 3, "%s: cmpeqv_trymemcpy_storev copies exactly 3 words (%d)", where, r);
	RUN(percpu_arch_cmpeqv_trymemcpy_storev_release(rs, &v, 2, dst, src, 0, 5, cpu, &rs->cpu_id));
	CHECK(r == PERCPU_SEQ_COMMITTED && v == 5, "%s: trymemcpy_release of 0 bytes (%d)",
	      where, r);
	RUN(percpu_arch_cmpeqv_trymemcpy_storev_release(rs, &v, 5, dst, src, sizeof(src), 6,
							cpu, &rs->cpu_id));
	CHECK(r == PERCPU_SEQ_COMMITTED && v == 6 && memcmp(dst, src, sizeof(src)) == 0,
	      "%s: trymemcpy_release of %zu bytes (%d)", where, sizeof(src), r);

	check_copies(rs, cpu, real, where, 0);
	/* The wide copy where the CPU has one, else the same plain copy. */
	check_copies(rs, cpu, real, where, 1);
#undef RUN
#undef CHECK
}

/* Every sequence on another CPU: each must report a mismatch and write nothing. */
static void check_mismatch(struct percpu_rseq_abi *rs, unsigned int cpu)
{
	int n = 0;

	v = 1;
	v2 = 2;
	n += percpu_arch_cmpeqv_storev(rs, &v, 1, 9, cpu, &rs->cpu_id) == PERCPU_SEQ_CPU_MISMATCH;
	n += percpu_arch_cmpeqv_storev_release(rs, &v, 1, 9, cpu, &rs->cpu_id) == PERCPU_SEQ_CPU_MISMATCH;
	n += percpu_arch_cmpnev_storeoffp_load(rs, &v, 0, 0, &load, cpu, &rs->cpu_id) ==
	     PERCPU_SEQ_CPU_MISMATCH;
	n += percpu_arch_addv(rs, &v, 1, cpu, &rs->cpu_id) == PERCPU_SEQ_CPU_MISMATCH;
	n += percpu_arch_cmpeqv_cmpeqv_storev(rs, &v, 1, &v2, 2, 9, cpu, &rs->cpu_id) ==
	     PERCPU_SEQ_CPU_MISMATCH;
	n += percpu_arch_cmpeqv_trystorev_storev(rs, &v, 1, &v2, 9, 9, cpu, &rs->cpu_id) ==
	     PERCPU_SEQ_CPU_MISMATCH;
	n += percpu_arch_cmpeqv_trystorev_storev_release(rs, &v, 1, &v2, 9, 9, cpu, &rs->cpu_id) ==
	     PERCPU_SEQ_CPU_MISMATCH;
	n += percpu_arch_cmpeqv_trymemcpy_storev(rs, &v, 1, dst, src, sizeof(src), 9, cpu, &rs->cpu_id) ==
	     PERCPU_SEQ_CPU_MISMATCH;
	n += percpu_arch_cmpeqv_trymemcpy_storev_release(rs, &v, 1, dst, src, sizeof(src), 9,
							 cpu, &rs->cpu_id) == PERCPU_SEQ_CPU_MISMATCH;
	ok(n == 9 && v == 1 && v2 == 2, "on another CPU all 9 sequences mismatch (%d) and "
	   "write nothing", n);
}

static int is_descriptor(uint64_t addr)
{
	for (const uint64_t *p = __start___rseq_cs_ptr_array; p < __stop___rseq_cs_ptr_array; p++)
		if (*p == addr)
			return 1;
	return 0;
}

static void check_descriptors(void)
{
	size_t n = (size_t)(__stop___rseq_cs_ptr_array - __start___rseq_cs_ptr_array);
	size_t bad = 0, exits = 0, bad_exits = 0;

	for (size_t i = 0; i < n; i++) {
		const struct cs_desc *d =
			(const struct cs_desc *)(uintptr_t)__start___rseq_cs_ptr_array[i];
		uint32_t sig;

		memcpy(&sig, (const char *)(uintptr_t)d->abort_ip - 4, sizeof(sig));
		if (((uintptr_t)d & 31) || d->version != 0 || d->flags != 0 ||
		    d->post_commit_offset == 0 || d->post_commit_offset > 4096 ||
		    sig != PERCPU_RSEQ_SIG) {
			diag("descriptor %p: version %u flags %u start 0x%llx len %llu abort 0x%llx "
			     "sig 0x%08x", (const void *)d, d->version, d->flags,
			     (unsigned long long)d->start_ip,
			     (unsigned long long)d->post_commit_offset,
			     (unsigned long long)d->abort_ip, sig);
			bad++;
		}
	}
	ok(n >= 9 && bad == 0, "%zu descriptors in __rseq_cs_ptr_array, %zu malformed or "
	   "without signature 0x%08x before abort_ip", n, bad, (unsigned)PERCPU_RSEQ_SIG);

	for (const uint64_t *p = __start___rseq_exit_point_array;
	     p + 1 < __stop___rseq_exit_point_array; p += 2) {
		int found = 0;

		for (size_t i = 0; i < n; i++) {
			const struct cs_desc *d =
				(const struct cs_desc *)(uintptr_t)__start___rseq_cs_ptr_array[i];

			found |= d->start_ip == p[0];
		}
		exits++;
		bad_exits += !found || p[1] == 0;
	}
	ok(exits >= 9 && bad_exits == 0, "%zu exit points, %zu not at a known start_ip",
	   exits, bad_exits);

	ok(fake.rseq_cs != 0 && is_descriptor(fake.rseq_cs),
	   "the sequences published a descriptor listed in __rseq_cs_ptr_array");
}

/*
 * On the thread's real area, pinned so that the slab pair finds one slot.
 * A function of its own: in ARM mode a larger main pushed gcc's literal
 * pool out of reach.
 */
static __attribute__((noinline)) void check_real(struct percpu_rseq_abi *rs)
{
	cpu_set_t saved;
	int pinned = pin_first(&saved) >= 0;

	check_all(rs, 0, 1, "real area");
	check_slab(rs, 1, "real area");
	check_list(rs, 1, "real area");
	check_counter(rs, 1, "real area");
	check_buffer(rs, 1, "real area");
	check_buffer_abort(rs);
	check_event(rs, 1, "real area");
	if (pinned)
		sched_setaffinity(0, sizeof(saved), &saved);
}

int main(int argc, char **argv)
{
	struct test_mode m = test_mode_setup(argc, argv);
	struct percpu_rseq_abi *rs;

	plan(2 * (NCHECKS + NSLAB + NLIST + NCOUNTER + NBUF + NEVENT) + 12 + NABORT);
	diag("%s, signature 0x%08x, mode %s, wide copy %s", PERCPU_ARCH_NAME,
	     (unsigned)PERCPU_RSEQ_SIG, m.name, percpu_arch_wide_copy_ok() ? "yes" : "no");

	fake.cpu_id_start = 3;
	fake.cpu_id = 3;
	check_all(&fake, 3, 0, "fake area");
	check_slab(&fake, 0, "fake area");
	check_slab_index();
	check_list(&fake, 0, "fake area");
	check_list_index();
	check_counter(&fake, 0, "fake area");
	check_counter_index();
	check_buffer(&fake, 0, "fake area");
	check_buffer_index();
	check_event(&fake, 0, "fake area");
	check_mismatch(&fake, 4);
	check_descriptors();

	rs = percpu_rseq_area();
	if (percpu_rseq_is_fallback(rs))
		skip(NCHECKS + NSLAB + NLIST + NCOUNTER + NBUF + NEVENT + NABORT,
		     "mode %s: no registered area",
		     m.name);
	else
		check_real(rs);
	return exit_status();
}
