/* SPDX-License-Identifier: MIT */
/*
 * arch/mips/sequences.h - restartable sequences for MIPS: 64-bit (n64) and
 * 32-bit (o32), either endianness.
 *
 * Included by <percpu/arch.h> only; see arch/generic.h for the contract.
 * All the assembly runs in ".set noreorder": every branch delay slot is
 * filled by hand, so the assembler never moves an instruction across a label
 * of the critical section.
 */
#ifndef _PERCPU_ARCH_INSIDE
# error "include <percpu/arch.h>, not an architecture header"
#endif

#if _MIPS_SIM == _ABI64
#define PERCPU_ARCH_NAME	"mips64"
#define _PERCPU_MIPS_LP		"ld"	/* load a pointer-sized word */
#define _PERCPU_MIPS_SP		"sd"	/* store one */
#define _PERCPU_MIPS_ADDU	"daddu"
#define _PERCPU_MIPS_ADDIU	"daddiu"
#define _PERCPU_MIPS_WORD	"8"
#elif _MIPS_SIM == _ABIO32
#define PERCPU_ARCH_NAME	"mips"
#define _PERCPU_MIPS_LP		"lw"
#define _PERCPU_MIPS_SP		"sw"
#define _PERCPU_MIPS_ADDU	"addu"
#define _PERCPU_MIPS_ADDIU	"addiu"
#define _PERCPU_MIPS_WORD	"4"
#else
# error "libpercpu: only the MIPS o32 and n64 ABIs are supported"
#endif
#define PERCPU_HAVE_ARCH_RSEQ	1

/*
 * Signature before every abort handler (the kernel checks it, see
 * x86_64/sequences.h); it must equal glibc's value.  The instruction is
 * "break 0x350" (0x0350000d), so falling into it traps.  MIPS instructions
 * have the byte order of data, so the value is the same on both
 * endiannesses.
 */
#define PERCPU_RSEQ_SIG		0x0350000d

/*
 * Fault injection for stress tests: spin loops[n] times at hook n.
 *   #define PERCPU_INJECT_ASM(n)    PERCPU_ARCH_INJECT_SPIN_ASM(n)
 *   #define PERCPU_INJECT_INPUT     PERCPU_ARCH_INJECT_SPIN_INPUT(loops)
 *   #define PERCPU_INJECT_CLOBBER   PERCPU_ARCH_INJECT_SPIN_CLOBBER
 * where loops is an int array with at least 4 entries.
 */
#define PERCPU_ARCH_INJECT_SPIN_ASM(n)					\
	"lw $24, 4*" #n "(%[percpu_inject])\n\t"			\
	"beqz $24, 333f\n\t"						\
	" nop\n\t"							\
	"222:\n\t"							\
	"addiu $24, $24, -1\n\t"					\
	"bnez $24, 222b\n\t"						\
	" nop\n\t"							\
	"333:\n\t"
#define PERCPU_ARCH_INJECT_SPIN_INPUT(loops)	, [percpu_inject] "r" (loops)
#define PERCPU_ARCH_INJECT_SPIN_CLOBBER		, "$24"

/* On 32-bit big-endian the pointer is the second half of the u64 rseq_cs. */
#if _MIPS_SIM == _ABIO32 && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define _PERCPU_MIPS_OFF_RSEQ_CS	(PERCPU_RSEQ_OFF_RSEQ_CS + 4)
#else
#define _PERCPU_MIPS_OFF_RSEQ_CS	PERCPU_RSEQ_OFF_RSEQ_CS
#endif

/*
 * Publish the descriptor (labels: see arch/generic.h), then check the index
 * field @idp still holds @id (the CPU, or the mm_cid).  "la" would go through $gp, which GCC sets up only in
 * functions that it knows use the GOT; instead bal puts the address of the
 * word after its delay slot in $ra, and that word holds the link-time offset
 * from itself to the descriptor (R_MIPS_PC32): right in PIE and shared
 * objects.  On o32 only the low word of the u64 rseq_cs is written: the
 * other is 0 from registration on, and the kernel clears all of it.  $12 is
 * the scratch register of every sequence.
 */
#define _PERCPU_MIPS_ENTER						\
	".set push\n\t"							\
	".set noreorder\n\t"						\
	"bal 9f\n\t"							\
	" nop\n\t"							\
	"8:\n\t"							\
	".word 3b - 8b\n\t"						\
	"9:\n\t"							\
	"lw $12, 0($31)\n\t"						\
	_PERCPU_MIPS_ADDU " $12, $12, $31\n\t"				\
	_PERCPU_MIPS_SP " $12, " PERCPU_STR(_PERCPU_MIPS_OFF_RSEQ_CS) "(%[rs])\n\t" \
	"1:\n\t"							\
	"lw $12, 0(%[idp])\n\t"	\
	"bne $12, %[id], %l[mismatch]\n\t"				\
	" nop\n\t"							\
	PERCPU_INJECT_ASM(1)

/*
 * Signature, then the abort handler.  It stays in the function's own section
 * behind a branch: a MIPS branch reaches only 128 KiB, too little to reach a
 * __rseq_failure section that the linker puts after all of .text.
 */
#define _PERCPU_MIPS_EPILOGUE						\
	"2:\n\t"							\
	"b 7f\n\t"							\
	" nop\n\t"							\
	".word " PERCPU_STR(PERCPU_RSEQ_SIG) "\n\t"			\
	"4:\n\t"							\
	"b %l[abort]\n\t"						\
	" nop\n\t"							\
	"7:\n\t"							\
	".set pop\n\t"

#define _PERCPU_MIPS_CLOBBERS	"memory", "$12", "$13", "$31"

/*
 * What goes before the commit store of a plain and of a _release sequence:
 * nothing, or "sync", which orders every earlier load and store before
 * the commit store.
 */
#define _PERCPU_ARCH_RELAXED	""
#define _PERCPU_ARCH_RELEASE	"sync"

#define _PERCPU_ARCH_CMPEQV_STOREV(barrier)				\
	__asm__ __volatile__ goto(					\
		_PERCPU_ASM_PROLOGUE					\
		_PERCPU_ASM_EXIT_POINT(cmpfail)				\
		_PERCPU_MIPS_ENTER					\
		_PERCPU_MIPS_LP " $13, 0(%[v])\n\t"			\
		"bne $13, %[expect], %l[cmpfail]\n\t"			\
		" nop\n\t"						\
		PERCPU_INJECT_ASM(2)					\
		barrier "\n\t"						\
		_PERCPU_MIPS_SP " %[newv], 0(%[v])\n\t"			\
		_PERCPU_MIPS_EPILOGUE					\
		: /* no outputs */					\
		: [rs] "r" (rs), [id] "r" (id), [idp] "r" (idp), [v] "r" (v),		\
		  [expect] "r" (expect), [newv] "r" (newv)		\
		  PERCPU_INJECT_INPUT					\
		: _PERCPU_MIPS_CLOBBERS PERCPU_INJECT_CLOBBER		\
		: abort, mismatch, cmpfail);				\
	_PERCPU_SEQ_RESULTS_CMP

#define _PERCPU_ARCH_CMPNEV_STOREOFFP_LOAD()				\
	__asm__ __volatile__ goto(					\
		_PERCPU_ASM_PROLOGUE					\
		_PERCPU_ASM_EXIT_POINT(cmpfail)				\
		_PERCPU_MIPS_ENTER					\
		_PERCPU_MIPS_LP " $13, 0(%[v])\n\t"			\
		"beq $13, %[expectnot], %l[cmpfail]\n\t"		\
		" nop\n\t"						\
		PERCPU_INJECT_ASM(2)					\
		_PERCPU_MIPS_SP " $13, 0(%[load])\n\t"			\
		_PERCPU_MIPS_ADDU " $13, $13, %[voffp]\n\t"		\
		_PERCPU_MIPS_LP " $13, 0($13)\n\t"			\
		_PERCPU_MIPS_SP " $13, 0(%[v])\n\t"			\
		_PERCPU_MIPS_EPILOGUE					\
		: /* no outputs */					\
		: [rs] "r" (rs), [id] "r" (id), [idp] "r" (idp), [v] "r" (v),		\
		  [expectnot] "r" (expectnot), [voffp] "r" (voffp), [load] "r" (load) \
		  PERCPU_INJECT_INPUT					\
		: _PERCPU_MIPS_CLOBBERS PERCPU_INJECT_CLOBBER		\
		: abort, mismatch, cmpfail);				\
	_PERCPU_SEQ_RESULTS_CMP

#define _PERCPU_ARCH_ADDV()						\
	__asm__ __volatile__ goto(					\
		_PERCPU_ASM_PROLOGUE					\
		_PERCPU_MIPS_ENTER					\
		_PERCPU_MIPS_LP " $13, 0(%[v])\n\t"			\
		_PERCPU_MIPS_ADDU " $13, $13, %[count]\n\t"		\
		PERCPU_INJECT_ASM(2)					\
		_PERCPU_MIPS_SP " $13, 0(%[v])\n\t"			\
		_PERCPU_MIPS_EPILOGUE					\
		: /* no outputs */					\
		: [rs] "r" (rs), [id] "r" (id), [idp] "r" (idp), [v] "r" (v), [count] "r" (count) \
		  PERCPU_INJECT_INPUT					\
		: _PERCPU_MIPS_CLOBBERS PERCPU_INJECT_CLOBBER		\
		: abort, mismatch);					\
	_PERCPU_SEQ_RESULTS

#define _PERCPU_ARCH_CMPEQV_CMPEQV_STOREV()				\
	__asm__ __volatile__ goto(					\
		_PERCPU_ASM_PROLOGUE					\
		_PERCPU_ASM_EXIT_POINT(cmpfail)				\
		_PERCPU_MIPS_ENTER					\
		_PERCPU_MIPS_LP " $13, 0(%[v])\n\t"			\
		"bne $13, %[expect], %l[cmpfail]\n\t"			\
		" nop\n\t"						\
		PERCPU_INJECT_ASM(2)					\
		_PERCPU_MIPS_LP " $13, 0(%[v2])\n\t"			\
		"bne $13, %[expect2], %l[cmpfail]\n\t"			\
		" nop\n\t"						\
		PERCPU_INJECT_ASM(3)					\
		_PERCPU_MIPS_SP " %[newv], 0(%[v])\n\t"			\
		_PERCPU_MIPS_EPILOGUE					\
		: /* no outputs */					\
		: [rs] "r" (rs), [id] "r" (id), [idp] "r" (idp), [v] "r" (v), [expect] "r" (expect), \
		  [v2] "r" (v2), [expect2] "r" (expect2), [newv] "r" (newv) \
		  PERCPU_INJECT_INPUT					\
		: _PERCPU_MIPS_CLOBBERS PERCPU_INJECT_CLOBBER		\
		: abort, mismatch, cmpfail);				\
	_PERCPU_SEQ_RESULTS_CMP

/* The speculative store to *v2 is never read by anyone before the commit. */
#define _PERCPU_ARCH_CMPEQV_TRYSTOREV_STOREV(barrier)			\
	__asm__ __volatile__ goto(					\
		_PERCPU_ASM_PROLOGUE					\
		_PERCPU_ASM_EXIT_POINT(cmpfail)				\
		_PERCPU_MIPS_ENTER					\
		_PERCPU_MIPS_LP " $13, 0(%[v])\n\t"			\
		"bne $13, %[expect], %l[cmpfail]\n\t"			\
		" nop\n\t"						\
		PERCPU_INJECT_ASM(2)					\
		_PERCPU_MIPS_SP " %[newv2], 0(%[v2])\n\t"		\
		PERCPU_INJECT_ASM(3)					\
		barrier "\n\t"						\
		_PERCPU_MIPS_SP " %[newv], 0(%[v])\n\t"			\
		_PERCPU_MIPS_EPILOGUE					\
		: /* no outputs */					\
		: [rs] "r" (rs), [id] "r" (id), [idp] "r" (idp), [v] "r" (v),		\
		  [expect] "r" (expect), [v2] "r" (v2),			\
		  [newv2] "r" (newv2), [newv] "r" (newv)		\
		  PERCPU_INJECT_INPUT					\
		: _PERCPU_MIPS_CLOBBERS PERCPU_INJECT_CLOBBER		\
		: abort, mismatch, cmpfail);				\
	_PERCPU_SEQ_RESULTS_CMP

/* Word-wise copy; restarting it from the top is harmless. */
#define _PERCPU_ARCH_CMPEQV_TRYMEMCPY_STOREV(barrier)			\
	__asm__ __volatile__ goto(					\
		_PERCPU_ASM_PROLOGUE					\
		_PERCPU_ASM_EXIT_POINT(cmpfail)				\
		_PERCPU_MIPS_ENTER					\
		_PERCPU_MIPS_LP " $13, 0(%[v])\n\t"			\
		"bne $13, %[expect], %l[cmpfail]\n\t"			\
		" nop\n\t"						\
		PERCPU_INJECT_ASM(2)					\
		"move $14, %[src]\n\t"					\
		"move $15, %[dst]\n\t"					\
		_PERCPU_MIPS_ADDU " $12, %[src], %[len]\n\t"		\
		"5:\n\t"						\
		"beq $14, $12, 6f\n\t"					\
		" nop\n\t"						\
		_PERCPU_MIPS_LP " $13, 0($14)\n\t"			\
		_PERCPU_MIPS_SP " $13, 0($15)\n\t"			\
		_PERCPU_MIPS_ADDIU " $14, $14, " _PERCPU_MIPS_WORD "\n\t" \
		"b 5b\n\t"						\
		" " _PERCPU_MIPS_ADDIU " $15, $15, " _PERCPU_MIPS_WORD "\n\t" \
		"6:\n\t"						\
		PERCPU_INJECT_ASM(3)					\
		barrier "\n\t"						\
		_PERCPU_MIPS_SP " %[newv], 0(%[v])\n\t"			\
		_PERCPU_MIPS_EPILOGUE					\
		: /* no outputs */					\
		: [rs] "r" (rs), [id] "r" (id), [idp] "r" (idp), [v] "r" (v),		\
		  [expect] "r" (expect), [dst] "r" (dst), [src] "r" (src), \
		  [len] "r" (len), [newv] "r" (newv)			\
		  PERCPU_INJECT_INPUT					\
		: _PERCPU_MIPS_CLOBBERS, "$14", "$15" PERCPU_INJECT_CLOBBER \
		: abort, mismatch, cmpfail);				\
	_PERCPU_SEQ_RESULTS_CMP

/*
 * The slab's own pair (see arch/generic.h): the index is read inside the
 * section and the slot found from it there.  $12-$15 and $31 are scratch.
 */
#if _MIPS_SIM == _ABI64
#define _PERCPU_MIPS_LWU	"lwu"
#define _PERCPU_MIPS_SLLV	"dsllv"
#define _PERCPU_MIPS_SRL	"dsrl"
#define _PERCPU_MIPS_LOG2WORD	"3"
#else
#define _PERCPU_MIPS_LWU	"lw"
#define _PERCPU_MIPS_SLLV	"sllv"
#define _PERCPU_MIPS_SRL	"srl"
#define _PERCPU_MIPS_LOG2WORD	"2"
#endif

/*
 * The entry of the sequences that read the index themselves (the slab's,
 * the list's and the buffer's pairs and the counter's add: see
 * arch/generic.h): publish the descriptor, read the index field at offset
 * @idoff of the area into $12 ($13 and $31 are scratch), and leave for
 * mismatch unless it is below %[nr]: one unsigned compare, which also
 * rejects a negative cpu_id. Each structure then turns the index into its
 * slot.
 */
#define _PERCPU_MIPS_IDX_ENTER(idoff)					\
	".set push\n\t"							\
	".set noreorder\n\t"						\
	"bal 9f\n\t"							\
	" nop\n\t"							\
	"8:\n\t"							\
	".word 3b - 8b\n\t"						\
	"9:\n\t"							\
	"lw $12, 0($31)\n\t"						\
	_PERCPU_MIPS_ADDU " $12, $12, $31\n\t"				\
	_PERCPU_MIPS_SP " $12, " PERCPU_STR(_PERCPU_MIPS_OFF_RSEQ_CS) "(%[rs])\n\t" \
	"1:\n\t"							\
	_PERCPU_MIPS_LWU " $12, " PERCPU_STR(idoff) "(%[rs])\n\t"	\
	"sltu $13, $12, %[nr]\n\t"					\
	"beqz $13, %l[mismatch]\n\t"					\
	" nop\n\t"							\
	PERCPU_INJECT_ASM(1)

/* $12 = the block that @fast (see arch/generic.h) gives index $12. */
#define _PERCPU_MIPS_FAST_SLOT						\
	"andi $13, %[fast], 63\n\t"					\
	_PERCPU_MIPS_SLLV " $12, $12, $13\n\t"				\
	"ori $13, %[fast], " PERCPU_STR(PERCPU_SLAB_ARCH_ALIGN) " - 1\n\t" \
	"xori $13, $13, " PERCPU_STR(PERCPU_SLAB_ARCH_ALIGN) " - 1\n\t" \
	_PERCPU_MIPS_ADDU " $12, $12, $13\n\t"

#define _PERCPU_MIPS_SLAB_ENTER(idoff)					\
	_PERCPU_MIPS_IDX_ENTER(idoff)					\
	_PERCPU_MIPS_FAST_SLOT						\
	"sll $13, %[cls], " _PERCPU_MIPS_LOG2WORD "\n\t"		\
	_PERCPU_MIPS_ADDU " $13, $13, $12\n\t"				\
	_PERCPU_MIPS_LP " $14, 0($13)\n\t"				\
	"andi $15, $14, 0xffff\n\t"

#define _PERCPU_MIPS_SLAB_CLOBBERS	"memory", "$12", "$13", "$14", "$15", "$31"

#define _PERCPU_ARCH_SLAB_PUSH(idoff)					\
	__asm__ __volatile__ goto(					\
		_PERCPU_ASM_PROLOGUE					\
		_PERCPU_ASM_EXIT_POINT(cmpfail)				\
		_PERCPU_MIPS_SLAB_ENTER(idoff)				\
		/* Full unless current < end. */			\
		_PERCPU_MIPS_SRL " $31, $14, 16\n\t"			\
		"andi $31, $31, 0xffff\n\t"				\
		"sltu $31, $15, $31\n\t"				\
		"beqz $31, %l[cmpfail]\n\t"				\
		" nop\n\t"						\
		PERCPU_INJECT_ASM(2)					\
		"sll $15, $15, " _PERCPU_MIPS_LOG2WORD "\n\t"		\
		_PERCPU_MIPS_ADDU " $15, $15, $12\n\t"			\
		_PERCPU_MIPS_SP " %[ptr], 0($15)\n\t"			\
		PERCPU_INJECT_ASM(3)					\
		"sync\n\t"						\
		_PERCPU_MIPS_ADDIU " $14, $14, 1\n\t"			\
		_PERCPU_MIPS_SP " $14, 0($13)\n\t"			\
		_PERCPU_MIPS_EPILOGUE					\
		: /* no outputs */					\
		: [rs] "r" (rs), [nr] "r" ((uintptr_t)nr), [fast] "r" (fast), \
		  [cls] "r" ((uintptr_t)cls), [ptr] "r" (ptr)		\
		  PERCPU_INJECT_INPUT					\
		: _PERCPU_MIPS_SLAB_CLOBBERS PERCPU_INJECT_CLOBBER	\
		: abort, mismatch, cmpfail);				\
	_PERCPU_SEQ_RESULTS_CMP

#define _PERCPU_ARCH_SLAB_POP(idoff)					\
	__asm__ __volatile__ goto(					\
		_PERCPU_ASM_PROLOGUE					\
		_PERCPU_ASM_EXIT_POINT(cmpfail)				\
		_PERCPU_MIPS_SLAB_ENTER(idoff)				\
		/* Empty unless begin < current. */			\
		"sltu $31, %[begin], $15\n\t"				\
		"beqz $31, %l[cmpfail]\n\t"				\
		" nop\n\t"						\
		PERCPU_INJECT_ASM(2)					\
		"sll $15, $15, " _PERCPU_MIPS_LOG2WORD "\n\t"		\
		_PERCPU_MIPS_ADDU " $15, $15, $12\n\t"			\
		_PERCPU_MIPS_LP " $15, -" _PERCPU_MIPS_WORD "($15)\n\t"	\
		_PERCPU_MIPS_SP " $15, 0(%[load])\n\t"			\
		PERCPU_INJECT_ASM(3)					\
		_PERCPU_MIPS_ADDIU " $14, $14, -1\n\t"			\
		_PERCPU_MIPS_SP " $14, 0($13)\n\t"			\
		_PERCPU_MIPS_EPILOGUE					\
		: /* no outputs */					\
		: [rs] "r" (rs), [nr] "r" ((uintptr_t)nr), [fast] "r" (fast), \
		  [cls] "r" ((uintptr_t)cls), [begin] "r" ((uintptr_t)begin), \
		  [load] "r" (load)					\
		  PERCPU_INJECT_INPUT					\
		: _PERCPU_MIPS_SLAB_CLOBBERS PERCPU_INJECT_CLOBBER	\
		: abort, mismatch, cmpfail);				\
	_PERCPU_SEQ_RESULTS_CMP

/*
 * The list's pair (see arch/generic.h), made like the slab's: $12 is the
 * slot, $14 the head.
 */
#if _MIPS_SIM == _ABI64
#define _PERCPU_MIPS_SLL	"dsll"
#else
#define _PERCPU_MIPS_SLL	"sll"
#endif

#define _PERCPU_MIPS_LIST_ENTER(idoff)					\
	_PERCPU_MIPS_IDX_ENTER(idoff)					\
	_PERCPU_MIPS_SLL " $12, $12, " PERCPU_STR(PERCPU_CACHELINE_SHIFT) "\n\t"		\
	_PERCPU_MIPS_ADDU " $12, $12, %[base]\n\t"			\
	_PERCPU_MIPS_LP " $14, 0($12)\n\t"				\
	"li $13, 1\n\t"							\
	"beq $14, $13, %l[cmpfail]\n\t"					\
	" nop\n\t"							\
	PERCPU_INJECT_ASM(2)

#define _PERCPU_ARCH_LIST_PUSH(idoff)					\
	__asm__ __volatile__ goto(					\
		_PERCPU_ASM_PROLOGUE					\
		_PERCPU_ASM_EXIT_POINT(cmpfail)				\
		_PERCPU_MIPS_LIST_ENTER(idoff)				\
		_PERCPU_MIPS_SP " $14, 0(%[next])\n\t"	\
		PERCPU_INJECT_ASM(3)	\
		"sync\n\t"	\
		_PERCPU_MIPS_SP " %[newv], 0($12)\n\t"	\
		_PERCPU_MIPS_EPILOGUE					\
		: /* no outputs */					\
		: [rs] "r" (rs), [nr] "r" ((uintptr_t)nr), [base] "r" (base), [next] "r" (next), [newv] "r" (newv)	\
		  PERCPU_INJECT_INPUT					\
		: "memory", "$12", "$13", "$14", "$31" PERCPU_INJECT_CLOBBER	\
		: abort, mismatch, cmpfail);				\
	_PERCPU_SEQ_RESULTS_CMP

#define _PERCPU_ARCH_LIST_POP(idoff)					\
	__asm__ __volatile__ goto(					\
		_PERCPU_ASM_PROLOGUE					\
		_PERCPU_ASM_EXIT_POINT(cmpfail)				\
		_PERCPU_MIPS_LIST_ENTER(idoff)				\
		_PERCPU_MIPS_SP " $14, 0(%[load])\n\t"	\
		_PERCPU_MIPS_ADDU " $14, $14, %[voffp]\n\t"	\
		_PERCPU_MIPS_LP " $14, 0($14)\n\t"	\
		PERCPU_INJECT_ASM(3)	\
		_PERCPU_MIPS_SP " $14, 0($12)\n\t"	\
		_PERCPU_MIPS_EPILOGUE					\
		: /* no outputs */					\
		: [rs] "r" (rs), [nr] "r" ((uintptr_t)nr), [base] "r" (base), [voffp] "r" (voffp), [load] "r" (load)	\
		  PERCPU_INJECT_INPUT					\
		: "memory", "$12", "$13", "$14", "$31" PERCPU_INJECT_CLOBBER	\
		: abort, mismatch, cmpfail);				\
	_PERCPU_SEQ_RESULTS_CMP

/*
 * The buffer's pair (see arch/generic.h), made like the list's: $12 is the
 * CPU's block, $14 its count, $13 the slot.  One unsigned compare with the
 * capacity fails a full, an empty (the pop's 0 - 1) and a LOCKED (-1) block.
 */
#define _PERCPU_MIPS_BUFFER_ENTER(idoff)				\
	_PERCPU_MIPS_IDX_ENTER(idoff)					\
	_PERCPU_MIPS_FAST_SLOT						\
	_PERCPU_MIPS_LP " $14, 0($12)\n\t"

#define _PERCPU_ARCH_BUFFER_PUSH(idoff)					\
	__asm__ __volatile__ goto(					\
		_PERCPU_ASM_PROLOGUE					\
		_PERCPU_ASM_EXIT_POINT(cmpfail)				\
		_PERCPU_MIPS_BUFFER_ENTER(idoff)			\
		"sltu $13, $14, %[cap]\n\t"				\
		"beqz $13, %l[cmpfail]\n\t"				\
		" nop\n\t"						\
		PERCPU_INJECT_ASM(2)					\
		_PERCPU_MIPS_SLL " $13, $14, " _PERCPU_MIPS_LOG2WORD "\n\t" \
		_PERCPU_MIPS_ADDU " $13, $13, $12\n\t"			\
		_PERCPU_MIPS_SP " %[ptr], " PERCPU_STR(PERCPU_BUFFER_ARCH_SLOTS) "($13)\n\t" \
		PERCPU_INJECT_ASM(3)					\
		"sync\n\t"						\
		_PERCPU_MIPS_ADDIU " $14, $14, 1\n\t"			\
		_PERCPU_MIPS_SP " $14, 0($12)\n\t"			\
		_PERCPU_MIPS_EPILOGUE					\
		: /* no outputs */					\
		: [rs] "r" (rs), [nr] "r" ((uintptr_t)nr), [fast] "r" (fast), \
		  [cap] "r" (cap), [ptr] "r" (ptr)			\
		  PERCPU_INJECT_INPUT					\
		: "memory", "$12", "$13", "$14", "$31" PERCPU_INJECT_CLOBBER \
		: abort, mismatch, cmpfail);				\
	_PERCPU_SEQ_RESULTS_CMP

#define _PERCPU_ARCH_BUFFER_POP(idoff)					\
	__asm__ __volatile__ goto(					\
		_PERCPU_ASM_PROLOGUE					\
		_PERCPU_ASM_EXIT_POINT(cmpfail)				\
		_PERCPU_MIPS_BUFFER_ENTER(idoff)			\
		_PERCPU_MIPS_ADDIU " $14, $14, -1\n\t"			\
		"sltu $13, $14, %[cap]\n\t"				\
		"beqz $13, %l[cmpfail]\n\t"				\
		" nop\n\t"						\
		PERCPU_INJECT_ASM(2)					\
		_PERCPU_MIPS_SLL " $13, $14, " _PERCPU_MIPS_LOG2WORD "\n\t" \
		_PERCPU_MIPS_ADDU " $13, $13, $12\n\t"			\
		_PERCPU_MIPS_LP " $13, " PERCPU_STR(PERCPU_BUFFER_ARCH_SLOTS) "($13)\n\t" \
		_PERCPU_MIPS_SP " $13, 0(%[load])\n\t"			\
		PERCPU_INJECT_ASM(3)					\
		_PERCPU_MIPS_SP " $14, 0($12)\n\t"			\
		_PERCPU_MIPS_EPILOGUE					\
		: /* no outputs */					\
		: [rs] "r" (rs), [nr] "r" ((uintptr_t)nr), [fast] "r" (fast), \
		  [cap] "r" (cap), [load] "r" (load)			\
		  PERCPU_INJECT_INPUT					\
		: "memory", "$12", "$13", "$14", "$31" PERCPU_INJECT_CLOBBER \
		: abort, mismatch, cmpfail);				\
	_PERCPU_SEQ_RESULTS_CMP

/*
 * The counter's add (see arch/generic.h): the list's entry, then a load,
 * an add and the store that commits.
 */
#define _PERCPU_ARCH_COUNTER_ADD(idoff)					\
	__asm__ __volatile__ goto(					\
		_PERCPU_ASM_PROLOGUE					\
		_PERCPU_MIPS_IDX_ENTER(idoff)				\
		_PERCPU_MIPS_SLL " $12, $12, " PERCPU_STR(PERCPU_CACHELINE_SHIFT) "\n\t" \
		_PERCPU_MIPS_ADDU " $12, $12, %[base]\n\t"		\
		_PERCPU_MIPS_LP " $14, 0($12)\n\t"			\
		_PERCPU_MIPS_ADDU " $14, $14, %[count]\n\t"		\
		PERCPU_INJECT_ASM(2)					\
		_PERCPU_MIPS_SP " $14, 0($12)\n\t"			\
		_PERCPU_MIPS_EPILOGUE					\
		: /* no outputs */					\
		: [rs] "r" (rs), [nr] "r" ((uintptr_t)nr), [base] "r" (base), [count] "r" (count) \
		  PERCPU_INJECT_INPUT					\
		: "memory", "$12", "$13", "$14", "$31" PERCPU_INJECT_CLOBBER \
		: abort, mismatch);					\
	_PERCPU_SEQ_RESULTS

/* The thread pointer (rdhwr $29), from which libc's area lies at __rseq_offset. */
PERCPU_INLINE void *percpu_arch_thread_pointer(void)
{
	return __builtin_thread_pointer();
}
