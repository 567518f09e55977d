/* SPDX-License-Identifier: MIT */
/*
 * lib/ring.c - per-CPU record rings: set-up, the consumer, the exported
 * wrappers, and the fallback writer under the lock of lib/slow.c.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include <percpu/ring.h>
#include "internal.h"

static int ring_ok(const struct percpu_ring *r)
{
	return r && r->magic == PERCPU_RING_MAGIC && r->slots;
}

/* The smallest power of two >= @n (n <= PERCPU_RING_MAX_RECORDS). */
static size_t pow2_at_least(size_t n)
{
	size_t p = 1;

	while (p < n)
		p <<= 1;
	return p;
}

int percpu_ring_init(struct percpu_ring *r, size_t record_size, size_t records_per_cpu,
		     unsigned int flags)
{
	unsigned int nr = percpu_nr_cpus();
	size_t padded, slots, stride;

	if (!r || flags != 0 || record_size == 0 || record_size > PERCPU_RING_MAX_RECORD ||
	    records_per_cpu == 0 || records_per_cpu > PERCPU_RING_MAX_RECORDS)
		return -EINVAL;
	_Static_assert(sizeof(struct percpu_ring_cpu) <= PERCPU_CACHELINE_BYTES, "header size");
	_Static_assert(PERCPU_RING_MAX_RECORD % sizeof(intptr_t) == 0, "max record padding");
	if (percpu_looks_live(r->magic, PERCPU_RING_MAGIC, r->slots, r->nr_cpus, nr))
		return -EBUSY;
	padded = (record_size + sizeof(intptr_t) - 1) / sizeof(intptr_t) * sizeof(intptr_t);
	/* A power of two, so that positions map to slots across their wrap. */
	slots = pow2_at_least(records_per_cpu);
	/*
	 * Writer line, consumer line, then the records: 2^24 records of 4 KiB
	 * on each of a few CPUs overflow a 32-bit size_t.
	 */
	if (!percpu_size_fits(2 * PERCPU_CACHELINE_BYTES, slots, padded, nr, SIZE_MAX))
		return -EINVAL;
	memset(r, 0, sizeof(*r));
	stride = percpu_mem_stride(2 * PERCPU_CACHELINE_BYTES + slots * padded);
	r->slots = percpu_mem_alloc(stride, nr);
	if (!r->slots)
		return -ENOMEM;
	r->stride = stride;
	r->record_size = record_size;
	r->padded_size = padded;
	r->records = records_per_cpu;
	r->mask = slots - 1;
	r->nr_cpus = nr;
	r->magic = PERCPU_RING_MAGIC;
	return 0;
}

int percpu_ring_destroy(struct percpu_ring *r)
{
	if (!ring_ok(r))
		return -EINVAL;
	percpu_mem_free(r->slots, r->stride, r->nr_cpus);
	memset(r, 0, sizeof(*r));
	return 0;
}

int percpu_ring_write(struct percpu_ring *r, const void *record)
{
	if (!ring_ok(r) || !record)
		return -EINVAL;
	return _percpu_ring_write(r, record);
}

/*
 * Records that are not a word multiple or not word aligned: the sequence
 * copies whole aligned words and must not read past the caller's record, so
 * copy it into an aligned buffer first.  The buffer is exactly padded_size
 * bytes (a variable-length array): writers run in signal handlers on small
 * alternate stacks, and a buffer of PERCPU_RING_MAX_RECORD bytes for every
 * record overflowed a 7 KiB one with a 52-byte record.  init() bounds
 * padded_size by PERCPU_RING_MAX_RECORD.
 */
int percpu_ring_write_bounce(struct percpu_ring *r, const void *record)
{
	intptr_t words[r->padded_size / sizeof(intptr_t)];

	memcpy(words, record, r->record_size);
	/* Zero the padding so a consumer never sees stale stack bytes. */
	memset((char *)words + r->record_size, 0, r->padded_size - r->record_size);
	return _percpu_ring_write_words(r, words);
}

static int write_cpu(struct percpu_ring *r, const void *record, unsigned int cpu)
{
	struct percpu_ring_cpu *pc = _percpu_ring_cpu(r, cpu);
	struct percpu_slow s;
	intptr_t head, tail;
	int err = percpu_slow_lock(&s, &pc->head, &pc->slow_mutex, PERCPU_RING_LOCKED, cpu,
				   &head);

	if (err)
		return err;
	tail = PERCPU_LOAD_ACQUIRE(_percpu_ring_tail(pc));
	if (_percpu_ring_used(head, tail) >= r->records) {
		percpu_slow_unlock(&s, head);
		__atomic_fetch_add(&pc->lost_atomic, 1, __ATOMIC_RELAXED);
		return -ENOSPC;
	}
	memcpy(_percpu_ring_record(r, pc, (uintptr_t)head), record, r->padded_size);
	/* Release: the consumer that sees the next head sees the whole record. */
	percpu_slow_unlock(&s, _percpu_ring_next(head));
	return 0;
}

/*
 * Fallback path: lock the CPU the thread runs on (always in its affinity
 * mask); on an unexpected failure try the other CPUs rather than drop it.
 * @record is padded_size bytes (the bounce buffer, or a word-multiple size).
 */
int percpu_ring_write_fallback(struct percpu_ring *r, const void *record)
{
	unsigned int cpu = percpu_fallback_cpu();
	int err;

	for (unsigned int i = 0; (err = write_cpu(r, record, cpu)) != 0 && err != -ENOSPC; i++)
		cpu = i % r->nr_cpus;
	return err;
}

static int check_cpu(const struct percpu_ring *r, unsigned int cpu)
{
	if (!ring_ok(r))
		return -EINVAL;
	if (cpu >= r->nr_cpus)
		return -ERANGE;
	return 0;
}

int percpu_ring_read_cpu(struct percpu_ring *r, unsigned int cpu, void *record)
{
	struct percpu_ring_cpu *pc;
	intptr_t head, tail;
	int err = check_cpu(r, cpu);

	if (err)
		return err;
	if (!record)
		return -EINVAL;
	pc = _percpu_ring_cpu(r, cpu);
	/* A fallback writer holds the lock only for one copy: wait for it. */
	while ((head = PERCPU_LOAD_ACQUIRE(&pc->head)) == PERCPU_RING_LOCKED)
		sched_yield();
	tail = PERCPU_LOAD(_percpu_ring_tail(pc));	/* only we write it */
	if (tail == head)
		return 0;
	memcpy(record, _percpu_ring_record(r, pc, (uintptr_t)tail), r->record_size);
	/* Release: no writer reuses the slot before our copy is done. */
	PERCPU_STORE_RELEASE(_percpu_ring_tail(pc), _percpu_ring_next(tail));
	return 1;
}

int percpu_ring_lost_cpu(const struct percpu_ring *r, unsigned int cpu, uint64_t *lost)
{
	struct percpu_ring_cpu *pc;
	int err = check_cpu(r, cpu);

	if (err)
		return err;
	if (!lost)
		return -EINVAL;
	pc = _percpu_ring_cpu(r, cpu);
	/* Word-sized counts: they wrap at 2^32 on 32-bit machines. */
	*lost = (uint64_t)(uintptr_t)PERCPU_LOAD(&pc->lost) +
		(uint64_t)(uintptr_t)PERCPU_LOAD(&pc->lost_atomic);
	return 0;
}
