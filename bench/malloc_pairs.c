/* SPDX-License-Identifier: MIT */
/*
 * bench/malloc_pairs.c - malloc/free pairs under whatever malloc the process
 * has (malloc-bench.sh runs it under each allocator with LD_PRELOAD).
 *
 *   malloc_pairs same  THREADS SECONDS   each thread mallocs 64 objects of
 *                                        16 B to 1 KiB, writes them, frees them
 *   malloc_pairs cross THREADS SECONDS   THREADS/2 producers malloc, their
 *                                        partner consumers free (SPSC queues)
 *
 * Prints one line: mode, threads, ns per pair (wall time times the CPUs the
 * threads can use, min(threads, CPUs), over the pairs done), pairs, peak RSS
 * in KiB.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sched.h>
#include <sys/resource.h>

#define ROUND	64
#define QSIZE	1024	/* per producer/consumer pair, power of two */

static int stop;
static double secs;

struct queue {
	void *slot[QSIZE];
	unsigned long head __attribute__((aligned(64)));	/* producer */
	unsigned long tail __attribute__((aligned(64)));	/* consumer */
	int done;
};

struct thr {
	pthread_t tid;
	int idx;
	struct queue *q;
	unsigned long pairs;
	uint64_t rnd;
} __attribute__((aligned(64)));

static size_t next_size(uint64_t *r)
{
	*r ^= *r << 13;
	*r ^= *r >> 7;
	*r ^= *r << 17;
	/* 16 B to 1 KiB, small sizes more often (as programs do). */
	return 16 + (size_t)((*r >> 20) % 64) * ((*r >> 40) % 4 == 0 ? 16 : 2);
}

static void *same(void *arg)
{
	struct thr *t = arg;
	void *p[ROUND];

	while (!__atomic_load_n(&stop, __ATOMIC_RELAXED)) {
		for (int i = 0; i < ROUND; i++) {
			p[i] = malloc(next_size(&t->rnd));
			*(volatile char *)p[i] = (char)i;
		}
		for (int i = 0; i < ROUND; i++)
			free(p[i]);
		t->pairs += ROUND;
	}
	return NULL;
}

static void *produce(void *arg)
{
	struct thr *t = arg;
	struct queue *q = t->q;

	while (!__atomic_load_n(&stop, __ATOMIC_RELAXED)) {
		unsigned long h = q->head;

		/* Full: let the consumer run (threads may outnumber CPUs). */
		if (h - __atomic_load_n(&q->tail, __ATOMIC_ACQUIRE) == QSIZE) {
			sched_yield();
			continue;
		}
		q->slot[h % QSIZE] = malloc(next_size(&t->rnd));
		*(volatile char *)q->slot[h % QSIZE] = 1;
		__atomic_store_n(&q->head, h + 1, __ATOMIC_RELEASE);
		t->pairs++;
	}
	__atomic_store_n(&q->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

static void *consume(void *arg)
{
	struct thr *t = arg;
	struct queue *q = t->q;

	for (;;) {
		unsigned long tl = q->tail;

		if (tl == __atomic_load_n(&q->head, __ATOMIC_ACQUIRE)) {
			if (__atomic_load_n(&q->done, __ATOMIC_ACQUIRE) &&
			    tl == __atomic_load_n(&q->head, __ATOMIC_ACQUIRE))
				break;
			sched_yield();
			continue;
		}
		free(q->slot[tl % QSIZE]);
		__atomic_store_n(&q->tail, tl + 1, __ATOMIC_RELEASE);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	int cross, n;
	struct thr *t;
	struct timespec a, b, nap;
	struct rusage ru;
	unsigned long pairs = 0;
	double el;

	if (argc != 4 || (strcmp(argv[1], "same") && strcmp(argv[1], "cross"))) {
		fprintf(stderr, "usage: %s same|cross THREADS SECONDS\n", argv[0]);
		return 2;
	}
	cross = strcmp(argv[1], "cross") == 0;
	n = atoi(argv[2]);
	secs = atof(argv[3]);
	if (cross && n < 2)
		n = 2;
	t = aligned_alloc(64, sizeof(*t) * (size_t)n);
	memset(t, 0, sizeof(*t) * (size_t)n);
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (int i = 0; i < n; i++) {
		t[i].idx = i;
		t[i].rnd = 0x9e3779b97f4a7c15ull * (uint64_t)(i + 1);
		if (cross && i % 2 == 0) {
			t[i].q = aligned_alloc(64, sizeof(struct queue));
			memset(t[i].q, 0, sizeof(struct queue));
		} else if (cross) {
			t[i].q = t[i - 1].q;
		}
		pthread_create(&t[i].tid, NULL, !cross ? same : i % 2 == 0 ? produce : consume, &t[i]);
	}
	nap.tv_sec = (time_t)secs;
	nap.tv_nsec = (long)((secs - (double)nap.tv_sec) * 1e9);
	nanosleep(&nap, NULL);
	__atomic_store_n(&stop, 1, __ATOMIC_RELAXED);
	for (int i = 0; i < n; i++) {
		pthread_join(t[i].tid, NULL);
		pairs += t[i].pairs;
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	el = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) * 1e-9;
	getrusage(RUSAGE_SELF, &ru);
	{
		cpu_set_t set;
		int cpus = sched_getaffinity(0, sizeof(set), &set) == 0 ? CPU_COUNT(&set) : 1;
		int used = n < cpus ? n : cpus;

		printf("%s %d %.1f %lu %ld\n", argv[1], n,
		       pairs ? el * 1e9 * used / (double)pairs : 0.0, pairs, ru.ru_maxrss);
	}
	return 0;
}
