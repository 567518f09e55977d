/* SPDX-License-Identifier: MIT */
/*
 * arch/riscv/sequences.h - restartable sequences for 64-bit RISC-V.
 *
 * Included by <percpu/arch.h> only; see arch/generic.h for the contract.
 * Tested under qemu-user only (fallback path and the instructions on a fake
 * area): Debian 12 has no riscv64 kernel, and glibc 2.36 no riscv rseq.
 */
#ifndef _PERCPU_ARCH_INSIDE
# error "include <percpu/arch.h>, not an architecture header"
#endif

#define PERCPU_ARCH_NAME	"riscv64"
#define PERCPU_HAVE_ARCH_RSEQ	1

/*
 * Signature before every abort handler (the kernel checks it, see
 * x86_64/sequences.h).  glibc 2.36 defines none for RISC-V; this is the
 * kernel selftests' and later glibc's value, the instruction
 * "csrw mhartid, x0" (0xf1401073): user code may not touch a machine-mode
 * CSR, so falling into it traps.  RISC-V is little-endian.
 */
#define PERCPU_RSEQ_SIG		0xf1401073

/*
 * Fault injection for stress tests: spin loops[n] times at hook n.
 *   #define PERCPU_INJECT_ASM(n)    PERCPU_ARCH_INJECT_SPIN_ASM(n)
 *   #define PERCPU_INJECT_INPUT     PERCPU_ARCH_INJECT_SPIN_INPUT(loops)
 *   #define PERCPU_INJECT_CLOBBER   PERCPU_ARCH_INJECT_SPIN_CLOBBER
 * where loops is an int array with at least 4 entries.
 */
#define PERCPU_ARCH_INJECT_SPIN_ASM(n)					\
	"lw t5, 4*" #n "(%[percpu_inject])\n\t"				\
	"beqz t5, 333f\n\t"						\
	"222:\n\t"							\
	"addi t5, t5, -1\n\t"						\
	"bnez t5, 222b\n\t"						\
	"333:\n\t"
#define PERCPU_ARCH_INJECT_SPIN_INPUT(loops)	, [percpu_inject] "r" (loops)
#define PERCPU_ARCH_INJECT_SPIN_CLOBBER		, "t5"

/*
 * Publish the descriptor (labels: see arch/generic.h), then check the index
 * field @idp still holds @id (the CPU, or the mm_cid).  lla is auipc+addi, PC-relative: right in PIE and shared
 * objects.  t6 and t4 are the scratch registers of every sequence.
 */
#define _PERCPU_RISCV_ENTER						\
	"lla t6, 3b\n\t"						\
	"sd t6, " PERCPU_STR(PERCPU_RSEQ_OFF_RSEQ_CS) "(%[rs])\n\t"	\
	"1:\n\t"							\
	"lw t6, 0(%[idp])\n\t"	\
	"bne t6, %[id], %l[mismatch]\n\t"				\
	PERCPU_INJECT_ASM(1)

/*
 * Signature, then the abort handler.  It stays in the function's section
 * behind a jump: j reaches 1 MiB, which a __rseq_failure section placed
 * after a large .text may exceed.
 */
#define _PERCPU_RISCV_EPILOGUE						\
	"2:\n\t"							\
	"j 7f\n\t"							\
	".balign 4\n\t"							\
	".word " PERCPU_STR(PERCPU_RSEQ_SIG) "\n\t"			\
	"4:\n\t"							\
	"j %l[abort]\n\t"						\
	"7:\n\t"

#define _PERCPU_RISCV_CLOBBERS	"memory", "t4", "t6"

/*
 * What goes before the commit store of a plain and of a _release sequence:
 * nothing, or "fence rw, w", which orders every earlier load and store before
 * the commit store.
 */
#define _PERCPU_ARCH_RELAXED	""
#define _PERCPU_ARCH_RELEASE	"fence rw, w"

#define _PERCPU_ARCH_CMPEQV_STOREV(barrier)				\
	__asm__ __volatile__ goto(					\
		_PERCPU_ASM_PROLOGUE					\
		_PERCPU_ASM_EXIT_POINT(cmpfail)				\
		_PERCPU_RISCV_ENTER					\
		"ld t4, 0(%[v])\n\t"					\
		"bne t4, %[expect], %l[cmpfail]\n\t"			\
		PERCPU_INJECT_ASM(2)					\
		barrier "\n\t"						\
		"sd %[newv], 0(%[v])\n\t"				\
		_PERCPU_RISCV_EPILOGUE					\
		: /* no outputs */					\
		: [rs] "r" (rs), [id] "r" (id), [idp] "r" (idp), [v] "r" (v),		\
		  [expect] "r" (expect), [newv] "r" (newv)		\
		  PERCPU_INJECT_INPUT					\
		: _PERCPU_RISCV_CLOBBERS PERCPU_INJECT_CLOBBER		\
		: abort, mismatch, cmpfail);				\
	_PERCPU_SEQ_RESULTS_CMP

#define _PERCPU_ARCH_CMPNEV_STOREOFFP_LOAD()				\
	__asm__ __volatile__ goto(					\
		_PERCPU_ASM_PROLOGUE					\
		_PERCPU_ASM_EXIT_POINT(cmpfail)				\
		_PERCPU_RISCV_ENTER					\
		"ld t4, 0(%[v])\n\t"					\
		"beq t4, %[expectnot], %l[cmpfail]\n\t"			\
		PERCPU_INJECT_ASM(2)					\
		"sd t4, 0(%[load])\n\t"					\
		"add t4, t4, %[voffp]\n\t"				\
		"ld t4, 0(t4)\n\t"					\
		"sd t4, 0(%[v])\n\t"					\
		_PERCPU_RISCV_EPILOGUE					\
		: /* no outputs */					\
		: [rs] "r" (rs), [id] "r" (id), [idp] "r" (idp), [v] "r" (v),		\
		  [expectnot] "r" (expectnot), [voffp] "r" (voffp), [load] "r" (load) \
		  PERCPU_INJECT_INPUT					\
		: _PERCPU_RISCV_CLOBBERS PERCPU_INJECT_CLOBBER		\
		: abort, mismatch, cmpfail);				\
	_PERCPU_SEQ_RESULTS_CMP

#define _PERCPU_ARCH_ADDV()						\
	__asm__ __volatile__ goto(					\
		_PERCPU_ASM_PROLOGUE					\
		_PERCPU_RISCV_ENTER					\
		"ld t4, 0(%[v])\n\t"					\
		"add t4, t4, %[count]\n\t"				\
		PERCPU_INJECT_ASM(2)					\
		"sd t4, 0(%[v])\n\t"					\
		_PERCPU_RISCV_EPILOGUE					\
		: /* no outputs */					\
		: [rs] "r" (rs), [id] "r" (id), [idp] "r" (idp), [v] "r" (v), [count] "r" (count) \
		  PERCPU_INJECT_INPUT					\
		: _PERCPU_RISCV_CLOBBERS PERCPU_INJECT_CLOBBER		\
		: abort, mismatch);					\
	_PERCPU_SEQ_RESULTS

#define _PERCPU_ARCH_CMPEQV_CMPEQV_STOREV()				\
	__asm__ __volatile__ goto(					\
		_PERCPU_ASM_PROLOGUE					\
		_PERCPU_ASM_EXIT_POINT(cmpfail)				\
		_PERCPU_RISCV_ENTER					\
		"ld t4, 0(%[v])\n\t"					\
		"bne t4, %[expect], %l[cmpfail]\n\t"			\
		PERCPU_INJECT_ASM(2)					\
		"ld t4, 0(%[v2])\n\t"					\
		"bne t4, %[expect2], %l[cmpfail]\n\t"			\
		PERCPU_INJECT_ASM(3)					\
		"sd %[newv], 0(%[v])\n\t"				\
		_PERCPU_RISCV_EPILOGUE					\
		: /* no outputs */					\
		: [rs] "r" (rs), [id] "r" (id), [idp] "r" (idp), [v] "r" (v), [expect] "r" (expect), \
		  [v2] "r" (v2), [expect2] "r" (expect2), [newv] "r" (newv) \
		  PERCPU_INJECT_INPUT					\
		: _PERCPU_RISCV_CLOBBERS PERCPU_INJECT_CLOBBER		\
		: abort, mismatch, cmpfail);				\
	_PERCPU_SEQ_RESULTS_CMP

/* The speculative store to *v2 is never read by anyone before the commit. */
#define _PERCPU_ARCH_CMPEQV_TRYSTOREV_STOREV(barrier)			\
	__asm__ __volatile__ goto(					\
		_PERCPU_ASM_PROLOGUE					\
		_PERCPU_ASM_EXIT_POINT(cmpfail)				\
		_PERCPU_RISCV_ENTER					\
		"ld t4, 0(%[v])\n\t"					\
		"bne t4, %[expect], %l[cmpfail]\n\t"			\
		PERCPU_INJECT_ASM(2)					\
		"sd %[newv2], 0(%[v2])\n\t"				\
		PERCPU_INJECT_ASM(3)					\
		barrier "\n\t"						\
		"sd %[newv], 0(%[v])\n\t"				\
		_PERCPU_RISCV_EPILOGUE					\
		: /* no outputs */					\
		: [rs] "r" (rs), [id] "r" (id), [idp] "r" (idp), [v] "r" (v),		\
		  [expect] "r" (expect), [v2] "r" (v2),			\
		  [newv2] "r" (newv2), [newv] "r" (newv)		\
		  PERCPU_INJECT_INPUT					\
		: _PERCPU_RISCV_CLOBBERS PERCPU_INJECT_CLOBBER		\
		: abort, mismatch, cmpfail);				\
	_PERCPU_SEQ_RESULTS_CMP

/* Word-wise copy; restarting it from the top is harmless. */
#define _PERCPU_ARCH_CMPEQV_TRYMEMCPY_STOREV(barrier)			\
	__asm__ __volatile__ goto(					\
		_PERCPU_ASM_PROLOGUE					\
		_PERCPU_ASM_EXIT_POINT(cmpfail)				\
		_PERCPU_RISCV_ENTER					\
		"ld t4, 0(%[v])\n\t"					\
		"bne t4, %[expect], %l[cmpfail]\n\t"			\
		PERCPU_INJECT_ASM(2)					\
		"mv t3, %[src]\n\t"					\
		"mv t6, %[dst]\n\t"					\
		"add t2, %[src], %[len]\n\t"				\
		"5:\n\t"						\
		"beq t3, t2, 6f\n\t"					\
		"ld t4, 0(t3)\n\t"					\
		"sd t4, 0(t6)\n\t"					\
		"addi t3, t3, 8\n\t"					\
		"addi t6, t6, 8\n\t"					\
		"j 5b\n\t"						\
		"6:\n\t"						\
		PERCPU_INJECT_ASM(3)					\
		barrier "\n\t"						\
		"sd %[newv], 0(%[v])\n\t"				\
		_PERCPU_RISCV_EPILOGUE					\
		: /* no outputs */					\
		: [rs] "r" (rs), [id] "r" (id), [idp] "r" (idp), [v] "r" (v),		\
		  [expect] "r" (expect), [dst] "r" (dst), [src] "r" (src), \
		  [len] "r" (len), [newv] "r" (newv)			\
		  PERCPU_INJECT_INPUT					\
		: _PERCPU_RISCV_CLOBBERS, "t2", "t3" PERCPU_INJECT_CLOBBER \
		: abort, mismatch, cmpfail);				\
	_PERCPU_SEQ_RESULTS_CMP

/*
 * The slab's own pair (see arch/generic.h): the index is read inside the
 * section and the slot found from it there.  t1-t4 and t6 are scratch.
 * @nr comes zero-extended, like the index lwu loads.
 */
/*
 * The entry of the sequences that read the index themselves (the slab's,
 * the list's and the buffer's pairs and the counter's add: see
 * arch/generic.h): publish the descriptor, read the index field at offset
 * @idoff of the area into t6 (lwu zero-extends it), and leave for mismatch
 * unless it is below %[nr]: one unsigned compare, which also rejects a
 * negative cpu_id. Each structure then turns the index into its slot.
 */
#define _PERCPU_RISCV_IDX_ENTER(idoff)					\
	"lla t6, 3b\n\t"						\
	"sd t6, " PERCPU_STR(PERCPU_RSEQ_OFF_RSEQ_CS) "(%[rs])\n\t"	\
	"1:\n\t"							\
	"lwu t6, " PERCPU_STR(idoff) "(%[rs])\n\t"			\
	"bgeu t6, %[nr], %l[mismatch]\n\t"				\
	PERCPU_INJECT_ASM(1)

/* t6 = the block that @fast (see arch/generic.h) gives index t6. */
#define _PERCPU_RISCV_FAST_SLOT						\
	"andi t4, %[fast], 63\n\t"					\
	"sll t6, t6, t4\n\t"						\
	"andi t4, %[fast], -" PERCPU_STR(PERCPU_SLAB_ARCH_ALIGN) "\n\t"	\
	"add t6, t6, t4\n\t"

#define _PERCPU_RISCV_SLAB_ENTER(idoff)					\
	_PERCPU_RISCV_IDX_ENTER(idoff)					\
	_PERCPU_RISCV_FAST_SLOT						\
	"slli t4, %[cls], 3\n\t"					\
	"add t4, t4, t6\n\t"						\
	"ld t3, 0(t4)\n\t"						\
	"slli t2, t3, 48\n\t"						\
	"srli t2, t2, 48\n\t"

#define _PERCPU_RISCV_SLAB_CLOBBERS	"memory", "t1", "t2", "t3", "t4", "t6"

#define _PERCPU_ARCH_SLAB_PUSH(idoff)					\
	__asm__ __volatile__ goto(					\
		_PERCPU_ASM_PROLOGUE					\
		_PERCPU_ASM_EXIT_POINT(cmpfail)				\
		_PERCPU_RISCV_SLAB_ENTER(idoff)				\
		/* Full when current >= end. */				\
		"srli t1, t3, 16\n\t"					\
		"slli t1, t1, 48\n\t"					\
		"srli t1, t1, 48\n\t"					\
		"bgeu t2, t1, %l[cmpfail]\n\t"				\
		PERCPU_INJECT_ASM(2)					\
		"slli t2, t2, 3\n\t"					\
		"add t2, t2, t6\n\t"					\
		"sd %[ptr], 0(t2)\n\t"					\
		PERCPU_INJECT_ASM(3)					\
		"fence rw, w\n\t"					\
		"addi t3, t3, 1\n\t"					\
		"sd t3, 0(t4)\n\t"					\
		_PERCPU_RISCV_EPILOGUE					\
		: /* no outputs */					\
		: [rs] "r" (rs), [nr] "r" ((uintptr_t)nr), [fast] "r" (fast), \
		  [cls] "r" ((uintptr_t)cls), [ptr] "r" (ptr)		\
		  PERCPU_INJECT_INPUT					\
		: _PERCPU_RISCV_SLAB_CLOBBERS PERCPU_INJECT_CLOBBER	\
		: abort, mismatch, cmpfail);				\
	_PERCPU_SEQ_RESULTS_CMP

#define _PERCPU_ARCH_SLAB_POP(idoff)					\
	__asm__ __volatile__ goto(					\
		_PERCPU_ASM_PROLOGUE					\
		_PERCPU_ASM_EXIT_POINT(cmpfail)				\
		_PERCPU_RISCV_SLAB_ENTER(idoff)				\
		/* Empty when current <= begin. */			\
		"bgeu %[begin], t2, %l[cmpfail]\n\t"			\
		PERCPU_INJECT_ASM(2)					\
		"slli t2, t2, 3\n\t"					\
		"add t2, t2, t6\n\t"					\
		"ld t2, -8(t2)\n\t"					\
		"sd t2, 0(%[load])\n\t"					\
		PERCPU_INJECT_ASM(3)					\
		"addi t3, t3, -1\n\t"					\
		"sd t3, 0(t4)\n\t"					\
		_PERCPU_RISCV_EPILOGUE					\
		: /* no outputs */					\
		: [rs] "r" (rs), [nr] "r" ((uintptr_t)nr), [fast] "r" (fast), \
		  [cls] "r" ((uintptr_t)cls), [begin] "r" ((uintptr_t)begin), \
		  [load] "r" (load)					\
		  PERCPU_INJECT_INPUT					\
		: _PERCPU_RISCV_SLAB_CLOBBERS PERCPU_INJECT_CLOBBER	\
		: abort, mismatch, cmpfail);				\
	_PERCPU_SEQ_RESULTS_CMP

/*
 * The list's pair (see arch/generic.h), made like the slab's: t6 is the
 * slot, t3 the head; t4 holds the locked value.
 */
#define _PERCPU_RISCV_LIST_ENTER(idoff)					\
	_PERCPU_RISCV_IDX_ENTER(idoff)					\
	"slli t6, t6, " PERCPU_STR(PERCPU_CACHELINE_SHIFT) "\n\t"				\
	"add t6, t6, %[base]\n\t"					\
	"ld t3, 0(t6)\n\t"						\
	"li t4, 1\n\t"							\
	"beq t3, t4, %l[cmpfail]\n\t"					\
	PERCPU_INJECT_ASM(2)

#define _PERCPU_ARCH_LIST_PUSH(idoff)					\
	__asm__ __volatile__ goto(					\
		_PERCPU_ASM_PROLOGUE					\
		_PERCPU_ASM_EXIT_POINT(cmpfail)				\
		_PERCPU_RISCV_LIST_ENTER(idoff)				\
		"sd t3, 0(%[next])\n\t"	\
		PERCPU_INJECT_ASM(3)	\
		"fence rw, w\n\t"	\
		"sd %[newv], 0(t6)\n\t"	\
		_PERCPU_RISCV_EPILOGUE					\
		: /* no outputs */					\
		: [rs] "r" (rs), [nr] "r" ((uintptr_t)nr), [base] "r" (base), [next] "r" (next), [newv] "r" (newv)	\
		  PERCPU_INJECT_INPUT					\
		: "memory", "t3", "t4", "t6" PERCPU_INJECT_CLOBBER	\
		: abort, mismatch, cmpfail);				\
	_PERCPU_SEQ_RESULTS_CMP

#define _PERCPU_ARCH_LIST_POP(idoff)					\
	__asm__ __volatile__ goto(					\
		_PERCPU_ASM_PROLOGUE					\
		_PERCPU_ASM_EXIT_POINT(cmpfail)				\
		_PERCPU_RISCV_LIST_ENTER(idoff)				\
		"sd t3, 0(%[load])\n\t"	\
		"add t3, t3, %[voffp]\n\t"	\
		"ld t3, 0(t3)\n\t"	\
		PERCPU_INJECT_ASM(3)	\
		"sd t3, 0(t6)\n\t"	\
		_PERCPU_RISCV_EPILOGUE					\
		: /* no outputs */					\
		: [rs] "r" (rs), [nr] "r" ((uintptr_t)nr), [base] "r" (base), [voffp] "r" (voffp), [load] "r" (load)	\
		  PERCPU_INJECT_INPUT					\
		: "memory", "t3", "t4", "t6" PERCPU_INJECT_CLOBBER	\
		: abort, mismatch, cmpfail);				\
	_PERCPU_SEQ_RESULTS_CMP

/*
 * The buffer's pair (see arch/generic.h), made like the list's: t6 is the
 * CPU's block, t3 its count, t4 the slot.  One unsigned compare with the
 * capacity fails a full, an empty (the pop's 0 - 1) and a LOCKED (-1) block.
 */
#define _PERCPU_RISCV_BUFFER_ENTER(idoff)				\
	_PERCPU_RISCV_IDX_ENTER(idoff)					\
	_PERCPU_RISCV_FAST_SLOT						\
	"ld t3, 0(t6)\n\t"

#define _PERCPU_ARCH_BUFFER_PUSH(idoff)					\
	__asm__ __volatile__ goto(					\
		_PERCPU_ASM_PROLOGUE					\
		_PERCPU_ASM_EXIT_POINT(cmpfail)				\
		_PERCPU_RISCV_BUFFER_ENTER(idoff)			\
		"bgeu t3, %[cap], %l[cmpfail]\n\t"			\
		PERCPU_INJECT_ASM(2)					\
		"slli t4, t3, 3\n\t"					\
		"add t4, t4, t6\n\t"					\
		"sd %[ptr], " PERCPU_STR(PERCPU_BUFFER_ARCH_SLOTS) "(t4)\n\t" \
		PERCPU_INJECT_ASM(3)					\
		"fence rw, w\n\t"					\
		"addi t3, t3, 1\n\t"					\
		"sd t3, 0(t6)\n\t"					\
		_PERCPU_RISCV_EPILOGUE					\
		: /* no outputs */					\
		: [rs] "r" (rs), [nr] "r" ((uintptr_t)nr), [fast] "r" (fast), \
		  [cap] "r" (cap), [ptr] "r" (ptr)			\
		  PERCPU_INJECT_INPUT					\
		: "memory", "t3", "t4", "t6" PERCPU_INJECT_CLOBBER	\
		: abort, mismatch, cmpfail);				\
	_PERCPU_SEQ_RESULTS_CMP

#define _PERCPU_ARCH_BUFFER_POP(idoff)					\
	__asm__ __volatile__ goto(					\
		_PERCPU_ASM_PROLOGUE					\
		_PERCPU_ASM_EXIT_POINT(cmpfail)				\
		_PERCPU_RISCV_BUFFER_ENTER(idoff)			\
		"addi t3, t3, -1\n\t"					\
		"bgeu t3, %[cap], %l[cmpfail]\n\t"			\
		PERCPU_INJECT_ASM(2)					\
		"slli t4, t3, 3\n\t"					\
		"add t4, t4, t6\n\t"					\
		"ld t4, " PERCPU_STR(PERCPU_BUFFER_ARCH_SLOTS) "(t4)\n\t" \
		"sd t4, 0(%[load])\n\t"					\
		PERCPU_INJECT_ASM(3)					\
		"sd t3, 0(t6)\n\t"					\
		_PERCPU_RISCV_EPILOGUE					\
		: /* no outputs */					\
		: [rs] "r" (rs), [nr] "r" ((uintptr_t)nr), [fast] "r" (fast), \
		  [cap] "r" (cap), [load] "r" (load)			\
		  PERCPU_INJECT_INPUT					\
		: "memory", "t3", "t4", "t6" PERCPU_INJECT_CLOBBER	\
		: abort, mismatch, cmpfail);				\
	_PERCPU_SEQ_RESULTS_CMP

/*
 * The counter's add (see arch/generic.h): the list's entry, then a load,
 * an add and the store that commits.
 */
#define _PERCPU_ARCH_COUNTER_ADD(idoff)					\
	__asm__ __volatile__ goto(					\
		_PERCPU_ASM_PROLOGUE					\
		_PERCPU_RISCV_IDX_ENTER(idoff)				\
		"slli t6, t6, " PERCPU_STR(PERCPU_CACHELINE_SHIFT) "\n\t" \
		"add t6, t6, %[base]\n\t"				\
		"ld t3, 0(t6)\n\t"					\
		"add t3, t3, %[count]\n\t"				\
		PERCPU_INJECT_ASM(2)					\
		"sd t3, 0(t6)\n\t"					\
		_PERCPU_RISCV_EPILOGUE					\
		: /* no outputs */					\
		: [rs] "r" (rs), [nr] "r" ((uintptr_t)nr), [base] "r" (base), [count] "r" (count) \
		  PERCPU_INJECT_INPUT					\
		: "memory", "t3", "t6" PERCPU_INJECT_CLOBBER		\
		: abort, mismatch);					\
	_PERCPU_SEQ_RESULTS

/* The thread pointer (tp), from which libc's area lies at __rseq_offset. */
PERCPU_INLINE void *percpu_arch_thread_pointer(void)
{
	void *tp;

	__asm__ ("mv %0, tp" : "=r" (tp));
	return tp;
}
