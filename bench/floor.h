/* SPDX-License-Identifier: MIT */
/*
 * bench/floor.h - the floor: hand-written minimal restartable sequences,
 * one per libpercpu operation, measured in the same run as the library.
 *
 * x86_64 only (FLOOR_HAVE_RSEQ is left undefined elsewhere, and the floor
 * benchmarks are not built).  They use glibc's registered area directly:
 * thread pointer + __rseq_offset, computed once per batch and kept in a
 * register, so the floor pays no TLS reload, NULL test or call.  Each
 * sequence reads cpu_id inside the section and indexes a per-CPU block of
 * power-of-two size with a shift: no separate CPU comparison, no division.
 * The abort handler (after the signature) jumps back to re-arm rseq_cs and
 * restart, so the C side sees only committed results.
 *
 * The caller must have checked floor_area_usable() for the thread: with no
 * registered area, cpu_id is negative and the sequences would index below
 * the blocks.  The benchmarks check it once per thread, outside timing.
 *
 * Per-CPU block layouts (FLOOR_*_SHIFT: log2 of the block size):
 *   counter  u64 count                                      128 B
 *   list     node *head                                     128 B
 *   buffer   u64 count; at +128: void *slots[FLOOR_BUF_CAP]  16 KiB
 *   slab     u64 words; word FLOOR_SLAB_CLASS: header {u16 current,
 *            u16 end}; words [FLOOR_SLAB_BEGIN, end): pointers   16 KiB
 *   ring     u64 head; at +128: u64 tail; at +256: 16 B records
 *            [FLOOR_RING_RECORDS] (head and tail count records ever
 *            written and read; slot = count & (records - 1))    32 KiB
 */
#ifndef BENCH_FLOOR_H
#define BENCH_FLOOR_H

#include <stdint.h>

#if defined(__x86_64__) && __has_include(<sys/rseq.h>)
#include <sys/rseq.h>
#define FLOOR_HAVE_RSEQ	1

#define FLOOR_COUNTER_SHIFT	7
#define FLOOR_LIST_SHIFT	7
#define FLOOR_BUF_SHIFT		14
#define FLOOR_BUF_CAP		1024
#define FLOOR_RING_SHIFT	15
#define FLOOR_RING_RECORDS	1024	/* power of two: the slot is a mask */
#define FLOOR_RING_RECORD	16

#define FLOOR_STR_(x)	#x
#define FLOOR_STR(x)	FLOOR_STR_(x)

/* Offsets in struct rseq (the kernel ABI). */
#define FLOOR_OFF_CPU_ID	4
#define FLOOR_OFF_RSEQ_CS	8

/*
 * Labels: 0 re-arm, 1 start_ip, 2 post-commit ip, 3 descriptor, 4 abort_ip.
 * The descriptor (struct rseq_cs: version 0, flags 0, start_ip,
 * post_commit_offset, abort_ip) lives in __rseq_cs like libpercpu's, and is
 * listed in __rseq_cs_ptr_array for debuggers.
 */
#define FLOOR_BEGIN							\
	".pushsection __rseq_cs, \"aw\"\n\t"				\
	".balign 32\n\t"						\
	"3:\n\t"							\
	".long 0x0, 0x0\n\t"						\
	".quad 1f, (2f - 1f), 4f\n\t"					\
	".popsection\n\t"						\
	".pushsection __rseq_cs_ptr_array, \"aw\"\n\t"			\
	".quad 3b\n\t"							\
	".popsection\n\t"						\
	"0:\n\t"							\
	"leaq 3b(%%rip), %%rax\n\t"					\
	"movq %%rax, " FLOOR_STR(FLOOR_OFF_RSEQ_CS) "(%[rs])\n\t"	\
	"1:\n\t"							\
	"movl " FLOOR_STR(FLOOR_OFF_CPU_ID) "(%[rs]), %%eax\n\t"

/*
 * Signature (glibc's x86 RSEQ_SIG, as the displacement of an undefined
 * "ud1" so a stray jump traps), then the abort handler: the kernel cleared
 * rseq_cs, so go back to 0 to set it again and restart.
 */
#define FLOOR_END							\
	"2:\n\t"							\
	".pushsection __rseq_failure, \"ax\"\n\t"			\
	".byte 0x0f, 0xb9, 0x3d\n\t"					\
	".long 0x53053053\n\t"						\
	"4:\n\t"							\
	"jmp 0b\n\t"							\
	".popsection\n\t"

struct floor_list_node {
	struct floor_list_node *next;
};

static inline void *floor_thread_pointer(void)
{
	void *tp;

	__asm__ ("movq %%fs:0, %0" : "=r" (tp));
	return tp;
}

/* The calling thread's glibc area (valid only if floor_area_usable()). */
static inline struct rseq *floor_area(void)
{
	return (struct rseq *)((char *)floor_thread_pointer() + __rseq_offset);
}

/* 1 if glibc registered an area for the calling thread. */
static inline int floor_area_usable(void)
{
	return __rseq_size > 0 && (int32_t)__atomic_load_n(&floor_area()->cpu_id,
							   __ATOMIC_RELAXED) >= 0;
}

/* Counter: one addq to the CPU's slot is the commit. */
static inline void floor_counter_inc(struct rseq *rs, char *base)
{
	__asm__ __volatile__(
		FLOOR_BEGIN
		"shlq $" FLOOR_STR(FLOOR_COUNTER_SHIFT) ", %%rax\n\t"
		"addq $1, (%[base], %%rax)\n\t"
		FLOOR_END
		: : [rs] "r" (rs), [base] "r" (base)
		: "memory", "cc", "rax");
}

/* List push: node->next = head (the node is ours: a restart rewrites it), commit head = node. */
static inline void floor_list_push(struct rseq *rs, char *base, struct floor_list_node *node)
{
	__asm__ __volatile__(
		FLOOR_BEGIN
		"shlq $" FLOOR_STR(FLOOR_LIST_SHIFT) ", %%rax\n\t"
		"addq %[base], %%rax\n\t"
		"movq (%%rax), %%rcx\n\t"
		"movq %%rcx, (%[node])\n\t"
		"movq %[node], (%%rax)\n\t"
		FLOOR_END
		: : [rs] "r" (rs), [base] "r" (base), [node] "r" (node)
		: "memory", "cc", "rax", "rcx");
}

/* List pop: head->next is read inside the section, commit head = next. */
static inline struct floor_list_node *floor_list_pop(struct rseq *rs, char *base)
{
	struct floor_list_node *node;

	__asm__ __volatile__(
		FLOOR_BEGIN
		"shlq $" FLOOR_STR(FLOOR_LIST_SHIFT) ", %%rax\n\t"
		"addq %[base], %%rax\n\t"
		"movq (%%rax), %[node]\n\t"
		"testq %[node], %[node]\n\t"
		"jz 2f\n\t"
		"movq (%[node]), %%rcx\n\t"
		"movq %%rcx, (%%rax)\n\t"
		FLOOR_END
		: [node] "=&r" (node)
		: [rs] "r" (rs), [base] "r" (base)
		: "memory", "cc", "rax", "rcx");
	return node;
}

/* Buffer push: store the pointer at slots[count] (speculative), commit count + 1.
 * Return: 0, or -1 if full. */
static inline int floor_buffer_push(struct rseq *rs, char *base, void *ptr)
{
	uint64_t count;

	__asm__ __volatile__(
		FLOOR_BEGIN
		"shlq $" FLOOR_STR(FLOOR_BUF_SHIFT) ", %%rax\n\t"
		"addq %[base], %%rax\n\t"
		"movq (%%rax), %[count]\n\t"
		"cmpq $" FLOOR_STR(FLOOR_BUF_CAP) ", %[count]\n\t"
		"jae 2f\n\t"
		"movq %[ptr], 128(%%rax, %[count], 8)\n\t"
		"leaq 1(%[count]), %%rcx\n\t"
		"movq %%rcx, (%%rax)\n\t"
		FLOOR_END
		: [count] "=&r" (count)
		: [rs] "r" (rs), [base] "r" (base), [ptr] "r" (ptr)
		: "memory", "cc", "rax", "rcx");
	return count < FLOOR_BUF_CAP ? 0 : -1;
}

/* Buffer pop: read slots[count - 1], commit count - 1.  Return: NULL if empty. */
static inline void *floor_buffer_pop(struct rseq *rs, char *base)
{
	void *ptr;

	__asm__ __volatile__(
		FLOOR_BEGIN
		"shlq $" FLOOR_STR(FLOOR_BUF_SHIFT) ", %%rax\n\t"
		"addq %[base], %%rax\n\t"
		"xorl %k[ptr], %k[ptr]\n\t"
		"movq (%%rax), %%rcx\n\t"
		"testq %%rcx, %%rcx\n\t"
		"jz 2f\n\t"
		"movq 120(%%rax, %%rcx, 8), %[ptr]\n\t"
		"subq $1, %%rcx\n\t"
		"movq %%rcx, (%%rax)\n\t"
		FLOOR_END
		: [ptr] "=&r" (ptr)
		: [rs] "r" (rs), [base] "r" (base)
		: "memory", "cc", "rax", "rcx");
	return ptr;
}

/*
 * Slab: one class of a per-CPU slab as libpercpu lays it out (percpu/slab.h):
 * the class's header word at index FLOOR_SLAB_CLASS of the CPU's block packs
 * {current, end} as 16-bit word offsets; the pointers are words [BEGIN, end).
 * Push stores at current (speculative) and commits header + 1; pop reads
 * current - 1 inside the section and commits header - 1.  The class is a
 * constant here, as it is wherever an allocator's size class is known.
 */
#define FLOOR_SLAB_SHIFT	14
#define FLOOR_SLAB_CLASS	7
#define FLOOR_SLAB_BEGIN	64
#define FLOOR_SLAB_CAP		1024

/* Set up @base's block for @cpu: empty, capacity FLOOR_SLAB_CAP. */
static inline void floor_slab_init(char *base, unsigned int cpu)
{
	((uint64_t *)(base + ((size_t)cpu << FLOOR_SLAB_SHIFT)))[FLOOR_SLAB_CLASS] =
		FLOOR_SLAB_BEGIN | (uint64_t)(FLOOR_SLAB_BEGIN + FLOOR_SLAB_CAP) << 16;
}

/* Slab push.  Return: 0, or -1 if the class is full on this CPU. */
static inline int floor_slab_push(struct rseq *rs, char *base, void *ptr)
{
	uint32_t done;

	__asm__ __volatile__(
		FLOOR_BEGIN
		"shlq $" FLOOR_STR(FLOOR_SLAB_SHIFT) ", %%rax\n\t"
		"addq %[base], %%rax\n\t"
		"xorl %[done], %[done]\n\t"
		"movq 8*" FLOOR_STR(FLOOR_SLAB_CLASS) "(%%rax), %%rcx\n\t"
		"movzwl %%cx, %%edx\n\t"
		"movl %%ecx, %%r8d\n\t"
		"shrl $16, %%r8d\n\t"
		"cmpl %%r8d, %%edx\n\t"
		"jae 2f\n\t"
		"movq %[ptr], (%%rax, %%rdx, 8)\n\t"
		"addq $1, %%rcx\n\t"
		"movl $1, %[done]\n\t"
		"movq %%rcx, 8*" FLOOR_STR(FLOOR_SLAB_CLASS) "(%%rax)\n\t"
		FLOOR_END
		: [done] "=&r" (done)
		: [rs] "r" (rs), [base] "r" (base), [ptr] "r" (ptr)
		: "memory", "cc", "rax", "rcx", "rdx", "r8");
	return done ? 0 : -1;
}

/* Slab pop.  Return: NULL if the class is empty on this CPU. */
static inline void *floor_slab_pop(struct rseq *rs, char *base)
{
	void *ptr;

	__asm__ __volatile__(
		FLOOR_BEGIN
		"shlq $" FLOOR_STR(FLOOR_SLAB_SHIFT) ", %%rax\n\t"
		"addq %[base], %%rax\n\t"
		"xorl %k[ptr], %k[ptr]\n\t"
		"movq 8*" FLOOR_STR(FLOOR_SLAB_CLASS) "(%%rax), %%rcx\n\t"
		"movzwl %%cx, %%edx\n\t"
		"cmpl $" FLOOR_STR(FLOOR_SLAB_BEGIN) ", %%edx\n\t"
		"jbe 2f\n\t"
		"movq -8(%%rax, %%rdx, 8), %[ptr]\n\t"
		"subq $1, %%rcx\n\t"
		"movq %%rcx, 8*" FLOOR_STR(FLOOR_SLAB_CLASS) "(%%rax)\n\t"
		FLOOR_END
		: [ptr] "=&r" (ptr)
		: [rs] "r" (rs), [base] "r" (base)
		: "memory", "cc", "rax", "rcx", "rdx");
	return ptr;
}

/*
 * Ring write of one 16-byte record: room check against tail (a plain load
 * is an acquire on x86), copy into slot head & (records - 1), commit
 * head + 1 (a plain store is a release on x86).
 * Return: 0, or -1 if the CPU's ring is full.
 */
static inline int floor_ring_write16(struct rseq *rs, char *base, const void *rec)
{
	uint64_t used;

	__asm__ __volatile__(
		FLOOR_BEGIN
		"shlq $" FLOOR_STR(FLOOR_RING_SHIFT) ", %%rax\n\t"
		"addq %[base], %%rax\n\t"
		"movq (%%rax), %%rcx\n\t"
		"movq %%rcx, %[used]\n\t"
		"subq 128(%%rax), %[used]\n\t"
		"cmpq $" FLOOR_STR(FLOOR_RING_RECORDS) ", %[used]\n\t"
		"jae 2f\n\t"
		"movl %%ecx, %%edx\n\t"
		"andl $(" FLOOR_STR(FLOOR_RING_RECORDS) " - 1), %%edx\n\t"
		"shll $4, %%edx\n\t"
		"movdqu (%[rec]), %%xmm0\n\t"
		"movdqu %%xmm0, 256(%%rax, %%rdx)\n\t"
		"addq $1, %%rcx\n\t"
		"movq %%rcx, (%%rax)\n\t"
		FLOOR_END
		: [used] "=&r" (used)
		: [rs] "r" (rs), [base] "r" (base), [rec] "r" (rec)
		: "memory", "cc", "rax", "rcx", "rdx", "xmm0");
	return used < FLOOR_RING_RECORDS ? 0 : -1;
}

/*
 * Ring read of @cpu's oldest record, by its one consumer (no sequence:
 * only the consumer writes tail).  Return: 1 if a record was copied, else 0.
 */
static inline int floor_ring_read16(char *base, unsigned int cpu, void *rec)
{
	char *blk = base + ((uint64_t)cpu << FLOOR_RING_SHIFT);
	uint64_t *headp = (uint64_t *)blk, *tailp = (uint64_t *)(blk + 128);
	uint64_t tail = *tailp;

	if (__atomic_load_n(headp, __ATOMIC_ACQUIRE) == tail)
		return 0;
	__builtin_memcpy(rec, blk + 256 + (tail & (FLOOR_RING_RECORDS - 1)) * FLOOR_RING_RECORD,
			 FLOOR_RING_RECORD);
	__atomic_store_n(tailp, tail + 1, __ATOMIC_RELEASE);
	return 1;
}

#endif /* __x86_64__ && <sys/rseq.h> */

#endif /* BENCH_FLOOR_H */
