/* SPDX-License-Identifier: MIT */
/*
 * arch/ppc64/sequences.h - restartable sequences for 64-bit PowerPC
 * (ppc64le, and big-endian ppc64).
 *
 * Included by <percpu/arch.h> only; see arch/generic.h for the contract.
 */
#ifndef _PERCPU_ARCH_INSIDE
# error "include <percpu/arch.h>, not an architecture header"
#endif

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define PERCPU_ARCH_NAME	"ppc64le"
#else
#define PERCPU_ARCH_NAME	"ppc64"
#endif
#define PERCPU_HAVE_ARCH_RSEQ	1

/*
 * Signature before every abort handler (the kernel checks it, see
 * x86_64/sequences.h); it must equal glibc's value.  The instruction is
 * "twui r5, 11" (0x0fe5000b), a trap, so falling into it traps.  PowerPC
 * instructions have the byte order of data, so the value is the same on both
 * endiannesses.
 */
#define PERCPU_RSEQ_SIG		0x0fe5000b

/* POWER caches move 128-byte lines. */
#define PERCPU_CACHELINE_BYTES	128

/*
 * Fault injection for stress tests: spin loops[n] times at hook n.
 *   #define PERCPU_INJECT_ASM(n)    PERCPU_ARCH_INJECT_SPIN_ASM(n)
 *   #define PERCPU_INJECT_INPUT     PERCPU_ARCH_INJECT_SPIN_INPUT(loops)
 *   #define PERCPU_INJECT_CLOBBER   PERCPU_ARCH_INJECT_SPIN_CLOBBER
 * where loops is an int array with at least 4 entries.
 */
#define PERCPU_ARCH_INJECT_SPIN_ASM(n)					\
	"lwz %%r8, 4*" #n "(%[percpu_inject])\n\t"			\
	"cmpwi %%cr1, %%r8, 0\n\t"					\
	"beq %%cr1, 333f\n\t"						\
	"222:\n\t"							\
	"addi %%r8, %%r8, -1\n\t"					\
	"cmpwi %%cr1, %%r8, 0\n\t"					\
	"bne %%cr1, 222b\n\t"						\
	"333:\n\t"
#define PERCPU_ARCH_INJECT_SPIN_INPUT(loops)	, [percpu_inject] "b" (loops)
#define PERCPU_ARCH_INJECT_SPIN_CLOBBER		, "r8", "cr1"

/*
 * Publish the descriptor (labels: see arch/generic.h), then check the index
 * field @idp still holds @id (the CPU, or the mm_cid).  Its address is computed from the program counter (bcl 20,31
 * is the form that leaves the return-address predictor alone) plus a
 * link-time PC-relative offset: right in PIE and shared objects, without the
 * TOC pointer, which a function that does not use the TOC may not have set.
 * r11 and r12 are the scratch registers of every sequence; addresses are
 * "b" operands because r0 in a base-register slot reads as 0.
 */
#define _PERCPU_PPC_ENTER						\
	"bcl 20, 31, 9f\n\t"						\
	"9:\n\t"							\
	"mflr %%r12\n\t"						\
	"addis %%r12, %%r12, (3b - 9b)@ha\n\t"				\
	"addi %%r12, %%r12, (3b - 9b)@l\n\t"				\
	"std %%r12, " PERCPU_STR(PERCPU_RSEQ_OFF_RSEQ_CS) "(%[rs])\n\t"	\
	"1:\n\t"							\
	"lwz %%r12, 0(%[idp])\n\t"	\
	"cmpw %%cr7, %%r12, %[id]\n\t"					\
	"bne- %%cr7, %l[mismatch]\n\t"					\
	PERCPU_INJECT_ASM(1)

/* Signature, then the abort handler, out of line. */
#define _PERCPU_PPC_EPILOGUE						\
	"2:\n\t"							\
	".pushsection __rseq_failure, \"ax\"\n\t"			\
	".long " PERCPU_STR(PERCPU_RSEQ_SIG) "\n\t"			\
	"4:\n\t"							\
	"b %l[abort]\n\t"						\
	".popsection\n\t"

#define _PERCPU_PPC_CLOBBERS	"memory", "cc", "cr7", "lr", "r11", "r12"

/*
 * What goes before the commit store of a plain and of a _release sequence:
 * nothing, or "lwsync", which orders every earlier load and store before
 * the commit store.
 */
#define _PERCPU_ARCH_RELAXED	""
#define _PERCPU_ARCH_RELEASE	"lwsync"

#define _PERCPU_ARCH_CMPEQV_STOREV(barrier)				\
	__asm__ __volatile__ goto(					\
		_PERCPU_ASM_PROLOGUE					\
		_PERCPU_ASM_EXIT_POINT(cmpfail)				\
		_PERCPU_PPC_ENTER					\
		"ld %%r11, 0(%[v])\n\t"					\
		"cmpd %%cr7, %%r11, %[expect]\n\t"			\
		"bne- %%cr7, %l[cmpfail]\n\t"				\
		PERCPU_INJECT_ASM(2)					\
		barrier "\n\t"						\
		"std %[newv], 0(%[v])\n\t"				\
		_PERCPU_PPC_EPILOGUE					\
		: /* no outputs */					\
		: [rs] "b" (rs), [id] "r" (id), [idp] "b" (idp), [v] "b" (v),		\
		  [expect] "r" (expect), [newv] "r" (newv)		\
		  PERCPU_INJECT_INPUT					\
		: _PERCPU_PPC_CLOBBERS PERCPU_INJECT_CLOBBER		\
		: abort, mismatch, cmpfail);				\
	_PERCPU_SEQ_RESULTS_CMP

#define _PERCPU_ARCH_CMPNEV_STOREOFFP_LOAD()				\
	__asm__ __volatile__ goto(					\
		_PERCPU_ASM_PROLOGUE					\
		_PERCPU_ASM_EXIT_POINT(cmpfail)				\
		_PERCPU_PPC_ENTER					\
		"ld %%r11, 0(%[v])\n\t"					\
		"cmpd %%cr7, %%r11, %[expectnot]\n\t"			\
		"beq- %%cr7, %l[cmpfail]\n\t"				\
		PERCPU_INJECT_ASM(2)					\
		"std %%r11, 0(%[load])\n\t"				\
		"ldx %%r11, %%r11, %[voffp]\n\t"			\
		"std %%r11, 0(%[v])\n\t"				\
		_PERCPU_PPC_EPILOGUE					\
		: /* no outputs */					\
		: [rs] "b" (rs), [id] "r" (id), [idp] "b" (idp), [v] "b" (v),		\
		  [expectnot] "r" (expectnot), [voffp] "r" (voffp), [load] "b" (load) \
		  PERCPU_INJECT_INPUT					\
		: _PERCPU_PPC_CLOBBERS PERCPU_INJECT_CLOBBER		\
		: abort, mismatch, cmpfail);				\
	_PERCPU_SEQ_RESULTS_CMP

#define _PERCPU_ARCH_ADDV()						\
	__asm__ __volatile__ goto(					\
		_PERCPU_ASM_PROLOGUE					\
		_PERCPU_PPC_ENTER					\
		"ld %%r11, 0(%[v])\n\t"					\
		"add %%r11, %%r11, %[count]\n\t"			\
		PERCPU_INJECT_ASM(2)					\
		"std %%r11, 0(%[v])\n\t"				\
		_PERCPU_PPC_EPILOGUE					\
		: /* no outputs */					\
		: [rs] "b" (rs), [id] "r" (id), [idp] "b" (idp), [v] "b" (v), [count] "r" (count) \
		  PERCPU_INJECT_INPUT					\
		: _PERCPU_PPC_CLOBBERS PERCPU_INJECT_CLOBBER		\
		: abort, mismatch);					\
	_PERCPU_SEQ_RESULTS

#define _PERCPU_ARCH_CMPEQV_CMPEQV_STOREV()				\
	__asm__ __volatile__ goto(					\
		_PERCPU_ASM_PROLOGUE					\
		_PERCPU_ASM_EXIT_POINT(cmpfail)				\
		_PERCPU_PPC_ENTER					\
		"ld %%r11, 0(%[v])\n\t"					\
		"cmpd %%cr7, %%r11, %[expect]\n\t"			\
		"bne- %%cr7, %l[cmpfail]\n\t"				\
		PERCPU_INJECT_ASM(2)					\
		"ld %%r11, 0(%[v2])\n\t"				\
		"cmpd %%cr7, %%r11, %[expect2]\n\t"			\
		"bne- %%cr7, %l[cmpfail]\n\t"				\
		PERCPU_INJECT_ASM(3)					\
		"std %[newv], 0(%[v])\n\t"				\
		_PERCPU_PPC_EPILOGUE					\
		: /* no outputs */					\
		: [rs] "b" (rs), [id] "r" (id), [idp] "b" (idp), [v] "b" (v), [expect] "r" (expect), \
		  [v2] "b" (v2), [expect2] "r" (expect2), [newv] "r" (newv) \
		  PERCPU_INJECT_INPUT					\
		: _PERCPU_PPC_CLOBBERS PERCPU_INJECT_CLOBBER		\
		: abort, mismatch, cmpfail);				\
	_PERCPU_SEQ_RESULTS_CMP

/* The speculative store to *v2 is never read by anyone before the commit. */
#define _PERCPU_ARCH_CMPEQV_TRYSTOREV_STOREV(barrier)			\
	__asm__ __volatile__ goto(					\
		_PERCPU_ASM_PROLOGUE					\
		_PERCPU_ASM_EXIT_POINT(cmpfail)				\
		_PERCPU_PPC_ENTER					\
		"ld %%r11, 0(%[v])\n\t"					\
		"cmpd %%cr7, %%r11, %[expect]\n\t"			\
		"bne- %%cr7, %l[cmpfail]\n\t"				\
		PERCPU_INJECT_ASM(2)					\
		"std %[newv2], 0(%[v2])\n\t"				\
		PERCPU_INJECT_ASM(3)					\
		barrier "\n\t"						\
		"std %[newv], 0(%[v])\n\t"				\
		_PERCPU_PPC_EPILOGUE					\
		: /* no outputs */					\
		: [rs] "b" (rs), [id] "r" (id), [idp] "b" (idp), [v] "b" (v),		\
		  [expect] "r" (expect), [v2] "b" (v2),			\
		  [newv2] "r" (newv2), [newv] "r" (newv)		\
		  PERCPU_INJECT_INPUT					\
		: _PERCPU_PPC_CLOBBERS PERCPU_INJECT_CLOBBER		\
		: abort, mismatch, cmpfail);				\
	_PERCPU_SEQ_RESULTS_CMP

/* Word-wise copy with the count register; restarting it is harmless. */
#define _PERCPU_ARCH_CMPEQV_TRYMEMCPY_STOREV(barrier)			\
	__asm__ __volatile__ goto(					\
		_PERCPU_ASM_PROLOGUE					\
		_PERCPU_ASM_EXIT_POINT(cmpfail)				\
		_PERCPU_PPC_ENTER					\
		"ld %%r11, 0(%[v])\n\t"					\
		"cmpd %%cr7, %%r11, %[expect]\n\t"			\
		"bne- %%cr7, %l[cmpfail]\n\t"				\
		PERCPU_INJECT_ASM(2)					\
		"srdi. %%r11, %[len], 3\n\t"				\
		"beq 6f\n\t"						\
		"mtctr %%r11\n\t"					\
		"addi %%r9, %[src], -8\n\t"				\
		"addi %%r10, %[dst], -8\n\t"				\
		"5:\n\t"						\
		"ldu %%r11, 8(%%r9)\n\t"				\
		"stdu %%r11, 8(%%r10)\n\t"				\
		"bdnz 5b\n\t"						\
		"6:\n\t"						\
		PERCPU_INJECT_ASM(3)					\
		barrier "\n\t"						\
		"std %[newv], 0(%[v])\n\t"				\
		_PERCPU_PPC_EPILOGUE					\
		: /* no outputs */					\
		: [rs] "b" (rs), [id] "r" (id), [idp] "b" (idp), [v] "b" (v),		\
		  [expect] "r" (expect), [dst] "b" (dst), [src] "b" (src), \
		  [len] "r" (len), [newv] "r" (newv)			\
		  PERCPU_INJECT_INPUT					\
		: _PERCPU_PPC_CLOBBERS, "cr0", "ctr", "r9", "r10"	\
		  PERCPU_INJECT_CLOBBER					\
		: abort, mismatch, cmpfail);				\
	_PERCPU_SEQ_RESULTS_CMP

/*
 * The slab's own pair (see arch/generic.h): the index is read inside the
 * section and the slot found from it there.  r9-r12 and r0 are scratch.
 */
/*
 * The entry of the sequences that read the index themselves (the slab's,
 * the list's and the buffer's pairs and the counter's add: see
 * arch/generic.h): publish the descriptor, read the index field at offset
 * @idoff of the area into r12 (lwz zero-extends it), and leave for mismatch
 * unless it is below %[nr]: one unsigned compare, which also rejects a
 * negative cpu_id. Each structure then turns the index into its slot.
 */
#define _PERCPU_PPC_IDX_ENTER(idoff)					\
	"bcl 20, 31, 9f\n\t"						\
	"9:\n\t"							\
	"mflr %%r12\n\t"						\
	"addis %%r12, %%r12, (3b - 9b)@ha\n\t"				\
	"addi %%r12, %%r12, (3b - 9b)@l\n\t"				\
	"std %%r12, " PERCPU_STR(PERCPU_RSEQ_OFF_RSEQ_CS) "(%[rs])\n\t"	\
	"1:\n\t"							\
	"lwz %%r12, " PERCPU_STR(idoff) "(%[rs])\n\t"			\
	"cmplw %%cr7, %%r12, %[nr]\n\t"					\
	"bge- %%cr7, %l[mismatch]\n\t"					\
	PERCPU_INJECT_ASM(1)

/* r12 = the block that @fast (see arch/generic.h) gives index r12. */
#define _PERCPU_PPC_FAST_SLOT						\
	"rldicl %%r11, %[fast], 0, 58\n\t"	/* & 63 */		\
	"sld %%r12, %%r12, %%r11\n\t"					\
	"rldicr %%r11, %[fast], 0, 55\n\t"	/* & -256 */		\
	"add %%r12, %%r12, %%r11\n\t"

#define _PERCPU_PPC_SLAB_ENTER(idoff)					\
	_PERCPU_PPC_IDX_ENTER(idoff)					\
	_PERCPU_PPC_FAST_SLOT						\
	"sldi %%r11, %[cls], 3\n\t"					\
	"add %%r11, %%r11, %%r12\n\t"					\
	"ld %%r10, 0(%%r11)\n\t"					\
	"rldicl %%r9, %%r10, 0, 48\n\t"		/* current */

#define _PERCPU_PPC_SLAB_CLOBBERS					\
	"memory", "cc", "cr7", "lr", "r0", "r9", "r10", "r11", "r12"

#define _PERCPU_ARCH_SLAB_PUSH(idoff)					\
	__asm__ __volatile__ goto(					\
		_PERCPU_ASM_PROLOGUE					\
		_PERCPU_ASM_EXIT_POINT(cmpfail)				\
		_PERCPU_PPC_SLAB_ENTER(idoff)				\
		/* Full when current >= end. */				\
		"rldicl %%r0, %%r10, 48, 48\n\t"			\
		"cmpld %%cr7, %%r9, %%r0\n\t"				\
		"bge- %%cr7, %l[cmpfail]\n\t"				\
		PERCPU_INJECT_ASM(2)					\
		"sldi %%r9, %%r9, 3\n\t"				\
		"stdx %[ptr], %%r12, %%r9\n\t"				\
		PERCPU_INJECT_ASM(3)					\
		"lwsync\n\t"						\
		"addi %%r10, %%r10, 1\n\t"				\
		"std %%r10, 0(%%r11)\n\t"				\
		_PERCPU_PPC_EPILOGUE					\
		: /* no outputs */					\
		: [rs] "b" (rs), [nr] "r" (nr), [fast] "r" (fast),	\
		  [cls] "r" ((uintptr_t)cls), [ptr] "r" (ptr)		\
		  PERCPU_INJECT_INPUT					\
		: _PERCPU_PPC_SLAB_CLOBBERS PERCPU_INJECT_CLOBBER	\
		: abort, mismatch, cmpfail);				\
	_PERCPU_SEQ_RESULTS_CMP

#define _PERCPU_ARCH_SLAB_POP(idoff)					\
	__asm__ __volatile__ goto(					\
		_PERCPU_ASM_PROLOGUE					\
		_PERCPU_ASM_EXIT_POINT(cmpfail)				\
		_PERCPU_PPC_SLAB_ENTER(idoff)				\
		/* Empty when current <= begin. */			\
		"cmpld %%cr7, %%r9, %[begin]\n\t"			\
		"ble- %%cr7, %l[cmpfail]\n\t"				\
		PERCPU_INJECT_ASM(2)					\
		"sldi %%r9, %%r9, 3\n\t"				\
		"add %%r9, %%r9, %%r12\n\t"				\
		"ld %%r9, -8(%%r9)\n\t"					\
		"std %%r9, 0(%[load])\n\t"				\
		PERCPU_INJECT_ASM(3)					\
		"addi %%r10, %%r10, -1\n\t"				\
		"std %%r10, 0(%%r11)\n\t"				\
		_PERCPU_PPC_EPILOGUE					\
		: /* no outputs */					\
		: [rs] "b" (rs), [nr] "r" (nr), [fast] "r" (fast),	\
		  [cls] "r" ((uintptr_t)cls), [begin] "r" ((uintptr_t)begin), \
		  [load] "b" (load)					\
		  PERCPU_INJECT_INPUT					\
		: _PERCPU_PPC_SLAB_CLOBBERS PERCPU_INJECT_CLOBBER	\
		: abort, mismatch, cmpfail);				\
	_PERCPU_SEQ_RESULTS_CMP

/*
 * The list's pair (see arch/generic.h), made like the slab's: r12 is the
 * slot, r10 the head.
 */
#define _PERCPU_PPC_LIST_ENTER(idoff)					\
	_PERCPU_PPC_IDX_ENTER(idoff)					\
	"sldi %%r12, %%r12, " PERCPU_STR(PERCPU_CACHELINE_SHIFT) "\n\t"			\
	"add %%r12, %%r12, %[base]\n\t"					\
	"ld %%r10, 0(%%r12)\n\t"					\
	"cmpdi %%cr7, %%r10, 1\n\t"					\
	"beq- %%cr7, %l[cmpfail]\n\t"					\
	PERCPU_INJECT_ASM(2)

#define _PERCPU_ARCH_LIST_PUSH(idoff)					\
	__asm__ __volatile__ goto(					\
		_PERCPU_ASM_PROLOGUE					\
		_PERCPU_ASM_EXIT_POINT(cmpfail)				\
		_PERCPU_PPC_LIST_ENTER(idoff)				\
		"std %%r10, 0(%[next])\n\t"	\
		PERCPU_INJECT_ASM(3)	\
		"lwsync\n\t"	\
		"std %[newv], 0(%%r12)\n\t"	\
		_PERCPU_PPC_EPILOGUE					\
		: /* no outputs */					\
		: [rs] "b" (rs), [nr] "r" (nr), [base] "r" (base), [next] "b" (next), [newv] "r" (newv)	\
		  PERCPU_INJECT_INPUT					\
		: "memory", "cc", "cr7", "lr", "r10", "r12" PERCPU_INJECT_CLOBBER	\
		: abort, mismatch, cmpfail);				\
	_PERCPU_SEQ_RESULTS_CMP

#define _PERCPU_ARCH_LIST_POP(idoff)					\
	__asm__ __volatile__ goto(					\
		_PERCPU_ASM_PROLOGUE					\
		_PERCPU_ASM_EXIT_POINT(cmpfail)				\
		_PERCPU_PPC_LIST_ENTER(idoff)				\
		"std %%r10, 0(%[load])\n\t"	\
		"ldx %%r10, %%r10, %[voffp]\n\t"	\
		PERCPU_INJECT_ASM(3)	\
		"std %%r10, 0(%%r12)\n\t"	\
		_PERCPU_PPC_EPILOGUE					\
		: /* no outputs */					\
		: [rs] "b" (rs), [nr] "r" (nr), [base] "r" (base), [voffp] "r" (voffp), [load] "b" (load)	\
		  PERCPU_INJECT_INPUT					\
		: "memory", "cc", "cr7", "lr", "r10", "r12" PERCPU_INJECT_CLOBBER	\
		: abort, mismatch, cmpfail);				\
	_PERCPU_SEQ_RESULTS_CMP

/*
 * The buffer's pair (see arch/generic.h), made like the list's: r12 is the
 * CPU's block, r10 its count, r11 the slot.  One unsigned compare with the
 * capacity fails a full, an empty (the pop's 0 - 1) and a LOCKED (-1) block.
 */
#define _PERCPU_PPC_BUFFER_ENTER(idoff)					\
	_PERCPU_PPC_IDX_ENTER(idoff)					\
	_PERCPU_PPC_FAST_SLOT						\
	"ld %%r10, 0(%%r12)\n\t"

#define _PERCPU_ARCH_BUFFER_PUSH(idoff)					\
	__asm__ __volatile__ goto(					\
		_PERCPU_ASM_PROLOGUE					\
		_PERCPU_ASM_EXIT_POINT(cmpfail)				\
		_PERCPU_PPC_BUFFER_ENTER(idoff)				\
		"cmpld %%cr7, %%r10, %[cap]\n\t"			\
		"bge- %%cr7, %l[cmpfail]\n\t"				\
		PERCPU_INJECT_ASM(2)					\
		"sldi %%r11, %%r10, 3\n\t"				\
		"add %%r11, %%r11, %%r12\n\t"				\
		"std %[ptr], " PERCPU_STR(PERCPU_BUFFER_ARCH_SLOTS) "(%%r11)\n\t" \
		PERCPU_INJECT_ASM(3)					\
		"lwsync\n\t"						\
		"addi %%r10, %%r10, 1\n\t"				\
		"std %%r10, 0(%%r12)\n\t"				\
		_PERCPU_PPC_EPILOGUE					\
		: /* no outputs */					\
		: [rs] "b" (rs), [nr] "r" (nr), [fast] "r" (fast),	\
		  [cap] "r" (cap), [ptr] "r" (ptr)			\
		  PERCPU_INJECT_INPUT					\
		: "memory", "cc", "cr7", "lr", "r10", "r11", "r12"	\
		  PERCPU_INJECT_CLOBBER					\
		: abort, mismatch, cmpfail);				\
	_PERCPU_SEQ_RESULTS_CMP

#define _PERCPU_ARCH_BUFFER_POP(idoff)					\
	__asm__ __volatile__ goto(					\
		_PERCPU_ASM_PROLOGUE					\
		_PERCPU_ASM_EXIT_POINT(cmpfail)				\
		_PERCPU_PPC_BUFFER_ENTER(idoff)				\
		"addi %%r10, %%r10, -1\n\t"				\
		"cmpld %%cr7, %%r10, %[cap]\n\t"			\
		"bge- %%cr7, %l[cmpfail]\n\t"				\
		PERCPU_INJECT_ASM(2)					\
		"sldi %%r11, %%r10, 3\n\t"				\
		"add %%r11, %%r11, %%r12\n\t"				\
		"ld %%r11, " PERCPU_STR(PERCPU_BUFFER_ARCH_SLOTS) "(%%r11)\n\t" \
		"std %%r11, 0(%[load])\n\t"				\
		PERCPU_INJECT_ASM(3)					\
		"std %%r10, 0(%%r12)\n\t"				\
		_PERCPU_PPC_EPILOGUE					\
		: /* no outputs */					\
		: [rs] "b" (rs), [nr] "r" (nr), [fast] "r" (fast),	\
		  [cap] "r" (cap), [load] "b" (load)			\
		  PERCPU_INJECT_INPUT					\
		: "memory", "cc", "cr7", "lr", "r10", "r11", "r12"	\
		  PERCPU_INJECT_CLOBBER					\
		: abort, mismatch, cmpfail);				\
	_PERCPU_SEQ_RESULTS_CMP

/*
 * The counter's add (see arch/generic.h): the list's entry, then a load,
 * an add and the store that commits.
 */
#define _PERCPU_ARCH_COUNTER_ADD(idoff)					\
	__asm__ __volatile__ goto(					\
		_PERCPU_ASM_PROLOGUE					\
		_PERCPU_PPC_IDX_ENTER(idoff)				\
		"sldi %%r12, %%r12, " PERCPU_STR(PERCPU_CACHELINE_SHIFT) "\n\t" \
		"add %%r12, %%r12, %[base]\n\t"				\
		"ld %%r10, 0(%%r12)\n\t"				\
		"add %%r10, %%r10, %[count]\n\t"			\
		PERCPU_INJECT_ASM(2)					\
		"std %%r10, 0(%%r12)\n\t"				\
		_PERCPU_PPC_EPILOGUE					\
		: /* no outputs */					\
		: [rs] "b" (rs), [nr] "r" (nr), [base] "r" (base), [count] "r" (count) \
		  PERCPU_INJECT_INPUT					\
		: "memory", "cc", "cr7", "lr", "r10", "r12" PERCPU_INJECT_CLOBBER \
		: abort, mismatch);					\
	_PERCPU_SEQ_RESULTS

/*
 * The thread pointer, from which libc's area lies at __rseq_offset: r13 on
 * ppc64 (gcc 12 has no __builtin_thread_pointer() here).
 */
PERCPU_INLINE void *percpu_arch_thread_pointer(void)
{
	register void *tp __asm__("r13");

	return tp;
}
