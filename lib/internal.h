/* SPDX-License-Identifier: MIT */
/*
 * lib/internal.h - what the library's files share and do not export.
 */
#ifndef PERCPU_LIB_INTERNAL_H
#define PERCPU_LIB_INTERNAL_H

#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct percpu_mem;

/*
 * Set up @m with slots of @size bytes (see percpu_mem_init()).  @mutex_off:
 * offset of the slow-path mutex in each slot (the committed word is at offset
 * 0), or -1 for structures that take no slow-path lock.  Structures with a
 * mutex are registered for fork().
 */
int percpu_mem_setup(struct percpu_mem *m, size_t size, unsigned int flags, int mutex_off);

/*
 * Make sure the library is initialised (percpu_rseq_offset set), waiting for
 * a thread that is initialising it.  Structures call it before they exist,
 * so their fast paths can use the offset without testing it.  Return: 1, or
 * 0 in a signal handler that interrupted this thread's own initialisation.
 */
int percpu_rseq_global_ready(void);

/*
 * percpu_mem_setup() on @fd at @offset (MAP_SHARED), for memory other
 * processes map too; the file must hold percpu_mem_map_len(@size) bytes
 * there.  @fd < 0: anonymous, as percpu_mem_setup().
 */
int percpu_mem_setup_fd(struct percpu_mem *m, size_t size, unsigned int flags, int mutex_off,
			int fd, off_t offset);
size_t percpu_mem_map_len(size_t size);
/* Bytes from one slot of @size bytes to the next: whole cache lines. */
size_t percpu_mem_stride(size_t size);

/* 1 when an mm_cid-indexed structure can work in this process. */
int percpu_rseq_mm_cid_usable(void);

/* 1 when membarrier(PRIVATE_EXPEDITED_RSEQ) can be used (probed once). */
int percpu_have_membarrier(void);

/* The library's constructor's part in lib/slow.c: fork handlers. */
void percpu_slow_setup_fork(void);
int percpu_slow_register(struct percpu_mem *m);
void percpu_slow_unregister(struct percpu_mem *m);
/*
 * Wait a little for a slow path to release a slot: yield the first times,
 * then sleep, longer each time (*@waits counts, starting at 0).
 * Async-signal-safe.
 */
void percpu_slow_wait(unsigned int *waits);

/* The first thread is about to run sequences: see lib/slow.c. */
void percpu_slow_quiesce(void);

/* The calling thread's area, set up on first use (hidden, no PLT). */
struct percpu_rseq_abi *percpu_rseq_thread_area(void);

/*
 * Whether the memory of a structure whose CPUs each need @fixed bytes plus
 * @count items of @item bytes fits in a size_t, @nr_cpus times over, with
 * room for every rounding percpu_mem_stride() and percpu_mem_alloc() do (up
 * to a cache line per CPU, a page overall; 1 MiB covers both).  @max is
 * SIZE_MAX, or a smaller limit to test 32-bit sizes on a 64-bit machine.
 * Return: 1 if it fits, 0 if init must fail with -EINVAL.
 */
static inline int percpu_size_fits(size_t fixed, size_t count, size_t item,
				   unsigned int nr_cpus, size_t max)
{
	const size_t slack = (size_t)1 << 20;
	size_t per_cpu;

	if (max <= slack || nr_cpus == 0)
		return 0;
	max -= slack;
	if (item && count > (max - fixed) / item)
		return 0;
	per_cpu = fixed + count * item;
	return per_cpu <= max / nr_cpus;
}

/*
 * Whether an object passed to init looks initialised and not destroyed, so
 * that init must refuse with -EBUSY rather than leak its memory and reset it
 * under running operations.  init is also handed uninitialised memory (a
 * stack or malloc() object), so only refuse what garbage can hardly look
 * like: the magic, AND a non-NULL page-aligned slots pointer (it comes from
 * mmap()), AND the CPU count of this process.  Random bytes pass with odds
 * far below 2^-40.  The one false positive left is memory that held a live
 * object which was never destroyed (a leak): documented, zero it first.
 */
/*
 * init reads the object it is handed, which may be uninitialised (a stack or
 * malloc() object), on purpose: say so to valgrind's memcheck, which would
 * otherwise report the re-init check below in every program that uses us.
 */
#ifdef HAVE_VALGRIND_MEMCHECK_H
#include <valgrind/memcheck.h>
#define PERCPU_READ_ANYWAY(p, n)	((void)VALGRIND_MAKE_MEM_DEFINED((p), (n)))
#else
#define PERCPU_READ_ANYWAY(p, n)	((void)0)
#endif

static inline int percpu_looks_live(unsigned int magic, unsigned int want, const void *slots,
				    unsigned int nr_cpus, unsigned int nr_now)
{
	return magic == want && slots && ((uintptr_t)slots & 4095) == 0 && nr_cpus == nr_now;
}

/*
 * The CPU for a fallback-path operation: sched_getcpu(), clamped to range
 * (below percpu_nr_cpus(), which is every struct percpu_mem's nr).  Asked
 * every time: a thread that was just pinned expects its CPU's slot (a cached
 * answer reused for 64 operations broke exactly that).
 */
extern unsigned int percpu_fb_nr;	/* percpu_nr_cpus(), 0 before init */

static inline unsigned int percpu_fallback_cpu(void)
{
	/*
	 * Inline, with the CPU count in a variable: this is most of the
	 * fallback counter add.  sched_getcpu() fails only where the kernel
	 * has no getcpu (before Linux 2.6.19), and leaves errno alone otherwise.
	 */
	int cpu = sched_getcpu();

	if (__builtin_expect((unsigned int)cpu < percpu_fb_nr, 1))
		return (unsigned int)cpu;
	return 0;
}

/* A thread's fallback-path state (one TLS address to find). */
struct percpu_fb_state {
	int on;			/* the thread is set up, on the fallback path */
};
extern __thread struct percpu_fb_state percpu_fb;

/*
 * 1 when the calling thread is known to be on the fallback path: its slow
 * paths go straight to it, without looking the area up.
 */
static inline int percpu_on_fallback(void)
{
	return __builtin_expect(percpu_fb.on, 0);
}

/*
 * The calling thread's area for a slow path's next attempt, or NULL when the
 * thread is on the fallback path (known, or found now).
 */
static inline struct percpu_rseq_abi *percpu_slow_area(void)
{
	struct percpu_rseq_abi *rs;

	if (percpu_on_fallback())
		return NULL;
	rs = percpu_rseq_thread_area();
	return percpu_rseq_is_fallback(rs) ? NULL : rs;
}

/*
 * Set (never cleared) before any thread of the process may first enter a
 * restartable sequence.  A slow path that finds it clear after taking a lock
 * word knows no sequence can have read the old value, and skips membarrier.
 */
extern int percpu_rseq_in_use;

/*
 * Slow-path lock on one slot's committed word (list head, buffer count, ring
 * head: offset 0 of the slot), shared by remote operations (`_cpu` calls) and
 * by threads on the fallback path.  See lib/slow.c for the protocol.
 */
struct percpu_slow {
	intptr_t *word;		/* the committed word */
	int *mutex;		/* serialises slow paths on this slot */
	intptr_t locked;	/* the value no sequence compares equal to or writes */
	sigset_t old_sigs;	/* restored by percpu_slow_unlock() */
	cpu_set_t old_mask;	/* restored by percpu_slow_unlock() when pinned */
	int pinned;
	int sigs_blocked;
	/*
	 * Where the committed value is stored just before the word becomes
	 * LOCKED, or NULL: so a reader can get past a holder that died (the
	 * ring's locked_head).  Only the mutex holder stores there.
	 */
	intptr_t *publish;
};

/*
 * Lock slot @slot of @m for a remote operation: afterwards no restartable
 * sequence can commit to its word until percpu_slow_unlock().  Stores the
 * word's value in *@old.  Blocks every signal until the unlock.
 * Return: 0; -EPERM when membarrier is unavailable and the CPU is not in the
 * calling thread's affinity mask; -EAGAIN in a signal handler that
 * interrupted a slow path of this thread, when the slot is busy (nested slow
 * paths never wait: lib/slow.c); another negative errno (membarrier failed).
 */
int percpu_slow_lock(struct percpu_slow *s, const struct percpu_mem *m, unsigned int slot,
		     intptr_t locked, intptr_t *old);

/*
 * The same on the word at byte offset @off of the slot instead of offset 0,
 * for structures with several committed words per slot (the slab's class
 * headers).  They share the slot's mutex.
 */
int percpu_slow_lock_at(struct percpu_slow *s, const struct percpu_mem *m, unsigned int slot,
			size_t off, intptr_t locked, intptr_t *old);

/*
 * Lock some slot of @m for the calling thread's own operation (fallback
 * path): the one of the CPU it runs on, on the word at byte offset @off of
 * the slot.  Does not block signals while no thread uses rseq (lib/slow.c).
 * *@slot_out says which slot.
 * Return: 0; -EAGAIN in a signal handler that interrupted a slow path of this
 * thread, when every slot is busy (*@slot_out is then the preferred slot).
 */
int percpu_slow_lock_local_at(struct percpu_slow *s, const struct percpu_mem *m, size_t off,
			      intptr_t locked, intptr_t *old, unsigned int *slot_out);

/*
 * percpu_slow_lock_local() that also stores the word's committed value at
 * byte offset @publish_off of the locked slot before the word is set to
 * @locked (struct percpu_slow's publish).
 */
int percpu_slow_lock_local_publish(struct percpu_slow *s, const struct percpu_mem *m,
				   intptr_t locked, intptr_t *old, unsigned int *slot_out,
				   size_t publish_off);

/* percpu_slow_lock_local_at() on the word at offset 0. */
static inline int percpu_slow_lock_local(struct percpu_slow *s, const struct percpu_mem *m,
					 intptr_t locked, intptr_t *old, unsigned int *slot_out)
{
	return percpu_slow_lock_local_at(s, m, 0, locked, old, slot_out);
}

/* Store @newv in the locked word (release), then undo the lock. */
void percpu_slow_unlock(struct percpu_slow *s, intptr_t newv);

#endif /* PERCPU_LIB_INTERNAL_H */
