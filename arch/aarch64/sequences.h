/* SPDX-License-Identifier: MIT */
/*
 * arch/aarch64/sequences.h - restartable sequences for AArch64.
 *
 * Included by <percpu/arch.h> only; see arch/generic.h for the contract.
 */
#ifndef _PERCPU_ARCH_INSIDE
# error "include <percpu/arch.h>, not an architecture header"
#endif

#define PERCPU_ARCH_NAME	"aarch64"
#define PERCPU_HAVE_ARCH_RSEQ	1

/*
 * Signature before every abort handler (the kernel checks it, see
 * x86_64/sequences.h); it must equal glibc's value.  The instruction is
 * "brk #0x45e0" (0xd428bc00), so falling into it traps.  Instructions are
 * little-endian even on big-endian AArch64 while the kernel reads the word
 * as data, so there the same bytes read 0x00bc28d4.
 */
#define _PERCPU_AARCH64_SIG_CODE	0xd428bc00
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define PERCPU_RSEQ_SIG		0x00bc28d4
#else
#define PERCPU_RSEQ_SIG		0xd428bc00
#endif

/*
 * Fault injection for stress tests: spin loops[n] times at hook n.
 *   #define PERCPU_INJECT_ASM(n)    PERCPU_ARCH_INJECT_SPIN_ASM(n)
 *   #define PERCPU_INJECT_INPUT     PERCPU_ARCH_INJECT_SPIN_INPUT(loops)
 *   #define PERCPU_INJECT_CLOBBER   PERCPU_ARCH_INJECT_SPIN_CLOBBER
 * where loops is an int array with at least 4 entries.
 */
#define PERCPU_ARCH_INJECT_SPIN_ASM(n)					\
	"ldr w9, [%[percpu_inject], #4*" #n "]\n\t"			\
	"cbz w9, 333f\n\t"						\
	"222:\n\t"							\
	"subs w9, w9, #1\n\t"						\
	"b.ne 222b\n\t"							\
	"333:\n\t"
#define PERCPU_ARCH_INJECT_SPIN_INPUT(loops)	, [percpu_inject] "r" (loops)
#define PERCPU_ARCH_INJECT_SPIN_CLOBBER		, "x9"

/*
 * Publish the descriptor (labels: see arch/generic.h), then check the index
 * field @idp still holds @id (the CPU, or the mm_cid).  adrp/add is PC-relative, so it is right in PIE and shared
 * objects without a text relocation.  x16 and x17 are the scratch registers
 * of every sequence.
 */
#define _PERCPU_AARCH64_ENTER						\
	"adrp x16, 3b\n\t"						\
	"add x16, x16, :lo12:3b\n\t"					\
	"str x16, [%[rs], #" PERCPU_STR(PERCPU_RSEQ_OFF_RSEQ_CS) "]\n\t" \
	"1:\n\t"							\
	"ldr w16, [%[idp]]\n\t" \
	"cmp w16, %w[id]\n\t"						\
	"b.ne %l[mismatch]\n\t"						\
	PERCPU_INJECT_ASM(1)

/* Signature, then the abort handler, out of line. */
#define _PERCPU_AARCH64_EPILOGUE					\
	"2:\n\t"							\
	".pushsection __rseq_failure, \"ax\"\n\t"			\
	".inst " PERCPU_STR(_PERCPU_AARCH64_SIG_CODE) "\n\t"		\
	"4:\n\t"							\
	"b %l[abort]\n\t"						\
	".popsection\n\t"

/*
 * The commit store of a plain and of a _release sequence: "str", or "stlr"
 * (store-release: every earlier load and store is ordered before it).  stlr
 * takes a bare base register, which is why every sequence addresses *v as
 * [%[v]].
 */
#define _PERCPU_ARCH_RELAXED	"str"
#define _PERCPU_ARCH_RELEASE	"stlr"

#define _PERCPU_ARCH_CMPEQV_STOREV(commit)				\
	__asm__ __volatile__ goto(					\
		_PERCPU_ASM_PROLOGUE					\
		_PERCPU_ASM_EXIT_POINT(cmpfail)				\
		_PERCPU_AARCH64_ENTER					\
		"ldr x17, [%[v]]\n\t"					\
		"cmp x17, %[expect]\n\t"				\
		"b.ne %l[cmpfail]\n\t"					\
		PERCPU_INJECT_ASM(2)					\
		commit " %[newv], [%[v]]\n\t"				\
		_PERCPU_AARCH64_EPILOGUE				\
		: /* no outputs */					\
		: [rs] "r" (rs), [id] "r" (id), [idp] "r" (idp), [v] "r" (v),		\
		  [expect] "r" (expect), [newv] "r" (newv)		\
		  PERCPU_INJECT_INPUT					\
		: "memory", "cc", "x16", "x17" PERCPU_INJECT_CLOBBER	\
		: abort, mismatch, cmpfail);				\
	_PERCPU_SEQ_RESULTS_CMP

#define _PERCPU_ARCH_CMPNEV_STOREOFFP_LOAD()				\
	__asm__ __volatile__ goto(					\
		_PERCPU_ASM_PROLOGUE					\
		_PERCPU_ASM_EXIT_POINT(cmpfail)				\
		_PERCPU_AARCH64_ENTER					\
		"ldr x17, [%[v]]\n\t"					\
		"cmp x17, %[expectnot]\n\t"				\
		"b.eq %l[cmpfail]\n\t"					\
		PERCPU_INJECT_ASM(2)					\
		"str x17, [%[load]]\n\t"				\
		"ldr x17, [x17, %[voffp]]\n\t"				\
		"str x17, [%[v]]\n\t"					\
		_PERCPU_AARCH64_EPILOGUE				\
		: /* no outputs */					\
		: [rs] "r" (rs), [id] "r" (id), [idp] "r" (idp), [v] "r" (v),		\
		  [expectnot] "r" (expectnot), [voffp] "r" (voffp), [load] "r" (load) \
		  PERCPU_INJECT_INPUT					\
		: "memory", "cc", "x16", "x17" PERCPU_INJECT_CLOBBER	\
		: abort, mismatch, cmpfail);				\
	_PERCPU_SEQ_RESULTS_CMP

#define _PERCPU_ARCH_ADDV()						\
	__asm__ __volatile__ goto(					\
		_PERCPU_ASM_PROLOGUE					\
		_PERCPU_AARCH64_ENTER					\
		"ldr x17, [%[v]]\n\t"					\
		"add x17, x17, %[count]\n\t"				\
		PERCPU_INJECT_ASM(2)					\
		"str x17, [%[v]]\n\t"					\
		_PERCPU_AARCH64_EPILOGUE				\
		: /* no outputs */					\
		: [rs] "r" (rs), [id] "r" (id), [idp] "r" (idp), [v] "r" (v), [count] "r" (count) \
		  PERCPU_INJECT_INPUT					\
		: "memory", "cc", "x16", "x17" PERCPU_INJECT_CLOBBER	\
		: abort, mismatch);					\
	_PERCPU_SEQ_RESULTS

#define _PERCPU_ARCH_CMPEQV_CMPEQV_STOREV()				\
	__asm__ __volatile__ goto(					\
		_PERCPU_ASM_PROLOGUE					\
		_PERCPU_ASM_EXIT_POINT(cmpfail)				\
		_PERCPU_AARCH64_ENTER					\
		"ldr x17, [%[v]]\n\t"					\
		"cmp x17, %[expect]\n\t"				\
		"b.ne %l[cmpfail]\n\t"					\
		PERCPU_INJECT_ASM(2)					\
		"ldr x17, [%[v2]]\n\t"					\
		"cmp x17, %[expect2]\n\t"				\
		"b.ne %l[cmpfail]\n\t"					\
		PERCPU_INJECT_ASM(3)					\
		"str %[newv], [%[v]]\n\t"				\
		_PERCPU_AARCH64_EPILOGUE				\
		: /* no outputs */					\
		: [rs] "r" (rs), [id] "r" (id), [idp] "r" (idp), [v] "r" (v), [expect] "r" (expect), \
		  [v2] "r" (v2), [expect2] "r" (expect2), [newv] "r" (newv) \
		  PERCPU_INJECT_INPUT					\
		: "memory", "cc", "x16", "x17" PERCPU_INJECT_CLOBBER	\
		: abort, mismatch, cmpfail);				\
	_PERCPU_SEQ_RESULTS_CMP

/* The speculative store to *v2 is never read by anyone before the commit. */
#define _PERCPU_ARCH_CMPEQV_TRYSTOREV_STOREV(commit)			\
	__asm__ __volatile__ goto(					\
		_PERCPU_ASM_PROLOGUE					\
		_PERCPU_ASM_EXIT_POINT(cmpfail)				\
		_PERCPU_AARCH64_ENTER					\
		"ldr x17, [%[v]]\n\t"					\
		"cmp x17, %[expect]\n\t"				\
		"b.ne %l[cmpfail]\n\t"					\
		PERCPU_INJECT_ASM(2)					\
		"str %[newv2], [%[v2]]\n\t"				\
		PERCPU_INJECT_ASM(3)					\
		commit " %[newv], [%[v]]\n\t"				\
		_PERCPU_AARCH64_EPILOGUE				\
		: /* no outputs */					\
		: [rs] "r" (rs), [id] "r" (id), [idp] "r" (idp), [v] "r" (v),		\
		  [expect] "r" (expect), [v2] "r" (v2),			\
		  [newv2] "r" (newv2), [newv] "r" (newv)		\
		  PERCPU_INJECT_INPUT					\
		: "memory", "cc", "x16", "x17" PERCPU_INJECT_CLOBBER	\
		: abort, mismatch, cmpfail);				\
	_PERCPU_SEQ_RESULTS_CMP

/*
 * %[len] bytes (whole words) from x13 to x14, which end past what they
 * moved; x15 and x17 are scratch.  Restarting it from the top is harmless.
 */
#define _PERCPU_AARCH64_COPY_WORDS					\
	"lsr x15, %[len], #3\n\t"					\
	"cbz x15, 6f\n\t"						\
	"5:\n\t"							\
	"ldr x17, [x13], #8\n\t"					\
	"str x17, [x14], #8\n\t"					\
	"subs x15, x15, #1\n\t"						\
	"b.ne 5b\n\t"							\
	"6:\n\t"

/* Word-wise copy (_PERCPU_AARCH64_COPY_WORDS). */
#define _PERCPU_ARCH_CMPEQV_TRYMEMCPY_STOREV(commit)			\
	__asm__ __volatile__ goto(					\
		_PERCPU_ASM_PROLOGUE					\
		_PERCPU_ASM_EXIT_POINT(cmpfail)				\
		_PERCPU_AARCH64_ENTER					\
		"ldr x17, [%[v]]\n\t"					\
		"cmp x17, %[expect]\n\t"				\
		"b.ne %l[cmpfail]\n\t"					\
		PERCPU_INJECT_ASM(2)					\
		"mov x13, %[src]\n\t"					\
		"mov x14, %[dst]\n\t"					\
		_PERCPU_AARCH64_COPY_WORDS				\
		PERCPU_INJECT_ASM(3)					\
		commit " %[newv], [%[v]]\n\t"				\
		_PERCPU_AARCH64_EPILOGUE				\
		: /* no outputs */					\
		: [rs] "r" (rs), [id] "r" (id), [idp] "r" (idp), [v] "r" (v),		\
		  [expect] "r" (expect), [dst] "r" (dst), [src] "r" (src), \
		  [len] "r" (len), [newv] "r" (newv)			\
		  PERCPU_INJECT_INPUT					\
		: "memory", "cc", "x13", "x14", "x15", "x16", "x17"	\
		  PERCPU_INJECT_CLOBBER					\
		: abort, mismatch, cmpfail);				\
	_PERCPU_SEQ_RESULTS_CMP

/*
 * The ring's event copy (see arch/generic.h): header word and timestamp from
 * their registers, the payload a word at a time, then the terminator (w17:
 * the header's seq + 1, the low half of the word on big-endian), and a
 * release commit.
 */
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define _PERCPU_AARCH64_HDR_SEQ		"mov w17, %w[hdr]\n\t"
#else
#define _PERCPU_AARCH64_HDR_SEQ		"lsr x17, %[hdr], #32\n\t"
#endif
#define PERCPU_ARCH_HAVE_TRYEVENT	1
#define _PERCPU_ARCH_CMPEQV_TRYEVENT_STOREV()				\
	__asm__ __volatile__ goto(					\
		_PERCPU_ASM_PROLOGUE					\
		_PERCPU_ASM_EXIT_POINT(cmpfail)				\
		_PERCPU_AARCH64_ENTER					\
		"ldr x17, [%[v]]\n\t"					\
		"cmp x17, %[expect]\n\t"				\
		"b.ne %l[cmpfail]\n\t"					\
		PERCPU_INJECT_ASM(2)					\
		"stp %[hdr], %[ts], [%[dst]]\n\t"			\
		"mov x13, %[src]\n\t"					\
		"add x14, %[dst], #16\n\t"				\
		_PERCPU_AARCH64_COPY_WORDS				\
		_PERCPU_AARCH64_HDR_SEQ					\
		"add w17, w17, #1\n\t"					\
		"stp wzr, w17, [x14]\n\t"				\
		"str %[ts], [x14, #8]\n\t"				\
		PERCPU_INJECT_ASM(3)					\
		"stlr %[newv], [%[v]]\n\t"				\
		_PERCPU_AARCH64_EPILOGUE				\
		: /* no outputs */					\
		: [rs] "r" (rs), [id] "r" (id), [idp] "r" (idp), [v] "r" (v),		\
		  [expect] "r" (expect), [dst] "r" (dst), [hdr] "r" (hdr), \
		  [src] "r" (src), [len] "r" (plen), [ts] "r" (ts), [newv] "r" (newv) \
		  PERCPU_INJECT_INPUT					\
		: "memory", "cc", "x13", "x14", "x15", "x16", "x17"	\
		  PERCPU_INJECT_CLOBBER					\
		: abort, mismatch, cmpfail);				\
	_PERCPU_SEQ_RESULTS_CMP

/*
 * The slab's own pair (see arch/generic.h): the index is read inside the
 * section and the slot found from it there.  x14-x17 are scratch; lslv
 * takes the count modulo 64, and the and below keeps it in range anyway.
 */
/*
 * The entry of the sequences that read the index themselves (the slab's,
 * the list's and the buffer's pairs and the counter's add: see
 * arch/generic.h): publish the descriptor, read the index field at offset
 * @idoff of the area into x16 (ldr w16 zero-extends it), and leave for
 * mismatch unless it is below %[nr]: one unsigned compare, which also
 * rejects a negative cpu_id. Each structure then turns the index into its
 * slot.
 */
#define _PERCPU_AARCH64_IDX_ENTER(idoff)					\
	"adrp x16, 3b\n\t"						\
	"add x16, x16, :lo12:3b\n\t"					\
	"str x16, [%[rs], #" PERCPU_STR(PERCPU_RSEQ_OFF_RSEQ_CS) "]\n\t" \
	"1:\n\t"							\
	"ldr w16, [%[rs], #" PERCPU_STR(idoff) "]\n\t"			\
	"cmp w16, %w[nr]\n\t"						\
	"b.hs %l[mismatch]\n\t"						\
	PERCPU_INJECT_ASM(1)

/* x16 = the block that @fast (see arch/generic.h) gives index x16. */
#define _PERCPU_AARCH64_FAST_SLOT						\
	"and x17, %[fast], #63\n\t"					\
	"lsl x16, x16, x17\n\t"						\
	"and x17, %[fast], #-" PERCPU_STR(PERCPU_SLAB_ARCH_ALIGN) "\n\t" \
	"add x16, x16, x17\n\t"

#define _PERCPU_AARCH64_SLAB_ENTER(idoff)				\
	_PERCPU_AARCH64_IDX_ENTER(idoff)					\
	_PERCPU_AARCH64_FAST_SLOT						\
	"add x17, x16, %[cls], lsl #3\n\t"				\
	"ldr x15, [x17]\n\t"

#define _PERCPU_ARCH_SLAB_PUSH(idoff)					\
	__asm__ __volatile__ goto(					\
		_PERCPU_ASM_PROLOGUE					\
		_PERCPU_ASM_EXIT_POINT(cmpfail)				\
		_PERCPU_AARCH64_SLAB_ENTER(idoff)			\
		/* Full when end <= current. */				\
		"ubfx x14, x15, #16, #16\n\t"				\
		"cmp w14, w15, uxth\n\t"				\
		"b.ls %l[cmpfail]\n\t"					\
		PERCPU_INJECT_ASM(2)					\
		"and x14, x15, #0xffff\n\t"				\
		"str %[ptr], [x16, x14, lsl #3]\n\t"			\
		PERCPU_INJECT_ASM(3)					\
		"add x15, x15, #1\n\t"					\
		"stlr x15, [x17]\n\t"					\
		_PERCPU_AARCH64_EPILOGUE				\
		: /* no outputs */					\
		: [rs] "r" (rs), [nr] "r" (nr), [fast] "r" (fast),	\
		  [cls] "r" ((uintptr_t)cls), [ptr] "r" (ptr)		\
		  PERCPU_INJECT_INPUT					\
		: "memory", "cc", "x14", "x15", "x16", "x17" PERCPU_INJECT_CLOBBER \
		: abort, mismatch, cmpfail);				\
	_PERCPU_SEQ_RESULTS_CMP

#define _PERCPU_ARCH_SLAB_POP(idoff)					\
	__asm__ __volatile__ goto(					\
		_PERCPU_ASM_PROLOGUE					\
		_PERCPU_ASM_EXIT_POINT(cmpfail)				\
		_PERCPU_AARCH64_SLAB_ENTER(idoff)			\
		/* Empty when current <= begin. */			\
		"and x14, x15, #0xffff\n\t"				\
		"cmp w14, %w[begin]\n\t"				\
		"b.ls %l[cmpfail]\n\t"					\
		PERCPU_INJECT_ASM(2)					\
		"sub x14, x14, #1\n\t"					\
		"ldr x14, [x16, x14, lsl #3]\n\t"			\
		"str x14, [%[load]]\n\t"				\
		PERCPU_INJECT_ASM(3)					\
		"sub x15, x15, #1\n\t"					\
		"str x15, [x17]\n\t"					\
		_PERCPU_AARCH64_EPILOGUE				\
		: /* no outputs */					\
		: [rs] "r" (rs), [nr] "r" (nr), [fast] "r" (fast),	\
		  [cls] "r" ((uintptr_t)cls), [begin] "r" (begin), [load] "r" (load) \
		  PERCPU_INJECT_INPUT					\
		: "memory", "cc", "x14", "x15", "x16", "x17" PERCPU_INJECT_CLOBBER \
		: abort, mismatch, cmpfail);				\
	_PERCPU_SEQ_RESULTS_CMP

/*
 * The list's pair (see arch/generic.h), made like the slab's: x16 is the
 * slot, x15 the head.  ldr w16 zero-extends the index.
 */
#define _PERCPU_AARCH64_LIST_ENTER(idoff)				\
	_PERCPU_AARCH64_IDX_ENTER(idoff)					\
	"add x16, %[base], x16, lsl #" PERCPU_STR(PERCPU_CACHELINE_SHIFT) "\n\t"		\
	"ldr x15, [x16]\n\t"						\
	"cmp x15, #1\n\t"						\
	"b.eq %l[cmpfail]\n\t"						\
	PERCPU_INJECT_ASM(2)

#define _PERCPU_ARCH_LIST_PUSH(idoff)					\
	__asm__ __volatile__ goto(					\
		_PERCPU_ASM_PROLOGUE					\
		_PERCPU_ASM_EXIT_POINT(cmpfail)				\
		_PERCPU_AARCH64_LIST_ENTER(idoff)				\
		"str x15, [%[next]]\n\t"	\
		PERCPU_INJECT_ASM(3)	\
		"stlr %[newv], [x16]\n\t"	\
		_PERCPU_AARCH64_EPILOGUE					\
		: /* no outputs */					\
		: [rs] "r" (rs), [nr] "r" (nr), [base] "r" (base), [next] "r" (next), [newv] "r" (newv)	\
		  PERCPU_INJECT_INPUT					\
		: "memory", "cc", "x15", "x16" PERCPU_INJECT_CLOBBER	\
		: abort, mismatch, cmpfail);				\
	_PERCPU_SEQ_RESULTS_CMP

#define _PERCPU_ARCH_LIST_POP(idoff)					\
	__asm__ __volatile__ goto(					\
		_PERCPU_ASM_PROLOGUE					\
		_PERCPU_ASM_EXIT_POINT(cmpfail)				\
		_PERCPU_AARCH64_LIST_ENTER(idoff)				\
		"str x15, [%[load]]\n\t"	\
		"ldr x15, [x15, %[voffp]]\n\t"	\
		PERCPU_INJECT_ASM(3)	\
		"str x15, [x16]\n\t"	\
		_PERCPU_AARCH64_EPILOGUE					\
		: /* no outputs */					\
		: [rs] "r" (rs), [nr] "r" (nr), [base] "r" (base), [voffp] "r" (voffp), [load] "r" (load)	\
		  PERCPU_INJECT_INPUT					\
		: "memory", "cc", "x15", "x16" PERCPU_INJECT_CLOBBER	\
		: abort, mismatch, cmpfail);				\
	_PERCPU_SEQ_RESULTS_CMP

/*
 * The buffer's pair (see arch/generic.h), made like the list's: x16 is the
 * CPU's block, x15 its count, x17 the slot.  One unsigned compare with the
 * capacity fails a full, an empty (the pop's 0 - 1) and a LOCKED (-1) block.
 */
#define _PERCPU_AARCH64_BUFFER_ENTER(idoff)				\
	_PERCPU_AARCH64_IDX_ENTER(idoff)				\
	_PERCPU_AARCH64_FAST_SLOT						\
	"ldr x15, [x16]\n\t"

#define _PERCPU_ARCH_BUFFER_PUSH(idoff)					\
	__asm__ __volatile__ goto(					\
		_PERCPU_ASM_PROLOGUE					\
		_PERCPU_ASM_EXIT_POINT(cmpfail)				\
		_PERCPU_AARCH64_BUFFER_ENTER(idoff)			\
		"cmp x15, %[cap]\n\t"					\
		"b.hs %l[cmpfail]\n\t"					\
		PERCPU_INJECT_ASM(2)					\
		"add x17, x16, x15, lsl #3\n\t"				\
		"str %[ptr], [x17, #" PERCPU_STR(PERCPU_BUFFER_ARCH_SLOTS) "]\n\t" \
		PERCPU_INJECT_ASM(3)					\
		"add x15, x15, #1\n\t"					\
		"stlr x15, [x16]\n\t"					\
		_PERCPU_AARCH64_EPILOGUE				\
		: /* no outputs */					\
		: [rs] "r" (rs), [nr] "r" (nr), [fast] "r" (fast),	\
		  [cap] "r" (cap), [ptr] "r" (ptr)			\
		  PERCPU_INJECT_INPUT					\
		: "memory", "cc", "x15", "x16", "x17" PERCPU_INJECT_CLOBBER \
		: abort, mismatch, cmpfail);				\
	_PERCPU_SEQ_RESULTS_CMP

#define _PERCPU_ARCH_BUFFER_POP(idoff)					\
	__asm__ __volatile__ goto(					\
		_PERCPU_ASM_PROLOGUE					\
		_PERCPU_ASM_EXIT_POINT(cmpfail)				\
		_PERCPU_AARCH64_BUFFER_ENTER(idoff)			\
		"sub x15, x15, #1\n\t"					\
		"cmp x15, %[cap]\n\t"					\
		"b.hs %l[cmpfail]\n\t"					\
		PERCPU_INJECT_ASM(2)					\
		"add x17, x16, x15, lsl #3\n\t"				\
		"ldr x17, [x17, #" PERCPU_STR(PERCPU_BUFFER_ARCH_SLOTS) "]\n\t" \
		"str x17, [%[load]]\n\t"				\
		PERCPU_INJECT_ASM(3)					\
		"str x15, [x16]\n\t"					\
		_PERCPU_AARCH64_EPILOGUE				\
		: /* no outputs */					\
		: [rs] "r" (rs), [nr] "r" (nr), [fast] "r" (fast),	\
		  [cap] "r" (cap), [load] "r" (load)			\
		  PERCPU_INJECT_INPUT					\
		: "memory", "cc", "x15", "x16", "x17" PERCPU_INJECT_CLOBBER \
		: abort, mismatch, cmpfail);				\
	_PERCPU_SEQ_RESULTS_CMP

/*
 * The counter's add (see arch/generic.h): the list's entry, then a load,
 * an add and the store that commits.
 */
#define _PERCPU_ARCH_COUNTER_ADD(idoff)					\
	__asm__ __volatile__ goto(					\
		_PERCPU_ASM_PROLOGUE					\
		_PERCPU_AARCH64_IDX_ENTER(idoff)				\
		"add x16, %[base], x16, lsl #" PERCPU_STR(PERCPU_CACHELINE_SHIFT) "\n\t" \
		"ldr x17, [x16]\n\t"					\
		"add x17, x17, %[count]\n\t"				\
		PERCPU_INJECT_ASM(2)					\
		"str x17, [x16]\n\t"					\
		_PERCPU_AARCH64_EPILOGUE				\
		: /* no outputs */					\
		: [rs] "r" (rs), [nr] "r" (nr), [base] "r" (base), [count] "r" (count) \
		  PERCPU_INJECT_INPUT					\
		: "memory", "cc", "x16", "x17" PERCPU_INJECT_CLOBBER	\
		: abort, mismatch);					\
	_PERCPU_SEQ_RESULTS

/* The thread pointer, from which libc's area lies at __rseq_offset. */
PERCPU_INLINE void *percpu_arch_thread_pointer(void)
{
	void *tp;

	__asm__ ("mrs %0, tpidr_el0" : "=r" (tp));
	return tp;
}
