/* SPDX-License-Identifier: MIT */
/*
 * examples/custom/demo.c - four threads take IDs from a struct pcid
 * (pcid.h) and check that no two IDs are the same.  Build it like any
 * program that uses libpercpu:
 *
 *   cc -o demo demo.c $(pkg-config --cflags --libs libpercpu)
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include "pcid.h"

#define THREADS	4
#define IDS	10000

static struct pcid ids;
static uint64_t taken[THREADS * IDS];

static void *worker(void *arg)
{
	uint64_t *mine = arg;

	for (int i = 0; i < IDS; i++)
		mine[i] = pcid_next(&ids);
	return NULL;
}

static int cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

int main(void)
{
	pthread_t t[THREADS];
	int dups = 0;

	if (pcid_init(&ids) != 0)
		return 1;
	for (int i = 0; i < THREADS; i++)
		pthread_create(&t[i], NULL, worker, &taken[i * IDS]);
	for (int i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	qsort(taken, THREADS * IDS, sizeof(taken[0]), cmp);
	for (int i = 1; i < THREADS * IDS; i++)
		dups += taken[i] == taken[i - 1];
	printf("%llu IDs taken, %d duplicates\n", (unsigned long long)pcid_count(&ids), dups);
	pcid_destroy(&ids);
	return dups == 0 ? 0 : 1;
}
