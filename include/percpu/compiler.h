/* SPDX-License-Identifier: MIT */
/*
 * percpu/compiler.h - compiler helpers shared by every libpercpu header.
 */
#ifndef _PERCPU_COMPILER_H
#define _PERCPU_COMPILER_H

#ifdef __cplusplus
#define PERCPU_EXTERN_C_BEGIN	extern "C" {
#define PERCPU_EXTERN_C_END	}
#else
#define PERCPU_EXTERN_C_BEGIN
#define PERCPU_EXTERN_C_END
#endif

#define PERCPU_LIKELY(x)	__builtin_expect(!!(x), 1)
#define PERCPU_UNLIKELY(x)	__builtin_expect(!!(x), 0)

/* Marks the exported symbols; everything else in the library is hidden. */
#define PERCPU_API		__attribute__((visibility("default")))

/*
 * Single-copy loads and stores of words shared with the kernel or with other
 * threads.  The kernel updates the rseq area asynchronously (on return to user
 * space), so a plain load could be torn, fused or hoisted out of a loop; a
 * relaxed atomic load says exactly what is needed and nothing more.  We use
 * these instead of volatile.
 */
#define PERCPU_LOAD(p)		__atomic_load_n((p), __ATOMIC_RELAXED)
#define PERCPU_LOAD_ACQUIRE(p)	__atomic_load_n((p), __ATOMIC_ACQUIRE)
#define PERCPU_STORE(p, v)	__atomic_store_n((p), (v), __ATOMIC_RELAXED)
#define PERCPU_STORE_RELEASE(p, v) __atomic_store_n((p), (v), __ATOMIC_RELEASE)

/* Lock-free (and so async-signal-safe) 64-bit atomic read-modify-writes. */
#if __SIZEOF_POINTER__ >= 8 || defined(__GCC_HAVE_SYNC_COMPARE_AND_SWAP_8)
#define PERCPU_HAVE_ATOMIC64	1
#else
#define PERCPU_HAVE_ATOMIC64	0
#endif

#define PERCPU_BARRIER()	__asm__ __volatile__("" : : : "memory")

/*
 * Fast paths and the sequences they are made of.  gcc sizes an inline asm by
 * its lines, and the descriptor, exit-point and abort-handler sections make
 * ours look ten times their real size: left to itself, gcc kept fast paths
 * out of line where a caller uses them more than once.  A fast path that is
 * not inlined is a bug (tests/inline-check.sh).
 */
#if defined(__arm__) && !defined(__thumb__)
/*
 * 32-bit ARM mode (not Thumb): forcing every sequence into large functions
 * pushed gcc 12's literal pools out of ldr's 4 KiB reach ("bad immediate
 * value for offset" from the assembler): let gcc decide there.
 */
#define PERCPU_INLINE		static inline
#else
#define PERCPU_INLINE		static inline __attribute__((always_inline))
#endif

/*
 * asm goto with output operands (gcc 11, clang 11): where it exists, a
 * sequence can hand a value it loaded back in a register instead of storing
 * it to memory for the caller to load again (a store-to-load round trip on
 * the critical path of a list pop).
 */
#if (defined(__clang__) && __clang_major__ >= 11) || \
    (!defined(__clang__) && defined(__GNUC__) && __GNUC__ >= 11)
#define PERCPU_HAVE_ASM_GOTO_OUTPUT	1
#else
#define PERCPU_HAVE_ASM_GOTO_OUTPUT	0
#endif

/* Turn a macro's value into a string, for offsets and constants in asm. */
#define _PERCPU_STR(x)		#x
#define PERCPU_STR(x)		_PERCPU_STR(x)

/*
 * Statistics hook run each time the kernel aborted a critical section.
 * Stress tests define it (before including any libpercpu header) to count
 * aborts; by default it does nothing.
 */
#ifndef PERCPU_ON_ABORT
#define PERCPU_ON_ABORT()	do { } while (0)
#endif

/*
 * Fault-injection hook in C, run between reading the CPU number and entering
 * a critical section.  Stress tests fill it to widen the migration window.
 */
#ifndef PERCPU_INJECT_C
#define PERCPU_INJECT_C(n)	do { } while (0)
#endif

/*
 * Fault-injection hooks inside each critical section (between the CPU check
 * and the commit), in assembly.  Empty by default; see arch/generic.h.
 */
#ifndef PERCPU_INJECT_ASM
#define PERCPU_INJECT_ASM(n)	""
#endif
#ifndef PERCPU_INJECT_INPUT
#define PERCPU_INJECT_INPUT
#endif
#ifndef PERCPU_INJECT_CLOBBER
#define PERCPU_INJECT_CLOBBER
#endif

/*
 * ThreadSanitizer cannot see the ordering the sequences give: they are
 * inline assembly, which it does not instrument.  An object handed from one
 * thread to another through a per-CPU structure (a list node, a buffer
 * pointer) would show as a data race between the pusher's writes and the
 * popper's reads.  Push releases the object's address and pop acquires it,
 * which tells TSan what the release store of the commit and the dependent
 * load of the pop already guarantee.  Outside TSan builds they vanish.
 * Users who hand objects through their own sequences can use them too.
 */
#if defined(__SANITIZE_THREAD__)
#define PERCPU_TSAN	1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define PERCPU_TSAN	1
#endif
#endif
#if defined(PERCPU_TSAN_RELEASE) || defined(PERCPU_TSAN_ACQUIRE)
/* Defined by the user (or a test showing what happens without them). */
#elif defined(PERCPU_TSAN)
PERCPU_EXTERN_C_BEGIN
void __tsan_acquire(void *addr);
void __tsan_release(void *addr);
PERCPU_EXTERN_C_END
#define PERCPU_TSAN_RELEASE(p)	__tsan_release((void *)(p))
/* Acquire a popped object (not NULL); the value of the expression is @p. */
#define PERCPU_TSAN_ACQUIRE(p)						\
	__extension__ ({ __typeof__(p) _percpu_p = (p);			\
		if (_percpu_p)						\
			__tsan_acquire((void *)_percpu_p);		\
		_percpu_p; })
#else
#define PERCPU_TSAN_RELEASE(p)	((void)0)
#define PERCPU_TSAN_ACQUIRE(p)	(p)
#endif

#endif /* _PERCPU_COMPILER_H */
