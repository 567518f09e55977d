/* SPDX-License-Identifier: MIT */
/*
 * percpu/ring.h - per-CPU rings of variable-size timestamped events, for
 * tracers.
 *
 * Each CPU has a ring of a power-of-two number of bytes, cut into sub-buffers
 * (one in discard mode, PERCPU_RING_SUBBUFS in overwrite mode).  An event is
 * a 16-byte header (struct percpu_ring_event: size, type, sequence number,
 * timestamp) and its payload, padded to 8 bytes; it never straddles a
 * sub-buffer.  Behind the last event of a ring lies a 16-byte terminator (a
 * header of size 0 carrying the next sequence number and the last event's
 * timestamp).
 *
 * A writer copies header, payload and the next terminator to head and
 * commits the new head in ONE restartable sequence
 * (percpu_arch_cmpeqv_tryevent_storev_release: header and timestamp from
 * registers, the payload from the caller's buffer, or from a stack buffer
 * where its last word is partial; where an architecture has no such
 * sequence, the whole event is staged on the stack and copied by
 * percpu_arch_cmpeqv_trymemcpy_storev_release): a reader that sees the new
 * head sees the whole event, never part of it.  An event that does not fit
 * in the rest of its sub-buffer goes to the start of the next one; the
 * terminator it leaves behind tells the reader to skip there (a copy aborted
 * before its commit may have left a header over that terminator, with the
 * jumping event's sequence number: the reader skips it too).  Positions are
 * byte counts that wrap around the word; a position's place is the position
 * masked by the ring size (no division).
 *
 * Timestamps (percpu_ring_clock(): CLOCK_MONOTONIC in nanoseconds) are read
 * when the write starts, before anything else, so the clock's latency
 * overlaps the rest of the write.  An event's timestamp is the larger of
 * that reading and the one in the terminator it replaces (the last event's),
 * and the sequence commits only if head is still the value read: so
 * timestamps never decrease within a CPU's ring, and an event is stamped at
 * most as late as the last event committed before it (a writer preempted
 * between its clock read and its commit).  A copy aborted before its commit
 * may have left its header over the terminator: its timestamp is a clock
 * reading too, taken after the last event's, and serves as well.
 *
 * Full ring.  Discard mode (the default): a writer that would overwrite
 * unread bytes drops its event and counts it (lost "full").  Overwrite mode
 * (PERCPU_RING_OVERWRITE, a flight recorder): writers never look at the
 * reader; they overwrite the oldest sub-buffer.  The reader copies, then
 * re-reads head and keeps its copy only if no writer can have been writing
 * into the sub-buffers it copied from (the two newest sub-buffers may be
 * in flight); otherwise it skips to the oldest sub-buffer that is safe and
 * counts what it missed from the sequence numbers (lost "overwritten").
 * Either way a reader never returns a torn or overwritten event.
 *
 *   operation                  may run concurrently with           progress
 *   _percpu_ring_write()       everything but init/destroy         lock-free*
 *   percpu_ring_write()        same                                lock-free*
 *   fallback-path write        same                                blocking**
 *   percpu_ring_read_cpu()     writers, readers of OTHER CPUs      wait-free***
 *   percpu_ring_fill_cpu()     everything but init/destroy         wait-free
 *   percpu_ring_lost_cpu()     writers, readers of OTHER CPUs      wait-free
 *   percpu_ring_wait()         writers, readers                    blocking
 *   percpu_ring_init/attach/destroy  nothing on the same ring      -
 *
 * (*) retries only on kernel aborts, when another event was committed to
 * the same ring meanwhile (a signal handler's, or a thread's that ran on the
 * CPU in between), or while a fallback writer holds the CPU's lock.
 * (**) writers without rseq take the CPU's slow-path lock (lib/slow.c): head
 * is set to PERCPU_RING_LOCKED meanwhile, after the head it replaced is
 * stored in locked_head.  (***) at most ONE consumer per CPU ring at a time
 * (callers serialise reads and lost-count resets of the same CPU's ring); it
 * never waits for a writer, even one that died holding a lock: it returns
 * every event committed before that lock (from locked_head).
 *
 * Shared memory: with PERCPU_RING_SHARED the rings live in a memfd whose
 * first page describes the layout (struct percpu_ring_meta).  Another process
 * given the descriptor calls percpu_ring_attach() and reads, waits, counts
 * while the writers run.  Writers must all be in the process that called
 * percpu_ring_init().
 */
#ifndef _PERCPU_RING_H
#define _PERCPU_RING_H

#include <errno.h>
#include <sched.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <sys/types.h>
#include <percpu/compiler.h>
#include <percpu/rseq.h>
#include <percpu/mem.h>

PERCPU_EXTERN_C_BEGIN

/* The header in front of every event, 8-byte aligned in the ring. */
struct percpu_ring_event {
	uint16_t size;		/* header + payload bytes, unpadded; 0: terminator */
	uint16_t type;		/* the writer's */
	uint32_t seq;		/* events committed to this CPU's ring before this one */
	uint64_t ts;		/* percpu_ring_clock() when written */
};

/* Flags of percpu_ring_init() (with PERCPU_MM_CID of percpu/mem.h). */
#define PERCPU_RING_OVERWRITE	(1u << 8)	/* flight recorder: oldest events give way */
#define PERCPU_RING_SHARED	(1u << 9)	/* in a memfd other processes may attach */

/* Bytes per CPU accepted by init (rounded up to a power of two). */
#define PERCPU_RING_MIN_BYTES		((size_t)1 << 13)
#define PERCPU_RING_MIN_BYTES_OVERWRITE	((size_t)1 << 16)
#define PERCPU_RING_MAX_BYTES		((size_t)1 << 30)
/*
 * The least a discard-mode ring gets: smaller sizes are accepted and made
 * this, where the largest event fits an empty ring whatever its head.
 */
#define PERCPU_RING_DISCARD_BYTES	((size_t)1 << 14)
/* Sub-buffers per CPU ring in overwrite mode. */
#define PERCPU_RING_SUBBUFS		8
#define PERCPU_RING_HEADER		16
/* Bytes behind the last event: a header of size 0 (next seq, last timestamp). */
#define PERCPU_RING_TERM		16
/* Largest payload: header + payload + terminator fit in 4 KiB + 16. */
#define PERCPU_RING_MAX_PAYLOAD		4080
/* Larger payloads are staged out of line (percpu_ring_write_long()). */
#define PERCPU_RING_INLINE_PAYLOAD	256
#define PERCPU_RING_LOCKED		((intptr_t)-1)
/* A reader's wait sleeps at most this long between checks (see percpu_ring_wait()). */
#define PERCPU_RING_WAIT_SLICE_MS	10

/* Bytes an event with @len bytes of payload takes in a ring (and in a read buffer). */
#define PERCPU_RING_SPAN(len)	(PERCPU_RING_HEADER + (((size_t)(len) + 7) & ~(size_t)7))

/* Writer side of one CPU's ring (offset 0 of its slot); cache-line sized. */
struct percpu_ring_cpu {
	/* Byte position of the terminator, or PERCPU_RING_LOCKED. */
	intptr_t head;
	intptr_t lost_full;	/* events dropped by rseq writers (addv) */
	/*
	 * Dropped by slow-path writers (atomic add).  Word-sized: a 64-bit
	 * atomic is a libatomic lock on mips o32, and a writer in a signal
	 * handler could wait on it forever.
	 */
	intptr_t lost_full_atomic;
	int slow_mutex;		/* serialises slow paths on this CPU */
	/*
	 * While head is PERCPU_RING_LOCKED: the head it replaced, stored by
	 * the lock's holder before it set LOCKED (lib/slow.c's publish), so
	 * the reader gets every event committed before the lock even from a
	 * holder that died.
	 */
	intptr_t locked_head;
};

/* Consumer side of one CPU's ring, one cache-line unit further. */
struct percpu_ring_consumer {
	intptr_t tail;		/* position of the next event to read */
	intptr_t head_seen;	/* unused since meta version 4 (locked_head took its place) */
	uint32_t next_seq;	/* sequence number expected at tail */
	uint32_t pad;
	uint64_t lost_overwritten;	/* found by the reader in sequence gaps */
	uint64_t base_full;	/* lost counts at the last reset */
	uint64_t base_overwritten;
};

/*
 * What the first page of a shared ring says, and where every ring keeps its
 * waiting reader's futex.  Written by init, read by attach.
 */
struct percpu_ring_meta {
	uint32_t magic;		/* PERCPU_RING_META_MAGIC */
	uint32_t version;	/* PERCPU_RING_META_VERSION */
	uint32_t nr_cpus;	/* slots */
	uint32_t flags;		/* init's flags */
	uint64_t bytes;		/* ring size per CPU (power of two) */
	uint64_t subbuf;	/* sub-buffer size (power of two) */
	uint64_t stride;	/* bytes from one CPU's slot to the next */
	uint64_t slots_off;	/* file offset of slot 0 */
	uint64_t slots_len;	/* bytes of slots mapped */
	uint32_t clock;		/* CLOCK_MONOTONIC: what the timestamps count */
	int32_t waiting;	/* readers inside percpu_ring_wait() */
	/*
	 * Bit 0 (PERCPU_RING_FUTEX_ARMED): set by a waiting reader, cleared
	 * by the one writer that wakes it; the bits above count wake-ups.
	 */
	uint32_t futex;
	/*
	 * Unread bytes on one CPU that wake a waiter: 32 bits (rings are at
	 * most 1 GiB), as a 64-bit atomic is a libatomic lock on mips o32.
	 */
	uint32_t watermark;
	uint32_t layout;	/* PERCPU_RING_LAYOUT of the process that made it */
};

#define PERCPU_RING_META_MAGIC		0x70637276u
/*
 * What the words of the rings depend on besides the version: the size of
 * intptr_t (head, tail), the cache line (the slot layout) and the byte
 * order.  A reader built otherwise (a 32-bit one on a 64-bit writer's
 * memfd) cannot attach.
 */
#define PERCPU_RING_LAYOUT						\
	((uint32_t)sizeof(intptr_t) | (uint32_t)PERCPU_CACHELINE_BYTES << 8 |	\
	 (uint32_t)(__BYTE_ORDER__ == __ORDER_BIG_ENDIAN__) << 24)
/*
 * 2: the futex word's armed bit; 3: 16-byte terminators with a timestamp;
 * 4: locked_head, layout
 */
#define PERCPU_RING_META_VERSION	4
#define PERCPU_RING_FUTEX_ARMED		1u

struct percpu_ring {
	/* per slot: writer line, consumer line, then the ring's bytes */
	struct percpu_mem mem;
	struct percpu_ring_meta *meta;
	size_t mask;		/* ring bytes - 1 */
	size_t sub_mask;	/* sub-buffer bytes - 1 */
	size_t meta_len;
	int fd;			/* the memfd of a shared ring, or -1 */
	unsigned int flags;
	unsigned int attached;	/* set up by percpu_ring_attach(): read only */
	unsigned int magic;	/* PERCPU_RING_MAGIC while initialised */
};

#define PERCPU_RING_MAGIC	0x70637268u

/* Lost events of one CPU's ring since its last reset, by cause. */
struct percpu_ring_lost {
	uint64_t full;		/* discard mode: dropped by writers */
	uint64_t overwritten;	/* overwrite mode: overwritten before read */
};

/**
 * percpu_ring_init() - set up @r: on each CPU a ring of @bytes_per_cpu bytes
 * (rounded up to a power of two).
 * @flags: 0 or any of PERCPU_MM_CID (index by concurrency id, percpu/mem.h),
 * PERCPU_RING_OVERWRITE (flight recorder), PERCPU_RING_SHARED (in a memfd,
 * see percpu_ring_fd()).
 * Return: 0; -EINVAL if @r is NULL, @bytes_per_cpu is below
 * PERCPU_RING_MIN_BYTES (PERCPU_RING_MIN_BYTES_OVERWRITE in overwrite mode)
 * or above PERCPU_RING_MAX_BYTES, or @flags has unknown bits; -ENOTSUP
 * (PERCPU_MM_CID without kernel support); -ENOMEM; -EBUSY if @r is
 * initialised and not destroyed; -EAGAIN if called from a signal handler
 * that interrupted the library's first initialisation in the same thread;
 * with PERCPU_RING_SHARED, an error of memfd_create(2) or ftruncate(2).
 * Never calls malloc.
 */
PERCPU_API int percpu_ring_init(struct percpu_ring *r, size_t bytes_per_cpu, unsigned int flags);

/**
 * percpu_ring_fd() - the memfd holding a PERCPU_RING_SHARED ring, to hand to
 * a reading process (inheritance, SCM_RIGHTS, /proc/PID/fd opened O_RDWR).
 * It stays open until percpu_ring_destroy().
 * Return: the descriptor; -EINVAL if @r is invalid or not shared.
 */
PERCPU_API int percpu_ring_fd(const struct percpu_ring *r);

/**
 * percpu_ring_attach() - set up @r to read the rings in memfd @fd, created by
 * percpu_ring_init(PERCPU_RING_SHARED) in this or another process.  @r may
 * read, wait, count; writes return -EPERM.  @fd is not closed by destroy.
 * @fd must be open for writing: the reader's position, lost counts and the
 * waiter's futex word live in the shared pages, mapped writable.
 * Return: 0; -EINVAL if @r is NULL or @fd holds no ring of this version or
 * of another CPU count; -EBUSY as for init; -ENOMEM; -EAGAIN as for init;
 * an error of fstat(2) or mmap(2) (-EBADF; -EACCES if @fd was opened
 * O_RDONLY, as /proc/PID/fd/N may be).
 */
PERCPU_API int percpu_ring_attach(struct percpu_ring *r, int fd);

/**
 * percpu_ring_destroy() - unmap @r's memory (and close its memfd if init
 * made one).  Nothing may run on @r in this process.
 * Return: 0, or -EINVAL if @r is NULL or not initialised.
 */
PERCPU_API int percpu_ring_destroy(struct percpu_ring *r);

/**
 * percpu_ring_write() - append an event of type @type (its low 16 bits)
 * with @len bytes of @payload to the calling CPU's ring, timestamped with
 * percpu_ring_clock().
 * Return: 0; -ENOSPC if that ring is full in discard mode (the event is
 * dropped and counted lost); -EMSGSIZE if @len > PERCPU_RING_MAX_PAYLOAD
 * (nothing written or counted);
 * -EINVAL if @r is invalid, or @payload NULL with @len > 0; -EPERM if @r
 * was attached.  Async-signal-safe.
 */
PERCPU_API int percpu_ring_write(struct percpu_ring *r, unsigned int type, const void *payload,
				 size_t len);

/**
 * percpu_ring_read_cpu() - move the oldest whole events of @cpu's ring, as
 * many as fit in @len bytes, into @buf: each is a struct percpu_ring_event
 * and its payload, padded to 8 bytes (PERCPU_RING_SPAN()); walk them with
 * percpu_ring_event_next().  One consumer per CPU ring.  Never waits for a
 * writer.
 * Return: bytes stored (0: nothing committed yet); -ENOBUFS if the oldest
 * event is longer than @len (nothing is removed); -EINVAL if @r is invalid,
 * @buf NULL or not 8-byte aligned; -ERANGE if @cpu >= percpu_nr_cpus().
 */
PERCPU_API ssize_t percpu_ring_read_cpu(struct percpu_ring *r, unsigned int cpu, void *buf,
					size_t len);

/**
 * percpu_ring_fill_cpu() - bytes written to @cpu's ring and not yet read (in
 * overwrite mode, at most what the reader can still get).  A snapshot.
 * Return: the count; -EINVAL; -ERANGE.
 */
PERCPU_API ssize_t percpu_ring_fill_cpu(const struct percpu_ring *r, unsigned int cpu);

/**
 * percpu_ring_lost_cpu() - store in *@lost the events @cpu's ring lost since
 * its last reset, by cause; if @reset, start counting from zero again.
 * Overwritten events are counted when the reader meets the gap.
 * Return: 0; -EINVAL if @r is invalid or @lost NULL; -ERANGE.
 */
PERCPU_API int percpu_ring_lost_cpu(struct percpu_ring *r, unsigned int cpu,
				    struct percpu_ring_lost *lost, int reset);

/**
 * percpu_ring_wait() - sleep until some CPU's ring holds at least @watermark
 * unread bytes, or @timeout_ms passes (-1: no limit).  Writers pay one load
 * per event while nobody waits; the first one at the watermark wakes the
 * waiter with a futex, once per wait.  A wake-up
 * may come up to PERCPU_RING_WAIT_SLICE_MS late (writers take no fence).
 * Return: 1 when the watermark is reached, 0 on timeout; -EINVAL if @r is
 * invalid or @watermark is 0; -EINTR if a signal interrupted the sleep.
 */
PERCPU_API int percpu_ring_wait(struct percpu_ring *r, size_t watermark, int timeout_ms);

/* Slow paths of _percpu_ring_write(). Not for direct use. */
PERCPU_API int percpu_ring_write_slow(struct percpu_ring *r, uint64_t *ev, size_t span);
PERCPU_API int percpu_ring_write_long(struct percpu_ring *r, unsigned int type, uint64_t ts,
				      const void *payload, size_t len);
PERCPU_API void percpu_ring_wake_slow(struct percpu_ring *r, struct percpu_ring_cpu *pc,
				      intptr_t head);

/**
 * percpu_ring_clock() - the timestamp clock: CLOCK_MONOTONIC in nanoseconds
 * (vDSO, no system call).  Async-signal-safe.
 */
PERCPU_INLINE uint64_t percpu_ring_clock(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* The payload of event @ev. */
PERCPU_INLINE void *percpu_ring_event_payload(const struct percpu_ring_event *ev)
{
	return (char *)ev + PERCPU_RING_HEADER;
}

/*
 * percpu_ring_event_next() - walk the events percpu_ring_read_cpu() stored:
 * the event at *@off in @buf of @len bytes, advancing *@off; NULL at the end.
 */
PERCPU_INLINE const struct percpu_ring_event *percpu_ring_event_next(const void *buf, size_t len,
								     size_t *off)
{
	const struct percpu_ring_event *ev;

	if (*off + PERCPU_RING_HEADER > len)
		return NULL;
	ev = (const struct percpu_ring_event *)((const char *)buf + *off);
	*off += PERCPU_RING_SPAN(ev->size - PERCPU_RING_HEADER);
	return ev;
}

PERCPU_INLINE struct percpu_ring_cpu *_percpu_ring_cpu(const struct percpu_ring *r,
						       unsigned int i)
{
	return (struct percpu_ring_cpu *)percpu_mem_ptr(&r->mem, i);
}

PERCPU_INLINE struct percpu_ring_consumer *_percpu_ring_consumer(struct percpu_ring_cpu *pc)
{
	return (struct percpu_ring_consumer *)((char *)pc + PERCPU_CACHELINE_BYTES);
}

/* The byte at position @pos of @pc's ring. */
PERCPU_INLINE char *_percpu_ring_at(const struct percpu_ring *r, struct percpu_ring_cpu *pc,
				    uintptr_t pos)
{
	return (char *)pc + 2 * PERCPU_CACHELINE_BYTES + (pos & r->mask);
}

/*
 * Where an event of @span bytes goes when head is @head: there, or at the
 * start of the next sub-buffer when it and the terminator do not fit.
 */
PERCPU_INLINE uintptr_t _percpu_ring_place(const struct percpu_ring *r, uintptr_t head,
					   size_t span)
{
	if (PERCPU_UNLIKELY((head & r->sub_mask) + span + PERCPU_RING_TERM > r->sub_mask + 1))
		return (head | r->sub_mask) + 1;
	return head;
}

/*
 * The first 8 bytes of a header (a terminator is only those), as one word:
 * shifts and ors, as the fields lie in memory on either byte order.  (Going
 * through the struct and memcpy() made gcc 12 merge 16-bit halves into a
 * register, which ties the word to that register's previous value.)
 */
PERCPU_INLINE uint64_t _percpu_ring_word(unsigned int size, unsigned int type, uint32_t seq)
{
	uint64_t sz = (uint16_t)size, ty = (uint16_t)type;

#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	return sz << 48 | ty << 32 | seq;
#else
	return sz | ty << 16 | (uint64_t)seq << 32;
#endif
}

/* A 16-byte vector (GCC and clang lower it to what the machine has). */
typedef uint64_t _percpu_ring_v2 __attribute__((vector_size(16)));

/* The staged header word @w with sequence number @seq (a retry sets it again). */
PERCPU_INLINE uint64_t _percpu_ring_with_seq(uint64_t w, uint32_t seq)
{
	return (w & ~_percpu_ring_word(0, 0, UINT32_MAX)) | _percpu_ring_word(0, 0, seq);
}

/*
 * Complete the event staged in @ev (@span bytes, then PERCPU_RING_TERM for
 * the terminator) with sequence number @seq and timestamp @ts, and write the
 * terminator after it.  Header and terminator go in one 16-byte store each
 * because the copy reads them back 16 bytes at a time: a load that spans
 * several smaller recent stores cannot be forwarded from the store buffer
 * and stalls until they reach the cache (on x86 that stall cost more than
 * the rest of the copy).
 */
PERCPU_INLINE void _percpu_ring_seal(uint64_t *ev, size_t span, uint32_t seq, uint64_t ts)
{
	_percpu_ring_v2 hdr, term;

	hdr[0] = _percpu_ring_with_seq(ev[0], seq);
	hdr[1] = ts;
	term[0] = _percpu_ring_word(0, 0, seq + 1);
	term[1] = ts;
	memcpy(ev, &hdr, sizeof(hdr));
	memcpy(&ev[span / 8], &term, sizeof(term));
}

/*
 * After a commit that left @head: whether to call percpu_ring_wake_slow().
 * One load while nobody waits; while a reader waits, no call either until
 * the ring holds the watermark and the reader is armed (asleep, not yet
 * woken: see percpu_ring_wait()), so a waiting consumer costs a writer
 * three loads per event, not a call.
 */
PERCPU_INLINE int _percpu_ring_wake_due(const struct percpu_ring *r, struct percpu_ring_cpu *pc,
					uintptr_t head)
{
	const struct percpu_ring_meta *m = r->meta;

	return PERCPU_UNLIKELY(PERCPU_LOAD(&m->waiting) != 0) &&
	       (PERCPU_LOAD(&m->futex) & PERCPU_RING_FUTEX_ARMED) &&
	       head - (uintptr_t)PERCPU_LOAD(&_percpu_ring_consumer(pc)->tail) >=
		       PERCPU_LOAD(&m->watermark);
}

/*
 * The last event's timestamp, from the terminator (or an aborted copy's
 * header) at head, read before the sequence: another writer's copy may store
 * it meanwhile, so the load must not tear.  Where a 64-bit load is not one
 * instruction (mips o32: a lock in libatomic, no use in a signal handler),
 * the halves are read high, low, high again until the high half holds still.
 */
PERCPU_INLINE uint64_t _percpu_ring_load_ts(const uint64_t *p)
{
#if UINTPTR_MAX > 0xffffffffu || __GCC_ATOMIC_LLONG_LOCK_FREE == 2
	return PERCPU_LOAD(p);
#else
	const uint32_t *w = (const uint32_t *)p;
	const int hi = __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__ ? 0 : 1;
	uint32_t h, l;

	do {
		h = PERCPU_LOAD(&w[hi]);
		l = PERCPU_LOAD(&w[1 - hi]);
	} while (PERCPU_LOAD(&w[hi]) != h);
	return (uint64_t)h << 32 | l;
#endif
}

/* _percpu_ring_try() results besides 0 and -ENOSPC. */
#define _PERCPU_RING_RETRY	1

/*
 * One attempt of an rseq writer on slot @id: the event of @span bytes gets
 * its sequence number and its timestamp (@ts, or the last event's if later)
 * and is committed.  With the architecture's event sequence, its header word
 * (size and type) is @w and its payload, padded, is at @src; without it, the
 * whole event is staged in @ev (and @w, @src are its first word and ev + 2).
 * @ev has room for the terminator after @span bytes.  Return 0 (committed),
 * -ENOSPC (ring full: not counted yet) or _PERCPU_RING_RETRY (locked, stale,
 * aborted).
 */
PERCPU_INLINE int _percpu_ring_try(struct percpu_ring *r, struct percpu_rseq_abi *rs,
				   uint32_t id, const uint32_t *idp, uint64_t *ev, uint64_t w,
				   const void *src, size_t span, uint64_t ts)
{
	struct percpu_ring_cpu *pc = _percpu_ring_cpu(r, id);
	intptr_t head = PERCPU_LOAD(&pc->head);
	const struct percpu_ring_event *at;
	uintptr_t pos;
	uint64_t last;
	uint32_t seq;
	int ret;

	if (PERCPU_UNLIKELY(head == PERCPU_RING_LOCKED))
		return _PERCPU_RING_RETRY;
	pos = _percpu_ring_place(r, (uintptr_t)head, span);
	if (!(r->flags & PERCPU_RING_OVERWRITE)) {
		intptr_t tail = PERCPU_LOAD_ACQUIRE(&_percpu_ring_consumer(pc)->tail);

		/* Also fails on a stale head (tail past it): the caller sorts it out. */
		if (PERCPU_UNLIKELY(pos + span + PERCPU_RING_TERM - (uintptr_t)tail > r->mask + 1))
			return -ENOSPC;
	} else {
		/*
		 * The overwrite-mode reader trusts what it copied only if
		 * head, read after, shows no writer near it: so no store of
		 * this event may be seen before the commit of the head we
		 * read (free on x86, a barrier on weakly ordered machines).
		 */
		__atomic_thread_fence(__ATOMIC_RELEASE);
	}
	/*
	 * The terminator at head holds the next sequence number and the last
	 * event's timestamp; an aborted copy may have left a header there,
	 * with the same number and a later timestamp (if we jump over it, the
	 * reader knows it from that number: lib/ring.c).
	 */
	at = (const struct percpu_ring_event *)_percpu_ring_at(r, pc, (uintptr_t)head);
	seq = PERCPU_LOAD(&at->seq);
	last = _percpu_ring_load_ts(&at->ts);
	if (PERCPU_UNLIKELY(last > ts))
		ts = last;
	PERCPU_INJECT_C(1);
#ifdef PERCPU_ARCH_HAVE_TRYEVENT
	/* Header, timestamp and terminator from registers. */
	(void)ev;
	ret = percpu_arch_cmpeqv_tryevent_storev_release(
		rs, &pc->head, head, _percpu_ring_at(r, pc, pos), _percpu_ring_with_seq(w, seq),
		src, span - PERCPU_RING_HEADER, ts, (intptr_t)(pos + span), id, idp);
#else
	(void)w, (void)src;
	_percpu_ring_seal(ev, span, seq, ts);
	ret = percpu_arch_cmpeqv_trymemcpy_storev_release(
		rs, &pc->head, head, _percpu_ring_at(r, pc, pos), ev, span + PERCPU_RING_TERM,
		(intptr_t)(pos + span), id, idp);
#endif
	if (PERCPU_LIKELY(ret == PERCPU_SEQ_COMMITTED)) {
		if (_percpu_ring_wake_due(r, pc, pos + span))
			percpu_ring_wake_slow(r, pc, (intptr_t)(pos + span));
		return 0;
	}
	return _PERCPU_RING_RETRY;
}

/*
 * Stage @len bytes of @payload at ev + 2 with zeroed padding (never stale
 * stack bytes in the ring).  @span is PERCPU_RING_SPAN(@len).
 */
PERCPU_INLINE void _percpu_ring_stage_payload(uint64_t *ev, const void *payload, size_t len,
					      size_t span)
{
	if (len & 7)
		ev[span / 8 - 1] = 0;
	if (len)
		memcpy(ev + 2, payload, len);
}

/*
 * Stage a whole event in @ev: size and type (seq and timestamp come with
 * _percpu_ring_seal(), which also writes the terminator), then the payload.
 * Size and type go in one word store, which _percpu_ring_seal() can load
 * back at once: the clock reading is not stored with them, as the seal's
 * load would then wait for the clock.
 */
PERCPU_INLINE void _percpu_ring_stage(uint64_t *ev, unsigned int type, const void *payload,
				      size_t len, size_t span)
{
	ev[0] = _percpu_ring_word((unsigned int)(PERCPU_RING_HEADER + len), type, 0);
	_percpu_ring_stage_payload(ev, payload, len, span);
}

/**
 * _percpu_ring_write() - inline fast path of percpu_ring_write().
 * No argument checks but the payload size: @r must be initialised by
 * percpu_ring_init() and @payload valid for @len bytes.
 * Return: 0, -ENOSPC (event dropped and counted lost), -EMSGSIZE, or -EPERM
 * through an attached ring.
 * Async-signal-safe.
 */
PERCPU_INLINE int _percpu_ring_write(struct percpu_ring *r, unsigned int type,
				     const void *payload, size_t len)
{
	/*
	 * The staged event: header, payload, terminator, whole aligned words
	 * (for the slow path, for architectures without an event sequence,
	 * and for a payload whose last word is partial).  A fixed buffer,
	 * small enough for signal handlers on small alternate stacks: a
	 * variable-length one would take a frame pointer, a register the
	 * sequence lacks on 32-bit ARM.
	 */
	uint64_t ev[(PERCPU_RING_SPAN(PERCPU_RING_INLINE_PAYLOAD) + PERCPU_RING_TERM) / 8];
	struct percpu_rseq_abi *rs;
	const uint32_t *idp;
	const void *src = ev + 2;
	size_t span;
	uint32_t id;
	/* First: the rest of the write runs while the clock is read. */
	uint64_t ts = percpu_ring_clock();

	if (PERCPU_UNLIKELY(len > PERCPU_RING_INLINE_PAYLOAD))
		return percpu_ring_write_long(r, type, ts, payload, len);
	span = PERCPU_RING_SPAN(len);
#ifdef PERCPU_ARCH_HAVE_TRYEVENT
	/*
	 * The sequence copies whole words from the caller's payload; one
	 * whose last word is partial is staged with its padding zeroed, as
	 * the sequence must read no byte past the caller's.
	 */
	if (len & 7)
		_percpu_ring_stage_payload(ev, payload, len, span);
	else
		src = payload;
#else
	_percpu_ring_stage(ev, type, payload, len, span);
#endif
	rs = _percpu_rseq_area_fast();
	if (PERCPU_LIKELY(_percpu_mem_index(&r->mem, rs, &id, &idp)) &&
	    PERCPU_LIKELY(_percpu_ring_try(r, rs, id, idp, ev,
					   _percpu_ring_word((unsigned int)(PERCPU_RING_HEADER + len),
							     type, 0),
					   src, span, ts) == 0))
		return 0;
	/* The slow path takes the whole event staged, the clock reading in the header. */
#ifdef PERCPU_ARCH_HAVE_TRYEVENT
	_percpu_ring_stage(ev, type, payload, len, span);
#endif
	ev[1] = ts;
	return percpu_ring_write_slow(r, ev, span);
}

PERCPU_EXTERN_C_END

#endif /* _PERCPU_RING_H */
