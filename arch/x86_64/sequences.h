/* SPDX-License-Identifier: MIT */
/*
 * arch/x86_64/sequences.h - restartable sequences for x86_64.
 *
 * Included by <percpu/arch.h> only; see arch/generic.h for the contract.
 */
#ifndef _PERCPU_ARCH_INSIDE
# error "include <percpu/arch.h>, not an architecture header"
#endif

#define PERCPU_ARCH_NAME	"x86_64"
#define PERCPU_HAVE_ARCH_RSEQ	1

/*
 * Signature before every abort handler: the kernel refuses to jump to an
 * abort_ip whose preceding 4 bytes differ from the value given at
 * registration, so rseq cannot redirect control flow to arbitrary code.  It
 * must equal glibc's value, since glibc registers the area we share.  We emit
 * it as the 32-bit displacement of "ud1 0x53053053(%rip), %edi"
 * (0f b9 3d <sig>), an undefined instruction, so falling into it traps.
 */
#define PERCPU_RSEQ_SIG		0x53053053

/*
 * Adjacent-line prefetching pulls cache lines in pairs on x86, so two CPUs'
 * data 64 bytes apart still contend; keep them 128 bytes apart.
 */
#define PERCPU_CACHELINE_BYTES	128

/*
 * Fault injection for stress tests: spin loops[n] times at hook n.
 *   #define PERCPU_INJECT_ASM(n)    PERCPU_ARCH_INJECT_SPIN_ASM(n)
 *   #define PERCPU_INJECT_INPUT     PERCPU_ARCH_INJECT_SPIN_INPUT(loops)
 *   #define PERCPU_INJECT_CLOBBER   PERCPU_ARCH_INJECT_SPIN_CLOBBER
 * where loops is an int array with at least 4 entries.
 */
#define PERCPU_ARCH_INJECT_SPIN_ASM(n)					\
	"movl 4*" #n "(%[percpu_inject]), %%r11d\n\t"			\
	"testl %%r11d, %%r11d\n\t"					\
	"jz 333f\n\t"							\
	"222:\n\t"							\
	"decl %%r11d\n\t"						\
	"jnz 222b\n\t"							\
	"333:\n\t"
#define PERCPU_ARCH_INJECT_SPIN_INPUT(loops)	, [percpu_inject] "r" (loops)
#define PERCPU_ARCH_INJECT_SPIN_CLOBBER		, "r11"

/*
 * Publish the descriptor (labels: see arch/generic.h), then check the index
 * field @idp still holds @id (the CPU, or the mm_cid).  %rax is clobbered
 * here, so the words a sequence reads and writes come as addresses in
 * register operands ([v] "r" (v), used as (%[v])), never as "m" operands:
 * gcc 12 gave an "m" operand's address the register %rax (in the slab's
 * pop), and the sequence then compared, and could have committed to, a word
 * of the descriptor section.
 */
#define _PERCPU_X86_ENTER						\
	"leaq 3b(%%rip), %%rax\n\t"					\
	"movq %%rax, " PERCPU_STR(PERCPU_RSEQ_OFF_RSEQ_CS) "(%[rs])\n\t" \
	"1:\n\t"							\
	"cmpl %[id], (%[idp])\n\t" \
	"jnz %l[mismatch]\n\t"						\
	PERCPU_INJECT_ASM(1)

/* Signature, then the abort handler, out of line. */
#define _PERCPU_X86_ABORT						\
	".pushsection __rseq_failure, \"ax\"\n\t"			\
	".byte 0x0f, 0xb9, 0x3d\n\t"					\
	".long " PERCPU_STR(PERCPU_RSEQ_SIG) "\n\t"		\
	"4:\n\t"							\
	"jmp %l[abort]\n\t"						\
	".popsection\n\t"

#define _PERCPU_X86_EPILOGUE						\
	"2:\n\t"							\
	_PERCPU_X86_ABORT

/*
 * What goes before the commit store of a plain and of a _release sequence:
 * nothing in either, as x86 is TSO (every earlier load and store is already
 * ordered before the commit store).
 */
#define _PERCPU_ARCH_RELAXED	""
#define _PERCPU_ARCH_RELEASE	""

#define _PERCPU_ARCH_CMPEQV_STOREV(release)				\
	__asm__ __volatile__ goto(					\
		_PERCPU_ASM_PROLOGUE					\
		_PERCPU_ASM_EXIT_POINT(cmpfail)				\
		_PERCPU_X86_ENTER					\
		"cmpq (%[v]), %[expect]\n\t"				\
		"jnz %l[cmpfail]\n\t"					\
		PERCPU_INJECT_ASM(2)					\
		release							\
		"movq %[newv], (%[v])\n\t"				\
		_PERCPU_X86_EPILOGUE					\
		: /* no outputs */					\
		: [rs] "r" (rs), [id] "r" (id), [idp] "r" (idp), [v] "r" (v),		\
		  [expect] "r" (expect), [newv] "r" (newv)		\
		  PERCPU_INJECT_INPUT					\
		: "memory", "cc", "rax" PERCPU_INJECT_CLOBBER		\
		: abort, mismatch, cmpfail);				\
	_PERCPU_SEQ_RESULTS_CMP

/*
 * The value cmpnev_storeoffp_load loads comes back in a register where asm
 * goto takes outputs; elsewhere it is stored through its address (a register,
 * as for every word: see _PERCPU_X86_ENTER).
 */
#if PERCPU_HAVE_ASM_GOTO_OUTPUT
#define _PERCPU_X86_LOAD_OUT	[load] "=&r" (*load)
#define _PERCPU_X86_LOAD_IN
#define _PERCPU_X86_LOAD_DST	"%[load]"
#else
/* The address in a register, never an "m" operand: see _PERCPU_X86_ENTER. */
#define _PERCPU_X86_LOAD_OUT
#define _PERCPU_X86_LOAD_IN	, [load] "r" (load)
#define _PERCPU_X86_LOAD_DST	"(%[load])"
#endif

#define _PERCPU_ARCH_CMPNEV_STOREOFFP_LOAD()				\
	__asm__ __volatile__ goto(					\
		_PERCPU_ASM_PROLOGUE					\
		_PERCPU_ASM_EXIT_POINT(cmpfail)				\
		_PERCPU_X86_ENTER					\
		"movq (%[v]), %%rcx\n\t"					\
		"cmpq %%rcx, %[expectnot]\n\t"				\
		"je %l[cmpfail]\n\t"					\
		PERCPU_INJECT_ASM(2)					\
		"movq %%rcx, " _PERCPU_X86_LOAD_DST "\n\t"				\
		"addq %[voffp], %%rcx\n\t"				\
		"movq (%%rcx), %%rcx\n\t"				\
		"movq %%rcx, (%[v])\n\t"					\
		_PERCPU_X86_EPILOGUE					\
		: _PERCPU_X86_LOAD_OUT					\
		: [rs] "r" (rs), [id] "r" (id), [idp] "r" (idp), [v] "r" (v),		\
		  [expectnot] "r" (expectnot), [voffp] "er" (voffp) _PERCPU_X86_LOAD_IN \
		  PERCPU_INJECT_INPUT					\
		: "memory", "cc", "rax", "rcx" PERCPU_INJECT_CLOBBER	\
		: abort, mismatch, cmpfail);				\
	_PERCPU_SEQ_RESULTS_CMP

#define _PERCPU_ARCH_ADDV()						\
	__asm__ __volatile__ goto(					\
		_PERCPU_ASM_PROLOGUE					\
		_PERCPU_X86_ENTER					\
		/* One read-modify-write instruction: it is the commit. */ \
		"addq %[count], (%[v])\n\t"				\
		_PERCPU_X86_EPILOGUE					\
		: /* no outputs */					\
		: [rs] "r" (rs), [id] "r" (id), [idp] "r" (idp), [v] "r" (v), [count] "er" (count) \
		  PERCPU_INJECT_INPUT					\
		: "memory", "cc", "rax" PERCPU_INJECT_CLOBBER		\
		: abort, mismatch);					\
	_PERCPU_SEQ_RESULTS

#define _PERCPU_ARCH_CMPEQV_CMPEQV_STOREV()				\
	__asm__ __volatile__ goto(					\
		_PERCPU_ASM_PROLOGUE					\
		_PERCPU_ASM_EXIT_POINT(cmpfail)				\
		_PERCPU_X86_ENTER					\
		"cmpq (%[v]), %[expect]\n\t"				\
		"jnz %l[cmpfail]\n\t"					\
		PERCPU_INJECT_ASM(2)					\
		"cmpq (%[v2]), %[expect2]\n\t"				\
		"jnz %l[cmpfail]\n\t"					\
		PERCPU_INJECT_ASM(3)					\
		"movq %[newv], (%[v])\n\t"				\
		_PERCPU_X86_EPILOGUE					\
		: /* no outputs */					\
		: [rs] "r" (rs), [id] "r" (id), [idp] "r" (idp), [v] "r" (v), [expect] "r" (expect), \
		  [v2] "r" (v2), [expect2] "r" (expect2), [newv] "r" (newv) \
		  PERCPU_INJECT_INPUT					\
		: "memory", "cc", "rax" PERCPU_INJECT_CLOBBER		\
		: abort, mismatch, cmpfail);				\
	_PERCPU_SEQ_RESULTS_CMP

#define _PERCPU_ARCH_CMPEQV_TRYSTOREV_STOREV(release)			\
	__asm__ __volatile__ goto(					\
		_PERCPU_ASM_PROLOGUE					\
		_PERCPU_ASM_EXIT_POINT(cmpfail)				\
		_PERCPU_X86_ENTER					\
		"cmpq (%[v]), %[expect]\n\t"				\
		"jnz %l[cmpfail]\n\t"					\
		PERCPU_INJECT_ASM(2)					\
		/* Speculative store: nobody reads *v2 before the commit. */ \
		"movq %[newv2], (%[v2])\n\t"				\
		PERCPU_INJECT_ASM(3)					\
		release							\
		"movq %[newv], (%[v])\n\t"				\
		_PERCPU_X86_EPILOGUE					\
		: /* no outputs */					\
		: [rs] "r" (rs), [id] "r" (id), [idp] "r" (idp), [v] "r" (v), [expect] "r" (expect), \
		  [v2] "r" (v2), [newv2] "r" (newv2), [newv] "r" (newv) \
		  PERCPU_INJECT_INPUT					\
		: "memory", "cc", "rax" PERCPU_INJECT_CLOBBER		\
		: abort, mismatch, cmpfail);				\
	_PERCPU_SEQ_RESULTS_CMP

/*
 * The copy of cmpeqv_trymemcpy_storev and of the ring's event sequence:
 * %[len] bytes from (%[src]) to @d(%[dst]) (@d a displacement, as a string),
 * 64 bytes at a time, then 16, then the last word when len is an odd number
 * of words.  A loop of 16-byte steps paid about twice the cost per byte for
 * a slab batch of 32 pointers (two loops of 16 turns per batch: their exits
 * were mispredicted).  Restarting from the top is harmless: nobody reads dst
 * before the commit.  Indexed addressing needs only two scratch registers
 * (%rax, %rcx), so the sequences still fit when the frame pointer and the
 * injection hooks take theirs.
 */
#define _PERCPU_X86_COPY(d)						\
	"xorl %%eax, %%eax\n\t"						\
	"leaq -64(%[len]), %%rcx\n\t"					\
	"jmp 6f\n\t"							\
	"5:\n\t"							\
	"movdqu (%[src],%%rax), %%xmm0\n\t"				\
	"movdqu 16(%[src],%%rax), %%xmm1\n\t"				\
	"movdqu 32(%[src],%%rax), %%xmm2\n\t"				\
	"movdqu 48(%[src],%%rax), %%xmm3\n\t"				\
	"movdqu %%xmm0, " d "(%[dst],%%rax)\n\t"			\
	"movdqu %%xmm1, " d "+16(%[dst],%%rax)\n\t"			\
	"movdqu %%xmm2, " d "+32(%[dst],%%rax)\n\t"			\
	"movdqu %%xmm3, " d "+48(%[dst],%%rax)\n\t"			\
	"addq $64, %%rax\n\t"						\
	"6:\n\t"							\
	"cmpq %%rcx, %%rax\n\t"						\
	"jle 5b\n\t"							\
	"leaq -16(%[len]), %%rcx\n\t"					\
	"jmp 9f\n\t"							\
	"8:\n\t"							\
	"movdqu (%[src],%%rax), %%xmm0\n\t"				\
	"movdqu %%xmm0, " d "(%[dst],%%rax)\n\t"			\
	"addq $16, %%rax\n\t"						\
	"9:\n\t"							\
	"cmpq %%rcx, %%rax\n\t"						\
	"jle 8b\n\t"							\
	"cmpq %[len], %%rax\n\t"					\
	"jae 7f\n\t"							\
	"movq (%[src],%%rax), %%rcx\n\t"				\
	"movq %%rcx, " d "(%[dst],%%rax)\n\t"				\
	"7:\n\t"

#define _PERCPU_ARCH_CMPEQV_TRYMEMCPY_STOREV(release)			\
	__asm__ __volatile__ goto(					\
		_PERCPU_ASM_PROLOGUE					\
		_PERCPU_ASM_EXIT_POINT(cmpfail)				\
		_PERCPU_X86_ENTER					\
		"cmpq (%[v]), %[expect]\n\t"				\
		"jnz %l[cmpfail]\n\t"					\
		PERCPU_INJECT_ASM(2)					\
		_PERCPU_X86_COPY("0")					\
		PERCPU_INJECT_ASM(3)					\
		release							\
		"movq %[newv], (%[v])\n\t"				\
		_PERCPU_X86_EPILOGUE					\
		: /* no outputs */					\
		: [rs] "r" (rs), [id] "r" (id), [idp] "r" (idp), [v] "r" (v), [expect] "r" (expect), \
		  [dst] "r" (dst), [src] "r" (src), [len] "r" (len), [newv] "r" (newv) \
		  PERCPU_INJECT_INPUT					\
		: "memory", "cc", "rax", "rcx", "xmm0", "xmm1", "xmm2", "xmm3" \
		  PERCPU_INJECT_CLOBBER					\
		: abort, mismatch, cmpfail);				\
	_PERCPU_SEQ_RESULTS_CMP

/*
 * The ring's event copy (see arch/generic.h).  Header word and timestamp go
 * from registers to the ring: staged on the stack, the timestamp would reach
 * it only through a store and a load (store-to-load forwarding), on the path
 * from the clock read to the commit.  The payload is copied by
 * _PERCPU_X86_COPY, as in cmpeqv_trymemcpy_storev.  Ten operands, %rax and %rcx: they fit beside the frame pointer and
 * the injection hooks because the area is found from @idp (32-byte aligned,
 * see arch/generic.h), not from an operand of its own.
 */
#define PERCPU_ARCH_HAVE_TRYEVENT	1
#define _PERCPU_ARCH_CMPEQV_TRYEVENT_STOREV()				\
	(void)rs;							\
	__asm__ __volatile__ goto(					\
		_PERCPU_ASM_PROLOGUE					\
		_PERCPU_ASM_EXIT_POINT(cmpfail)				\
		"movq %[idp], %%rcx\n\t"				\
		"andq $-32, %%rcx\n\t"					\
		"leaq 3b(%%rip), %%rax\n\t"				\
		"movq %%rax, " PERCPU_STR(PERCPU_RSEQ_OFF_RSEQ_CS) "(%%rcx)\n\t" \
		"1:\n\t"						\
		"cmpl %[id], (%[idp])\n\t"				\
		"jnz %l[mismatch]\n\t"					\
		PERCPU_INJECT_ASM(1)					\
		"cmpq (%[v]), %[expect]\n\t"				\
		"jnz %l[cmpfail]\n\t"					\
		PERCPU_INJECT_ASM(2)					\
		"movq %[hdr], (%[dst])\n\t"				\
		"movq %[ts], 8(%[dst])\n\t"				\
		_PERCPU_X86_COPY("16")					\
		"movq %[hdr], %%rcx\n\t"				\
		"shrq $32, %%rcx\n\t"					\
		"addl $1, %%ecx\n\t"					\
		"movl $0, 16(%[dst],%[len])\n\t"			\
		"movl %%ecx, 20(%[dst],%[len])\n\t"			\
		"movq %[ts], 24(%[dst],%[len])\n\t"			\
		PERCPU_INJECT_ASM(3)					\
		"movq %[newv], (%[v])\n\t"				\
		_PERCPU_X86_EPILOGUE					\
		: /* no outputs */					\
		: [id] "r" (id), [idp] "r" (idp), [v] "r" (v), [expect] "r" (expect), \
		  [dst] "r" (dst), [hdr] "r" (hdr), [src] "r" (src), [len] "r" (plen), \
		  [ts] "r" (ts), [newv] "r" (newv)			\
		  PERCPU_INJECT_INPUT					\
		: "memory", "cc", "rax", "rcx", "xmm0", "xmm1", "xmm2", "xmm3" \
		  PERCPU_INJECT_CLOBBER					\
		: abort, mismatch, cmpfail);				\
	_PERCPU_SEQ_RESULTS_CMP

/*
 * The entry of the sequences that read the index themselves (the slab's,
 * the list's and the buffer's pairs and the counter's add: see
 * arch/generic.h): publish the descriptor, read the index field at offset
 * @idoff of the area into %rax (movl zero-extends it), and leave for
 * mismatch unless it is below %[nr], one unsigned compare that also rejects
 * a negative cpu_id. Each structure then turns %rax into its slot.
 */
#define _PERCPU_X86_IDX_ENTER(idoff)					\
	"leaq 3b(%%rip), %%rax\n\t"					\
	"movq %%rax, " PERCPU_STR(PERCPU_RSEQ_OFF_RSEQ_CS) "(%[rs])\n\t" \
	"1:\n\t"							\
	"movl " PERCPU_STR(idoff) "(%[rs]), %%eax\n\t"			\
	"cmpl %[nr], %%eax\n\t"						\
	"jae %l[mismatch]\n\t"						\
	PERCPU_INJECT_ASM(1)

/*
 * The slab's own pair (see arch/generic.h): the index is read inside the
 * section and the slot found from it there, as a hand-written sequence
 * would, so nothing read before the section has to be compared again.
 * shl and shlx take the count modulo 64: the flag bits above the shift in
 * @fast need no mask there.
 */
#ifdef __BMI2__
#define _PERCPU_X86_SHL_RAX(by)	"shlxq %[" by "], %%rax, %%rax\n\t"
#else
#define _PERCPU_X86_SHL_RAX(by)	"movq %[" by "], %%rcx\n\t" "shlq %%cl, %%rax\n\t"
#endif

/* %rax = the block that @fast (see arch/generic.h) gives index %rax. */
#define _PERCPU_X86_FAST_SLOT						\
	_PERCPU_X86_SHL_RAX("fast")					\
	"addq %[fast], %%rax\n\t"					\
	"andq $-" PERCPU_STR(PERCPU_SLAB_ARCH_ALIGN) ", %%rax\n\t"

#define _PERCPU_X86_SLAB_ENTER(idoff)					\
	_PERCPU_X86_IDX_ENTER(idoff)					\
	_PERCPU_X86_FAST_SLOT						\
	"movq (%%rax,%[cls],8), %%rcx\n\t"

#define _PERCPU_ARCH_SLAB_PUSH(idoff)					\
	__asm__ __volatile__ goto(					\
		_PERCPU_ASM_PROLOGUE					\
		_PERCPU_ASM_EXIT_POINT(cmpfail)				\
		_PERCPU_X86_SLAB_ENTER(idoff)				\
		/* Full when current >= end (16-bit halves of %ecx). */	\
		"movl %%ecx, %%edx\n\t"					\
		"shrl $16, %%edx\n\t"					\
		"cmpw %%dx, %%cx\n\t"					\
		"jae %l[cmpfail]\n\t"					\
		PERCPU_INJECT_ASM(2)					\
		/* Speculative store: nobody reads it before the commit. */ \
		"movzwl %%cx, %%edx\n\t"				\
		"movq %[ptr], (%%rax,%%rdx,8)\n\t"			\
		PERCPU_INJECT_ASM(3)					\
		"addq $1, %%rcx\n\t"					\
		"movq %%rcx, (%%rax,%[cls],8)\n\t"			\
		_PERCPU_X86_EPILOGUE					\
		: /* no outputs */					\
		: [rs] "r" (rs), [nr] "r" (nr), [fast] "r" (fast),	\
		  [cls] "r" ((uintptr_t)cls), [ptr] "r" (ptr)		\
		  PERCPU_INJECT_INPUT					\
		: "memory", "cc", "rax", "rcx", "rdx" PERCPU_INJECT_CLOBBER \
		: abort, mismatch, cmpfail);				\
	_PERCPU_SEQ_RESULTS_CMP

#if PERCPU_HAVE_ASM_GOTO_OUTPUT
#define _PERCPU_X86_SLAB_POP_OUT	[load] "=&r" (*load)
#define _PERCPU_X86_SLAB_POP_IN
#define _PERCPU_X86_SLAB_POP_LOAD	"movq -8(%%rax,%%rdx,8), %[load]\n\t"
#else
#define _PERCPU_X86_SLAB_POP_OUT
#define _PERCPU_X86_SLAB_POP_IN		, [load] "r" (load)
#define _PERCPU_X86_SLAB_POP_LOAD					\
	"movq -8(%%rax,%%rdx,8), %%rdx\n\t"				\
	"movq %%rdx, (%[load])\n\t"
#endif

#define _PERCPU_ARCH_SLAB_POP(idoff)					\
	__asm__ __volatile__ goto(					\
		_PERCPU_ASM_PROLOGUE					\
		_PERCPU_ASM_EXIT_POINT(cmpfail)				\
		_PERCPU_X86_SLAB_ENTER(idoff)				\
		/* Empty when current <= begin (0 when not set up). */	\
		"movzwl %%cx, %%edx\n\t"				\
		"cmpl %[begin], %%edx\n\t"				\
		"jbe %l[cmpfail]\n\t"					\
		PERCPU_INJECT_ASM(2)					\
		_PERCPU_X86_SLAB_POP_LOAD				\
		PERCPU_INJECT_ASM(3)					\
		"subq $1, %%rcx\n\t"					\
		"movq %%rcx, (%%rax,%[cls],8)\n\t"			\
		_PERCPU_X86_EPILOGUE					\
		: _PERCPU_X86_SLAB_POP_OUT				\
		: [rs] "r" (rs), [nr] "r" (nr), [fast] "r" (fast),	\
		  [cls] "r" ((uintptr_t)cls), [begin] "r" (begin)	\
		  _PERCPU_X86_SLAB_POP_IN PERCPU_INJECT_INPUT		\
		: "memory", "cc", "rax", "rcx", "rdx" PERCPU_INJECT_CLOBBER \
		: abort, mismatch, cmpfail);				\
	_PERCPU_SEQ_RESULTS_CMP

/*
 * The list's pair (see arch/generic.h), made like the slab's: %rax is the
 * slot, %rcx the head.
 */
#define _PERCPU_X86_LIST_ENTER(idoff)					\
	_PERCPU_X86_IDX_ENTER(idoff)					\
	"shlq $" PERCPU_STR(PERCPU_CACHELINE_SHIFT) ", %%rax\n\t"	\
	"addq %[base], %%rax\n\t"					\
	"movq (%%rax), %%rcx\n\t"					\
	"cmpq $1, %%rcx\n\t"						\
	"je %l[cmpfail]\n\t"						\
	PERCPU_INJECT_ASM(2)

#define _PERCPU_ARCH_LIST_PUSH(idoff)					\
	__asm__ __volatile__ goto(					\
		_PERCPU_ASM_PROLOGUE					\
		_PERCPU_ASM_EXIT_POINT(cmpfail)				\
		_PERCPU_X86_LIST_ENTER(idoff)				\
		/* Speculative store: nobody reads it before the commit. */ \
		"movq %%rcx, (%[next])\n\t"				\
		PERCPU_INJECT_ASM(3)					\
		"movq %[newv], (%%rax)\n\t"				\
		_PERCPU_X86_EPILOGUE					\
		: /* no outputs */					\
		: [rs] "r" (rs), [nr] "r" (nr), [base] "r" (base),	\
		  [next] "r" (next), [newv] "r" (newv)			\
		  PERCPU_INJECT_INPUT					\
		: "memory", "cc", "rax", "rcx" PERCPU_INJECT_CLOBBER	\
		: abort, mismatch, cmpfail);				\
	_PERCPU_SEQ_RESULTS_CMP

#define _PERCPU_ARCH_LIST_POP(idoff)					\
	__asm__ __volatile__ goto(					\
		_PERCPU_ASM_PROLOGUE					\
		_PERCPU_ASM_EXIT_POINT(cmpfail)				\
		_PERCPU_X86_LIST_ENTER(idoff)				\
		"movq %%rcx, " _PERCPU_X86_LOAD_DST "\n\t"		\
		"movq (%%rcx,%[voffp]), %%rcx\n\t"			\
		PERCPU_INJECT_ASM(3)					\
		"movq %%rcx, (%%rax)\n\t"				\
		_PERCPU_X86_EPILOGUE					\
		: _PERCPU_X86_LOAD_OUT					\
		: [rs] "r" (rs), [nr] "r" (nr), [base] "r" (base),	\
		  [voffp] "r" (voffp) _PERCPU_X86_LOAD_IN		\
		  PERCPU_INJECT_INPUT					\
		: "memory", "cc", "rax", "rcx" PERCPU_INJECT_CLOBBER	\
		: abort, mismatch, cmpfail);				\
	_PERCPU_SEQ_RESULTS_CMP

/*
 * The buffer's pair (see arch/generic.h), made like the list's: %rax is the
 * CPU's block (found from @fast as the slab's slot), %rcx its count, the pointers from
 * PERCPU_BUFFER_ARCH_SLOTS on.  One unsigned compare of the count (or of
 * count - 1 for the pop) with the capacity rejects a full, an empty and a
 * LOCKED (-1) block at once.
 */
#define _PERCPU_X86_BUFFER_ENTER(idoff)					\
	_PERCPU_X86_IDX_ENTER(idoff)					\
	_PERCPU_X86_FAST_SLOT						\
	"movq (%%rax), %%rcx\n\t"

#define _PERCPU_ARCH_BUFFER_PUSH(idoff)					\
	__asm__ __volatile__ goto(					\
		_PERCPU_ASM_PROLOGUE					\
		_PERCPU_ASM_EXIT_POINT(cmpfail)				\
		_PERCPU_X86_BUFFER_ENTER(idoff)				\
		"cmpq %[cap], %%rcx\n\t"				\
		"jae %l[cmpfail]\n\t"					\
		PERCPU_INJECT_ASM(2)					\
		/* Speculative store: nobody reads it before the commit. */ \
		"movq %[ptr], " PERCPU_STR(PERCPU_BUFFER_ARCH_SLOTS)	\
			"(%%rax,%%rcx,8)\n\t"				\
		PERCPU_INJECT_ASM(3)					\
		"addq $1, %%rcx\n\t"					\
		"movq %%rcx, (%%rax)\n\t"				\
		_PERCPU_X86_EPILOGUE					\
		: /* no outputs */					\
		: [rs] "r" (rs), [nr] "r" (nr), [fast] "r" (fast),	\
		  [cap] "r" (cap), [ptr] "r" (ptr)			\
		  PERCPU_INJECT_INPUT					\
		: "memory", "cc", "rax", "rcx" PERCPU_INJECT_CLOBBER	\
		: abort, mismatch, cmpfail);				\
	_PERCPU_SEQ_RESULTS_CMP

#if PERCPU_HAVE_ASM_GOTO_OUTPUT
#define _PERCPU_X86_BUFFER_POP_LOAD					\
	"movq " PERCPU_STR(PERCPU_BUFFER_ARCH_SLOTS) "(%%rax,%%rcx,8), %[load]\n\t"
#else
#define _PERCPU_X86_BUFFER_POP_LOAD					\
	"movq " PERCPU_STR(PERCPU_BUFFER_ARCH_SLOTS) "(%%rax,%%rcx,8), %%rdx\n\t" \
	"movq %%rdx, (%[load])\n\t"
#endif

#define _PERCPU_ARCH_BUFFER_POP(idoff)					\
	__asm__ __volatile__ goto(					\
		_PERCPU_ASM_PROLOGUE					\
		_PERCPU_ASM_EXIT_POINT(cmpfail)				\
		_PERCPU_X86_BUFFER_ENTER(idoff)				\
		"subq $1, %%rcx\n\t"					\
		"cmpq %[cap], %%rcx\n\t"				\
		"jae %l[cmpfail]\n\t"					\
		PERCPU_INJECT_ASM(2)					\
		_PERCPU_X86_BUFFER_POP_LOAD				\
		PERCPU_INJECT_ASM(3)					\
		"movq %%rcx, (%%rax)\n\t"				\
		_PERCPU_X86_EPILOGUE					\
		: _PERCPU_X86_LOAD_OUT					\
		: [rs] "r" (rs), [nr] "r" (nr), [fast] "r" (fast),	\
		  [cap] "r" (cap) _PERCPU_X86_LOAD_IN			\
		  PERCPU_INJECT_INPUT					\
		: "memory", "cc", "rax", "rcx", "rdx" PERCPU_INJECT_CLOBBER \
		: abort, mismatch, cmpfail);				\
	_PERCPU_SEQ_RESULTS_CMP

/*
 * The counter's add (see arch/generic.h), made like the list's: the index
 * read inside the section, the slot found from it there, one
 * read-modify-write instruction as the commit.
 */
#define _PERCPU_ARCH_COUNTER_ADD(idoff)					\
	__asm__ __volatile__ goto(					\
		_PERCPU_ASM_PROLOGUE					\
		_PERCPU_X86_IDX_ENTER(idoff)				\
		"shlq $" PERCPU_STR(PERCPU_CACHELINE_SHIFT) ", %%rax\n\t" \
		"addq %[count], (%[base],%%rax)\n\t"			\
		_PERCPU_X86_EPILOGUE					\
		: /* no outputs */					\
		: [rs] "r" (rs), [nr] "ir" (nr), [base] "r" (base),	\
		  [count] "er" (count)					\
		  PERCPU_INJECT_INPUT					\
		: "memory", "cc", "rax" PERCPU_INJECT_CLOBBER		\
		: abort, mismatch);					\
	_PERCPU_SEQ_RESULTS

/*
 * The copy of cmpeqv_trymemcpy_storev with 32-byte AVX moves (see
 * arch/generic.h: called only where percpu_arch_wide_copy_ok() said so).
 * Stores are what a batch copy waits on, and an AVX store moves twice the
 * bytes of an SSE one.  Compiled without AVX (-mavx not given), the code
 * around holds nothing in the upper halves of the vector registers, and
 * vzeroupper clears what the loop left there, so the SSE code after it
 * pays no transition; where the compiler itself uses AVX it must not run
 * (it would clear the compiler's upper halves) and is not needed.  A
 * sequence the kernel aborts inside the loop skips the vzeroupper: its
 * slow path then runs SSE code with dirty upper halves, slower on some
 * CPUs, never wrong.
 */
#ifdef __AVX__
#define _PERCPU_X86_VZEROUPPER	""
#else
#define _PERCPU_X86_VZEROUPPER	"vzeroupper\n\t"
#endif

#define _PERCPU_ARCH_CMPEQV_TRYMEMCPY_WIDE_STOREV(release)		\
	__asm__ __volatile__ goto(					\
		_PERCPU_ASM_PROLOGUE					\
		_PERCPU_ASM_EXIT_POINT(cmpfail)				\
		_PERCPU_X86_ENTER					\
		"cmpq (%[v]), %[expect]\n\t"				\
		"jnz %l[cmpfail]\n\t"					\
		PERCPU_INJECT_ASM(2)					\
		/* 128 bytes a turn, then 16, then the last word. */	\
		"xorl %%eax, %%eax\n\t"					\
		"leaq -128(%[len]), %%rcx\n\t"				\
		"jmp 6f\n\t"						\
		"5:\n\t"						\
		"vmovdqu (%[src],%%rax), %%ymm0\n\t"			\
		"vmovdqu 32(%[src],%%rax), %%ymm1\n\t"			\
		"vmovdqu 64(%[src],%%rax), %%ymm2\n\t"			\
		"vmovdqu 96(%[src],%%rax), %%ymm3\n\t"			\
		"vmovdqu %%ymm0, (%[dst],%%rax)\n\t"			\
		"vmovdqu %%ymm1, 32(%[dst],%%rax)\n\t"			\
		"vmovdqu %%ymm2, 64(%[dst],%%rax)\n\t"			\
		"vmovdqu %%ymm3, 96(%[dst],%%rax)\n\t"			\
		"addq $128, %%rax\n\t"					\
		"6:\n\t"						\
		"cmpq %%rcx, %%rax\n\t"					\
		"jle 5b\n\t"						\
		"leaq -16(%[len]), %%rcx\n\t"				\
		"jmp 9f\n\t"						\
		"8:\n\t"						\
		"vmovdqu (%[src],%%rax), %%xmm0\n\t"			\
		"vmovdqu %%xmm0, (%[dst],%%rax)\n\t"			\
		"addq $16, %%rax\n\t"					\
		"9:\n\t"						\
		"cmpq %%rcx, %%rax\n\t"					\
		"jle 8b\n\t"						\
		_PERCPU_X86_VZEROUPPER					\
		"cmpq %[len], %%rax\n\t"				\
		"jae 7f\n\t"						\
		"movq (%[src],%%rax), %%rcx\n\t"			\
		"movq %%rcx, (%[dst],%%rax)\n\t"			\
		"7:\n\t"						\
		PERCPU_INJECT_ASM(3)					\
		release							\
		"movq %[newv], (%[v])\n\t"				\
		_PERCPU_X86_EPILOGUE					\
		: /* no outputs */					\
		: [rs] "r" (rs), [id] "r" (id), [idp] "r" (idp), [v] "r" (v), [expect] "r" (expect), \
		  [dst] "r" (dst), [src] "r" (src), [len] "r" (len), [newv] "r" (newv) \
		  PERCPU_INJECT_INPUT					\
		: "memory", "cc", "rax", "rcx", "xmm0", "xmm1", "xmm2", "xmm3" \
		  PERCPU_INJECT_CLOBBER					\
		: abort, mismatch, cmpfail);				\
	_PERCPU_SEQ_RESULTS_CMP

/*
 * 1 where the CPU has AVX and the kernel saves its state (libgcc checks
 * both).  Called by the library at init, never on a fast path.
 */
PERCPU_INLINE int percpu_arch_wide_copy_ok(void)
{
	__builtin_cpu_init();
	return __builtin_cpu_supports("avx");
}

/* The thread pointer, from which libc's area lies at __rseq_offset. */
PERCPU_INLINE void *percpu_arch_thread_pointer(void)
{
	void *tp;

	__asm__ ("movq %%fs:0, %0" : "=r" (tp));
	return tp;
}
