/* SPDX-License-Identifier: MIT */
/*
 * examples/malloc/malloc.c - a small complete malloc on libpercpu's public
 * API, usable with LD_PRELOAD:
 *
 *   front end   a per-CPU slab (percpu/slab.h): one stack of free objects per
 *               size class and CPU; malloc pops, free pushes, each one
 *               restartable sequence with no atomic instruction;
 *   back end    per class, a locked central free list, refilled from spans
 *               of SPAN bytes carved out of one reserved address range;
 *               the slab moves objects to and from it in batches;
 *   large       above the biggest class (and alignments above 16), straight
 *               from mmap, with a header just before the object.
 *
 * Small objects are told apart from large ones by their address (inside the
 * reserved range or not); a span's class is in its header, at the span's
 * SPAN-aligned start.  Nothing is returned to the kernel: the point is the
 * front end.  fork() is safe: the central locks are taken around it
 * (pthread_atfork), and libpercpu's own handlers take care of the slab.
 *
 * Until the slab is set up (the first malloc sets it up; calls made while it
 * does, from the same thread, and calls in a process where it cannot be set
 * up) every object goes through the central lists directly.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#include <percpu/slab.h>

#define EXPORT		__attribute__((visibility("default")))
#define ALIGN		16
#define SPAN		((size_t)64 << 10)	/* one class's objects; SPAN aligned */
#define SPAN_HDR	64			/* header at the start of a span */
#define ARENA		((size_t)64 << 30)	/* reserved for spans (64 GiB) */
#define GROW		((size_t)4 << 20)	/* made accessible at a time */
#define LARGE_HDR	16
#define MAX_CLASSES	48
#define BATCH		32

struct span_hdr {
	uint32_t cls;
};

/* One class's central free list (linked through each object's first word). */
struct central {
	int lock;
	void *free;
	char *bump, *bump_end;	/* the span being carved */
} __attribute__((aligned(64)));

static size_t class_size[MAX_CLASSES];
static unsigned int nr_classes;
static unsigned char small_class[1024 / ALIGN + 1];	/* size <= 1 KiB -> class */
static struct central central[MAX_CLASSES];
static char *arena, *arena_top, *arena_end;
static int arena_lock;
static struct percpu_slab slab;
/* 0: nothing done, 1: being set up, 2: slab ready, 3: no slab (central only). */
static int state;
/*
 * Set while this thread sets up: a malloc it makes meanwhile (pthread_atfork
 * may allocate) must not wait for itself.  Initial-exec: no allocation on
 * first access, as any TLS an allocator touches must be.
 */
static __thread int in_setup __attribute__((tls_model("initial-exec")));

static void lock(int *l)
{
	unsigned int spins = 0;

	while (__atomic_exchange_n(l, 1, __ATOMIC_ACQUIRE)) {
		while (__atomic_load_n(l, __ATOMIC_RELAXED))
			if (++spins % 64 == 0)
				sched_yield();
	}
}

static void unlock(int *l)
{
	__atomic_store_n(l, 0, __ATOMIC_RELEASE);
}

/* Classes: 16-byte steps to 256, then 4 per doubling up to 8 KiB. */
static void setup_classes(void)
{
	size_t sz;
	unsigned int c = 0;

	for (sz = ALIGN; sz <= 256; sz += ALIGN)
		class_size[c++] = sz;
	for (size_t base = 256; base < 8192; base *= 2)
		for (int q = 1; q <= 4; q++)
			class_size[c++] = base + base / 4 * q;
	nr_classes = c;
	for (size_t i = 0, k = 0; i <= 1024 / ALIGN; i++) {
		while (class_size[k] < i * ALIGN)
			k++;
		small_class[i] = (unsigned char)k;
	}
}

static unsigned int size_class(size_t size)
{
	unsigned int c;

	if (size <= 1024)
		return small_class[(size + ALIGN - 1) / ALIGN];
	for (c = small_class[1024 / ALIGN]; class_size[c] < size; c++)
		;
	return c;
}

static size_t max_small(void)
{
	return class_size[nr_classes - 1];
}

/* A fresh span for class @c (under its central lock).  0 or -1 (no memory). */
static int new_span(struct central *ce, unsigned int c)
{
	char *s;

	lock(&arena_lock);
	if (arena_top + SPAN > arena_end) {
		char *end = arena_end + GROW;

		if (end > arena + ARENA ||
		    mprotect(arena_end, GROW, PROT_READ | PROT_WRITE) != 0) {
			unlock(&arena_lock);
			return -1;
		}
		arena_end = end;
	}
	s = arena_top;
	arena_top += SPAN;
	unlock(&arena_lock);
	((struct span_hdr *)s)->cls = c;
	ce->bump = s + SPAN_HDR;
	ce->bump_end = s + SPAN - class_size[c] + 1;
	return 0;
}

/* Take up to @n objects of class @c from the central list; return how many. */
static size_t central_get(unsigned int c, void **out, size_t n)
{
	struct central *ce = &central[c];
	size_t k = 0;

	lock(&ce->lock);
	while (k < n && ce->free) {
		out[k++] = ce->free;
		ce->free = *(void **)ce->free;
	}
	while (k < n) {
		if (ce->bump >= ce->bump_end && new_span(ce, c) != 0)
			break;
		out[k++] = ce->bump;
		ce->bump += class_size[c];
	}
	unlock(&ce->lock);
	return k;
}

static void central_put(unsigned int c, void *const *ptrs, size_t n)
{
	struct central *ce = &central[c];

	if (n == 0)
		return;
	/* Link them first, outside the lock. */
	for (size_t i = 0; i + 1 < n; i++)
		*(void **)ptrs[i] = ptrs[i + 1];
	lock(&ce->lock);
	*(void **)ptrs[n - 1] = ce->free;
	ce->free = ptrs[0];
	unlock(&ce->lock);
}

static void atfork_prepare(void)
{
	for (unsigned int c = 0; c < nr_classes; c++)
		lock(&central[c].lock);
	lock(&arena_lock);
}

static void atfork_release(void)
{
	unlock(&arena_lock);
	for (unsigned int c = nr_classes; c-- > 0;)
		unlock(&central[c].lock);
}

static void setup(void)
{
	uint16_t maxc[MAX_CLASSES];
	int expect = 0;
	void *a;

	if (in_setup)
		return;
	if (!__atomic_compare_exchange_n(&state, &expect, 1, 0, __ATOMIC_ACQ_REL,
					 __ATOMIC_ACQUIRE)) {
		/* Another thread sets up: wait, unless it is us (re-entered). */
		while (expect == 1) {
			sched_yield();
			expect = __atomic_load_n(&state, __ATOMIC_ACQUIRE);
		}
		return;
	}
	in_setup = 1;
	setup_classes();
	/* Reserved only: made accessible GROW bytes at a time. */
	a = mmap(NULL, ARENA + SPAN, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
		 -1, 0);
	if (a == MAP_FAILED) {
		__atomic_store_n(&state, 3, __ATOMIC_RELEASE);
		in_setup = 0;
		return;
	}
	arena = (char *)(((uintptr_t)a + SPAN - 1) & ~(uintptr_t)(SPAN - 1));
	arena_top = arena_end = arena;
	/* Cache about 32 KiB per class and CPU, 16 to 256 objects. */
	for (unsigned int c = 0; c < nr_classes; c++) {
		size_t n = ((size_t)32 << 10) / class_size[c];

		maxc[c] = (uint16_t)(n < 16 ? 16 : n > 256 ? 256 : n);
	}
	pthread_atfork(atfork_prepare, atfork_release, atfork_release);
	__atomic_store_n(&state, percpu_slab_init(&slab, nr_classes, maxc, NULL, 0) == 0 ? 2 : 3,
			 __ATOMIC_RELEASE);
	in_setup = 0;
}

static int is_small(const void *p)
{
	return arena && (const char *)p >= arena && (const char *)p < arena + ARENA;
}

static unsigned int class_of(const void *p)
{
	return ((const struct span_hdr *)((uintptr_t)p & ~(uintptr_t)(SPAN - 1)))->cls;
}

/* Slab empty: take a batch from the central list, keep the rest in the slab. */
static void *refill(unsigned int c)
{
	void *batch[BATCH];
	size_t want = class_size[c] <= 1024 ? BATCH : BATCH / 4;
	size_t n = central_get(c, batch, want);

	if (n == 0)
		return NULL;
	if (n > 1 && __atomic_load_n(&state, __ATOMIC_ACQUIRE) == 2) {
		ssize_t got = percpu_slab_push_batch(&slab, c, batch + 1, n - 1);
		size_t in = got > 0 ? (size_t)got : 0;

		central_put(c, batch + 1 + in, n - 1 - in);
	} else if (n > 1) {
		central_put(c, batch + 1, n - 1);
	}
	return batch[0];
}

/* Slab full: move @p and a batch of the slab's objects to the central list. */
static void flush(unsigned int c, void *p)
{
	void *batch[BATCH + 1];
	ssize_t n = percpu_slab_pop_batch(&slab, c, batch, BATCH / 2);

	if (n < 0)
		n = 0;
	batch[n] = p;
	central_put(c, batch, (size_t)n + 1);
}

static void *large_alloc(size_t size, size_t align)
{
	size_t page = 4096, len;
	char *base, *p;

	if (align < ALIGN)
		align = ALIGN;
	if (size > SIZE_MAX / 2 || align > SIZE_MAX / 4) {
		errno = ENOMEM;
		return NULL;
	}
	len = (size + LARGE_HDR + align + page - 1) & ~(page - 1);
	base = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (base == MAP_FAILED) {
		errno = ENOMEM;
		return NULL;
	}
	p = (char *)(((uintptr_t)base + LARGE_HDR + align - 1) & ~(uintptr_t)(align - 1));
	((size_t *)p)[-2] = (size_t)base;
	((size_t *)p)[-1] = len;
	return p;
}

static size_t large_usable(const void *p)
{
	const size_t *h = (const size_t *)p - 2;

	return h[0] + h[1] - (size_t)p;
}

EXPORT void *malloc(size_t size)
{
	unsigned int c;
	void *p;
	int st = __atomic_load_n(&state, __ATOMIC_ACQUIRE);

	if (PERCPU_UNLIKELY(st < 2)) {
		setup();
		st = __atomic_load_n(&state, __ATOMIC_ACQUIRE);
	}
	/* No arena (re-entered before it was mapped, or it could not be). */
	if (PERCPU_UNLIKELY(!arena) || size > max_small())
		return large_alloc(size, ALIGN);
	c = size_class(size);
	if (st == 2) {
		p = _percpu_slab_pop(&slab, c);
		if (p)
			return p;
	}
	p = refill(c);
	if (!p)
		errno = ENOMEM;
	return p;
}

EXPORT void free(void *p)
{
	unsigned int c;

	if (!p)
		return;
	if (!is_small(p)) {
		const size_t *h = (const size_t *)p - 2;

		munmap((void *)h[0], h[1]);
		return;
	}
	c = class_of(p);
	if (__atomic_load_n(&state, __ATOMIC_ACQUIRE) == 2) {
		if (PERCPU_LIKELY(_percpu_slab_push(&slab, c, p) == 0))
			return;
		flush(c, p);
		return;
	}
	central_put(c, &p, 1);
}

static size_t usable(const void *p)
{
	return is_small(p) ? class_size[class_of(p)] : large_usable(p);
}

EXPORT void *calloc(size_t n, size_t size)
{
	size_t total;
	void *p;

	if (__builtin_mul_overflow(n, size, &total)) {
		errno = ENOMEM;
		return NULL;
	}
	p = malloc(total);
	/* Fresh large mappings are zero already. */
	if (p && is_small(p))
		memset(p, 0, total);
	return p;
}

EXPORT void *realloc(void *old, size_t size)
{
	size_t have;
	void *p;

	if (!old)
		return malloc(size);
	if (size == 0) {
		free(old);
		return NULL;
	}
	have = usable(old);
	/* Keep it if it fits and is not much too big. */
	if (size <= have && (size > have / 2 || have <= 32))
		return old;
	p = malloc(size);
	if (!p)
		return NULL;
	memcpy(p, old, size < have ? size : have);
	free(old);
	return p;
}

EXPORT void *reallocarray(void *old, size_t n, size_t size)
{
	size_t total;

	if (__builtin_mul_overflow(n, size, &total)) {
		errno = ENOMEM;
		return NULL;
	}
	return realloc(old, total);
}

static void *aligned(size_t align, size_t size)
{
	if (align <= ALIGN)
		return malloc(size);
	return large_alloc(size, align);
}

EXPORT int posix_memalign(void **out, size_t align, size_t size)
{
	void *p;

	if (align < sizeof(void *) || (align & (align - 1)) != 0)
		return EINVAL;
	p = aligned(align, size);
	if (!p)
		return ENOMEM;
	*out = p;
	return 0;
}

EXPORT void *aligned_alloc(size_t align, size_t size)
{
	if (align == 0 || (align & (align - 1)) != 0) {
		errno = EINVAL;
		return NULL;
	}
	return aligned(align, size);
}

EXPORT void *memalign(size_t align, size_t size)
{
	return aligned_alloc(align, size);
}

EXPORT void *valloc(size_t size)
{
	return aligned(4096, size);
}

EXPORT void *pvalloc(size_t size)
{
	return aligned(4096, (size + 4095) & ~(size_t)4095);
}

EXPORT size_t malloc_usable_size(void *p)
{
	return p ? usable(p) : 0;
}
