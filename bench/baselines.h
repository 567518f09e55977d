/* SPDX-License-Identifier: MIT */
/*
 * bench/baselines.h - the structures libpercpu is compared against, written
 * for these benchmarks:
 *
 *   treiber_*    lock-free LIFO of pool indices; the head word packs the
 *                index with a 32-bit version bumped by every change, so a
 *                64-bit CAS cannot succeed on a recycled head (ABA)
 *   mlist_*      singly-linked LIFO under a pthread mutex
 *   vring_*      bounded MPMC queue of fixed-size records (after Dmitry
 *                Vyukov's design: a sequence number per cell tells producers
 *                and consumers whose turn it is)
 *   mring_*      bounded ring of fixed-size records under a pthread mutex
 */
#ifndef BENCH_BASELINES_H
#define BENCH_BASELINES_H

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

/* ---- Treiber stack of indices 0..n-1 (links live in the caller's array) ---- */

struct treiber {
	uint64_t head;		/* low 32 bits: index + 1 (0: empty); high: version */
	char pad[BENCH_PAD - sizeof(uint64_t)];
	uint32_t *next;		/* next[i]: index + 1 of the node below i */
} __attribute__((aligned(BENCH_PAD)));

static inline void treiber_push(struct treiber *s, uint32_t i)
{
	uint64_t old = __atomic_load_n(&s->head, __ATOMIC_RELAXED), new;

	do {
		__atomic_store_n(&s->next[i], (uint32_t)old, __ATOMIC_RELAXED);
		new = (uint64_t)(i + 1) | (((old >> 32) + 1) << 32);
	} while (!__atomic_compare_exchange_n(&s->head, &old, new, 1,
					      __ATOMIC_RELEASE, __ATOMIC_RELAXED));
}

/* Return: the index popped, or -1 if empty. */
static inline int64_t treiber_pop(struct treiber *s)
{
	uint64_t old = __atomic_load_n(&s->head, __ATOMIC_ACQUIRE), new;

	do {
		uint32_t top = (uint32_t)old;

		if (top == 0)
			return -1;
		/* May read a link being rewritten: the version makes the CAS fail then. */
		new = __atomic_load_n(&s->next[top - 1], __ATOMIC_RELAXED) |
		      (((old >> 32) + 1) << 32);
	} while (!__atomic_compare_exchange_n(&s->head, &old, new, 1,
					      __ATOMIC_ACQUIRE, __ATOMIC_ACQUIRE));
	return (int64_t)(uint32_t)old - 1;
}

/* ---- mutex-protected list ---- */

struct mlist_node {
	struct mlist_node *next;
};

struct mlist {
	pthread_mutex_t lock;
	struct mlist_node *head;
};

static inline void mlist_push(struct mlist *l, struct mlist_node *n)
{
	pthread_mutex_lock(&l->lock);
	n->next = l->head;
	l->head = n;
	pthread_mutex_unlock(&l->lock);
}

static inline struct mlist_node *mlist_pop(struct mlist *l)
{
	struct mlist_node *n;

	pthread_mutex_lock(&l->lock);
	n = l->head;
	if (n)
		l->head = n->next;
	pthread_mutex_unlock(&l->lock);
	return n;
}

/* ---- Vyukov bounded MPMC queue of records ---- */

struct vring {
	uint64_t enq;
	char pad1[BENCH_PAD - sizeof(uint64_t)];
	uint64_t deq;
	char pad2[BENCH_PAD - sizeof(uint64_t)];
	char *cells;		/* each: uint64_t seq, then the record */
	size_t stride, mask, record_size;
} __attribute__((aligned(BENCH_PAD)));

/* @capacity: a power of two. Return: 0 or -ENOMEM. */
static inline int vring_init(struct vring *q, size_t record_size, size_t capacity)
{
	memset(q, 0, sizeof(*q));
	q->record_size = record_size;
	q->stride = (sizeof(uint64_t) + record_size + 15) / 16 * 16;
	q->mask = capacity - 1;
	q->cells = bench_zalloc(q->stride * capacity);
	if (!q->cells)
		return -ENOMEM;
	for (size_t i = 0; i < capacity; i++)
		*(uint64_t *)(q->cells + i * q->stride) = i;
	return 0;
}

static inline void vring_destroy(struct vring *q)
{
	free(q->cells);
}

static inline uint64_t *vring_cell(struct vring *q, uint64_t pos)
{
	return (uint64_t *)(q->cells + (pos & q->mask) * q->stride);
}

/* @size is q->record_size, passed so a constant lets memcpy inline. */
static inline __attribute__((always_inline)) int
vring_enqueue(struct vring *q, const void *rec, size_t size)
{
	uint64_t pos = __atomic_load_n(&q->enq, __ATOMIC_RELAXED), *cell;

	for (;;) {
		cell = vring_cell(q, pos);
		int64_t diff = (int64_t)(__atomic_load_n(cell, __ATOMIC_ACQUIRE) - pos);

		if (diff == 0) {
			if (__atomic_compare_exchange_n(&q->enq, &pos, pos + 1, 1,
							__ATOMIC_RELAXED, __ATOMIC_RELAXED))
				break;
		} else if (diff < 0) {
			return -ENOSPC;
		} else {
			pos = __atomic_load_n(&q->enq, __ATOMIC_RELAXED);
		}
	}
	memcpy(cell + 1, rec, size);
	__atomic_store_n(cell, pos + 1, __ATOMIC_RELEASE);
	return 0;
}

/* Return: 1 if a record was read into @rec, 0 if empty. */
static inline __attribute__((always_inline)) int
vring_dequeue(struct vring *q, void *rec, size_t size)
{
	uint64_t pos = __atomic_load_n(&q->deq, __ATOMIC_RELAXED), *cell;

	for (;;) {
		cell = vring_cell(q, pos);
		int64_t diff = (int64_t)(__atomic_load_n(cell, __ATOMIC_ACQUIRE) - (pos + 1));

		if (diff == 0) {
			if (__atomic_compare_exchange_n(&q->deq, &pos, pos + 1, 1,
							__ATOMIC_RELAXED, __ATOMIC_RELAXED))
				break;
		} else if (diff < 0) {
			return 0;
		} else {
			pos = __atomic_load_n(&q->deq, __ATOMIC_RELAXED);
		}
	}
	memcpy(rec, cell + 1, size);
	__atomic_store_n(cell, pos + q->mask + 1, __ATOMIC_RELEASE);
	return 1;
}

/* ---- mutex-protected ring of records ---- */

struct mring {
	pthread_mutex_t lock;
	uint64_t head, tail;	/* read and write positions */
	size_t capacity, record_size;
	char *records;
};

static inline int mring_init(struct mring *r, size_t record_size, size_t capacity)
{
	memset(r, 0, sizeof(*r));
	pthread_mutex_init(&r->lock, NULL);
	r->capacity = capacity;
	r->record_size = record_size;
	r->records = bench_zalloc(record_size * capacity);
	return r->records ? 0 : -ENOMEM;
}

static inline void mring_destroy(struct mring *r)
{
	pthread_mutex_destroy(&r->lock);
	free(r->records);
}

/* Caller holds r->lock. */
static inline __attribute__((always_inline)) int
mring_put_locked(struct mring *r, const void *rec, size_t size)
{
	if (r->tail - r->head == r->capacity)
		return -ENOSPC;
	memcpy(r->records + (r->tail++ % r->capacity) * size, rec, size);
	return 0;
}

static inline __attribute__((always_inline)) int
mring_get_locked(struct mring *r, void *rec, size_t size)
{
	if (r->tail == r->head)
		return 0;
	memcpy(rec, r->records + (r->head++ % r->capacity) * size, size);
	return 1;
}

static inline __attribute__((always_inline)) int
mring_put(struct mring *r, const void *rec, size_t size)
{
	pthread_mutex_lock(&r->lock);
	int ret = mring_put_locked(r, rec, size);
	pthread_mutex_unlock(&r->lock);
	return ret;
}

static inline __attribute__((always_inline)) int
mring_get(struct mring *r, void *rec, size_t size)
{
	pthread_mutex_lock(&r->lock);
	int ret = mring_get_locked(r, rec, size);
	pthread_mutex_unlock(&r->lock);
	return ret;
}

#endif /* BENCH_BASELINES_H */
