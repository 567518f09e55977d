/* SPDX-License-Identifier: MIT */
/*
 * lib/slab.c - per-CPU slabs (see percpu/slab.h): set-up, the exported
 * wrappers, the slow paths of the inline calls, and the operations on another
 * CPU, under the slow-path lock of lib/slow.c taken on one class header.
 *
 * The LOCKED value of the protocol is 0, which is also the header of a class
 * not yet set up on a CPU: only the holder of the slot's mutex writes 0, so a
 * thread that holds the mutex and reads 0 knows the class is not set up, and
 * sets it up.  No sequence ever writes 0 or compares equal to it (a real
 * header has current >= begin >= nr_classes + 1 > 0).
 */
#include "config.h"
#define PERCPU_LIB_BUILD 1

#include <errno.h>
#include <sched.h>
#include <string.h>

#include <percpu/slab.h>
#include "internal.h"

#define SLAB_LOCKED	((intptr_t)0)

static int slab_ok(const struct percpu_slab *s)
{
	return s && s->magic == PERCPU_SLAB_MAGIC && s->mem.base;
}

static int class_ok(const struct percpu_slab *s, unsigned int cls)
{
	return slab_ok(s) && cls < s->nr_classes;
}

int percpu_slab_init(struct percpu_slab *s, unsigned int nr_classes,
		     const uint16_t *max_capacity, const uint16_t *capacity, unsigned int flags)
{
	size_t units;
	unsigned int c, shift;
	int err;

	if (!s || !max_capacity || nr_classes == 0 || nr_classes > PERCPU_SLAB_MAX_CLASSES ||
	    (flags & ~PERCPU_MM_CID))
		return -EINVAL;
	units = nr_classes + 1;
	for (c = 0; c < nr_classes; c++) {
		if (capacity && capacity[c] > max_capacity[c])
			return -EINVAL;
		units += max_capacity[c];
	}
	if (units > PERCPU_SLAB_MAX_UNITS)
		return -EINVAL;
	PERCPU_READ_ANYWAY(s, sizeof(*s));
	if (percpu_looks_live(s->magic, PERCPU_SLAB_MAGIC, s->mem.base, s->mem.nr,
			      percpu_nr_cpus()))
		return -EBUSY;
	/*
	 * A power of two per slot, so the fast path finds its slot with a
	 * shift rather than a multiply (the pages past what a slot uses are
	 * never touched, so they cost address space only).
	 */
	for (shift = 8; ((size_t)1 << shift) < units * sizeof(intptr_t); shift++)
		;
	if (!percpu_size_fits(0, (size_t)1 << shift, 1, percpu_nr_cpus(), SIZE_MAX))
		return -EINVAL;
	/* The mutex sits right after the headers (int16_t offset: at most 2 KiB). */
	err = percpu_mem_setup(&s->mem, (size_t)1 << shift, flags,
			       (int)(nr_classes * sizeof(intptr_t)));
	if (err)
		return err;
	if (s->mem.stride != (size_t)1 << shift) {
		/* A cache line above the slot: cannot happen (both powers of two). */
		percpu_mem_destroy(&s->mem);
		return -EINVAL;
	}
	/* mmap gives page-aligned memory: the low bits are free for the flags. */
	if ((uintptr_t)s->mem.base & PERCPU_SLAB_FAST_BITS) {
		percpu_mem_destroy(&s->mem);
		return -EINVAL;
	}
	s->stride_shift = shift;
	s->fast = (uintptr_t)s->mem.base | shift |
		  (s->mem.index == PERCPU_INDEX_MM_CID ? PERCPU_SLAB_FAST_MM_CID : 0) |
		  (percpu_arch_wide_copy_ok() ? PERCPU_SLAB_FAST_WIDE : 0);
	s->nr_classes = nr_classes;
	s->begin[0] = (uint16_t)(nr_classes + 1);
	for (c = 0; c < nr_classes; c++) {
		s->begin[c + 1] = (uint16_t)(s->begin[c] + max_capacity[c]);
		s->init_capacity[c] = capacity ? capacity[c] : max_capacity[c];
	}
	s->magic = PERCPU_SLAB_MAGIC;
	return 0;
}

int percpu_slab_destroy(struct percpu_slab *s)
{
	if (!slab_ok(s))
		return -EINVAL;
	percpu_mem_destroy(&s->mem);
	memset(s, 0, sizeof(*s));
	return 0;
}

/*
 * One operation, in one place for the sequence and for the locked path: a
 * push or pop of n pointers (single calls are batches of one), or a local
 * capacity move.
 */
enum slab_op { OP_PUSH, OP_POP, OP_GROW, OP_SHRINK };

struct slab_req {
	enum slab_op op;
	unsigned int cls;
	void **ptrs;		/* OP_PUSH: source, OP_POP: destination */
	size_t n;
};

/* The header of a class not yet set up: empty, with its initial capacity. */
static intptr_t initial_hdr(const struct percpu_slab *s, unsigned int cls)
{
	unsigned int b = s->begin[cls];

	return _percpu_slab_hdr(b, b + s->init_capacity[cls]);
}

/*
 * What @r does to header @hdr: the new header, and in *@k how many pointers
 * (or capacity units) move.  Pure: nothing is written.
 */
static intptr_t plan(const struct percpu_slab *s, const struct slab_req *r, intptr_t hdr,
		     size_t *k)
{
	unsigned int cur = _percpu_slab_cur(hdr), end = _percpu_slab_end(hdr);
	unsigned int begin = s->begin[r->cls], max = s->begin[r->cls + 1];
	size_t room;

	switch (r->op) {
	case OP_PUSH:
		room = end - cur;
		*k = r->n < room ? r->n : room;
		return _percpu_slab_hdr(cur + (unsigned int)*k, end);
	case OP_POP:
		room = cur - begin;
		*k = r->n < room ? r->n : room;
		return _percpu_slab_hdr(cur - (unsigned int)*k, end);
	case OP_GROW:
		room = max - end;
		*k = r->n < room ? r->n : room;
		return _percpu_slab_hdr(cur, end + (unsigned int)*k);
	case OP_SHRINK:
	default:
		room = end - cur;
		*k = r->n < room ? r->n : room;
		return _percpu_slab_hdr(cur, end - (unsigned int)*k);
	}
}

/* @r under the lock of its class on slot @slot, whose header was @hdr; unlocks. */
static size_t run_locked(struct percpu_slab *s, struct percpu_slow *sl, unsigned int slot,
			 const struct slab_req *r, intptr_t hdr)
{
	intptr_t *words = _percpu_slab_slot(s, slot);
	intptr_t newh;
	size_t k;

	if (hdr == SLAB_LOCKED)
		hdr = initial_hdr(s, r->cls);
	newh = plan(s, r, hdr, &k);
	if (r->op == OP_PUSH) {
		for (size_t i = 0; i < k; i++) {
			PERCPU_TSAN_RELEASE(r->ptrs[i]);
			PERCPU_STORE(&words[_percpu_slab_cur(hdr) + i], (intptr_t)r->ptrs[i]);
		}
	} else if (r->op == OP_POP) {
		for (size_t i = 0; i < k; i++)
			r->ptrs[i] = PERCPU_TSAN_ACQUIRE((void *)PERCPU_LOAD(
					&words[_percpu_slab_cur(newh) + i]));
	}
	percpu_slow_unlock(sl, newh);
	return k;
}

/*
 * One try of @r as a restartable sequence on the slot of index @id.
 * Return: a PERCPU_SEQ_* result, with *@k moved when committed.  When
 * nothing can move (full, empty, at the limit) the sequence commits the
 * header unchanged, which confirms it on the CPU the thread runs on.
 */
static int try_seq(struct percpu_slab *s, struct percpu_rseq_abi *rs, uint32_t id,
		   const uint32_t *idp, const struct slab_req *r, intptr_t hdr, size_t *k)
{
	intptr_t *words = _percpu_slab_slot(s, id);
	intptr_t *v = &words[r->cls];
	intptr_t newh = plan(s, r, hdr, k);
	unsigned int cur = _percpu_slab_cur(hdr);

	if (*k == 0 || r->op == OP_GROW || r->op == OP_SHRINK)
		return percpu_arch_cmpeqv_storev(rs, v, hdr, newh, id, idp);
	if (r->op == OP_PUSH) {
		for (size_t i = 0; i < *k; i++)
			PERCPU_TSAN_RELEASE(r->ptrs[i]);
		return percpu_arch_cmpeqv_trymemcpy_storev_release(rs, v, hdr, &words[cur], r->ptrs,
								   *k * sizeof(intptr_t), newh,
								   id, idp);
	}
	return percpu_arch_cmpeqv_trymemcpy_storev(rs, v, hdr, r->ptrs,
						   &words[_percpu_slab_cur(newh)],
						   *k * sizeof(intptr_t), newh, id, idp);
}

/*
 * The slow path of every local operation.  A thread with rseq retries the
 * sequence (after an abort, or to confirm full/empty on the CPU it runs on);
 * a header of 0 (not set up, or held) sends it to the class's lock, which
 * waits for the holder, sets the class up if needed, and does the operation
 * there.  A thread without rseq always takes the lock of its CPU's slot.
 * Return: how many moved, or -EAGAIN in a signal handler that interrupted
 * a slow path of its own thread when the slot it needs is busy (nested slow
 * paths never wait: lib/slow.c).
 */
static ssize_t slab_slow(struct percpu_slab *s, const struct slab_req *r)
{
	size_t off = r->cls * sizeof(intptr_t);

	for (;;) {
		struct percpu_rseq_abi *rs = percpu_slow_area();
		struct percpu_slow sl;
		const uint32_t *idp;
		uint32_t id;
		intptr_t hdr;
		size_t k;

		if (!rs) {
			unsigned int slot;

			if (percpu_slow_lock_local_at(&sl, &s->mem, off, SLAB_LOCKED, &hdr, &slot))
				return -EAGAIN;
			return (ssize_t)run_locked(s, &sl, slot, r, hdr);
		}
		if (!_percpu_mem_index(&s->mem, rs, &id, &idp))
			continue;
		hdr = PERCPU_LOAD(&_percpu_slab_slot(s, id)[r->cls]);
		if (hdr == SLAB_LOCKED) {
			int err = percpu_slow_lock_at(&sl, &s->mem, id, off, SLAB_LOCKED, &hdr);

			if (err == -EAGAIN)
				return err;
			/* -EPERM: pinned mode, and we moved off that CPU: retry. */
			if (err)
				continue;
			return (ssize_t)run_locked(s, &sl, id, r, hdr);
		}
		if (try_seq(s, rs, id, idp, r, hdr, &k) == PERCPU_SEQ_COMMITTED)
			return (ssize_t)k;
	}
}

int percpu_slab_push_slow(struct percpu_slab *s, unsigned int cls, void *ptr)
{
	struct slab_req r = { OP_PUSH, cls, &ptr, 1 };
	ssize_t n = slab_slow(s, &r);

	return n == 1 ? 0 : n == 0 ? -ENOSPC : (int)n;
}

void *percpu_slab_pop_slow(struct percpu_slab *s, unsigned int cls)
{
	void *ptr = NULL;
	struct slab_req r = { OP_POP, cls, &ptr, 1 };

	return slab_slow(s, &r) == 1 ? ptr : NULL;
}

ssize_t percpu_slab_push_batch_slow(struct percpu_slab *s, unsigned int cls, void *const *ptrs,
				    size_t n)
{
	/* Only read: the cast drops const for the shared request type. */
	struct slab_req r = { OP_PUSH, cls, (void **)(uintptr_t)ptrs, n };

	return slab_slow(s, &r);
}

ssize_t percpu_slab_pop_batch_slow(struct percpu_slab *s, unsigned int cls, void **out, size_t n)
{
	struct slab_req r = { OP_POP, cls, out, n };

	return slab_slow(s, &r);
}

int percpu_slab_push(struct percpu_slab *s, unsigned int cls, void *ptr)
{
	if (PERCPU_UNLIKELY(!class_ok(s, cls) || !ptr))
		return -EINVAL;
	return _percpu_slab_push(s, cls, ptr);
}

void *percpu_slab_pop(struct percpu_slab *s, unsigned int cls)
{
	if (PERCPU_UNLIKELY(!class_ok(s, cls))) {
		errno = EINVAL;
		return NULL;
	}
	return _percpu_slab_pop(s, cls);
}

static int batch_ok(const struct percpu_slab *s, unsigned int cls, const void *ptrs, size_t n)
{
	return class_ok(s, cls) && (ptrs || n == 0) && n <= PERCPU_SLAB_MAX_UNITS;
}

ssize_t percpu_slab_push_batch(struct percpu_slab *s, unsigned int cls, void *const *ptrs,
			       size_t n)
{
	if (PERCPU_UNLIKELY(!batch_ok(s, cls, ptrs, n)))
		return -EINVAL;
	if (n == 0)
		return 0;
	return (ssize_t)_percpu_slab_push_batch(s, cls, ptrs, n);
}

ssize_t percpu_slab_pop_batch(struct percpu_slab *s, unsigned int cls, void **out, size_t n)
{
	if (PERCPU_UNLIKELY(!batch_ok(s, cls, out, n)))
		return -EINVAL;
	if (n == 0)
		return 0;
	return (ssize_t)_percpu_slab_pop_batch(s, cls, out, n);
}

ssize_t percpu_slab_grow(struct percpu_slab *s, unsigned int cls, size_t n)
{
	struct slab_req r = { OP_GROW, cls, NULL, n };

	if (!class_ok(s, cls))
		return -EINVAL;
	return slab_slow(s, &r);
}

ssize_t percpu_slab_shrink(struct percpu_slab *s, unsigned int cls, size_t n)
{
	struct slab_req r = { OP_SHRINK, cls, NULL, n };

	if (!class_ok(s, cls))
		return -EINVAL;
	return slab_slow(s, &r);
}

static int check_cpu(const struct percpu_slab *s, unsigned int cpu, unsigned int cls)
{
	if (!class_ok(s, cls))
		return -EINVAL;
	if (cpu >= s->mem.nr)
		return -ERANGE;
	return 0;
}

ssize_t percpu_slab_grow_cpu(struct percpu_slab *s, unsigned int cpu, unsigned int cls,
			     size_t n)
{
	struct slab_req r = { OP_GROW, cls, NULL, n };
	struct percpu_slow sl;
	intptr_t hdr;
	int err = check_cpu(s, cpu, cls);

	if (!err)
		err = percpu_slow_lock_at(&sl, &s->mem, cpu, cls * sizeof(intptr_t), SLAB_LOCKED,
					  &hdr);
	if (err)
		return err;
	return (ssize_t)run_locked(s, &sl, cpu, &r, hdr);
}

ssize_t percpu_slab_shrink_cpu(struct percpu_slab *s, unsigned int cpu, unsigned int cls,
			       size_t n, percpu_slab_handler_t handler, void *arg)
{
	struct percpu_slow sl;
	intptr_t hdr, *words;
	unsigned int cur, end, begin, new_end;
	int err = check_cpu(s, cpu, cls);

	if (!err)
		err = percpu_slow_lock_at(&sl, &s->mem, cpu, cls * sizeof(intptr_t), SLAB_LOCKED,
					  &hdr);
	if (err)
		return err;
	if (hdr == SLAB_LOCKED)
		hdr = initial_hdr(s, cls);
	words = _percpu_slab_slot(s, cpu);
	cur = _percpu_slab_cur(hdr);
	end = _percpu_slab_end(hdr);
	begin = s->begin[cls];
	new_end = end - begin < n ? begin : end - (unsigned int)n;
	if (cur > new_end) {
		if (!handler) {
			percpu_slow_unlock(&sl, hdr);
			return -EINVAL;
		}
		handler(arg, cls, (void **)&words[new_end], cur - new_end);
		cur = new_end;
	}
	percpu_slow_unlock(&sl, _percpu_slab_hdr(cur, new_end));
	return (ssize_t)(end - new_end);
}

/* Drain one class of @cpu; return how many were handed over, or -errno. */
static ssize_t drain_class(struct percpu_slab *s, unsigned int cpu, unsigned int cls,
			   percpu_slab_handler_t handler, void *arg)
{
	intptr_t *words = _percpu_slab_slot(s, cpu);
	intptr_t hdr = PERCPU_LOAD(&words[cls]);
	unsigned int cur, begin = s->begin[cls];
	struct percpu_slow sl;
	int err;

	/*
	 * Empty now: nothing to take (a push from here on comes after the
	 * drain).  A header of 0 may be a holder's: take the lock to see.
	 */
	if (hdr != SLAB_LOCKED && _percpu_slab_cur(hdr) == begin)
		return 0;
	err = percpu_slow_lock_at(&sl, &s->mem, cpu, cls * sizeof(intptr_t), SLAB_LOCKED, &hdr);
	if (err)
		return err;
	if (hdr == SLAB_LOCKED || (cur = _percpu_slab_cur(hdr)) == begin) {
		percpu_slow_unlock(&sl, hdr);
		return 0;
	}
	handler(arg, cls, (void **)&words[begin], cur - begin);
	percpu_slow_unlock(&sl, _percpu_slab_hdr(begin, _percpu_slab_end(hdr)));
	return (ssize_t)(cur - begin);
}

ssize_t percpu_slab_drain_cpu(struct percpu_slab *s, unsigned int cpu, unsigned int cls,
			      percpu_slab_handler_t handler, void *arg)
{
	unsigned int c, lo = cls, hi = cls + 1;
	ssize_t total = 0;

	if (!slab_ok(s) || !handler || (cls != PERCPU_SLAB_ALL_CLASSES && cls >= s->nr_classes))
		return -EINVAL;
	if (cpu >= s->mem.nr)
		return -ERANGE;
	if (cls == PERCPU_SLAB_ALL_CLASSES) {
		lo = 0;
		hi = s->nr_classes;
	}
	for (c = lo; c < hi; c++) {
		ssize_t got = drain_class(s, cpu, c, handler, arg);

		if (got < 0)
			return total ? total : got;
		total += got;
	}
	return total;
}

ssize_t percpu_slab_length_cpu(const struct percpu_slab *s, unsigned int cpu, unsigned int cls)
{
	intptr_t hdr;
	int err = check_cpu(s, cpu, cls);

	if (err)
		return err;
	hdr = PERCPU_LOAD(&_percpu_slab_slot(s, cpu)[cls]);
	return hdr == SLAB_LOCKED ? 0 : (ssize_t)(_percpu_slab_cur(hdr) - s->begin[cls]);
}

ssize_t percpu_slab_capacity_cpu(const struct percpu_slab *s, unsigned int cpu,
				 unsigned int cls)
{
	intptr_t hdr;
	int err = check_cpu(s, cpu, cls);

	if (err)
		return err;
	hdr = PERCPU_LOAD(&_percpu_slab_slot(s, cpu)[cls]);
	if (hdr == SLAB_LOCKED)
		return s->init_capacity[cls];
	return (ssize_t)(_percpu_slab_end(hdr) - s->begin[cls]);
}
