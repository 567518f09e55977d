/* SPDX-License-Identifier: MIT */
/*
 * percpu/rseq.h - the calling thread's restartable-sequence area.
 *
 * libpercpu uses the area libc registered (glibc >= 2.35) and registers its
 * own only when libc did not.  When no area can be had (no kernel support,
 * seccomp, valgrind, qemu-user, PERCPU_DISABLE_RSEQ=1), every operation falls
 * back to sched_getcpu() and atomics, with the same results.
 */
#ifndef _PERCPU_RSEQ_H
#define _PERCPU_RSEQ_H

#include <stddef.h>
#include <stdint.h>
#include <percpu/compiler.h>
#include <percpu/rseq-abi.h>

PERCPU_EXTERN_C_BEGIN

/* Who provides the calling thread's area. */
enum percpu_rseq_mode {
	PERCPU_MODE_FALLBACK = 0,	/* no rseq: sched_getcpu() + atomics */
	PERCPU_MODE_LIBC = 1,		/* libc registered the area */
	PERCPU_MODE_OWN = 2,		/* libpercpu registered the area */
};

/* What the kernel and libc offer, as seen by the calling thread. */
struct percpu_rseq_info {
	int mode;			/* enum percpu_rseq_mode */
	int fallback_errno;		/* why the fallback is used (0 if not) */
	uint32_t signature;		/* RSEQ_SIG of this architecture */
	uint32_t feature_size;		/* getauxval(AT_RSEQ_FEATURE_SIZE), 0 if unknown */
	uint32_t align;			/* getauxval(AT_RSEQ_ALIGN), 0 if unknown */
	uint32_t libc_rseq_size;	/* glibc's __rseq_size, 0 if none */
	uint32_t usable_size;		/* bytes of the area whose fields are valid */
	int has_node_id;		/* node_id is valid in the area */
	int has_mm_cid;			/* mm_cid is valid in the area */
	uint32_t registered_size;	/* length the area was registered with, 0 if none */
	int optimized;			/* registered for the kernel's optimized mode */
};

PERCPU_EXTERN_C_END

/* The sequences and the thread pointer of this architecture. */
#include <percpu/arch.h>

PERCPU_EXTERN_C_BEGIN

/*
 * Where every thread's area lies: at this constant offset from the thread
 * pointer, the same for every thread of the process (glibc's __rseq_offset
 * when glibc registers the areas, else the offset of the library's own
 * initial-exec TLS area).  0 until the library has initialised, which happens
 * in its constructor or on the first call that needs it, whichever comes
 * first (an allocator may call in before constructors run).
 *
 * Declared const: the library sets it once, before any sequence can use it,
 * and never changes it again, so the compiler may keep it in a register
 * across the sequences' memory clobbers and hoist it out of loops.  A thread
 * that is not set up yet needs no test of its own: its area's cpu_id is
 * negative, so its first sequence fails the index check and takes the slow
 * path, which sets the thread up.
 */
#ifdef PERCPU_LIB_BUILD
/*
 * Inside the library, a hidden copy: read without going through the GOT (an
 * exported variable may have been copied into the executable by a copy
 * relocation, so the library writes both and reads its own).
 */
extern ptrdiff_t percpu_rseq_offset;
extern ptrdiff_t _percpu_rseq_offset_lib __attribute__((visibility("hidden")));
#define _PERCPU_RSEQ_OFFSET	_percpu_rseq_offset_lib
#else
extern const ptrdiff_t percpu_rseq_offset;
#define _PERCPU_RSEQ_OFFSET	percpu_rseq_offset
#endif

/*
 * The calling thread's area without setting anything up, for fast paths: an
 * area that may not be registered yet (its cpu_id is then negative and every
 * sequence on it fails its index check).  No test: valid only once the
 * library has initialised, which every structure's init makes sure of
 * before the structure exists, so a fast path on an initialised structure
 * never finds the offset unset.
 */
PERCPU_INLINE struct percpu_rseq_abi *_percpu_rseq_area_fast(void)
{
	return (struct percpu_rseq_abi *)((char *)percpu_arch_thread_pointer() +
					  _PERCPU_RSEQ_OFFSET);
}

/* Slow path of percpu_rseq_area(): sets up the calling thread. Never NULL. */
PERCPU_API struct percpu_rseq_abi *percpu_rseq_thread_init(void);

/**
 * percpu_rseq_area() - the calling thread's area, set up on first use.
 *
 * Never NULL and never fails: in fallback mode it returns an unregistered
 * area whose cpu_id is negative.  Async-signal-safe; never allocates.
 */
PERCPU_INLINE struct percpu_rseq_abi *percpu_rseq_area(void)
{
	struct percpu_rseq_abi *rs;

	/* No structure may exist yet: the offset may still be unset. */
	if (PERCPU_UNLIKELY(_PERCPU_RSEQ_OFFSET == 0))
		return percpu_rseq_thread_init();
	rs = _percpu_rseq_area_fast();
	if (PERCPU_UNLIKELY((int32_t)PERCPU_LOAD(&rs->cpu_id) < 0))
		rs = percpu_rseq_thread_init();
	return rs;
}

/* The CPU the thread runs on, as last set by the kernel (never negative). */
PERCPU_INLINE unsigned int percpu_rseq_cpu_start(const struct percpu_rseq_abi *rs)
{
	return PERCPU_LOAD(&rs->cpu_id_start);
}

/*
 * cpu_id of an area that will not be registered: the thread is on the
 * fallback path for good (the kernel ABI's RSEQ_CPU_ID_REGISTRATION_FAILED,
 * which glibc stores when its registration fails; libpercpu stores it in
 * its own area).  Inline fast paths test it to take the fallback inline.
 */
#define PERCPU_CPU_ID_REGISTRATION_FAILED	((uint32_t)-2)

/*
 * sched_getcpu(), for inline fallback paths: <sched.h> declares it only
 * with _GNU_SOURCE, and a declaration here would clash with libc's in C++.
 */
#ifdef PERCPU_LIB_BUILD
extern int (*_percpu_fallback_getcpu)(void);
#else
PERCPU_API extern int (*const _percpu_fallback_getcpu)(void);
#endif

/* True when @rs is not registered with the kernel (fallback mode). */
PERCPU_INLINE int percpu_rseq_is_fallback(const struct percpu_rseq_abi *rs)
{
	return (int32_t)PERCPU_LOAD(&rs->cpu_id) < 0;
}

/**
 * percpu_rseq_register() - make sure the calling thread has an rseq area.
 *
 * Uses libc's area if libc registered one, else registers the library's own.
 * Idempotent: each successful call takes one reference, dropped by
 * percpu_rseq_unregister().  Operations work without calling this (the area
 * is set up on first use); call it to learn early whether rseq is in use.
 *
 * Return: 0 if the thread has an rseq area; -ENOSYS if the kernel (or a
 * seccomp filter, valgrind, qemu-user) has no rseq; -ENOTSUP if disabled by
 * PERCPU_DISABLE_RSEQ; -EBUSY if another component registered an area the
 * library cannot find; another negative errno if the kernel refused.  On
 * error the thread uses the fallback path and holds no reference.
 * Thread-safe; not async-signal-safe.
 */
PERCPU_API int percpu_rseq_register(void);

/**
 * percpu_rseq_unregister() - drop a reference taken by percpu_rseq_register().
 *
 * When the last reference goes and the library registered the area itself,
 * it is unregistered; a libc-owned area is never touched.  A later operation
 * sets the thread up again.  At thread exit the library unregisters its own
 * area whatever the count.
 *
 * Return: 0, or -EINVAL if the thread holds no reference.
 */
PERCPU_API int percpu_rseq_unregister(void);

/**
 * percpu_rseq_prepare_unload() - let code that ran inline sequences be unmapped.
 *
 * The inline fast paths (_percpu_*) compiled into a module leave the calling
 * thread's rseq_cs pointing at a descriptor in that module's __rseq_cs
 * section until the kernel next clears it.  Once the module is unloaded
 * (dlclose()), the kernel's next look at the descriptor (preemption,
 * migration, signal) faults and kills the thread with SIGSEGV.  Before
 * dlclose(), every thread that ran the module's inline paths must call this
 * (or must have called it since its last such call); rseq_cs is the one
 * field of the area user space owns.  Modules that use only the exported
 * calls (percpu_counter_add(), ...) need nothing: their descriptors live in
 * libpercpu, which is never unloaded.
 *
 * Async-signal-safe; never fails.  Inline paths may run again afterwards.
 */
PERCPU_API void percpu_rseq_prepare_unload(void);

/**
 * percpu_rseq_mode() - which path the calling thread uses.
 *
 * Return: an enum percpu_rseq_mode value.  Sets the thread up if needed.
 */
PERCPU_API int percpu_rseq_mode(void);

/* percpu_rseq_mode_name() - "libc", "own", "fallback", or NULL if @mode is invalid. */
PERCPU_API const char *percpu_rseq_mode_name(int mode);

/**
 * percpu_rseq_get_info() - fill @info for the calling thread.
 *
 * registered_size is the length the area was registered with: the library
 * registers its own area with the kernel's AT_RSEQ_FEATURE_SIZE (aligned to
 * AT_RSEQ_ALIGN) when that exceeds the original 32 bytes and fits its 64-byte
 * area, which asks Linux 7.x for its optimized mode (optimized = 1); else 32.
 * The kernel does not confirm the mode it chose.
 * Return: 0, or -EINVAL if @info is NULL.
 */
PERCPU_API int percpu_rseq_get_info(struct percpu_rseq_info *info);

/**
 * percpu_current_cpu() - the CPU the calling thread runs on.
 *
 * Reads the rseq area when registered, else calls sched_getcpu().  The answer
 * may be stale as soon as it is returned.
 * Return: the CPU number (>= 0), or a negative errno.  Async-signal-safe.
 */
PERCPU_API int percpu_current_cpu(void);

/**
 * percpu_current_node() / percpu_current_mm_cid() - NUMA node and memory-map
 * concurrency ID of the calling thread, from the rseq area.
 * Return: the value, or -ENOTSUP when the area does not provide it.
 */
PERCPU_API int percpu_current_node(void);
PERCPU_API int percpu_current_mm_cid(void);

/**
 * percpu_nr_cpus() - number of possible CPU numbers (highest possible CPU + 1).
 *
 * Every CPU number the kernel can report is below this; per-CPU structures
 * have this many slots.  Constant for the life of the process.
 */
PERCPU_API unsigned int percpu_nr_cpus(void);

PERCPU_EXTERN_C_END

#endif /* _PERCPU_RSEQ_H */
