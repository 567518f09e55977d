/* SPDX-License-Identifier: MIT */
/*
 * percpu/ring.h - per-CPU rings of fixed-size records, for tracers.
 *
 * Writers append to the calling CPU's ring in one restartable sequence that
 * copies the record into the slot at head, then commits the next position
 * with release order.  A full ring drops the record and counts it as lost.  A
 * consumer reads one CPU's ring in order while writers run: it loads head
 * with acquire, copies the record at tail, then stores the next position with
 * release; a writer loads tail with acquire before deciding there is room.  A
 * record is therefore never seen half written and never overwritten while
 * read.
 *
 * Positions advance by PERCPU_RING_STEP (2) and wrap around the word (after
 * 2^31 records on 32-bit machines): being even they never equal
 * PERCPU_RING_LOCKED (-1), and the slot of a position is its record number
 * masked by a power-of-two slot count, so consecutive positions take
 * consecutive slots across the wrap (a modulo by any other count would not).
 * The ring holds records_per_cpu records; its slot array is rounded up to a
 * power of two.
 *
 *   operation                 may run concurrently with             progress
 *   _percpu_ring_write()      everything but init/destroy           wait-free*
 *   percpu_ring_write()       same                                  wait-free*
 *   fallback-path write       same                                  blocking**
 *   percpu_ring_read_cpu()    writers, readers of OTHER CPUs' rings wait-free***
 *   percpu_ring_lost_cpu()    everything but init/destroy           wait-free
 *   percpu_ring_init/destroy  nothing on the same ring              -
 *
 * (*) retries only on kernel aborts, or while a fallback writer holds the
 * CPU's lock.  (**) writers without rseq take the CPU's slow-path lock
 * (lib/slow.c): head is set to PERCPU_RING_LOCKED.  (***) at most ONE consumer
 * per CPU ring at a time: callers serialise reads of the same CPU's ring; it
 * yields while a fallback writer holds that CPU's lock.
 */
#ifndef _PERCPU_RING_H
#define _PERCPU_RING_H

#include <errno.h>
#include <sched.h>
#include <stddef.h>
#include <stdint.h>
#include <percpu/compiler.h>
#include <percpu/rseq.h>
#include <percpu/mem.h>

PERCPU_EXTERN_C_BEGIN

/* Writer side of one CPU's ring; tail lives one cache-line unit further. */
struct percpu_ring_cpu {
	/*
	 * Records ever written, or PERCPU_RING_LOCKED while a fallback writer
	 * holds it.  Written by sequences on this CPU and by the holder.
	 */
	intptr_t head;
	intptr_t lost;		/* records dropped by rseq writers (addv) */
	/*
	 * Records dropped by fallback writers (atomic add).  Word-sized like
	 * the one above: a 64-bit atomic is a libatomic lock on mips o32, and
	 * a writer in a signal handler could wait on it forever.
	 */
	intptr_t lost_atomic;
	int slow_mutex;		/* serialises slow paths on this CPU */
};

struct percpu_ring {
	/* per slot: writer line, consumer line, then the records */
	struct percpu_mem mem;
	size_t record_size;	/* bytes the caller passes */
	size_t padded_size;	/* record_size rounded up to a word multiple */
	size_t records;		/* capacity per CPU, in records */
	/*
	 * Record places per CPU minus one: records rounded up to a power of
	 * two, so a position maps to its place with a mask (no division on
	 * the write path) and positions wrapping around the word stay
	 * consecutive places (see the top of this file).
	 */
	size_t mask;
	unsigned int magic;	/* PERCPU_RING_MAGIC while initialised */
};

#define PERCPU_RING_MAGIC	0x70637267u
#define PERCPU_RING_LOCKED	((intptr_t)-1)
/* What a position advances by per record: positions stay even, never LOCKED. */
#define PERCPU_RING_STEP	2
/* Largest record_size accepted by percpu_ring_init(), in bytes. */
#define PERCPU_RING_MAX_RECORD	4096
/* Largest records_per_cpu accepted by percpu_ring_init(). */
#define PERCPU_RING_MAX_RECORDS	((size_t)1 << 24)

/**
 * percpu_ring_init() - set up @r: on each CPU a ring of @records_per_cpu
 * records of @record_size bytes (stored padded to a word multiple).
 * Return: 0; -EINVAL if @r is NULL, @record_size is 0 or above
 * PERCPU_RING_MAX_RECORD, @records_per_cpu is 0 or above
 * PERCPU_RING_MAX_RECORDS, or @flags has unknown bits; -ENOTSUP
 * (PERCPU_MM_CID without kernel support); -ENOMEM (also when the memory for
 * every CPU would not fit in a size_t, on 32-bit machines); -EBUSY if @r is
 * initialised and not destroyed (see percpu_ring(3)).  @flags: 0, or
 * PERCPU_MM_CID to index by concurrency id (percpu/mem.h).  Never calls
 * malloc.
 */
PERCPU_API int percpu_ring_init(struct percpu_ring *r, size_t record_size,
				size_t records_per_cpu, unsigned int flags);

/**
 * percpu_ring_destroy() - free @r's memory.  Nothing may run on @r.
 * Return: 0, or -EINVAL if @r is NULL or not initialised.
 */
PERCPU_API int percpu_ring_destroy(struct percpu_ring *r);

/**
 * percpu_ring_write() - append a copy of @record (record_size bytes) to the
 * calling CPU's ring.
 * Return: 0; -ENOSPC if that ring is full (the record is dropped and that
 * CPU's lost count incremented); -EINVAL if @r is invalid or @record NULL.
 * Async-signal-safe.
 */
PERCPU_API int percpu_ring_write(struct percpu_ring *r, const void *record);

/**
 * percpu_ring_read_cpu() - copy the oldest record of @cpu's ring into
 * @record (record_size bytes) and remove it.  One consumer per CPU ring.
 * Return: 1 if a record was copied, 0 if the ring is empty; -EINVAL if @r is
 * invalid or @record NULL; -ERANGE if @cpu >= percpu_nr_cpus().
 */
PERCPU_API int percpu_ring_read_cpu(struct percpu_ring *r, unsigned int cpu, void *record);

/**
 * percpu_ring_lost_cpu() - store in *@lost how many records @cpu's ring has
 * dropped because it was full.
 * Return: 0; -EINVAL if @r is invalid or @lost NULL; -ERANGE.
 */
PERCPU_API int percpu_ring_lost_cpu(const struct percpu_ring *r, unsigned int cpu,
				    uint64_t *lost);

/* Slow paths of _percpu_ring_write(). Not for direct use. */
PERCPU_API int percpu_ring_write_slow(struct percpu_ring *r, const void *record);
PERCPU_API int percpu_ring_write_bounce(struct percpu_ring *r, const void *record);

PERCPU_INLINE struct percpu_ring_cpu *_percpu_ring_cpu(const struct percpu_ring *r,
						       unsigned int i)
{
	return (struct percpu_ring_cpu *)percpu_mem_ptr(&r->mem, i);
}

/* The consumer's position, in its own cache-line unit. */
PERCPU_INLINE intptr_t *_percpu_ring_tail(struct percpu_ring_cpu *pc)
{
	return (intptr_t *)((char *)pc + PERCPU_CACHELINE_BYTES);
}

/* The slot of position @pos (see the top of this file). */
PERCPU_INLINE void *_percpu_ring_record(const struct percpu_ring *r, struct percpu_ring_cpu *pc,
					uintptr_t pos)
{
	return (char *)pc + 2 * PERCPU_CACHELINE_BYTES +
	       ((pos / PERCPU_RING_STEP) & r->mask) * r->padded_size;
}

/* The position after @pos; wraps around the word. */
PERCPU_INLINE intptr_t _percpu_ring_next(intptr_t pos)
{
	return (intptr_t)((uintptr_t)pos + PERCPU_RING_STEP);
}

/*
 * Records between @tail and @head, computed without signed overflow; above
 * the capacity (or "negative") when @head was read before a newer @tail.
 */
PERCPU_INLINE uintptr_t _percpu_ring_used(intptr_t head, intptr_t tail)
{
	return ((uintptr_t)head - (uintptr_t)tail) / PERCPU_RING_STEP;
}

/*
 * _percpu_ring_write_words() - _percpu_ring_write() for a @record that is
 * word aligned and padded_size bytes long.  Not for direct use.
 */
PERCPU_INLINE int _percpu_ring_write_words(struct percpu_ring *r, const void *record)
{
	struct percpu_rseq_abi *rs = _percpu_rseq_area_fast();
	const uint32_t *idp;
	uint32_t id;

	if (PERCPU_LIKELY(_percpu_mem_index(&r->mem, rs, &id, &idp))) {
		struct percpu_ring_cpu *pc = _percpu_ring_cpu(r, id);
		intptr_t head = PERCPU_LOAD(&pc->head);
		intptr_t tail = PERCPU_LOAD_ACQUIRE(_percpu_ring_tail(pc));

		/*
		 * head was read first, so head - tail never overstates the
		 * room; LOCKED, a stale head (negative distance) and a full
		 * ring all fail this test and go to the slow path.
		 */
		if (PERCPU_LIKELY(_percpu_ring_used(head, tail) < r->records &&
				  head != PERCPU_RING_LOCKED)) {
			PERCPU_INJECT_C(1);
			if (PERCPU_LIKELY(percpu_arch_cmpeqv_trymemcpy_storev_release(
						rs, &pc->head, head,
						_percpu_ring_record(r, pc, (uintptr_t)head), record,
						r->padded_size, _percpu_ring_next(head), id, idp) ==
					  PERCPU_SEQ_COMMITTED))
				return 0;
		}
	}
	return percpu_ring_write_slow(r, record);
}

/**
 * _percpu_ring_write() - inline fast path of percpu_ring_write().
 * No argument checks: @r must be initialised and @record not NULL.
 * Return: 0, or -ENOSPC (record dropped and counted lost).  Async-signal-safe.
 */
PERCPU_INLINE int _percpu_ring_write(struct percpu_ring *r, const void *record)
{
	/*
	 * The sequence copies whole aligned words and must not read past the
	 * caller's record: odd sizes and alignments go through a padded copy.
	 */
	if (PERCPU_UNLIKELY(r->record_size != r->padded_size ||
			    ((uintptr_t)record & (sizeof(intptr_t) - 1))))
		return percpu_ring_write_bounce(r, record);
	return _percpu_ring_write_words(r, record);
}

PERCPU_EXTERN_C_END

#endif /* _PERCPU_RING_H */
