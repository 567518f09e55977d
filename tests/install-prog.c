/* SPDX-License-Identifier: MIT */
/*
 * tests/install-prog.c - a user's first program, built by install.sh against
 * the installed headers and library through pkg-config (dynamic and static):
 * threads add to a per-CPU counter and the sum must be exact.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>

#include <percpu/percpu.h>

#define THREADS	4
#define ADDS	100000

static struct percpu_counter counter;

static void *work(void *arg)
{
	(void)arg;
	/* The inline fast path from the installed headers, and the export. */
	for (int i = 0; i < ADDS / 2; i++) {
		_percpu_counter_inc(&counter);
		percpu_counter_add(&counter, 1);
	}
	return NULL;
}

int main(void)
{
	pthread_t t[THREADS];
	int64_t sum = -1;

	if (percpu_counter_init(&counter, 0) != 0)
		return 2;
	for (int i = 0; i < THREADS; i++)
		pthread_create(&t[i], NULL, work, NULL);
	for (int i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	percpu_counter_sum(&counter, &sum);
	printf("sum %lld of %d, mode %s\n", (long long)sum, THREADS * ADDS,
	       percpu_rseq_mode_name(percpu_rseq_mode()));
	percpu_counter_destroy(&counter);
	return sum == THREADS * ADDS ? 0 : 1;
}
