/* SPDX-License-Identifier: MIT */
/*
 * arch/s390/sequences.h - restartable sequences for s390x (64-bit,
 * big-endian).
 *
 * Included by <percpu/arch.h> only; see arch/generic.h for the contract.
 */
#ifndef _PERCPU_ARCH_INSIDE
# error "include <percpu/arch.h>, not an architecture header"
#endif

#define PERCPU_ARCH_NAME	"s390x"
#define PERCPU_HAVE_ARCH_RSEQ	1

/*
 * Signature before every abort handler (the kernel checks it, see
 * x86_64/sequences.h); it must equal glibc's value.  The instruction is
 * "trap4 4095(%r0)" (0xb2ff0fff), so falling into it traps.  s390x is
 * big-endian for instructions and data alike, so .long writes it as is.
 */
#define PERCPU_RSEQ_SIG		0xb2ff0fff

/* z/Architecture caches move 256-byte lines. */
#define PERCPU_CACHELINE_BYTES	256

/*
 * Fault injection for stress tests: spin loops[n] times at hook n.
 *   #define PERCPU_INJECT_ASM(n)    PERCPU_ARCH_INJECT_SPIN_ASM(n)
 *   #define PERCPU_INJECT_INPUT     PERCPU_ARCH_INJECT_SPIN_INPUT(loops)
 *   #define PERCPU_INJECT_CLOBBER   PERCPU_ARCH_INJECT_SPIN_CLOBBER
 * where loops is an int array with at least 4 entries.  It spins in r0, which
 * every sequence clobbers anyway and none holds a value in across a hook:
 * each register more starves the register allocator on the memcpy sequence.
 */
#define PERCPU_ARCH_INJECT_SPIN_ASM(n)					\
	"l %%r0, 4*" #n "(%[percpu_inject])\n\t"			\
	"ltr %%r0, %%r0\n\t"						\
	"jz 333f\n\t"							\
	"222:\n\t"							\
	"brct %%r0, 222b\n\t"						\
	"333:\n\t"
#define PERCPU_ARCH_INJECT_SPIN_INPUT(loops)	, [percpu_inject] "a" (loops)
#define PERCPU_ARCH_INJECT_SPIN_CLOBBER		, "r0"

/*
 * Publish the descriptor (labels: see arch/generic.h), then check the index
 * field @idp still holds @id (the CPU, or the mm_cid).  larl is PC-relative, so it is right in PIE and shared
 * objects.  r0 and r1 are the only scratch registers of the sequences; addresses
 * are "a" operands because r0 in a base or index slot reads as 0.
 */
#define _PERCPU_S390_ENTER						\
	"larl %%r0, 3b\n\t"						\
	"stg %%r0, " PERCPU_STR(PERCPU_RSEQ_OFF_RSEQ_CS) "(%[rs])\n\t"	\
	"1:\n\t"							\
	"c %[id], 0(%[idp])\n\t"	\
	"jnz %l[mismatch]\n\t"						\
	PERCPU_INJECT_ASM(1)

/* Signature, then the abort handler, out of line (jg: any distance). */
#define _PERCPU_S390_EPILOGUE						\
	"2:\n\t"							\
	".pushsection __rseq_failure, \"ax\"\n\t"			\
	".long " PERCPU_STR(PERCPU_RSEQ_SIG) "\n\t"			\
	"4:\n\t"							\
	"jg %l[abort]\n\t"						\
	".popsection\n\t"

/*
 * What goes before the commit store of a plain and of a _release sequence:
 * nothing in either.  s390 keeps stores in program order with respect to
 * other stores and loads (only a load may pass an earlier store), so every
 * earlier load and store is already ordered before the commit store.
 */
#define _PERCPU_ARCH_RELAXED	""
#define _PERCPU_ARCH_RELEASE	""

#define _PERCPU_ARCH_CMPEQV_STOREV(release)				\
	__asm__ __volatile__ goto(					\
		_PERCPU_ASM_PROLOGUE					\
		_PERCPU_ASM_EXIT_POINT(cmpfail)				\
		_PERCPU_S390_ENTER					\
		"cg %[expect], 0(%[v])\n\t"				\
		"jnz %l[cmpfail]\n\t"					\
		PERCPU_INJECT_ASM(2)					\
		release							\
		"stg %[newv], 0(%[v])\n\t"				\
		_PERCPU_S390_EPILOGUE					\
		: /* no outputs */					\
		: [rs] "a" (rs), [id] "d" (id), [idp] "a" (idp), [v] "a" (v),		\
		  [expect] "d" (expect), [newv] "d" (newv)		\
		  PERCPU_INJECT_INPUT					\
		: "memory", "cc", "r0", "r1" PERCPU_INJECT_CLOBBER	\
		: abort, mismatch, cmpfail);				\
	_PERCPU_SEQ_RESULTS_CMP

#define _PERCPU_ARCH_CMPNEV_STOREOFFP_LOAD()				\
	__asm__ __volatile__ goto(					\
		_PERCPU_ASM_PROLOGUE					\
		_PERCPU_ASM_EXIT_POINT(cmpfail)				\
		_PERCPU_S390_ENTER					\
		"lg %%r1, 0(%[v])\n\t"					\
		"cgr %%r1, %[expectnot]\n\t"				\
		"je %l[cmpfail]\n\t"					\
		PERCPU_INJECT_ASM(2)					\
		"stg %%r1, 0(%[load])\n\t"				\
		"lg %%r1, 0(%[voffp], %%r1)\n\t"			\
		"stg %%r1, 0(%[v])\n\t"					\
		_PERCPU_S390_EPILOGUE					\
		: /* no outputs */					\
		: [rs] "a" (rs), [id] "d" (id), [idp] "a" (idp), [v] "a" (v),		\
		  [expectnot] "d" (expectnot), [voffp] "a" (voffp), [load] "a" (load) \
		  PERCPU_INJECT_INPUT					\
		: "memory", "cc", "r0", "r1" PERCPU_INJECT_CLOBBER	\
		: abort, mismatch, cmpfail);				\
	_PERCPU_SEQ_RESULTS_CMP

#define _PERCPU_ARCH_ADDV()						\
	__asm__ __volatile__ goto(					\
		_PERCPU_ASM_PROLOGUE					\
		_PERCPU_S390_ENTER					\
		"lg %%r1, 0(%[v])\n\t"					\
		"agr %%r1, %[count]\n\t"				\
		PERCPU_INJECT_ASM(2)					\
		"stg %%r1, 0(%[v])\n\t"					\
		_PERCPU_S390_EPILOGUE					\
		: /* no outputs */					\
		: [rs] "a" (rs), [id] "d" (id), [idp] "a" (idp), [v] "a" (v), [count] "d" (count) \
		  PERCPU_INJECT_INPUT					\
		: "memory", "cc", "r0", "r1" PERCPU_INJECT_CLOBBER	\
		: abort, mismatch);					\
	_PERCPU_SEQ_RESULTS

#define _PERCPU_ARCH_CMPEQV_CMPEQV_STOREV()				\
	__asm__ __volatile__ goto(					\
		_PERCPU_ASM_PROLOGUE					\
		_PERCPU_ASM_EXIT_POINT(cmpfail)				\
		_PERCPU_S390_ENTER					\
		"cg %[expect], 0(%[v])\n\t"				\
		"jnz %l[cmpfail]\n\t"					\
		PERCPU_INJECT_ASM(2)					\
		"cg %[expect2], 0(%[v2])\n\t"				\
		"jnz %l[cmpfail]\n\t"					\
		PERCPU_INJECT_ASM(3)					\
		"stg %[newv], 0(%[v])\n\t"				\
		_PERCPU_S390_EPILOGUE					\
		: /* no outputs */					\
		: [rs] "a" (rs), [id] "d" (id), [idp] "a" (idp), [v] "a" (v), [expect] "d" (expect), \
		  [v2] "a" (v2), [expect2] "d" (expect2), [newv] "d" (newv) \
		  PERCPU_INJECT_INPUT					\
		: "memory", "cc", "r0", "r1" PERCPU_INJECT_CLOBBER	\
		: abort, mismatch, cmpfail);				\
	_PERCPU_SEQ_RESULTS_CMP

#define _PERCPU_ARCH_CMPEQV_TRYSTOREV_STOREV(release)			\
	__asm__ __volatile__ goto(					\
		_PERCPU_ASM_PROLOGUE					\
		_PERCPU_ASM_EXIT_POINT(cmpfail)				\
		_PERCPU_S390_ENTER					\
		"cg %[expect], 0(%[v])\n\t"				\
		"jnz %l[cmpfail]\n\t"					\
		PERCPU_INJECT_ASM(2)					\
		/* Speculative store: nobody reads *v2 before the commit. */ \
		"stg %[newv2], 0(%[v2])\n\t"				\
		PERCPU_INJECT_ASM(3)					\
		release							\
		"stg %[newv], 0(%[v])\n\t"				\
		_PERCPU_S390_EPILOGUE					\
		: /* no outputs */					\
		: [rs] "a" (rs), [id] "d" (id), [idp] "a" (idp), [v] "a" (v), [expect] "d" (expect), \
		  [v2] "a" (v2), [newv2] "d" (newv2), [newv] "d" (newv)	\
		  PERCPU_INJECT_INPUT					\
		: "memory", "cc", "r0", "r1" PERCPU_INJECT_CLOBBER	\
		: abort, mismatch, cmpfail);				\
	_PERCPU_SEQ_RESULTS_CMP

#define _PERCPU_ARCH_CMPEQV_TRYMEMCPY_STOREV(release)			\
	__asm__ __volatile__ goto(					\
		_PERCPU_ASM_PROLOGUE					\
		_PERCPU_ASM_EXIT_POINT(cmpfail)				\
		_PERCPU_S390_ENTER					\
		"cg %[expect], 0(%[v])\n\t"				\
		"jnz %l[cmpfail]\n\t"					\
		PERCPU_INJECT_ASM(2)					\
		/*							\
		 * Word-wise copy, indexed by r1 so that src, dst and len stay \
		 * untouched inputs; restarting it from the top is harmless. \
		 */							\
		"lghi %%r1, 0\n\t"					\
		"5:\n\t"						\
		"clgr %%r1, %[len]\n\t"					\
		"jhe 6f\n\t"						\
		"lg %%r0, 0(%%r1, %[src])\n\t"				\
		"stg %%r0, 0(%%r1, %[dst])\n\t"				\
		"aghi %%r1, 8\n\t"					\
		"j 5b\n\t"						\
		"6:\n\t"						\
		PERCPU_INJECT_ASM(3)					\
		release							\
		"stg %[newv], 0(%[v])\n\t"				\
		_PERCPU_S390_EPILOGUE					\
		: /* no outputs */					\
		: [rs] "a" (rs), [id] "d" (id), [idp] "a" (idp), [v] "a" (v), [expect] "d" (expect), \
		  [dst] "a" (dst), [src] "a" (src), [len] "d" (len), [newv] "d" (newv) \
		  PERCPU_INJECT_INPUT					\
		: "memory", "cc", "r0", "r1" PERCPU_INJECT_CLOBBER	\
		: abort, mismatch, cmpfail);				\
	_PERCPU_SEQ_RESULTS_CMP

/*
 * The slab's own pair (see arch/generic.h): the index is read inside the
 * section and the slot found from it there.  r1 (slot), r2 and r3
 * (header) are scratch, r0 only between hooks (the injection hook uses
 * it).  sllg takes its count from an address: the low 6 bits of @fast.
 */
/*
 * The entry of the sequences that read the index themselves (the slab's,
 * the list's and the buffer's pairs and the counter's add: see
 * arch/generic.h): publish the descriptor, read the index field at offset
 * @idoff of the area into r1 (llgf zero-extends it; r0 is scratch), and
 * leave for mismatch unless it is below %[nr]: one unsigned compare, which
 * also rejects a negative cpu_id. Each structure then turns the index into
 * its slot.
 */
#define _PERCPU_S390_IDX_ENTER(idoff)					\
	"larl %%r0, 3b\n\t"						\
	"stg %%r0, " PERCPU_STR(PERCPU_RSEQ_OFF_RSEQ_CS) "(%[rs])\n\t"	\
	"1:\n\t"							\
	"llgf %%r1, " PERCPU_STR(idoff) "(%[rs])\n\t"			\
	"clr %%r1, %[nr]\n\t"						\
	"jhe %l[mismatch]\n\t"						\
	PERCPU_INJECT_ASM(1)

/* r1 = the block that @fast (see arch/generic.h) gives index r1. */
#define _PERCPU_S390_FAST_SLOT						\
	"sllg %%r1, %%r1, 0(%[fast])\n\t"				\
	"lgr %%r2, %[fast]\n\t"						\
	"nill %%r2, 0x10000 - " PERCPU_STR(PERCPU_SLAB_ARCH_ALIGN) "\n\t" \
	"agr %%r1, %%r2\n\t"

#define _PERCPU_S390_SLAB_ENTER(idoff)					\
	_PERCPU_S390_IDX_ENTER(idoff)					\
	_PERCPU_S390_FAST_SLOT						\
	"sllg %%r2, %[cls], 3\n\t"					\
	"lg %%r3, 0(%%r2, %%r1)\n\t"

#define _PERCPU_ARCH_SLAB_PUSH(idoff)					\
	__asm__ __volatile__ goto(					\
		_PERCPU_ASM_PROLOGUE					\
		_PERCPU_ASM_EXIT_POINT(cmpfail)				\
		_PERCPU_S390_SLAB_ENTER(idoff)				\
		/* Full when current >= end. */				\
		"srlg %%r2, %%r3, 16\n\t"				\
		"llghr %%r2, %%r2\n\t"					\
		"llghr %%r0, %%r3\n\t"					\
		"clgr %%r0, %%r2\n\t"					\
		"jhe %l[cmpfail]\n\t"					\
		PERCPU_INJECT_ASM(2)					\
		"llghr %%r2, %%r3\n\t"					\
		"sllg %%r2, %%r2, 3\n\t"				\
		"stg %[ptr], 0(%%r2, %%r1)\n\t"				\
		PERCPU_INJECT_ASM(3)					\
		"sllg %%r2, %[cls], 3\n\t"				\
		"aghi %%r3, 1\n\t"					\
		"stg %%r3, 0(%%r2, %%r1)\n\t"				\
		_PERCPU_S390_EPILOGUE					\
		: /* no outputs */					\
		: [rs] "a" (rs), [nr] "d" (nr), [fast] "a" (fast),	\
		  [cls] "d" ((uintptr_t)cls), [ptr] "d" (ptr)		\
		  PERCPU_INJECT_INPUT					\
		: "memory", "cc", "r0", "r1", "r2", "r3" PERCPU_INJECT_CLOBBER \
		: abort, mismatch, cmpfail);				\
	_PERCPU_SEQ_RESULTS_CMP

#define _PERCPU_ARCH_SLAB_POP(idoff)					\
	__asm__ __volatile__ goto(					\
		_PERCPU_ASM_PROLOGUE					\
		_PERCPU_ASM_EXIT_POINT(cmpfail)				\
		_PERCPU_S390_SLAB_ENTER(idoff)				\
		/* Empty when current <= begin. */			\
		"llghr %%r2, %%r3\n\t"					\
		"clgr %%r2, %[begin]\n\t"				\
		"jle %l[cmpfail]\n\t"					\
		PERCPU_INJECT_ASM(2)					\
		"sllg %%r2, %%r2, 3\n\t"				\
		"lg %%r0, -8(%%r2, %%r1)\n\t"				\
		"stg %%r0, 0(%[load])\n\t"				\
		PERCPU_INJECT_ASM(3)					\
		"sllg %%r2, %[cls], 3\n\t"				\
		"aghi %%r3, -1\n\t"					\
		"stg %%r3, 0(%%r2, %%r1)\n\t"				\
		_PERCPU_S390_EPILOGUE					\
		: /* no outputs */					\
		: [rs] "a" (rs), [nr] "d" (nr), [fast] "a" (fast),	\
		  [cls] "d" ((uintptr_t)cls), [begin] "d" ((uintptr_t)begin), \
		  [load] "a" (load)					\
		  PERCPU_INJECT_INPUT					\
		: "memory", "cc", "r0", "r1", "r2", "r3" PERCPU_INJECT_CLOBBER \
		: abort, mismatch, cmpfail);				\
	_PERCPU_SEQ_RESULTS_CMP

/*
 * The list's pair (see arch/generic.h), made like the slab's: r1 is the
 * slot, r2 the head; r0 only before the first hook.
 */
#define _PERCPU_S390_LIST_ENTER(idoff)					\
	_PERCPU_S390_IDX_ENTER(idoff)					\
	"sllg %%r1, %%r1, " PERCPU_STR(PERCPU_CACHELINE_SHIFT) "\n\t"				\
	"agr %%r1, %[base]\n\t"						\
	"lg %%r2, 0(%%r1)\n\t"						\
	"cghi %%r2, 1\n\t"						\
	"je %l[cmpfail]\n\t"						\
	PERCPU_INJECT_ASM(2)

#define _PERCPU_ARCH_LIST_PUSH(idoff)					\
	__asm__ __volatile__ goto(					\
		_PERCPU_ASM_PROLOGUE					\
		_PERCPU_ASM_EXIT_POINT(cmpfail)				\
		_PERCPU_S390_LIST_ENTER(idoff)				\
		"stg %%r2, 0(%[next])\n\t"	\
		PERCPU_INJECT_ASM(3)	\
		"stg %[newv], 0(%%r1)\n\t"	\
		_PERCPU_S390_EPILOGUE					\
		: /* no outputs */					\
		: [rs] "a" (rs), [nr] "d" (nr), [base] "d" (base), [next] "a" (next), [newv] "d" (newv)	\
		  PERCPU_INJECT_INPUT					\
		: "memory", "cc", "r0", "r1", "r2" PERCPU_INJECT_CLOBBER	\
		: abort, mismatch, cmpfail);				\
	_PERCPU_SEQ_RESULTS_CMP

#define _PERCPU_ARCH_LIST_POP(idoff)					\
	__asm__ __volatile__ goto(					\
		_PERCPU_ASM_PROLOGUE					\
		_PERCPU_ASM_EXIT_POINT(cmpfail)				\
		_PERCPU_S390_LIST_ENTER(idoff)				\
		"stg %%r2, 0(%[load])\n\t"	\
		"lg %%r2, 0(%%r2, %[voffp])\n\t"	\
		PERCPU_INJECT_ASM(3)	\
		"stg %%r2, 0(%%r1)\n\t"	\
		_PERCPU_S390_EPILOGUE					\
		: /* no outputs */					\
		: [rs] "a" (rs), [nr] "d" (nr), [base] "d" (base), [voffp] "a" (voffp), [load] "a" (load)	\
		  PERCPU_INJECT_INPUT					\
		: "memory", "cc", "r0", "r1", "r2" PERCPU_INJECT_CLOBBER	\
		: abort, mismatch, cmpfail);				\
	_PERCPU_SEQ_RESULTS_CMP

/*
 * The buffer's pair (see arch/generic.h), made like the list's: r1 is the
 * CPU's block, r2 its count, r3 the slot's offset.  One unsigned compare
 * with the capacity fails a full, an empty (the pop's 0 - 1) and a LOCKED
 * (-1) block.  The shift count is an address operand (not r0).
 */
#define _PERCPU_S390_BUFFER_ENTER(idoff)				\
	_PERCPU_S390_IDX_ENTER(idoff)					\
	_PERCPU_S390_FAST_SLOT						\
	"lg %%r2, 0(%%r1)\n\t"

#define _PERCPU_ARCH_BUFFER_PUSH(idoff)					\
	__asm__ __volatile__ goto(					\
		_PERCPU_ASM_PROLOGUE					\
		_PERCPU_ASM_EXIT_POINT(cmpfail)				\
		_PERCPU_S390_BUFFER_ENTER(idoff)			\
		"clgr %%r2, %[cap]\n\t"					\
		"jhe %l[cmpfail]\n\t"					\
		PERCPU_INJECT_ASM(2)					\
		"sllg %%r3, %%r2, 3\n\t"				\
		"stg %[ptr], " PERCPU_STR(PERCPU_BUFFER_ARCH_SLOTS) "(%%r3, %%r1)\n\t" \
		PERCPU_INJECT_ASM(3)					\
		"aghi %%r2, 1\n\t"					\
		"stg %%r2, 0(%%r1)\n\t"					\
		_PERCPU_S390_EPILOGUE					\
		: /* no outputs */					\
		: [rs] "a" (rs), [nr] "d" (nr), [fast] "a" (fast),	\
		  [cap] "d" (cap), [ptr] "d" (ptr)			\
		  PERCPU_INJECT_INPUT					\
		: "memory", "cc", "r0", "r1", "r2", "r3" PERCPU_INJECT_CLOBBER \
		: abort, mismatch, cmpfail);				\
	_PERCPU_SEQ_RESULTS_CMP

#define _PERCPU_ARCH_BUFFER_POP(idoff)					\
	__asm__ __volatile__ goto(					\
		_PERCPU_ASM_PROLOGUE					\
		_PERCPU_ASM_EXIT_POINT(cmpfail)				\
		_PERCPU_S390_BUFFER_ENTER(idoff)			\
		"aghi %%r2, -1\n\t"					\
		"clgr %%r2, %[cap]\n\t"					\
		"jhe %l[cmpfail]\n\t"					\
		PERCPU_INJECT_ASM(2)					\
		"sllg %%r3, %%r2, 3\n\t"				\
		"lg %%r3, " PERCPU_STR(PERCPU_BUFFER_ARCH_SLOTS) "(%%r3, %%r1)\n\t" \
		"stg %%r3, 0(%[load])\n\t"				\
		PERCPU_INJECT_ASM(3)					\
		"stg %%r2, 0(%%r1)\n\t"					\
		_PERCPU_S390_EPILOGUE					\
		: /* no outputs */					\
		: [rs] "a" (rs), [nr] "d" (nr), [fast] "a" (fast),	\
		  [cap] "d" (cap), [load] "a" (load)			\
		  PERCPU_INJECT_INPUT					\
		: "memory", "cc", "r0", "r1", "r2", "r3" PERCPU_INJECT_CLOBBER \
		: abort, mismatch, cmpfail);				\
	_PERCPU_SEQ_RESULTS_CMP

/*
 * The counter's add (see arch/generic.h): the list's entry, then a load,
 * an add and the store that commits.
 */
#define _PERCPU_ARCH_COUNTER_ADD(idoff)					\
	__asm__ __volatile__ goto(					\
		_PERCPU_ASM_PROLOGUE					\
		_PERCPU_S390_IDX_ENTER(idoff)				\
		"sllg %%r1, %%r1, " PERCPU_STR(PERCPU_CACHELINE_SHIFT) "\n\t" \
		"agr %%r1, %[base]\n\t"					\
		"lg %%r2, 0(%%r1)\n\t"					\
		"agr %%r2, %[count]\n\t"				\
		PERCPU_INJECT_ASM(2)					\
		"stg %%r2, 0(%%r1)\n\t"					\
		_PERCPU_S390_EPILOGUE					\
		: /* no outputs */					\
		: [rs] "a" (rs), [nr] "d" (nr), [base] "d" (base), [count] "d" (count) \
		  PERCPU_INJECT_INPUT					\
		: "memory", "cc", "r0", "r1", "r2" PERCPU_INJECT_CLOBBER \
		: abort, mismatch);					\
	_PERCPU_SEQ_RESULTS

/* The thread pointer, from which libc's area lies at __rseq_offset. */
PERCPU_INLINE void *percpu_arch_thread_pointer(void)
{
	return __builtin_thread_pointer();
}

