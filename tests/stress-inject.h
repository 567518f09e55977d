/* SPDX-License-Identifier: MIT */
/*
 * tests/stress-inject.h - fault injection and abort counting for the stress
 * tests.  Include it before any libpercpu header: the hooks it defines are
 * expanded inside every sequence.
 *
 * Every sequence spins inject_loops[n] times at its hook n (set them from
 * test_inject_loops()), and every 4096th attempt yields in C before the
 * sequence starts, so preemption, migration and signals land inside the
 * critical sections.  tls_aborts counts the kernel's aborts on this thread;
 * publish_aborts() adds what it counted since its last call to live_aborts,
 * which the main thread watches to know when it has seen enough.
 */
#ifndef PERCPU_TESTS_STRESS_INJECT_H
#define PERCPU_TESTS_STRESS_INJECT_H

#include <sched.h>

static int inject_loops[4];
static __thread unsigned long tls_aborts;
static __thread unsigned long tls_iter;

static unsigned long live_aborts;
static __thread unsigned long tls_aborts_published;

static inline void publish_aborts(void)
{
	unsigned long a = tls_aborts;

	if (a != tls_aborts_published) {
		__atomic_fetch_add(&live_aborts, a - tls_aborts_published, __ATOMIC_RELAXED);
		tls_aborts_published = a;
	}
}

#define PERCPU_INJECT_ASM(n)	PERCPU_ARCH_INJECT_SPIN_ASM(n)
#define PERCPU_INJECT_INPUT	PERCPU_ARCH_INJECT_SPIN_INPUT(inject_loops)
#define PERCPU_INJECT_CLOBBER	PERCPU_ARCH_INJECT_SPIN_CLOBBER
#define PERCPU_INJECT_C(n)	do { if ((++tls_iter & 4095) == 0) sched_yield(); } while (0)
#define PERCPU_ON_ABORT()	(tls_aborts++)

#endif /* PERCPU_TESTS_STRESS_INJECT_H */
