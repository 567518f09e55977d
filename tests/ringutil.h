/* SPDX-License-Identifier: MIT */
/*
 * tests/ringutil.h - fixed-size records over the event ring, for the tests
 * that use a ring as one of several structures.
 */
#ifndef PERCPU_TESTS_RINGUTIL_H
#define PERCPU_TESTS_RINGUTIL_H

#include <string.h>
#include <percpu/ring.h>

/* Read the oldest event of @cpu's ring into @rec (@size bytes): 1, or 0 if empty. */
static inline int ring_read_rec(struct percpu_ring *r, unsigned int cpu, void *rec, size_t size)
{
	uint64_t ev[(PERCPU_RING_SPAN(PERCPU_RING_MAX_PAYLOAD)) / 8];
	ssize_t n = percpu_ring_read_cpu(r, cpu, ev, PERCPU_RING_SPAN(size));

	if (n <= 0)
		return 0;
	memcpy(rec, percpu_ring_event_payload((struct percpu_ring_event *)ev), size);
	return 1;
}

/* Lost events of @cpu's ring, all causes. */
static inline uint64_t ring_lost(struct percpu_ring *r, unsigned int cpu)
{
	struct percpu_ring_lost l = { 0, 0 };

	percpu_ring_lost_cpu(r, cpu, &l, 0);
	return l.full + l.overwritten;
}

#endif /* PERCPU_TESTS_RINGUTIL_H */
