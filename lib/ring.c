/* SPDX-License-Identifier: MIT */
/*
 * lib/ring.c - per-CPU record rings: set-up, the consumer, the exported
 * wrappers, and the fallback writer under the lock of lib/slow.c.
 */
#include "config.h"
#define PERCPU_LIB_BUILD 1

#include <errno.h>
#include <sched.h>
#include <string.h>

#include <percpu/ring.h>
#include "internal.h"

static int ring_ok(const struct percpu_ring *r)
{
	return r && r->magic == PERCPU_RING_MAGIC && r->mem.base;
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
	size_t padded, places;
	int err;

	if (!r || record_size == 0 || record_size > PERCPU_RING_MAX_RECORD ||
	    records_per_cpu == 0 || records_per_cpu > PERCPU_RING_MAX_RECORDS)
		return -EINVAL;
	_Static_assert(sizeof(struct percpu_ring_cpu) <= PERCPU_CACHELINE_BYTES, "header size");
	_Static_assert(PERCPU_RING_MAX_RECORD % sizeof(intptr_t) == 0, "max record padding");
	PERCPU_READ_ANYWAY(r, sizeof(*r));
	if (percpu_looks_live(r->magic, PERCPU_RING_MAGIC, r->mem.base, r->mem.nr,
			      percpu_nr_cpus()))
		return -EBUSY;
	padded = (record_size + sizeof(intptr_t) - 1) / sizeof(intptr_t) * sizeof(intptr_t);
	/* A power of two, so that positions map to slots across their wrap. */
	places = pow2_at_least(records_per_cpu);
	/*
	 * Writer line, consumer line, then the records: 2^24 records of 4 KiB
	 * on each of a few CPUs overflow a 32-bit size_t.
	 */
	if (!percpu_size_fits(2 * PERCPU_CACHELINE_BYTES, places, padded, percpu_nr_cpus(),
			      SIZE_MAX) ||
	    places > (PERCPU_MEM_MAX_SLOT - 2 * PERCPU_CACHELINE_BYTES) / padded)
		return -EINVAL;
	err = percpu_mem_setup(&r->mem, 2 * PERCPU_CACHELINE_BYTES + places * padded, flags,
			       offsetof(struct percpu_ring_cpu, slow_mutex));
	if (err)
		return err;
	r->record_size = record_size;
	r->padded_size = padded;
	r->records = records_per_cpu;
	r->mask = places - 1;
	r->magic = PERCPU_RING_MAGIC;
	return 0;
}

int percpu_ring_destroy(struct percpu_ring *r)
{
	if (!ring_ok(r))
		return -EINVAL;
	percpu_mem_destroy(&r->mem);
	memset(r, 0, sizeof(*r));
	return 0;
}

int percpu_ring_write(struct percpu_ring *r, const void *record)
{
	if (PERCPU_UNLIKELY(!ring_ok(r) || !record))
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

/* Under the lock of slot @cpu, whose head was @head: write, then unlock. */
static int write_locked(struct percpu_ring *r, struct percpu_slow *s, unsigned int cpu,
			intptr_t head, const void *record)
{
	struct percpu_ring_cpu *pc = _percpu_ring_cpu(r, cpu);
	intptr_t tail = PERCPU_LOAD_ACQUIRE(_percpu_ring_tail(pc));

	if (_percpu_ring_used(head, tail) >= r->records) {
		percpu_slow_unlock(s, head);
		__atomic_fetch_add(&pc->lost_atomic, 1, __ATOMIC_RELAXED);
		return -ENOSPC;
	}
	memcpy(_percpu_ring_record(r, pc, (uintptr_t)head), record, r->padded_size);
	/* Release: the consumer that sees the next head sees the whole record. */
	percpu_slow_unlock(s, _percpu_ring_next(head));
	return 0;
}

/*
 * Slow path of the writer.  A thread with rseq retries (after an abort, while
 * a fallback writer holds the slot, after reading a stale head) or counts the
 * record lost on the slot it runs on; a thread without rseq writes under the
 * lock of some slot.  @record is padded_size bytes.
 */
int percpu_ring_write_slow(struct percpu_ring *r, const void *record)
{
	for (;;) {
		struct percpu_rseq_abi *rs = percpu_rseq_thread_area();
		struct percpu_ring_cpu *pc;
		const uint32_t *idp;
		intptr_t head, tail;
		uint32_t id;

		if (percpu_rseq_is_fallback(rs)) {
			struct percpu_slow s;
			unsigned int slot;

			if (percpu_slow_lock_local(&s, &r->mem, PERCPU_RING_LOCKED, &head, &slot)) {
				/*
				 * Every slot busy (a handler interrupted its own
				 * thread's write): the record is lost, as in a full ring.
				 */
				__atomic_fetch_add(&_percpu_ring_cpu(r, slot)->lost_atomic, 1,
						   __ATOMIC_RELAXED);
				return -ENOSPC;
			}
			return write_locked(r, &s, slot, head, record);
		}
		if (!_percpu_mem_index(&r->mem, rs, &id, &idp))
			continue;
		pc = _percpu_ring_cpu(r, id);
		head = PERCPU_LOAD(&pc->head);
		tail = PERCPU_LOAD_ACQUIRE(_percpu_ring_tail(pc));
		if (head == PERCPU_RING_LOCKED) {
			sched_yield();
			continue;
		}
		if ((intptr_t)((uintptr_t)head - (uintptr_t)tail) < 0)
			continue;	/* head went stale while we read tail */
		if (_percpu_ring_used(head, tail) >= r->records) {
			if (percpu_arch_addv(rs, &pc->lost, 1, id, idp) == PERCPU_SEQ_COMMITTED)
				return -ENOSPC;
			continue;
		}
		if (percpu_arch_cmpeqv_trymemcpy_storev_release(rs, &pc->head, head,
								_percpu_ring_record(r, pc, (uintptr_t)head),
								record, r->padded_size,
								_percpu_ring_next(head), id, idp) ==
		    PERCPU_SEQ_COMMITTED)
			return 0;
	}
}

static int check_cpu(const struct percpu_ring *r, unsigned int cpu)
{
	if (!ring_ok(r))
		return -EINVAL;
	if (cpu >= r->mem.nr)
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
