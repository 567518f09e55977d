/* SPDX-License-Identifier: MIT */
/*
 * lib/slow.c - the lock that lets a thread act on another CPU's data.
 *
 * Restartable sequences commit with a plain store, so a thread that is not
 * running on @cpu (a remote `_cpu` call) or that has no rseq (the fallback
 * path) cannot simply compare-and-swap the committed word: a sequence that
 * already passed its comparison would overwrite the result.  Instead:
 *
 *   1. block signals, take the per-CPU slow-path mutex (slow paths only);
 *   2. CAS the committed word from its value V to a LOCKED value that no
 *      sequence compares equal to and no sequence ever writes;
 *   3. if some thread may be running sequences (percpu_rseq_in_use):
 *      membarrier(PRIVATE_EXPEDITED_RSEQ, FLAG_CPU, cpu) aborts every
 *      sequence on @cpu that may have read V; then re-read the word: if it is
 *      no longer LOCKED, a sequence committed between our CAS and the IPI
 *      (its store won, which is a valid state): go back to 2;
 *   4. the word is ours: sequences started later fail their comparison on
 *      LOCKED and wait (sched_yield) until
 *   5. the unlock stores the new value with release order.
 *
 * Without membarrier (Linux < 5.10, or PERCPU_DISABLE_MEMBARRIER=1 for tests)
 * step 3 becomes: pin the calling thread to @cpu with sched_setaffinity(),
 * and after the CAS see it run on @cpu (sched_getcpu() == @cpu) at some
 * instant T.  At T no sequence runs on @cpu, so every sequence that read V
 * before the CAS has either committed already (the word is no longer LOCKED
 * when re-read after T: retry, as in 3) or was preempted and will abort when
 * it resumes; sequences started later see LOCKED.  Being pinned is only the
 * way to get onto @cpu: another thread, `taskset -p` or a cpuset change may
 * move us at any time, and then we simply pin again and wait for another T.
 * If @cpu is not in the thread's own mask (or no longer is), the operation
 * fails with -EPERM and the word gets V back.
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
 *
 * Slow paths are therefore serialised per CPU, and blocking signals keeps a
 * handler on the same thread from waiting on a lock its own thread holds.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/membarrier.h>

#include <percpu/arch.h>
#include "internal.h"

#ifndef MEMBARRIER_CMD_FLAG_CPU
#define MEMBARRIER_CMD_FLAG_CPU				(1 << 0)
#endif
#define PERCPU_MB_RSEQ		(1 << 7)	/* MEMBARRIER_CMD_PRIVATE_EXPEDITED_RSEQ */
#define PERCPU_MB_REG_RSEQ	(1 << 8)	/* ..._REGISTER_PRIVATE_EXPEDITED_RSEQ */

/* 0: not probed, 1: membarrier usable, 2: pin to the CPU instead. */
static int mb_state;

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
static int have_membarrier(void)
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

static void mutex_lock(int *mutex)
{
	for (;;) {
		int expected = 0;

		if (__atomic_compare_exchange_n(mutex, &expected, 1, 0, __ATOMIC_ACQUIRE,
						__ATOMIC_RELAXED))
			return;
		/* The holder may be preempted on our CPU: let it run. */
		sched_yield();
	}
}

static void mutex_unlock(int *mutex)
{
	__atomic_store_n(mutex, 0, __ATOMIC_RELEASE);
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
 * Pin mode, under the mutex: CAS the word to LOCKED and see the thread on
 * @cpu after it (see the top of this file).  Return: 0 with the old value in
 * *@old, or a negative errno with the word as it was.
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

int percpu_slow_lock(struct percpu_slow *s, intptr_t *word, int *mutex, intptr_t locked,
		     unsigned int cpu, intptr_t *old)
{
	int use_mb = have_membarrier();
	sigset_t all;
	int saved = errno;

	s->word = word;
	s->mutex = mutex;
	s->locked = locked;
	s->pinned = 0;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &s->old_sigs);
	mutex_lock(mutex);

	if (!use_mb) {
		int err = lock_pinned(s, cpu, old);

		if (err) {
			mutex_unlock(mutex);
			pthread_sigmask(SIG_SETMASK, &s->old_sigs, NULL);
			errno = saved;
			return err;
		}
		errno = saved;
		return 0;
	}
	for (;;) {
		intptr_t v = __atomic_load_n(word, __ATOMIC_RELAXED);

		/* Only the mutex holder writes LOCKED, so v is a committed value. */
		if (!__atomic_compare_exchange_n(word, &v, locked, 0, __ATOMIC_SEQ_CST,
						 __ATOMIC_RELAXED))
			continue;
		if (__atomic_load_n(&percpu_rseq_in_use, __ATOMIC_SEQ_CST)) {
			if (membarrier(PERCPU_MB_RSEQ, MEMBARRIER_CMD_FLAG_CPU, (int)cpu) != 0) {
				int err = -errno;

				/* Nothing was done under the lock: put V back if still ours. */
				__atomic_compare_exchange_n(word, &locked, v, 0, __ATOMIC_SEQ_CST,
							    __ATOMIC_RELAXED);
				mutex_unlock(mutex);
				pthread_sigmask(SIG_SETMASK, &s->old_sigs, NULL);
				errno = saved;
				return err;
			}
			/* A sequence committed between the CAS and the IPI: retry. */
			if (__atomic_load_n(word, __ATOMIC_ACQUIRE) != locked)
				continue;
		}
		*old = v;
		errno = saved;
		return 0;
	}
}

void percpu_slow_unlock(struct percpu_slow *s, intptr_t newv)
{
	int saved = errno;

	__atomic_store_n(s->word, newv, __ATOMIC_RELEASE);
	mutex_unlock(s->mutex);
	pthread_sigmask(SIG_SETMASK, &s->old_sigs, NULL);
	errno = saved;
}
