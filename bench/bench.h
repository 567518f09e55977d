/* SPDX-License-Identifier: MIT */
/*
 * bench/bench.h - what the C benchmark files share.
 */
#ifndef BENCH_H
#define BENCH_H

/*
 * Every operation under test, library or baseline, is forced inline into the
 * timed loop: gcc would otherwise keep a helper used in both the loop and the
 * verification out of line, and time a call that the real user would not pay.
 */
#define BENCH_INLINE	static inline __attribute__((always_inline))

#include <stdint.h>
#include <time.h>

#include "cbench.h"

/* Cache-line stride for padded slots: two lines, so the adjacent-line
 * prefetcher does not couple neighbours either. */
#define BENCH_PAD	128

/* One word alone in its cache lines. */
struct bench_slot {
	uint64_t v;
	char pad[BENCH_PAD - sizeof(uint64_t)];
} __attribute__((aligned(BENCH_PAD)));

static inline uint64_t bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Zeroed, BENCH_PAD-aligned memory, or NULL. */
void *bench_zalloc(size_t size);

/* Bind the calling thread to the CPU whose OS index is @cpu (0 on success). */
int bench_pin_os_cpu(unsigned int cpu);

/* ns per _percpu_counter_add() timed by a plain clock loop (counter.c). */
double bench_counter_clock_loop(void);

void bench_register_counter(void);
void bench_register_first_use(void);
void bench_register_list(void);
void bench_register_buffer(void);
void bench_register_ring(void);
void bench_register_slab(void);

#endif /* BENCH_H */
