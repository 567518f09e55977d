/* SPDX-License-Identifier: MIT */
/*
 * lib/slow.c - the lock that lets a thread act on a slot it cannot reach
 * with a restartable sequence: another CPU's slot (the `_cpu` calls), or any
 * slot for a thread without rseq (the fallback path).
 *
 * Restartable sequences commit with a plain store, so such a thread cannot
 * simply compare-and-swap the committed word (list head, buffer count, ring
 * head): a sequence that already passed its comparison would overwrite the
 * result.  Instead:
 *
 *   1. take the slot's slow-path mutex (slow paths only); while no thread of
 *      the process has started using rseq, that is all (nothing else
 *      writes the slot), and percpu_slow_quiesce() makes the first thread
 *      that starts wait until such holds are over;
 *   2. CAS the committed word from its value V to a LOCKED value that no
 *      sequence compares equal to and no sequence ever writes;
 *   3. if some thread may be running sequences (percpu_rseq_in_use):
 *      membarrier(PRIVATE_EXPEDITED_RSEQ) on the slot's CPU (every CPU for an
 *      mm_cid-indexed structure, whose slot's owner may run anywhere) aborts
 *      every sequence that may have read V; then re-read the word: if it is no
 *      longer LOCKED, a sequence committed between our CAS and the IPI (its
 *      store won, which is a valid state): go back to 2;
 *   4. the word is ours: sequences started later fail their comparison on
 *      LOCKED and wait (sched_yield) until
 *   5. the unlock stores the new value with release order.
 *
 * Without membarrier (Linux < 5.10, or PERCPU_DISABLE_MEMBARRIER=1 for tests)
 * step 3 becomes: pin the calling thread to the slot's CPU with
 * sched_setaffinity(), and after the CAS see it run on that CPU
 * (sched_getcpu() == cpu) at some instant T.  At T no sequence runs on the
 * CPU, so every sequence that read V before the CAS has either committed
 * already (the word is no longer LOCKED when re-read after T: retry, as in
 * 3) or was preempted and will abort when it resumes; sequences started later
 * see LOCKED.  Being pinned is only the way to get onto the CPU: another
 * thread, `taskset -p` or a cpuset change may move us at any time, and then
 * we simply pin again and wait for another T.  If the CPU is not in the
 * thread's own mask (or no longer is), the operation fails with -EPERM and
 * the word gets V back.
 *
 * The thread's mask is put back as soon as the word is ours, not at the
 * unlock, so it is changed for as short a time as possible, and only if it
 * is still exactly the one-CPU mask we set: a mask someone else set
 * meanwhile is theirs to keep (and becomes what we put back should we need
 * to pin again).  The kernel offers no compare-and-set of a thread's mask,
 * so a change that lands between our sched_getaffinity() and
 * sched_setaffinity() of that check is still undone; that window is two
 * system calls long.  When no thread of the process has entered a sequence
 * yet (percpu_rseq_in_use clear after the CAS), nobody can have read V and
 * no pinning is needed at all.
 * mm_cid-indexed structures need membarrier (pinning cannot stop the id's
 * owner on another CPU): percpu_mem_init() refuses them without it.
 *
 * Signals.  A handler that interrupts a slow path and runs another on the same
 * slot must not wait for the mutex its own thread holds; worse, handlers on
 * two threads, each interrupting the holder of the slot the other wants,
 * would wait for each other.  Blocking every signal while a slot is held
 * rules both out, at two system calls per operation.  The fallback path's
 * own operations (a thread without rseq acting on the slot of the CPU it
 * runs on) are the common case of a process without rseq, so they do not
 * block signals while no thread uses rseq; instead, a slow path that starts
 * while its thread is already inside one (a handler interrupted it: the
 * thread's nesting depth is not zero) never waits for a mutex.  It only
 * tries each one once, so no cycle of waits can form (every waiter is a
 * thread's outermost slow path, which holds nothing while it waits): a local
 * operation tries every slot in turn, a remote one its own slot, and when
 * none is free it reports the slot busy (-EAGAIN): lists then set a pushed
 * node aside on the slot's deferred stack, a lock-free push that the next
 * holder of the slot takes in; pops find nothing; buffer pushes and remote
 * calls fail with -EAGAIN.  Nested slow paths and everything that makes
 * system calls anyway (remote calls, and every slow path once a thread uses
 * rseq: membarrier or pinning) still block signals, so nesting stays rare
 * and shallow.  What a handler must not do is leave a slow path it
 * interrupted for good (siglongjmp(), pthread_exit()): the slot would stay
 * locked; libpercpu(7) says so.

 * fork().  A thread of the parent may hold a slot's lock when another forks;
 * in the child that thread is gone and the slot would stay locked forever.
 * The atfork handlers close the gate to new slow paths (fork_pending), wait
 * for every slot mutex of every live structure to be free, and reopen it in
 * parent and child; the child also frees the locks that latecomers took only
 * to see the gate closed (see fork_child()).  A slow path checks the gate
 * after taking a mutex (store then load on both sides, sequentially
 * consistent: one of them sees the other).
 */
#include "config.h"
#define PERCPU_LIB_BUILD 1

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#ifdef HAVE_LINUX_MEMBARRIER_H
#include <linux/membarrier.h>
#endif

#include <percpu/mem.h>
#include "internal.h"

#ifndef MEMBARRIER_CMD_FLAG_CPU
#define MEMBARRIER_CMD_FLAG_CPU				(1 << 0)
#endif
#define PERCPU_MB_RSEQ		(1 << 7)	/* MEMBARRIER_CMD_PRIVATE_EXPEDITED_RSEQ */
#define PERCPU_MB_REG_RSEQ	(1 << 8)	/* ..._REGISTER_PRIVATE_EXPEDITED_RSEQ */

/* 0: not probed, 1: membarrier usable, 2: pin to the CPU instead. */
static int mb_state;

static int fork_pending;

static long membarrier(int cmd, unsigned int flags, int cpu)
{
#ifdef __NR_membarrier
	return syscall(__NR_membarrier, cmd, flags, cpu);
#else
	(void)cmd; (void)flags; (void)cpu;
	errno = ENOSYS;
	return -1;
#endif
}

/* Probe once; racing probes reach the same answer, registering is idempotent. */
int percpu_have_membarrier(void)
{
	int state = __atomic_load_n(&mb_state, __ATOMIC_ACQUIRE);

	if (PERCPU_LIKELY(state != 0))
		return state == 1;
	{
		const char *env = getenv("PERCPU_DISABLE_MEMBARRIER");
		long cmds = membarrier(0 /* MEMBARRIER_CMD_QUERY */, 0, 0);
		int saved = errno;

		state = 2;
		if ((!env || !*env || strcmp(env, "0") == 0) && cmds > 0 &&
		    (cmds & PERCPU_MB_RSEQ) && membarrier(PERCPU_MB_REG_RSEQ, 0, 0) == 0)
			state = 1;
		errno = saved;
	}
	__atomic_store_n(&mb_state, state, __ATOMIC_RELEASE);
	return state == 1;
}

/*
 * The slot mutex is a ticket lock in one int (zero: free): the low 16 bits
 * are the next ticket, the high 16 bits the ticket being served.  Fair, so
 * that a remote drain is not starved by fallback threads that take and
 * release the same slot in a loop (a test-and-set lock starved it under
 * valgrind, which runs one thread at a time for long slices).  The holder
 * is the only writer of the high half, so it releases with a plain 16-bit
 * store: a lock and unlock cost one atomic instruction.  Whole-int
 * compare-and-swap (lock, trylock) and stores (fork child) see the same bits.
 */
static unsigned int ticket_next(unsigned int v)
{
	return v & 0xffff;
}

static unsigned int ticket_serving(unsigned int v)
{
	return v >> 16;
}

static int mutex_is_free(int v)
{
	return ticket_next((unsigned int)v) == ticket_serving((unsigned int)v);
}

/* The halves of the int, wherever the byte order puts them. */
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define TICKET_NEXT_HALF	0
#else
#define TICKET_NEXT_HALF	1
#endif

static uint16_t *ticket_half(int *mutex, int serving)
{
	return (uint16_t *)mutex + (serving ? 1 - TICKET_NEXT_HALF : TICKET_NEXT_HALF);
}

/*
 * The mutex's value, read a half at a time: the last unlock on this CPU
 * stored the serving half alone, and a load of the whole int right after
 * it cannot be forwarded from that smaller store, so it waits until the
 * store reaches the cache (most of a fallback push or pop on x86).  For
 * the fast case's check only: the compare-and-swap that takes the mutex
 * reads it whole.
 */
static int mutex_peek(int *mutex)
{
	unsigned int next = __atomic_load_n(ticket_half(mutex, 0), __ATOMIC_RELAXED);
	unsigned int serving = __atomic_load_n(ticket_half(mutex, 1), __ATOMIC_RELAXED);

	return (int)((serving << 16) | next);
}

static void mutex_unlock(int *mutex)
{
	uint16_t *serving = ticket_half(mutex, 1);

	__atomic_store_n(serving, (uint16_t)(__atomic_load_n(serving, __ATOMIC_RELAXED) + 1),
			 __ATOMIC_RELEASE);
}

static void mutex_lock(int *mutex)
{
	for (;;) {
		int v = __atomic_load_n(mutex, __ATOMIC_RELAXED), n;
		uint16_t mine;

		/*
		 * A whole-int compare-and-swap, not an atomic add to the half:
		 * 16-bit read-modify-writes are library calls on some
		 * architectures (riscv64 with gcc 12).
		 */
		do {
			mine = (uint16_t)ticket_next((unsigned int)v);
			n = (int)((ticket_serving((unsigned int)v) << 16) | ((mine + 1u) & 0xffff));
		} while (!__atomic_compare_exchange_n(mutex, &v, n, 1, __ATOMIC_SEQ_CST,
						      __ATOMIC_RELAXED));

		unsigned int waits = 0;

		/* The holder may be preempted on our CPU: let it run. */
		while (__atomic_load_n(ticket_half(mutex, 1), __ATOMIC_ACQUIRE) != mine)
			percpu_slow_wait(&waits);
		/* Pairs with the fork prepare handler: see the top of this file. */
		if (PERCPU_LIKELY(!__atomic_load_n(&fork_pending, __ATOMIC_SEQ_CST)))
			return;
		mutex_unlock(mutex);
		while (__atomic_load_n(&fork_pending, __ATOMIC_ACQUIRE))
			sched_yield();
	}
}

void percpu_slow_wait(unsigned int *waits)
{
	unsigned int n = (*waits)++;
	struct timespec nap = { 0, 0 };
	int saved;

	if (n < 8) {
		sched_yield();
		return;
	}
	/*
	 * sched_yield() does not make the scheduler run a holder that was
	 * preempted (CFS may pick the yielder again at once): on a busy machine
	 * waiters then spin for whole time slices.  Sleep instead, from 1 us,
	 * doubling up to 1 ms.
	 */
	n -= 8;
	nap.tv_nsec = 1000L << (n < 10 ? n : 10);
	saved = errno;		/* EINTR: a signal handler's caller keeps its errno */
	nanosleep(&nap, NULL);
	errno = saved;
}

/*
 * Try once to take @mutex: for nested slow paths, which never wait (see the
 * top of this file).  Return: 1 if taken.
 */
static int mutex_trylock(int *mutex)
{
	int v = __atomic_load_n(mutex, __ATOMIC_RELAXED), n;

	if (!mutex_is_free(v))
		return 0;
	n = (int)((ticket_serving((unsigned int)v) << 16) |
		  ((ticket_next((unsigned int)v) + 1) & 0xffff));
	if (!__atomic_compare_exchange_n(mutex, &v, n, 0, __ATOMIC_SEQ_CST, __ATOMIC_RELAXED))
		return 0;
	if (PERCPU_LIKELY(!__atomic_load_n(&fork_pending, __ATOMIC_SEQ_CST)))
		return 1;
	mutex_unlock(mutex);
	return 0;
}

/*
 * The slot mutexes the calling thread holds or waits for, outermost first:
 * depth > 0 when a slow path starts means a signal handler interrupted one of
 * this thread's.  A handler that interrupts these updates sees a prefix that
 * is either complete or ends in NULL (depth is raised before the entry is
 * written, and the entry cleared before depth is lowered).
 */
#define SLOW_MAX_NEST	8
struct slow_thread {
	unsigned int depth;
	int *held[SLOW_MAX_NEST];
};
static __thread struct slow_thread slow_tls __attribute__((tls_model("initial-exec")));

/* Return: 0 outermost, 1 nested, -1 nested too deep (do not even try). */
static int nest_enter(int *mutex)
{
	unsigned int d = slow_tls.depth;

	if (d >= SLOW_MAX_NEST)
		return -1;
	slow_tls.depth = d + 1;
	PERCPU_BARRIER();
	slow_tls.held[d] = mutex;
	PERCPU_BARRIER();
	return d > 0;
}

static void nest_exit(void)
{
	unsigned int d = slow_tls.depth - 1;

	slow_tls.held[d] = NULL;
	PERCPU_BARRIER();
	slow_tls.depth = d;
}

static int nested_now(void)
{
	return slow_tls.depth > 0;
}

/* Whether the calling thread holds (or waits for) @mutex. */
static int held_by_me(const int *mutex)
{
	for (unsigned int i = 0; i < slow_tls.depth && i < SLOW_MAX_NEST; i++)
		if (slow_tls.held[i] == mutex)
			return 1;
	return 0;
}

static int is_only(const cpu_set_t *set, unsigned int cpu)
{
	return CPU_COUNT(set) == 1 && CPU_ISSET(cpu, set);
}

/*
 * Pin the thread to @cpu.  A mask other than our one-CPU mask is the one to
 * put back later (the caller's own, or one someone set while we were
 * pinned).  Return: 0, or -EPERM if that mask does not allow @cpu.
 */
static int pin_to(struct percpu_slow *s, unsigned int cpu)
{
	cpu_set_t cur, one;

	if (cpu >= CPU_SETSIZE)
		return -EPERM;
	if (sched_getaffinity(0, sizeof(cur), &cur) != 0)
		return -errno;
	if (!s->pinned || !is_only(&cur, cpu))
		s->old_mask = cur;
	if (!CPU_ISSET(cpu, &s->old_mask))
		return -EPERM;
	if (s->pinned && is_only(&cur, cpu))
		return 0;
	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	if (sched_setaffinity(0, sizeof(one), &one) != 0)
		return errno == EINVAL ? -EPERM : -errno;
	s->pinned = 1;
	return 0;
}

/* Put the caller's mask back, unless someone replaced our one-CPU mask. */
static void unpin(struct percpu_slow *s, unsigned int cpu)
{
	cpu_set_t cur;

	if (!s->pinned)
		return;
	s->pinned = 0;
	if (sched_getaffinity(0, sizeof(cur), &cur) == 0 && is_only(&cur, cpu) &&
	    !CPU_EQUAL(&cur, &s->old_mask))
		sched_setaffinity(0, sizeof(s->old_mask), &s->old_mask);
}

/*
 * Before the compare-and-swap that sets LOCKED, under the mutex: the value
 * the word holds now, where a reader looks while the word is LOCKED.  The
 * swap (sequentially consistent) orders this store before LOCKED shows; if
 * it fails, the next attempt stores the newer value first.
 */
static void publish(struct percpu_slow *s, intptr_t v)
{
	if (s->publish)
		__atomic_store_n(s->publish, v, __ATOMIC_RELAXED);
}

/*
 * Pin mode, under the mutex: CAS the word to LOCKED and see the thread on
 * @cpu after it (see the top of this file).  Return: 0 with the old value in
 * *@old, or a negative errno with the word as it was (mutex still held).
 */
static int lock_pinned(struct percpu_slow *s, unsigned int cpu, intptr_t *old)
{
	intptr_t v = 0;
	int have_cas = 0, err;

	/* Documented: a thread whose mask excludes @cpu gets -EPERM. */
	if (cpu >= CPU_SETSIZE)
		return -EPERM;
	if (sched_getaffinity(0, sizeof(s->old_mask), &s->old_mask) != 0)
		return -errno;
	if (!CPU_ISSET(cpu, &s->old_mask))
		return -EPERM;
	for (;;) {
		if (!have_cas) {
			v = __atomic_load_n(s->word, __ATOMIC_RELAXED);
			/* Only the mutex holder writes LOCKED, so v is a committed value. */
			publish(s, v);
			if (!__atomic_compare_exchange_n(s->word, &v, s->locked, 0,
							 __ATOMIC_SEQ_CST, __ATOMIC_RELAXED))
				continue;
			have_cas = 1;
			if (!__atomic_load_n(&percpu_rseq_in_use, __ATOMIC_SEQ_CST))
				break;
		}
		err = sched_getcpu();
		if (err == (int)cpu) {
			/* T: we run on @cpu.  Did a sequence commit before T? */
			if (__atomic_load_n(s->word, __ATOMIC_ACQUIRE) == s->locked)
				break;
			have_cas = 0;
			continue;
		}
		err = err < 0 ? -errno : pin_to(s, cpu);
		if (err) {
			/* Nothing done under the lock: put V back if still ours. */
			intptr_t locked = s->locked;

			__atomic_compare_exchange_n(s->word, &locked, v, 0, __ATOMIC_SEQ_CST,
						    __ATOMIC_RELAXED);
			unpin(s, cpu);
			return err;
		}
	}
	unpin(s, cpu);
	*old = v;
	return 0;
}

static void block_signals(struct percpu_slow *s)
{
	sigset_t all;

	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &s->old_sigs);
	s->sigs_blocked = 1;
}

static void restore_signals(struct percpu_slow *s)
{
	if (s->sigs_blocked)
		pthread_sigmask(SIG_SETMASK, &s->old_sigs, NULL);
	s->sigs_blocked = 0;
}

static intptr_t *slot_word(const struct percpu_mem *m, unsigned int slot, size_t off)
{
	return (intptr_t *)((char *)percpu_mem_ptr(m, slot) + off);
}

static int *slot_mutex(const struct percpu_mem *m, unsigned int slot)
{
	return (int *)((char *)percpu_mem_ptr(m, slot) + m->mutex_off);
}

/*
 * Steps 2-4 with the slot's mutex held (and the thread pinned when there is
 * no membarrier).  On error the mutex is released.
 */
static int lock_word(struct percpu_slow *s, const struct percpu_mem *m, unsigned int slot,
		     int use_mb, intptr_t *old)
{
	for (;;) {
		intptr_t v = __atomic_load_n(s->word, __ATOMIC_RELAXED);

		/* Only the mutex holder writes LOCKED, so v is a committed value. */
		publish(s, v);
		if (!__atomic_compare_exchange_n(s->word, &v, s->locked, 0, __ATOMIC_SEQ_CST,
						 __ATOMIC_RELAXED))
			continue;
		if (use_mb && __atomic_load_n(&percpu_rseq_in_use, __ATOMIC_SEQ_CST)) {
			int mm_cid = m->index == PERCPU_INDEX_MM_CID;
			long ret = mm_cid ? membarrier(PERCPU_MB_RSEQ, 0, 0) :
				   membarrier(PERCPU_MB_RSEQ, MEMBARRIER_CMD_FLAG_CPU, (int)slot);

			if (ret != 0) {
				int err = -errno;
				intptr_t locked = s->locked;

				/* Nothing was done under the lock: put V back if still ours. */
				__atomic_compare_exchange_n(s->word, &locked, v, 0,
							    __ATOMIC_SEQ_CST, __ATOMIC_RELAXED);
				mutex_unlock(s->mutex);
				return err;
			}
			/* A sequence committed between the CAS and the IPI: retry. */
			if (__atomic_load_n(s->word, __ATOMIC_ACQUIRE) != s->locked)
				continue;
		}
		*old = v;
		return 0;
	}
}

/* No place to publish the committed value (struct percpu_slow's publish). */
#define NO_PUBLISH	((size_t)-1)

static void slow_init(struct percpu_slow *s, const struct percpu_mem *m, unsigned int slot,
		      size_t off, intptr_t locked, size_t publish_off)
{
	s->word = slot_word(m, slot, off);
	s->mutex = slot_mutex(m, slot);
	s->locked = locked;
	s->pinned = 0;
	s->sigs_blocked = 0;
	s->publish = publish_off == NO_PUBLISH ? NULL : slot_word(m, slot, publish_off);
}

/*
 * percpu_slow_lock(), and for the fallback path's own operations (@local);
 * @publish_off: see percpu_slow_lock_local_publish().
 */
static int slow_lock(struct percpu_slow *s, const struct percpu_mem *m, unsigned int slot,
		     size_t off, intptr_t locked, intptr_t *old, int local, size_t publish_off)
{
	int saved, err, nested, use_mb, pin;

	slow_init(s, m, slot, off, locked, publish_off);
	nested = nest_enter(s->mutex);
	if (nested < 0)
		return -EAGAIN;
	/* See "Signals" at the top of this file. */
	if (nested || !local || __atomic_load_n(&percpu_rseq_in_use, __ATOMIC_SEQ_CST))
		block_signals(s);
	if (!nested) {
		mutex_lock(s->mutex);
	} else if ((__atomic_load_n(&percpu_rseq_in_use, __ATOMIC_SEQ_CST) &&
		    !percpu_have_membarrier() && m->index == PERCPU_INDEX_CPU) ||
		   !mutex_trylock(s->mutex)) {
		/* Busy, or would pin the thread under the code it interrupted. */
		err = -EAGAIN;
		goto fail;
	}
	/*
	 * While no thread runs sequences, the mutex alone keeps every other
	 * writer out: no locked value, no fence, no system call (so errno is
	 * left alone without saving it).  Pairs with percpu_slow_quiesce()
	 * (store then load on both sides, sequentially consistent: the first
	 * sequence waits for this hold to end, or this load sees the flag).
	 * A remote call in pin mode still checks that the CPU is in its mask.
	 */
	if (!__atomic_load_n(&percpu_rseq_in_use, __ATOMIC_SEQ_CST)) {
		if (local || percpu_have_membarrier() || m->index != PERCPU_INDEX_CPU) {
			*old = __atomic_load_n(s->word, __ATOMIC_RELAXED);
			return 0;
		}
	}
	saved = errno;
	use_mb = percpu_have_membarrier();
	pin = !use_mb && m->index == PERCPU_INDEX_CPU;
	if (pin) {
		err = lock_pinned(s, slot, old);
		if (err)
			mutex_unlock(s->mutex);
	} else {
		err = lock_word(s, m, slot, use_mb, old);
	}
	errno = saved;
	if (!err)
		return 0;
fail:
	restore_signals(s);
	nest_exit();
	return err;
}

int percpu_slow_lock_at(struct percpu_slow *s, const struct percpu_mem *m, unsigned int slot,
			size_t off, intptr_t locked, intptr_t *old)
{
	return slow_lock(s, m, slot, off, locked, old, 0, NO_PUBLISH);
}

int percpu_slow_lock(struct percpu_slow *s, const struct percpu_mem *m, unsigned int slot,
		     intptr_t locked, intptr_t *old)
{
	return slow_lock(s, m, slot, 0, locked, old, 0, NO_PUBLISH);
}

/*
 * The fallback path's common case, kept in one short function: the
 * outermost slow path of a thread, in a process where no thread uses rseq,
 * finds its CPU's slot mutex free.  The same steps as slow_lock() takes for
 * it (nesting entry, mutex, fork gate, percpu_rseq_in_use after the
 * compare-and-swap), without its set-up for the cases that need signals
 * blocked or the thread pinned.  Return: 1 when the slot is locked.
 */
static int lock_local_fast(struct percpu_slow *s, const struct percpu_mem *m, unsigned int slot,
			   size_t off, intptr_t locked, intptr_t *old)
{
	int *mutex = slot_mutex(m, slot);
	int v;

	if (slow_tls.depth != 0 || __atomic_load_n(&percpu_rseq_in_use, __ATOMIC_RELAXED))
		return 0;
	v = mutex_peek(mutex);
	if (!mutex_is_free(v))
		return 0;
	/* nest_enter(), at depth 0 */
	slow_tls.depth = 1;
	PERCPU_BARRIER();
	slow_tls.held[0] = mutex;
	PERCPU_BARRIER();
	if (PERCPU_LIKELY(__atomic_compare_exchange_n(
		    mutex, &v,
		    (int)((ticket_serving((unsigned int)v) << 16) |
			  ((ticket_next((unsigned int)v) + 1) & 0xffff)),
		    0, __ATOMIC_SEQ_CST, __ATOMIC_RELAXED))) {
		if (PERCPU_LIKELY(!__atomic_load_n(&fork_pending, __ATOMIC_SEQ_CST) &&
				  !__atomic_load_n(&percpu_rseq_in_use, __ATOMIC_SEQ_CST))) {
			s->word = slot_word(m, slot, off);
			s->mutex = mutex;
			s->locked = locked;
			s->pinned = 0;
			s->sigs_blocked = 0;
			s->publish = NULL;	/* the word is never LOCKED here */
			*old = __atomic_load_n(s->word, __ATOMIC_RELAXED);
			return 1;
		}
		mutex_unlock(mutex);
	}
	nest_exit();
	return 0;
}

static int lock_local(struct percpu_slow *s, const struct percpu_mem *m, size_t off,
		      intptr_t locked, intptr_t *old, unsigned int *slot_out, size_t publish_off)
{
	unsigned int slot = percpu_fallback_cpu();

	if (PERCPU_LIKELY(lock_local_fast(s, m, slot, off, locked, old))) {
		*slot_out = slot;
		return 0;
	}
	if (PERCPU_UNLIKELY(nested_now())) {
		/* Never wait: try every slot once, ours first. */
		for (unsigned int i = 0; i < m->nr; i++) {
			unsigned int next = slot + i < m->nr ? slot + i : slot + i - m->nr;

			if (slow_lock(s, m, next, off, locked, old, 1, publish_off) == 0) {
				*slot_out = next;
				return 0;
			}
		}
		*slot_out = slot;
		return -EAGAIN;
	}
	/*
	 * The CPU we run on is in our mask, so only a move off it (pin mode:
	 * -EPERM) or a failed membarrier can refuse: then take the CPU we run
	 * on now.
	 */
	while (slow_lock(s, m, slot, off, locked, old, 1, publish_off) != 0)
		slot = percpu_fallback_cpu();
	*slot_out = slot;
	return 0;
}

int percpu_slow_lock_local_at(struct percpu_slow *s, const struct percpu_mem *m, size_t off,
			      intptr_t locked, intptr_t *old, unsigned int *slot_out)
{
	return lock_local(s, m, off, locked, old, slot_out, NO_PUBLISH);
}

int percpu_slow_lock_local_publish(struct percpu_slow *s, const struct percpu_mem *m,
				   intptr_t locked, intptr_t *old, unsigned int *slot_out,
				   size_t publish_off)
{
	return lock_local(s, m, 0, locked, old, slot_out, publish_off);
}

/* (pthread_sigmask() returns its error: errno is never touched here.) */
void percpu_slow_unlock(struct percpu_slow *s, intptr_t newv)
{
	__atomic_store_n(s->word, newv, __ATOMIC_RELEASE);
	mutex_unlock(s->mutex);
	if (PERCPU_UNLIKELY(s->sigs_blocked))
		restore_signals(s);
	nest_exit();
}

/*
 * The structures whose slot mutexes fork must wait for: one record each,
 * held by the library, not in the caller's struct percpu_mem.  A struct
 * may be copied (the man pages allow it: a copy describes the same memory)
 * and destroyed through any copy, and the original may be gone by then
 * (made in a local, kept in a global): a list threaded through the
 * caller's structs would keep a dangling or stale link.  Records come from
 * pages mmap()ed here (init must not call malloc) and go back to a free
 * list.  Changed only by init and destroy, under registry_lock.
 */
struct percpu_reg {
	struct percpu_reg *next, *prev;	/* the registry, or the free list (next) */
	struct percpu_mem mem;		/* the fields fork reads: base, stride, nr, mutex_off */
};

static struct percpu_reg *registry, *reg_free;
static int registry_lock;
static sigset_t fork_old_sigs;

static void registry_acquire(void)
{
	int expected = 0;

	while (!__atomic_compare_exchange_n(&registry_lock, &expected, 1, 0, __ATOMIC_ACQUIRE,
					    __ATOMIC_RELAXED)) {
		expected = 0;
		sched_yield();
	}
}

static void registry_release(void)
{
	__atomic_store_n(&registry_lock, 0, __ATOMIC_RELEASE);
}

/* A free record, with the registry held; NULL if no memory. */
static struct percpu_reg *reg_alloc(void)
{
	struct percpu_reg *rec = reg_free;

	if (!rec) {
		size_t len = (size_t)sysconf(_SC_PAGESIZE);
		struct percpu_reg *page = mmap(NULL, len, PROT_READ | PROT_WRITE,
					       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (page == MAP_FAILED)
			return NULL;
		for (size_t i = 0; i < len / sizeof(*page); i++) {
			page[i].next = reg_free;
			reg_free = &page[i];
		}
		rec = reg_free;
	}
	reg_free = rec->next;
	return rec;
}

/*
 * Signals are blocked while the registry is held: a handler that started
 * using rseq on this thread would wait for it in percpu_slow_quiesce().
 * Return 0, or -ENOMEM when no page for the record could be mapped.
 */
int percpu_slow_register(struct percpu_mem *m)
{
	struct percpu_reg *rec;
	sigset_t all, old;

	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	registry_acquire();
	rec = reg_alloc();
	if (rec) {
		m->reg = rec;
		m->registered = 1;
		rec->mem = *m;
		rec->prev = NULL;
		rec->next = registry;
		if (registry)
			registry->prev = rec;
		registry = rec;
	}
	registry_release();
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return rec ? 0 : -ENOMEM;
}

/*
 * Through any copy of the struct: the record is found by the pointer every
 * copy holds, and is taken only if it still describes this memory (a second
 * destroy, through another copy, finds it gone or reused and does nothing).
 */
void percpu_slow_unregister(struct percpu_mem *m)
{
	struct percpu_reg *rec = m->reg;
	sigset_t all, old;

	if (!m->registered || !rec)
		return;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	registry_acquire();
	for (struct percpu_reg *r = registry; r; r = r->next) {
		if (r != rec || r->mem.base != m->base)
			continue;
		if (rec->prev)
			rec->prev->next = rec->next;
		else
			registry = rec->next;
		if (rec->next)
			rec->next->prev = rec->prev;
		rec->mem.base = NULL;
		rec->next = reg_free;
		reg_free = rec;
		break;
	}
	m->registered = 0;
	m->reg = NULL;
	registry_release();
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

/*
 * Called once, when the first thread of the process is about to run
 * sequences (percpu_rseq_in_use was just set): slow paths that began before
 * may hold slots without a locked value (see slow_lock()), so wait until
 * every ticket taken before the flag was set has been served.  Later ones
 * see the flag.  Tickets, not a free mutex: a slot in constant use may never
 * be seen free.
 */
void percpu_slow_quiesce(void)
{
	sigset_t all, old;

	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	registry_acquire();
	for (struct percpu_reg *rec = registry; rec; rec = rec->next) {
		const struct percpu_mem *m = &rec->mem;

		for (unsigned int i = 0; i < m->nr; i++) {
			int *mutex = slot_mutex(m, i);
			unsigned int v = (unsigned int)__atomic_load_n(mutex, __ATOMIC_SEQ_CST);
			uint16_t last = (uint16_t)ticket_next(v);

			if (mutex_is_free((int)v) || held_by_me(mutex))
				continue;
			while ((uint16_t)(__atomic_load_n(ticket_half(mutex, 1), __ATOMIC_ACQUIRE) -
					  last) >= 0x8000)
				sched_yield();
		}
	}
	registry_release();
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

static void fork_prepare(void)
{
	sigset_t all;

	/* A handler on this thread must not start a slow path we wait for. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &fork_old_sigs);
	registry_acquire();
	__atomic_store_n(&fork_pending, 1, __ATOMIC_SEQ_CST);
	for (struct percpu_reg *rec = registry; rec; rec = rec->next) {
		const struct percpu_mem *m = &rec->mem;

		for (unsigned int i = 0; i < m->nr; i++) {
			int *mutex = slot_mutex(m, i);

			/*
			 * A read of a never-used slot maps the zero page only.
			 * Not our own: fork() from a handler that interrupted
			 * one of our slow paths (glibc's fork is not
			 * async-signal-safe) must not wait for itself.
			 */
			while (!mutex_is_free(__atomic_load_n(mutex, __ATOMIC_SEQ_CST)) &&
			       !held_by_me(mutex))
				sched_yield();
		}
	}
}

static void fork_done(void)
{
	__atomic_store_n(&fork_pending, 0, __ATOMIC_RELEASE);
	registry_release();
	pthread_sigmask(SIG_SETMASK, &fork_old_sigs, NULL);
}

/*
 * In the child, only the forking thread exists, and it is in no slow path.
 * A thread of the parent that took a slot's ticket after our scan, saw the
 * gate closed and was about to hand it back may have been caught by the fork
 * in between: no slow path holds anything in the child, so every slot lock
 * is free (no committed word is LOCKED: holders that saw the gate open
 * finished before the scan ended).
 */
static void fork_child(void)
{
	for (struct percpu_reg *rec = registry; rec; rec = rec->next) {
		const struct percpu_mem *m = &rec->mem;

		for (unsigned int i = 0; i < m->nr; i++) {
			int *mutex = slot_mutex(m, i);

			/* Written only where needed: never-used slots stay untouched. */
			if (!mutex_is_free(__atomic_load_n(mutex, __ATOMIC_RELAXED)) &&
			    !held_by_me(mutex))
				__atomic_store_n(mutex, 0, __ATOMIC_RELAXED);
		}
	}
	fork_done();
}

/* Called once, from the library's constructor (pthread_atfork may allocate). */
void percpu_slow_setup_fork(void)
{
	pthread_atfork(fork_prepare, fork_done, fork_child);
}
