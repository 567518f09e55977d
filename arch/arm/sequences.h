/* SPDX-License-Identifier: MIT */
/*
 * arch/arm/sequences.h - restartable sequences for 32-bit ARM (ARMv7 and
 * later), in Thumb-2 or ARM mode.
 *
 * Included by <percpu/arch.h> only; see arch/generic.h for the contract.
 */
#ifndef _PERCPU_ARCH_INSIDE
# error "include <percpu/arch.h>, not an architecture header"
#endif

#define PERCPU_ARCH_NAME	"arm"
#define PERCPU_HAVE_ARCH_RSEQ	1

/*
 * Signature before every abort handler (the kernel checks it, see
 * x86_64/sequences.h); it must equal glibc's value.  In ARM mode the word is
 * "udf #24035" (0xe7f5def3); in Thumb mode its first halfword 0xdef3 is
 * "udf #243": falling into it traps either way.  The kernel reads it as data;
 * on big-endian (BE8) ARM instructions stay little-endian, so there the same
 * bytes read 0xf3def5e7.  We emit it with .word, as data, so the bytes come
 * out right in both cases.
 */
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define PERCPU_RSEQ_SIG		0xf3def5e7
#else
#define PERCPU_RSEQ_SIG		0xe7f5def3
#endif

/*
 * Fault injection for stress tests: spin loops[n] times at hook n.
 *   #define PERCPU_INJECT_ASM(n)    PERCPU_ARCH_INJECT_SPIN_ASM(n)
 *   #define PERCPU_INJECT_INPUT     PERCPU_ARCH_INJECT_SPIN_INPUT(loops)
 *   #define PERCPU_INJECT_CLOBBER   PERCPU_ARCH_INJECT_SPIN_CLOBBER
 * where loops is an int array with at least 4 entries.  It spins in lr, which
 * no sequence holds a value in across a hook.
 */
#define PERCPU_ARCH_INJECT_SPIN_ASM(n)					\
	"ldr lr, [%[percpu_inject], #4*" #n "]\n\t"			\
	"cmp lr, #0\n\t"						\
	"beq 333f\n\t"							\
	"222:\n\t"							\
	"subs lr, lr, #1\n\t"						\
	"bne 222b\n\t"							\
	"333:\n\t"
#define PERCPU_ARCH_INJECT_SPIN_INPUT(loops)	, [percpu_inject] "r" (loops)
#define PERCPU_ARCH_INJECT_SPIN_CLOBBER		, "lr"

/* Reading pc gives the address of the instruction plus 4 (Thumb) or 8 (ARM). */
#ifdef __thumb__
#define _PERCPU_ARM_PC_BIAS	"4"
#else
#define _PERCPU_ARM_PC_BIAS	"8"
#endif

/*
 * Publish the descriptor (labels: see arch/generic.h), then check the index
 * field @idp still holds @id (the CPU, or the mm_cid).  The descriptor's
 * address is pc plus a link-time PC-relative offset (movw/movt with
 * R_ARM_MOVW_PREL_NC/MOVT_PREL), right in PIE and shared objects.  The area
 * itself is not an operand: every registered area is 32-byte aligned (the
 * kernel refuses others) and @idp points at one of its fields, so the area is
 * @idp with its low 5 bits cleared.  ARM has too few registers for the area,
 * @id, @idp, the eight operands of the copy sequence and the injection hook's.  Only the low word of the u64 rseq_cs is written: the high word
 * is 0 from registration on, and the kernel clears all of it.  r12 (ip) is
 * the scratch register of every sequence: the 32-bit register file is small,
 * so sequences use as few fixed registers as they can.
 */
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define _PERCPU_ARM_OFF_RSEQ_CS_LOW	(PERCPU_RSEQ_OFF_RSEQ_CS + 4)
#else
#define _PERCPU_ARM_OFF_RSEQ_CS_LOW	PERCPU_RSEQ_OFF_RSEQ_CS
#endif
#define _PERCPU_ARM_ENTER						\
	"movw r12, #:lower16:(3b - (9f + " _PERCPU_ARM_PC_BIAS "))\n\t"	\
	"movt r12, #:upper16:(3b - (9f + " _PERCPU_ARM_PC_BIAS "))\n\t"	\
	"9:\n\t"							\
	"add r12, r12, pc\n\t"						\
	"bic lr, %[idp], #31\n\t"					\
	"str r12, [lr, #" PERCPU_STR(_PERCPU_ARM_OFF_RSEQ_CS_LOW) "]\n\t" \
	"1:\n\t"							\
	"ldr r12, [%[idp]]\n\t"						\
	"cmp r12, %[id]\n\t"						\
	"bne %l[mismatch]\n\t"						\
	PERCPU_INJECT_ASM(1)

/*
 * Signature, then the abort handler, out of line.  abort_ip has no Thumb bit:
 * the kernel only moves pc and keeps the thread's instruction set.
 */
#define _PERCPU_ARM_EPILOGUE						\
	"2:\n\t"							\
	".pushsection __rseq_failure, \"ax\"\n\t"			\
	".word " PERCPU_STR(PERCPU_RSEQ_SIG) "\n\t"			\
	"4:\n\t"							\
	"b %l[abort]\n\t"						\
	".popsection\n\t"

/*
 * What goes before the commit store of a plain and of a _release sequence:
 * nothing, or "dmb ish", which orders every earlier load and store before
 * the commit store.
 */
#define _PERCPU_ARCH_RELAXED	""
#define _PERCPU_ARCH_RELEASE	"dmb ish"

#define _PERCPU_ARCH_CMPEQV_STOREV(barrier)				\
	(void)rs;	/* the area is @idp rounded down: see the ENTER */	\
	__asm__ __volatile__ goto(					\
		_PERCPU_ASM_PROLOGUE					\
		_PERCPU_ASM_EXIT_POINT(cmpfail)				\
		_PERCPU_ARM_ENTER					\
		"ldr r12, [%[v]]\n\t"					\
		"cmp r12, %[expect]\n\t"				\
		"bne %l[cmpfail]\n\t"					\
		PERCPU_INJECT_ASM(2)					\
		barrier "\n\t"						\
		"str %[newv], [%[v]]\n\t"				\
		_PERCPU_ARM_EPILOGUE					\
		: /* no outputs */					\
		: [id] "r" (id), [idp] "r" (idp), [v] "r" (v),		\
		  [expect] "r" (expect), [newv] "r" (newv)		\
		  PERCPU_INJECT_INPUT					\
		: "memory", "cc", "r12", "lr" PERCPU_INJECT_CLOBBER	\
		: abort, mismatch, cmpfail);				\
	_PERCPU_SEQ_RESULTS_CMP

#define _PERCPU_ARCH_CMPNEV_STOREOFFP_LOAD()				\
	(void)rs;	/* the area is @idp rounded down: see the ENTER */	\
	__asm__ __volatile__ goto(					\
		_PERCPU_ASM_PROLOGUE					\
		_PERCPU_ASM_EXIT_POINT(cmpfail)				\
		_PERCPU_ARM_ENTER					\
		"ldr r12, [%[v]]\n\t"					\
		"cmp r12, %[expectnot]\n\t"				\
		"beq %l[cmpfail]\n\t"					\
		PERCPU_INJECT_ASM(2)					\
		"str r12, [%[load]]\n\t"				\
		"ldr r12, [r12, %[voffp]]\n\t"				\
		"str r12, [%[v]]\n\t"					\
		_PERCPU_ARM_EPILOGUE					\
		: /* no outputs */					\
		: [id] "r" (id), [idp] "r" (idp), [v] "r" (v),		\
		  [expectnot] "r" (expectnot), [voffp] "r" (voffp), [load] "r" (load) \
		  PERCPU_INJECT_INPUT					\
		: "memory", "cc", "r12", "lr" PERCPU_INJECT_CLOBBER	\
		: abort, mismatch, cmpfail);				\
	_PERCPU_SEQ_RESULTS_CMP

#define _PERCPU_ARCH_ADDV()						\
	(void)rs;	/* the area is @idp rounded down: see the ENTER */	\
	__asm__ __volatile__ goto(					\
		_PERCPU_ASM_PROLOGUE					\
		_PERCPU_ARM_ENTER					\
		"ldr r12, [%[v]]\n\t"					\
		"add r12, r12, %[count]\n\t"				\
		PERCPU_INJECT_ASM(2)					\
		"str r12, [%[v]]\n\t"					\
		_PERCPU_ARM_EPILOGUE					\
		: /* no outputs */					\
		: [id] "r" (id), [idp] "r" (idp), [v] "r" (v), [count] "r" (count) \
		  PERCPU_INJECT_INPUT					\
		: "memory", "cc", "r12", "lr" PERCPU_INJECT_CLOBBER	\
		: abort, mismatch);					\
	_PERCPU_SEQ_RESULTS

#define _PERCPU_ARCH_CMPEQV_CMPEQV_STOREV()				\
	(void)rs;	/* the area is @idp rounded down: see the ENTER */	\
	__asm__ __volatile__ goto(					\
		_PERCPU_ASM_PROLOGUE					\
		_PERCPU_ASM_EXIT_POINT(cmpfail)				\
		_PERCPU_ARM_ENTER					\
		"ldr r12, [%[v]]\n\t"					\
		"cmp r12, %[expect]\n\t"				\
		"bne %l[cmpfail]\n\t"					\
		PERCPU_INJECT_ASM(2)					\
		"ldr r12, [%[v2]]\n\t"					\
		"cmp r12, %[expect2]\n\t"				\
		"bne %l[cmpfail]\n\t"					\
		PERCPU_INJECT_ASM(3)					\
		"str %[newv], [%[v]]\n\t"				\
		_PERCPU_ARM_EPILOGUE					\
		: /* no outputs */					\
		: [id] "r" (id), [idp] "r" (idp), [v] "r" (v), [expect] "r" (expect), \
		  [v2] "r" (v2), [expect2] "r" (expect2), [newv] "r" (newv) \
		  PERCPU_INJECT_INPUT					\
		: "memory", "cc", "r12", "lr" PERCPU_INJECT_CLOBBER	\
		: abort, mismatch, cmpfail);				\
	_PERCPU_SEQ_RESULTS_CMP

/* The speculative store to *v2 is never read by anyone before the commit. */
#define _PERCPU_ARCH_CMPEQV_TRYSTOREV_STOREV(barrier)			\
	(void)rs;	/* the area is @idp rounded down: see the ENTER */	\
	__asm__ __volatile__ goto(					\
		_PERCPU_ASM_PROLOGUE					\
		_PERCPU_ASM_EXIT_POINT(cmpfail)				\
		_PERCPU_ARM_ENTER					\
		"ldr r12, [%[v]]\n\t"					\
		"cmp r12, %[expect]\n\t"				\
		"bne %l[cmpfail]\n\t"					\
		PERCPU_INJECT_ASM(2)					\
		"str %[newv2], [%[v2]]\n\t"				\
		PERCPU_INJECT_ASM(3)					\
		barrier "\n\t"						\
		"str %[newv], [%[v]]\n\t"				\
		_PERCPU_ARM_EPILOGUE					\
		: /* no outputs */					\
		: [id] "r" (id), [idp] "r" (idp), [v] "r" (v),		\
		  [expect] "r" (expect), [v2] "r" (v2),			\
		  [newv2] "r" (newv2), [newv] "r" (newv)		\
		  PERCPU_INJECT_INPUT					\
		: "memory", "cc", "r12", "lr" PERCPU_INJECT_CLOBBER	\
		: abort, mismatch, cmpfail);				\
	_PERCPU_SEQ_RESULTS_CMP

/*
 * Word-wise copy, indexed by lr so that src, dst and len stay untouched
 * inputs (eight inputs plus the hook's leave few registers on ARM);
 * restarting it from the top is harmless.
 */
#define _PERCPU_ARCH_CMPEQV_TRYMEMCPY_STOREV(barrier)			\
	(void)rs;	/* the area is @idp rounded down: see the ENTER */	\
	__asm__ __volatile__ goto(					\
		_PERCPU_ASM_PROLOGUE					\
		_PERCPU_ASM_EXIT_POINT(cmpfail)				\
		_PERCPU_ARM_ENTER					\
		"ldr r12, [%[v]]\n\t"					\
		"cmp r12, %[expect]\n\t"				\
		"bne %l[cmpfail]\n\t"					\
		PERCPU_INJECT_ASM(2)					\
		"mov lr, #0\n\t"					\
		"5:\n\t"						\
		"cmp lr, %[len]\n\t"					\
		"bhs 6f\n\t"						\
		"ldr r12, [%[src], lr]\n\t"				\
		"str r12, [%[dst], lr]\n\t"				\
		"add lr, lr, #4\n\t"					\
		"b 5b\n\t"						\
		"6:\n\t"						\
		PERCPU_INJECT_ASM(3)					\
		barrier "\n\t"						\
		"str %[newv], [%[v]]\n\t"				\
		_PERCPU_ARM_EPILOGUE					\
		: /* no outputs */					\
		: [id] "r" (id), [idp] "r" (idp), [v] "r" (v),		\
		  [expect] "r" (expect), [dst] "r" (dst), [src] "r" (src), \
		  [len] "r" (len), [newv] "r" (newv)			\
		  PERCPU_INJECT_INPUT					\
		: "memory", "cc", "r12", "lr" PERCPU_INJECT_CLOBBER	\
		: abort, mismatch, cmpfail);				\
	_PERCPU_SEQ_RESULTS_CMP

/*
 * The slab's own pair (see arch/generic.h): the index is read inside the
 * section and the slot found from it there.  r12 (slot) and r4 (header)
 * are scratch, and lr only between hooks (the injection hook uses it), so
 * the current offset is taken from the header again after a hook: few
 * registers are left on ARM.  The area comes in a register of its own.
 */
/*
 * The entry of the sequences that read the index themselves (the slab's,
 * the list's and the buffer's pairs and the counter's add: see
 * arch/generic.h): publish the descriptor, read the index field at offset
 * @idoff of the area into r12, and leave for mismatch unless it is below
 * %[nr]: one unsigned compare, which also rejects a negative cpu_id. Each
 * structure then turns the index into its slot.
 */
#define _PERCPU_ARM_IDX_ENTER(idoff)					\
	"movw r12, #:lower16:(3b - (9f + " _PERCPU_ARM_PC_BIAS "))\n\t"	\
	"movt r12, #:upper16:(3b - (9f + " _PERCPU_ARM_PC_BIAS "))\n\t"	\
	"9:\n\t"							\
	"add r12, r12, pc\n\t"						\
	"str r12, [%[rs], #" PERCPU_STR(_PERCPU_ARM_OFF_RSEQ_CS_LOW) "]\n\t" \
	"1:\n\t"							\
	"ldr r12, [%[rs], #" PERCPU_STR(idoff) "]\n\t"			\
	"cmp r12, %[nr]\n\t"						\
	"bhs %l[mismatch]\n\t"						\
	PERCPU_INJECT_ASM(1)

/* r12 = the block that @fast (see arch/generic.h) gives index r12. */
#define _PERCPU_ARM_FAST_SLOT						\
	"and lr, %[fast], #63\n\t"					\
	"lsl r12, r12, lr\n\t"						\
	"bic lr, %[fast], #" PERCPU_STR(PERCPU_SLAB_ARCH_ALIGN) " - 1\n\t" \
	"add r12, r12, lr\n\t"

#define _PERCPU_ARM_SLAB_ENTER(idoff)					\
	_PERCPU_ARM_IDX_ENTER(idoff)					\
	_PERCPU_ARM_FAST_SLOT						\
	"ldr r4, [r12, %[cls], lsl #2]\n\t"				\
	"uxth lr, r4\n\t"

#define _PERCPU_ARCH_SLAB_PUSH(idoff)					\
	__asm__ __volatile__ goto(					\
		_PERCPU_ASM_PROLOGUE					\
		_PERCPU_ASM_EXIT_POINT(cmpfail)				\
		_PERCPU_ARM_SLAB_ENTER(idoff)				\
		/* Full when current >= end. */				\
		"cmp lr, r4, lsr #16\n\t"				\
		"bhs %l[cmpfail]\n\t"					\
		PERCPU_INJECT_ASM(2)					\
		"uxth lr, r4\n\t"					\
		"str %[ptr], [r12, lr, lsl #2]\n\t"			\
		PERCPU_INJECT_ASM(3)					\
		"dmb ish\n\t"						\
		"add r4, r4, #1\n\t"					\
		"str r4, [r12, %[cls], lsl #2]\n\t"			\
		_PERCPU_ARM_EPILOGUE					\
		: /* no outputs */					\
		: [rs] "r" (rs), [nr] "r" (nr), [fast] "r" (fast),	\
		  [cls] "r" (cls), [ptr] "r" (ptr)			\
		  PERCPU_INJECT_INPUT					\
		: "memory", "cc", "r4", "r12", "lr" PERCPU_INJECT_CLOBBER \
		: abort, mismatch, cmpfail);				\
	_PERCPU_SEQ_RESULTS_CMP

#define _PERCPU_ARCH_SLAB_POP(idoff)					\
	__asm__ __volatile__ goto(					\
		_PERCPU_ASM_PROLOGUE					\
		_PERCPU_ASM_EXIT_POINT(cmpfail)				\
		_PERCPU_ARM_SLAB_ENTER(idoff)				\
		/* Empty when current <= begin. */			\
		"cmp lr, %[begin]\n\t"					\
		"bls %l[cmpfail]\n\t"					\
		PERCPU_INJECT_ASM(2)					\
		"uxth lr, r4\n\t"					\
		"sub lr, lr, #1\n\t"					\
		"ldr lr, [r12, lr, lsl #2]\n\t"				\
		"str lr, [%[load]]\n\t"					\
		PERCPU_INJECT_ASM(3)					\
		"sub r4, r4, #1\n\t"					\
		"str r4, [r12, %[cls], lsl #2]\n\t"			\
		_PERCPU_ARM_EPILOGUE					\
		: /* no outputs */					\
		: [rs] "r" (rs), [nr] "r" (nr), [fast] "r" (fast),	\
		  [cls] "r" (cls), [begin] "r" (begin), [load] "r" (load) \
		  PERCPU_INJECT_INPUT					\
		: "memory", "cc", "r4", "r12", "lr" PERCPU_INJECT_CLOBBER \
		: abort, mismatch, cmpfail);				\
	_PERCPU_SEQ_RESULTS_CMP

/*
 * The list's pair (see arch/generic.h), made like the slab's: r12 is the
 * slot, r4 the head (lr is the injection hook's).
 */
#define _PERCPU_ARM_LIST_ENTER(idoff)					\
	_PERCPU_ARM_IDX_ENTER(idoff)					\
	"add r12, %[base], r12, lsl #" PERCPU_STR(PERCPU_CACHELINE_SHIFT) "\n\t"		\
	"ldr r4, [r12]\n\t"						\
	"cmp r4, #1\n\t"						\
	"beq %l[cmpfail]\n\t"						\
	PERCPU_INJECT_ASM(2)

#define _PERCPU_ARCH_LIST_PUSH(idoff)					\
	__asm__ __volatile__ goto(					\
		_PERCPU_ASM_PROLOGUE					\
		_PERCPU_ASM_EXIT_POINT(cmpfail)				\
		_PERCPU_ARM_LIST_ENTER(idoff)				\
		"str r4, [%[next]]\n\t"	\
		PERCPU_INJECT_ASM(3)	\
		"dmb ish\n\t"	\
		"str %[newv], [r12]\n\t"	\
		_PERCPU_ARM_EPILOGUE					\
		: /* no outputs */					\
		: [rs] "r" (rs), [nr] "r" (nr), [base] "r" (base), [next] "r" (next), [newv] "r" (newv)	\
		  PERCPU_INJECT_INPUT					\
		: "memory", "cc", "r4", "r12" PERCPU_INJECT_CLOBBER	\
		: abort, mismatch, cmpfail);				\
	_PERCPU_SEQ_RESULTS_CMP

#define _PERCPU_ARCH_LIST_POP(idoff)					\
	__asm__ __volatile__ goto(					\
		_PERCPU_ASM_PROLOGUE					\
		_PERCPU_ASM_EXIT_POINT(cmpfail)				\
		_PERCPU_ARM_LIST_ENTER(idoff)				\
		"str r4, [%[load]]\n\t"	\
		"ldr r4, [r4, %[voffp]]\n\t"	\
		PERCPU_INJECT_ASM(3)	\
		"str r4, [r12]\n\t"	\
		_PERCPU_ARM_EPILOGUE					\
		: /* no outputs */					\
		: [rs] "r" (rs), [nr] "r" (nr), [base] "r" (base), [voffp] "r" (voffp), [load] "r" (load)	\
		  PERCPU_INJECT_INPUT					\
		: "memory", "cc", "r4", "r12" PERCPU_INJECT_CLOBBER	\
		: abort, mismatch, cmpfail);				\
	_PERCPU_SEQ_RESULTS_CMP

/*
 * The buffer's pair (see arch/generic.h), made like the list's: r12 is the
 * CPU's block, r4 its count.  lr addresses the slot only between the
 * injection hooks (the spin hook uses it).  One unsigned compare with the
 * capacity fails a full, an empty (the pop's 0 - 1) and a LOCKED (-1) block.
 */
#define _PERCPU_ARM_BUFFER_ENTER(idoff)					\
	_PERCPU_ARM_IDX_ENTER(idoff)					\
	_PERCPU_ARM_FAST_SLOT						\
	"ldr r4, [r12]\n\t"

#define _PERCPU_ARCH_BUFFER_PUSH(idoff)					\
	__asm__ __volatile__ goto(					\
		_PERCPU_ASM_PROLOGUE					\
		_PERCPU_ASM_EXIT_POINT(cmpfail)				\
		_PERCPU_ARM_BUFFER_ENTER(idoff)				\
		"cmp r4, %[cap]\n\t"					\
		"bhs %l[cmpfail]\n\t"					\
		PERCPU_INJECT_ASM(2)					\
		"add lr, r12, r4, lsl #2\n\t"				\
		"str %[ptr], [lr, #" PERCPU_STR(PERCPU_BUFFER_ARCH_SLOTS) "]\n\t" \
		PERCPU_INJECT_ASM(3)					\
		"dmb ish\n\t"						\
		"add r4, r4, #1\n\t"					\
		"str r4, [r12]\n\t"					\
		_PERCPU_ARM_EPILOGUE					\
		: /* no outputs */					\
		: [rs] "r" (rs), [nr] "r" (nr), [fast] "r" (fast),	\
		  [cap] "r" (cap), [ptr] "r" (ptr)			\
		  PERCPU_INJECT_INPUT					\
		: "memory", "cc", "r4", "r12", "lr" PERCPU_INJECT_CLOBBER \
		: abort, mismatch, cmpfail);				\
	_PERCPU_SEQ_RESULTS_CMP

#define _PERCPU_ARCH_BUFFER_POP(idoff)					\
	__asm__ __volatile__ goto(					\
		_PERCPU_ASM_PROLOGUE					\
		_PERCPU_ASM_EXIT_POINT(cmpfail)				\
		_PERCPU_ARM_BUFFER_ENTER(idoff)				\
		"sub r4, r4, #1\n\t"					\
		"cmp r4, %[cap]\n\t"					\
		"bhs %l[cmpfail]\n\t"					\
		PERCPU_INJECT_ASM(2)					\
		"add lr, r12, r4, lsl #2\n\t"				\
		"ldr lr, [lr, #" PERCPU_STR(PERCPU_BUFFER_ARCH_SLOTS) "]\n\t" \
		"str lr, [%[load]]\n\t"					\
		PERCPU_INJECT_ASM(3)					\
		"str r4, [r12]\n\t"					\
		_PERCPU_ARM_EPILOGUE					\
		: /* no outputs */					\
		: [rs] "r" (rs), [nr] "r" (nr), [fast] "r" (fast),	\
		  [cap] "r" (cap), [load] "r" (load)			\
		  PERCPU_INJECT_INPUT					\
		: "memory", "cc", "r4", "r12", "lr" PERCPU_INJECT_CLOBBER \
		: abort, mismatch, cmpfail);				\
	_PERCPU_SEQ_RESULTS_CMP

/*
 * The counter's add (see arch/generic.h): the list's entry, then a load,
 * an add and the store that commits.
 */
#define _PERCPU_ARCH_COUNTER_ADD(idoff)					\
	__asm__ __volatile__ goto(					\
		_PERCPU_ASM_PROLOGUE					\
		_PERCPU_ARM_IDX_ENTER(idoff)				\
		"add r12, %[base], r12, lsl #" PERCPU_STR(PERCPU_CACHELINE_SHIFT) "\n\t" \
		"ldr r4, [r12]\n\t"					\
		"add r4, r4, %[count]\n\t"				\
		PERCPU_INJECT_ASM(2)					\
		"str r4, [r12]\n\t"					\
		_PERCPU_ARM_EPILOGUE					\
		: /* no outputs */					\
		: [rs] "r" (rs), [nr] "r" (nr), [base] "r" (base), [count] "r" (count) \
		  PERCPU_INJECT_INPUT					\
		: "memory", "cc", "r4", "r12" PERCPU_INJECT_CLOBBER	\
		: abort, mismatch);					\
	_PERCPU_SEQ_RESULTS

/* The thread pointer (TPIDRURO), from which libc's area lies at __rseq_offset. */
PERCPU_INLINE void *percpu_arch_thread_pointer(void)
{
	return __builtin_thread_pointer();
}
