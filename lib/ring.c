/* SPDX-License-Identifier: MIT */
/*
 * lib/ring.c - per-CPU event rings (see percpu/ring.h): set-up in private or
 * shared memory, the consumer, the waits and wake-ups, the exported
 * wrappers, and the slow-path writer under the lock of lib/slow.c.
 */
#include "config.h"
#define PERCPU_LIB_BUILD 1

#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <string.h>
#include <unistd.h>
#if __has_include(<linux/futex.h>)
#include <linux/futex.h>
#else
/* The futex ABI (musl-gcc sees no kernel headers). */
#define FUTEX_WAIT		0
#define FUTEX_WAKE		1
#define FUTEX_PRIVATE_FLAG	128
#endif
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include <percpu/ring.h>
#include "internal.h"

static int ring_ok(const struct percpu_ring *r)
{
	return r && r->magic == PERCPU_RING_MAGIC && r->mem.base && r->meta;
}

static size_t ring_page(void)
{
	return (size_t)sysconf(_SC_PAGESIZE);
}

/* The smallest power of two >= @n (n <= PERCPU_RING_MAX_BYTES). */
static size_t pow2_at_least(size_t n)
{
	size_t p = 1;

	while (p < n)
		p <<= 1;
	return p;
}

/* Bytes of one CPU's slot: writer line, consumer line, ring. */
static size_t slot_size(size_t bytes)
{
	return 2 * PERCPU_CACHELINE_BYTES + bytes;
}

static void set_fields(struct percpu_ring *r, const struct percpu_ring_meta *meta)
{
	r->mask = (size_t)meta->bytes - 1;
	r->sub_mask = (size_t)meta->subbuf - 1;
	r->flags = meta->flags;
}

int percpu_ring_init(struct percpu_ring *r, size_t bytes_per_cpu, unsigned int flags)
{
	const unsigned int known = PERCPU_MM_CID | PERCPU_RING_OVERWRITE | PERCPU_RING_SHARED;
	size_t page = ring_page(), bytes, min, slots_len;
	struct percpu_ring_meta *meta;
	int fd = -1, err;

	_Static_assert(sizeof(struct percpu_ring_cpu) <= PERCPU_CACHELINE_BYTES, "writer line");
	_Static_assert(sizeof(struct percpu_ring_consumer) <= PERCPU_CACHELINE_BYTES, "reader line");
	_Static_assert(sizeof(struct percpu_ring_event) == PERCPU_RING_HEADER, "header size");
	_Static_assert(PERCPU_RING_SPAN(PERCPU_RING_MAX_PAYLOAD) + PERCPU_RING_TERM <=
		       PERCPU_RING_MIN_BYTES_OVERWRITE / PERCPU_RING_SUBBUFS, "largest event");
	/*
	 * Discard mode: an event that does not fit before the end of the ring
	 * jumps to its start, leaving behind up to its own span and terminator
	 * less 8 bytes, and must not cover the terminator at an empty ring's
	 * tail: so the largest event always fits an empty ring only from
	 * twice its span and terminator (less 8) up, PERCPU_RING_DISCARD_BYTES.
	 */
	_Static_assert(2 * (PERCPU_RING_SPAN(PERCPU_RING_MAX_PAYLOAD) + PERCPU_RING_TERM) - 8 <=
		       PERCPU_RING_DISCARD_BYTES, "largest event");
	_Static_assert(PERCPU_RING_TERM == PERCPU_RING_HEADER, "a terminator is a header");
	if (!r || (flags & ~known))
		return -EINVAL;
	min = (flags & PERCPU_RING_OVERWRITE) ? PERCPU_RING_MIN_BYTES_OVERWRITE :
						 PERCPU_RING_MIN_BYTES;
	if (bytes_per_cpu < min || bytes_per_cpu > PERCPU_RING_MAX_BYTES)
		return -EINVAL;
	PERCPU_READ_ANYWAY(r, sizeof(*r));
	if (percpu_looks_live(r->magic, PERCPU_RING_MAGIC, r->mem.base, r->mem.nr,
			      percpu_nr_cpus()))
		return -EBUSY;
	bytes = pow2_at_least(bytes_per_cpu);
	if (!(flags & PERCPU_RING_OVERWRITE) && bytes < PERCPU_RING_DISCARD_BYTES)
		bytes = PERCPU_RING_DISCARD_BYTES;
	/*
	 * A valid size that this address space cannot hold (1 GiB per CPU on
	 * a 32-bit machine): no memory for it, not the caller's mistake.
	 */
	if (slot_size(bytes) > PERCPU_MEM_MAX_SLOT ||
	    !percpu_size_fits(slot_size(bytes), 1, 0, percpu_nr_cpus(), SIZE_MAX))
		return -ENOMEM;
	slots_len = percpu_mem_map_len(slot_size(bytes));
	if (flags & PERCPU_RING_SHARED) {
		fd = memfd_create("percpu_ring", MFD_CLOEXEC);
		if (fd < 0)
			return -errno;
		if (ftruncate(fd, (off_t)(page + slots_len)) != 0) {
			err = -errno;
			close(fd);
			return err;
		}
		meta = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	} else {
		meta = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	}
	if (meta == MAP_FAILED) {
		if (fd >= 0)
			close(fd);
		return -ENOMEM;
	}
	err = percpu_mem_setup_fd(&r->mem, slot_size(bytes), flags & PERCPU_MM_CID,
				  offsetof(struct percpu_ring_cpu, slow_mutex), fd, (off_t)page);
	if (err) {
		munmap(meta, page);
		if (fd >= 0)
			close(fd);
		return err;
	}
	meta->version = PERCPU_RING_META_VERSION;
	meta->nr_cpus = r->mem.nr;
	meta->flags = flags;
	meta->bytes = bytes;
	meta->subbuf = (flags & PERCPU_RING_OVERWRITE) ? bytes / PERCPU_RING_SUBBUFS : bytes;
	meta->stride = r->mem.stride;
	meta->slots_off = page;
	meta->slots_len = r->mem.map_len;
	meta->clock = CLOCK_MONOTONIC;
	meta->layout = PERCPU_RING_LAYOUT;
	/* Last: a reader attaching meanwhile sees a complete page or none. */
	__atomic_store_n(&meta->magic, PERCPU_RING_META_MAGIC, __ATOMIC_RELEASE);
	r->meta = meta;
	r->meta_len = page;
	r->fd = fd;
	r->attached = 0;
	set_fields(r, meta);
	r->magic = PERCPU_RING_MAGIC;
	return 0;
}

int percpu_ring_fd(const struct percpu_ring *r)
{
	if (!ring_ok(r) || !(r->flags & PERCPU_RING_SHARED))
		return -EINVAL;
	return r->fd;
}

/* Does @meta describe rings this process can read from a file of @size bytes? */
static int meta_ok(const struct percpu_ring_meta *meta, size_t page, uint64_t size)
{
	uint64_t bytes = meta->bytes, sub = meta->subbuf;

	return __atomic_load_n(&meta->magic, __ATOMIC_ACQUIRE) == PERCPU_RING_META_MAGIC &&
	       meta->version == PERCPU_RING_META_VERSION && meta->layout == PERCPU_RING_LAYOUT &&
	       meta->nr_cpus == percpu_nr_cpus() &&
	       bytes >= PERCPU_RING_MIN_BYTES && bytes <= PERCPU_RING_MAX_BYTES &&
	       (bytes & (bytes - 1)) == 0 &&
	       sub == ((meta->flags & PERCPU_RING_OVERWRITE) ? bytes / PERCPU_RING_SUBBUFS : bytes) &&
	       meta->stride == percpu_mem_stride(slot_size((size_t)bytes)) &&
	       meta->slots_off == page &&
	       meta->slots_len == percpu_mem_map_len(slot_size((size_t)bytes)) &&
	       size >= meta->slots_off + meta->slots_len;
}

int percpu_ring_attach(struct percpu_ring *r, int fd)
{
	size_t page = ring_page();
	struct percpu_ring_meta *meta;
	struct stat st;
	int err;

	if (!r)
		return -EINVAL;
	PERCPU_READ_ANYWAY(r, sizeof(*r));
	if (percpu_looks_live(r->magic, PERCPU_RING_MAGIC, r->mem.base, r->mem.nr,
			      percpu_nr_cpus()))
		return -EBUSY;
	if (fstat(fd, &st) != 0)
		return -errno;
	if ((uint64_t)st.st_size < page)
		return -EINVAL;
	meta = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (meta == MAP_FAILED)
		return -errno;
	if (!meta_ok(meta, page, (uint64_t)st.st_size)) {
		munmap(meta, page);
		return -EINVAL;
	}
	/* Reading needs no index and no slow-path lock: nothing to register. */
	err = percpu_mem_setup_fd(&r->mem, slot_size((size_t)meta->bytes), 0, -1, fd,
				  (off_t)page);
	if (err) {
		munmap(meta, page);
		return err;
	}
	r->meta = meta;
	r->meta_len = page;
	r->fd = fd;
	r->attached = 1;
	/* Not the writers' handle: _percpu_ring_write() goes to the slow path, -EPERM. */
	r->mem.index = PERCPU_INDEX_NONE;
	set_fields(r, meta);
	r->magic = PERCPU_RING_MAGIC;
	return 0;
}

int percpu_ring_destroy(struct percpu_ring *r)
{
	if (!ring_ok(r))
		return -EINVAL;
	percpu_mem_destroy(&r->mem);
	munmap(r->meta, r->meta_len);
	if (r->fd >= 0 && !r->attached)
		close(r->fd);
	memset(r, 0, sizeof(*r));
	return 0;
}

int percpu_ring_write(struct percpu_ring *r, unsigned int type, const void *payload, size_t len)
{
	if (PERCPU_UNLIKELY(!ring_ok(r) || (!payload && len)))
		return -EINVAL;
	if (PERCPU_UNLIKELY(r->attached))
		return -EPERM;
	return _percpu_ring_write(r, type, payload, len);
}

/*
 * Events with payloads above PERCPU_RING_INLINE_PAYLOAD: staged in a buffer
 * of their own size (a signal handler on a small alternate stack pays for
 * what it writes, not for the largest event), then written by the slow path.
 * Called from _percpu_ring_write(), whose 288-byte buffer is still in the
 * frame below: the stack holds both.
 */
int percpu_ring_write_long(struct percpu_ring *r, unsigned int type, uint64_t ts,
			   const void *payload, size_t len)
{
	size_t span;

	if (len > PERCPU_RING_MAX_PAYLOAD)
		return -EMSGSIZE;
	span = PERCPU_RING_SPAN(len);
	{
		uint64_t ev[(span + PERCPU_RING_TERM) / 8];

		_percpu_ring_stage(ev, type, payload, len, span);
		ev[1] = ts;
		return percpu_ring_write_slow(r, ev, span);
	}
}

static long futex(uint32_t *word, int op, uint32_t val, const struct timespec *ts)
{
	return syscall(SYS_futex, word, op, val, ts, NULL, 0);
}

/* Private rings wake with a private futex (no hashing by inode). */
static int futex_op(const struct percpu_ring *r, int op)
{
	return (r->flags & PERCPU_RING_SHARED) ? op : op | FUTEX_PRIVATE_FLAG;
}

void percpu_ring_wake_slow(struct percpu_ring *r, struct percpu_ring_cpu *pc, intptr_t head)
{
	struct percpu_ring_meta *meta = r->meta;
	intptr_t tail = PERCPU_LOAD(&_percpu_ring_consumer(pc)->tail);
	int saved = errno;
	uint32_t v;

	if ((uintptr_t)head - (uintptr_t)tail < PERCPU_LOAD(&meta->watermark))
		return;
	/*
	 * Wake once per wait, not once per event: only the writer that finds
	 * the word armed (bit 0, set by percpu_ring_wait()) and disarms it
	 * makes the system call.  Until the woken reader runs, every other
	 * commit above the watermark stops at this load; before, each one
	 * bumped the word and called futex (5771 system calls for 6734
	 * events of 256 B, 7x the cost of the write).  v + 1 clears bit 0 and
	 * counts the wake-up in the bits above it.
	 */
	v = __atomic_load_n(&meta->futex, __ATOMIC_RELAXED);
	if (!(v & PERCPU_RING_FUTEX_ARMED) ||
	    !__atomic_compare_exchange_n(&meta->futex, &v, v + 1, 0, __ATOMIC_RELEASE,
					 __ATOMIC_RELAXED))
		return;
	futex(&meta->futex, futex_op(r, FUTEX_WAKE), INT_MAX, NULL);
	errno = saved;
}

/*
 * Under the lock of slot @cpu, whose head was @head: write the staged event
 * @ev as a sequence would (see _percpu_ring_try()), then unlock.
 */
static int write_locked(struct percpu_ring *r, struct percpu_slow *s, unsigned int cpu,
			intptr_t head, uint64_t *ev, size_t span)
{
	struct percpu_ring_cpu *pc = _percpu_ring_cpu(r, cpu);
	uintptr_t pos = _percpu_ring_place(r, (uintptr_t)head, span);
	const struct percpu_ring_event *at;

	if (!(r->flags & PERCPU_RING_OVERWRITE)) {
		intptr_t tail = PERCPU_LOAD_ACQUIRE(&_percpu_ring_consumer(pc)->tail);

		if (pos + span + PERCPU_RING_TERM - (uintptr_t)tail > r->mask + 1) {
			percpu_slow_unlock(s, head);
			__atomic_fetch_add(&pc->lost_full_atomic, 1, __ATOMIC_RELAXED);
			return -ENOSPC;
		}
	}
	/* The clock read when the write began, or the last event's if later. */
	at = (const struct percpu_ring_event *)_percpu_ring_at(r, pc, (uintptr_t)head);
	_percpu_ring_seal(ev, span, at->seq, at->ts > ev[1] ? at->ts : ev[1]);
	/* Seen LOCKED before any of our stores (see _percpu_ring_try()). */
	__atomic_thread_fence(__ATOMIC_RELEASE);
	memcpy(_percpu_ring_at(r, pc, pos), ev, span + PERCPU_RING_TERM);
	/* Release: the consumer that sees the new head sees the whole event. */
	percpu_slow_unlock(s, (intptr_t)(pos + span));
	if (_percpu_ring_wake_due(r, pc, pos + span))
		percpu_ring_wake_slow(r, pc, (intptr_t)(pos + span));
	return 0;
}

/*
 * Slow path of the writer, with the event staged by _percpu_ring_write().  A
 * thread with rseq retries (after an abort, while a fallback writer holds the
 * slot, after reading a stale head) or counts the event lost on the slot it
 * runs on; a thread without rseq writes under the lock of some slot.
 */
int percpu_ring_write_slow(struct percpu_ring *r, uint64_t *ev, size_t span)
{
	unsigned int waits = 0;

	if (PERCPU_UNLIKELY(r->attached))
		return -EPERM;

	for (;;) {
		struct percpu_rseq_abi *rs = percpu_slow_area();
		struct percpu_ring_cpu *pc;
		const uint32_t *idp;
		intptr_t head, tail;
		uint32_t id;
		int ret;

		if (!rs) {
			struct percpu_slow s;
			unsigned int slot;

			if (percpu_slow_lock_local_publish(&s, &r->mem, PERCPU_RING_LOCKED, &head,
							   &slot,
							   offsetof(struct percpu_ring_cpu,
								    locked_head))) {
				/*
				 * Every slot busy: a handler interrupted its own
				 * thread's write (lib/slow.c).  Dropped, as in a full
				 * ring.
				 */
				__atomic_fetch_add(&_percpu_ring_cpu(r, slot)->lost_full_atomic, 1,
						   __ATOMIC_RELAXED);
				return -ENOSPC;
			}
			return write_locked(r, &s, slot, head, ev, span);
		}
		if (!_percpu_mem_index(&r->mem, rs, &id, &idp))
			continue;
		ret = _percpu_ring_try(r, rs, id, idp, ev, ev[0], ev + 2, span, ev[1]);
		if (ret == 0)
			return 0;
		pc = _percpu_ring_cpu(r, id);
		head = PERCPU_LOAD(&pc->head);
		if (head == PERCPU_RING_LOCKED) {
			percpu_slow_wait(&waits);
			continue;
		}
		if (ret != -ENOSPC)
			continue;
		tail = PERCPU_LOAD_ACQUIRE(&_percpu_ring_consumer(pc)->tail);
		if ((intptr_t)((uintptr_t)head - (uintptr_t)tail) < 0)
			continue;	/* head went stale while we read tail */
		if (_percpu_ring_place(r, (uintptr_t)head, span) + span + PERCPU_RING_TERM -
			    (uintptr_t)tail <=
		    r->mask + 1)
			continue;	/* the reader made room meanwhile */
		if (percpu_arch_addv(rs, &pc->lost_full, 1, id, idp) == PERCPU_SEQ_COMMITTED)
			return -ENOSPC;
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

/*
 * The oldest position of an overwrite-mode ring whose sub-buffer no writer
 * can be writing into when head is @head: writers write in head's sub-buffer
 * and the next one.
 */
static uintptr_t safe_start(const struct percpu_ring *r, uintptr_t head)
{
	return (head & ~(uintptr_t)r->sub_mask) - (PERCPU_RING_SUBBUFS - 2) * (r->sub_mask + 1);
}

/* Is position @a after position @b (across the wrap)? */
static int after(uintptr_t a, uintptr_t b)
{
	return (intptr_t)(a - b) > 0;
}

/*
 * Copy whole events of @pc's ring from @pos up to @head into @buf (@len
 * bytes), skipping terminators.  In overwrite mode the bytes may change
 * under us: every size read is checked before it is used, and the caller
 * validates the copy.  *@end: the position after what was consumed.
 * Return: bytes copied, or -ENOBUFS if the first event did not fit.
 */
static ssize_t copy_events(const struct percpu_ring *r, struct percpu_ring_cpu *pc,
			   uintptr_t pos, uintptr_t head, char *buf, size_t len, uintptr_t *end)
{
	size_t out = 0, sub = r->sub_mask + 1;
	/* The sub-buffer after the one jump_seq was read for (pos never is there). */
	uintptr_t jump_to = pos;
	uint32_t jump_seq = 0;
	int jumped = 0;

	while (after(head, pos)) {
		const char *at = _percpu_ring_at(r, pc, pos);
		uint16_t size = __atomic_load_n((const uint16_t *)at, __ATOMIC_RELAXED);
		size_t span;

		if (size != 0 && jump_to != (pos | r->sub_mask) + 1) {
			jump_to = (pos | r->sub_mask) + 1;
			jumped = after(head, jump_to);
			if (jumped)
				jump_seq = __atomic_load_n(
					&((const struct percpu_ring_event *)_percpu_ring_at(
						  r, pc, jump_to))->seq,
					__ATOMIC_RELAXED);
		}
		/*
		 * Head left this sub-buffer: a writer jumped from the
		 * terminator that ends its events to the next one, with the
		 * sequence number read there.  A copy aborted before its
		 * commit may have left a header over that terminator, with
		 * that same number (the events before it have lower ones):
		 * it is a terminator, never an event.
		 */
		if (size != 0 && jumped &&
		    __atomic_load_n(&((const struct percpu_ring_event *)at)->seq,
				    __ATOMIC_RELAXED) == jump_seq)
			size = 0;
		if (size == 0) {	/* terminator: the rest of the sub-buffer is unused */
			pos = (pos | r->sub_mask) + 1;
			continue;
		}
		span = PERCPU_RING_SPAN(size - PERCPU_RING_HEADER);
		if (size < PERCPU_RING_HEADER || (pos & r->sub_mask) + span + PERCPU_RING_TERM > sub ||
		    after(pos + span, head))
			break;	/* overwritten under us: the caller's check fails */
		if (out + span > len) {
			if (out == 0) {
				*end = pos;
				return -ENOBUFS;
			}
			break;
		}
		memcpy(buf + out, at, span);
		/* The size we checked, not one that changed since. */
		((struct percpu_ring_event *)(buf + out))->size = size;
		out += span;
		pos += span;
	}
	*end = pos;
	return (ssize_t)out;
}

/* Count the sequence numbers the events in @buf skipped as overwritten. */
static void account(struct percpu_ring_consumer *c, const char *buf, size_t n)
{
	const struct percpu_ring_event *ev;
	size_t off = 0;

	while ((ev = percpu_ring_event_next(buf, n, &off)) != NULL) {
		c->lost_overwritten += (uint32_t)(ev->seq - c->next_seq);
		c->next_seq = ev->seq + 1;
	}
}

/*
 * @pc's head, or while a slow-path writer holds the ring (or died holding
 * it) the head its lock replaced: everything before it was committed, and
 * the holder writes only after it.  The acquire load of LOCKED orders the
 * load of locked_head after the holder's store of it (lib/slow.c).
 */
static intptr_t committed_head(struct percpu_ring_cpu *pc)
{
	intptr_t head = PERCPU_LOAD_ACQUIRE(&pc->head);

	if (head == PERCPU_RING_LOCKED)
		head = PERCPU_LOAD(&pc->locked_head);
	return head;
}

static ssize_t read_discard(struct percpu_ring *r, struct percpu_ring_cpu *pc,
			    struct percpu_ring_consumer *c, char *buf, size_t len)
{
	intptr_t head = committed_head(pc);
	uintptr_t end;
	ssize_t n;

	n = copy_events(r, pc, (uintptr_t)c->tail, (uintptr_t)head, buf, len, &end);
	if (n < 0)
		return n;
	account(c, buf, (size_t)n);
	/* Release: no writer reuses the bytes before our copy is done. */
	PERCPU_STORE_RELEASE(&c->tail, (intptr_t)end);
	return n;
}

static ssize_t read_overwrite(struct percpu_ring *r, struct percpu_ring_cpu *pc,
			      struct percpu_ring_consumer *c, char *buf, size_t len)
{
	/* Each retry starts in the newest safe sub-buffer: a few suffice. */
	for (int tries = 0; tries < 16; tries++) {
		/*
		 * A lock's holder writes, as any writer, in the sub-buffer of
		 * the head it replaced and the next one (and nobody else
		 * writes while it holds the lock): that head says what is safe.
		 */
		intptr_t head = committed_head(pc), head2;
		uintptr_t from = (uintptr_t)c->tail, lo, end;
		ssize_t n;

		lo = safe_start(r, (uintptr_t)head);
		if (after(lo, from))
			from = lo;
		n = copy_events(r, pc, from, (uintptr_t)head, buf, len, &end);
		/* Our loads of the events come before the check of head. */
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		head2 = committed_head(pc);
		if (after(safe_start(r, (uintptr_t)head2), from))
			continue;	/* a writer may have reached what we copied */
		if (n < 0)
			return n;
		account(c, buf, (size_t)n);
		PERCPU_STORE_RELEASE(&c->tail, (intptr_t)end);
		return n;
	}
	return 0;
}

ssize_t percpu_ring_read_cpu(struct percpu_ring *r, unsigned int cpu, void *buf, size_t len)
{
	struct percpu_ring_cpu *pc;
	int err = check_cpu(r, cpu);

	if (err)
		return err;
	if (!buf || ((uintptr_t)buf & 7))
		return -EINVAL;
	pc = _percpu_ring_cpu(r, cpu);
	if (r->flags & PERCPU_RING_OVERWRITE)
		return read_overwrite(r, pc, _percpu_ring_consumer(pc), buf, len);
	return read_discard(r, pc, _percpu_ring_consumer(pc), buf, len);
}

static uint64_t fill(const struct percpu_ring *r, unsigned int cpu)
{
	struct percpu_ring_cpu *pc = _percpu_ring_cpu(r, cpu);
	struct percpu_ring_consumer *c = _percpu_ring_consumer(pc);
	intptr_t head = committed_head(pc);
	uintptr_t from = (uintptr_t)PERCPU_LOAD(&c->tail), used;

	if ((r->flags & PERCPU_RING_OVERWRITE) && after(safe_start(r, (uintptr_t)head), from))
		from = safe_start(r, (uintptr_t)head);
	used = (uintptr_t)head - from;
	return used > r->mask + 1 ? 0 : used;	/* a stale head: nothing new */
}

ssize_t percpu_ring_fill_cpu(const struct percpu_ring *r, unsigned int cpu)
{
	int err = check_cpu(r, cpu);

	if (err)
		return err;
	return (ssize_t)fill(r, cpu);
}

int percpu_ring_lost_cpu(struct percpu_ring *r, unsigned int cpu, struct percpu_ring_lost *lost,
			 int reset)
{
	struct percpu_ring_consumer *c;
	struct percpu_ring_cpu *pc;
	uint64_t full;
	int err = check_cpu(r, cpu);

	if (err)
		return err;
	if (!lost)
		return -EINVAL;
	pc = _percpu_ring_cpu(r, cpu);
	c = _percpu_ring_consumer(pc);
	/* Word-sized counts: they wrap at 2^32 on 32-bit machines. */
	full = (uint64_t)(uintptr_t)PERCPU_LOAD(&pc->lost_full) +
	       (uint64_t)(uintptr_t)PERCPU_LOAD(&pc->lost_full_atomic);
	lost->full = full - c->base_full;
	lost->overwritten = c->lost_overwritten - c->base_overwritten;
	if (reset) {
		/* The counts are the writers': the reader keeps where it reset them. */
		c->base_full = full;
		c->base_overwritten = c->lost_overwritten;
	}
	return 0;
}

static int any_above(const struct percpu_ring *r, size_t watermark)
{
	for (unsigned int cpu = 0; cpu < r->mem.nr; cpu++)
		if (fill(r, cpu) >= watermark)
			return 1;
	return 0;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int percpu_ring_wait(struct percpu_ring *r, size_t watermark, int timeout_ms)
{
	struct percpu_ring_meta *meta;
	int64_t deadline;
	int ret;

	if (!ring_ok(r) || watermark == 0)
		return -EINVAL;
	meta = r->meta;
	deadline = timeout_ms < 0 ? INT64_MAX : now_ms() + timeout_ms;
	/* Above any ring's size: never reached, as documented for a large one. */
	__atomic_store_n(&meta->watermark,
			 watermark > PERCPU_RING_MAX_BYTES ? (uint32_t)PERCPU_RING_MAX_BYTES + 1 :
							     (uint32_t)watermark,
			 __ATOMIC_RELAXED);
	__atomic_fetch_add(&meta->waiting, 1, __ATOMIC_SEQ_CST);
	for (;;) {
		uint32_t v = __atomic_load_n(&meta->futex, __ATOMIC_ACQUIRE);
		int64_t left;
		struct timespec ts;

		/* Arm it (see percpu_ring_wake_slow()); other readers may have. */
		if (!(v & PERCPU_RING_FUTEX_ARMED) &&
		    !__atomic_compare_exchange_n(&meta->futex, &v, v | PERCPU_RING_FUTEX_ARMED, 0,
						 __ATOMIC_SEQ_CST, __ATOMIC_ACQUIRE))
			continue;
		v |= PERCPU_RING_FUTEX_ARMED;
		left = deadline - now_ms();

		/*
		 * Writers check `waiting` after their commit without a fence:
		 * one may miss our increment and not wake us, hence the
		 * bounded sleep.
		 */
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		if (any_above(r, watermark)) {
			ret = 1;
			break;
		}
		if (left <= 0) {
			ret = 0;
			break;
		}
		if (left > PERCPU_RING_WAIT_SLICE_MS)
			left = PERCPU_RING_WAIT_SLICE_MS;
		ts.tv_sec = 0;
		ts.tv_nsec = (long)left * 1000000;
		if (futex(&meta->futex, futex_op(r, FUTEX_WAIT), v, &ts) != 0 && errno == EINTR) {
			ret = -EINTR;
			break;
		}
	}
	__atomic_fetch_sub(&meta->waiting, 1, __ATOMIC_RELAXED);
	return ret;
}
