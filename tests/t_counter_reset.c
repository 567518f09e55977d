/* SPDX-License-Identifier: MIT */
/*
 * tests/t_counter_reset.c - percpu_counter_sum() racing percpu_counter_reset().
 *
 * Adders only ever add +1 while one thread resets in a loop and the main
 * thread sums in a loop.  Every sum must be a value the counter held since
 * the last reset that completed before the sum began:
 *
 *   0 <= sum <= started_after - done_before_last_reset
 *
 * where started_after counts the adds begun when the sum returned (announced
 * before each add) and done_before_last_reset the adds finished when that
 * reset began (each of which its sweep saw, so removed).
 *
 * Usage: t_counter_reset [libc|own|fallback|seccomp]
 *   PERCPU_TEST_SECS  seconds to run (default 1)
 */
#define _GNU_SOURCE
#include <inttypes.h>
#include <pthread.h>
#include <stdint.h>
#include <time.h>

#include <percpu/percpu.h>
#include "testutil.h"

#define MAX_ADDERS 16

/* One adder's counts, alone in its cache lines. */
struct adder {
	pthread_t tid;
	unsigned long started;	/* adds begun (stored before the add) */
	unsigned long done;	/* adds finished (stored after the add) */
	char pad[256];
};

static struct percpu_counter counter;
static struct adder adders[MAX_ADDERS];
static int nadders, stop;
/* done total when the last completed reset began: no sum may exceed started - floor */
static unsigned long reset_floor;
static unsigned long resets;

static void *add_loop(void *arg)
{
	struct adder *a = arg;
	unsigned long n = 0;

	while (!__atomic_load_n(&stop, __ATOMIC_RELAXED)) {
		__atomic_store_n(&a->started, ++n, __ATOMIC_RELAXED);
		/* The add's commit store is not ordered by itself on every arch. */
		__atomic_thread_fence(__ATOMIC_RELEASE);
		if (n & 1)
			_percpu_counter_inc(&counter);
		else
			percpu_counter_add(&counter, 1);
		__atomic_thread_fence(__ATOMIC_RELEASE);
		__atomic_store_n(&a->done, n, __ATOMIC_RELAXED);
	}
	return NULL;
}

static unsigned long total(int done)
{
	unsigned long t = 0;

	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	for (int i = 0; i < nadders; i++)
		t += __atomic_load_n(done ? &adders[i].done : &adders[i].started,
				     __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	return t;
}

static void *reset_loop(void *arg)
{
	(void)arg;
	while (!__atomic_load_n(&stop, __ATOMIC_RELAXED)) {
		unsigned long floor = total(1);

		percpu_counter_reset(&counter);
		__atomic_store_n(&reset_floor, floor, __ATOMIC_RELEASE);
		resets++;
	}
	return NULL;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	struct test_mode m = test_mode_setup(argc, argv);
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	double secs = test_seconds(1.0), end;
	unsigned long sums = 0, below = 0, above = 0;
	int64_t worst_low = 0, worst_high = 0, s;
	pthread_t resetter;

	nadders = ncpu > 0 ? (int)ncpu : 1;
	if (nadders > MAX_ADDERS)
		nadders = MAX_ADDERS;
	plan(3);
	diag("mode %s, %d adders, %.1f s", m.name, nadders, secs);
	if (!ok(percpu_counter_init(&counter, 0) == 0, "counter init"))
		return exit_status();
	for (int i = 0; i < nadders; i++)
		pthread_create(&adders[i].tid, NULL, add_loop, &adders[i]);
	pthread_create(&resetter, NULL, reset_loop, NULL);

	end = now() + secs;
	while (now() < end) {
		for (int i = 0; i < 1000; i++) {
			unsigned long floor = __atomic_load_n(&reset_floor, __ATOMIC_ACQUIRE);
			int64_t limit;

			percpu_counter_sum(&counter, &s);
			limit = (int64_t)(total(0) - floor);
			sums++;
			if (s < 0) {
				below++;
				if (s < worst_low)
					worst_low = s;
			} else if (s > limit) {
				above++;
				if (s - limit > worst_high)
					worst_high = s - limit;
			}
		}
	}
	__atomic_store_n(&stop, 1, __ATOMIC_RELAXED);
	for (int i = 0; i < nadders; i++)
		pthread_join(adders[i].tid, NULL);
	pthread_join(resetter, NULL);

	diag("%lu sums, %lu resets, %lu adds", sums, resets, total(1));
	ok(below == 0 && above == 0,
	   "every sum within [0, adds since the last reset]: %lu below (worst %" PRId64
	   "), %lu above (worst +%" PRId64 ")", below, worst_low, above, worst_high);
	percpu_counter_reset(&counter);
	percpu_counter_sum(&counter, &s);
	ok(s == 0 && percpu_counter_destroy(&counter) == 0,
	   "quiescent reset gives 0 (%" PRId64 "), destroy", s);
	return exit_status();
}
