/* SPDX-License-Identifier: MIT */
/*
 * tests/t_malloc.c - no library call that an allocator's malloc can reach
 * may call malloc (issue 10): a malloc that calls into libpercpu and is
 * re-entered deadlocks or recurses.  This program replaces malloc, calloc,
 * realloc, free and the aligned allocators with forwarders to glibc's
 * __libc_* functions that count the calls a thread makes while it is
 * "inside libpercpu", and checks each kind of call:
 *   - the first library call of the process, and every structure's init;
 *   - the main thread's first operation, a new thread's first operation,
 *     and a new thread's first operation inside a signal handler;
 *   - fast paths, and slow paths (remote _cpu calls, sums; in the fallback
 *     modes every operation is a fallback path).
 * It creates 40 pthread keys before the library's constructor runs (the
 * program links the library statically, and a constructor of priority 101
 * runs before it), so that the library's key is past the 32 that glibc
 * keeps in the thread descriptor: pthread_setspecific of a later key
 * callocs a second-level block in each thread, as in a process where other
 * libraries made their keys first.
 *
 * Usage: t_malloc [libc|own|fallback|seccomp]
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>

#include <percpu/percpu.h>
#include "testutil.h"
#include "ringutil.h"

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define NO_INTERPOSE "the sanitizers replace malloc themselves"
#elif !defined(__GLIBC__)
#define NO_INTERPOSE "only glibc exports __libc_malloc and friends to forward to"
#endif

#ifndef NO_INTERPOSE
extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t n, size_t size);
extern void *__libc_realloc(void *p, size_t size);
extern void *__libc_memalign(size_t align, size_t size);
extern void __libc_free(void *p);
#endif

/* Set around every library call checked; initial-exec TLS of the program. */
static __thread int tls_inside;
static pthread_key_t keys[40];
static unsigned long bad_calls;
static const char *bad_what;
static size_t bad_size;
static void *bad_caller;

__attribute__((unused))
static void note(const char *what, size_t size, void *caller)
{
	if (!tls_inside)
		return;
	if (__atomic_fetch_add(&bad_calls, 1, __ATOMIC_RELAXED) == 0) {
		bad_what = what;
		bad_size = size;
		bad_caller = caller;
	}
}

#ifndef NO_INTERPOSE
void *malloc(size_t size)
{
	note("malloc", size, __builtin_return_address(0));
	return __libc_malloc(size);
}

void *calloc(size_t n, size_t size)
{
	note("calloc", n * size, __builtin_return_address(0));
	return __libc_calloc(n, size);
}

void *realloc(void *p, size_t size)
{
	note("realloc", size, __builtin_return_address(0));
	return __libc_realloc(p, size);
}

void free(void *p)
{
	note("free", 0, __builtin_return_address(0));
	__libc_free(p);
}

void *memalign(size_t align, size_t size)
{
	note("memalign", size, __builtin_return_address(0));
	return __libc_memalign(align, size);
}

void *aligned_alloc(size_t align, size_t size)
{
	note("aligned_alloc", size, __builtin_return_address(0));
	return __libc_memalign(align, size);
}

int posix_memalign(void **out, size_t align, size_t size)
{
	void *p;

	note("posix_memalign", size, __builtin_return_address(0));
	p = __libc_memalign(align, size);
	if (!p)
		return ENOMEM;
	*out = p;
	return 0;
}
#endif

/* What a watched region called. */
struct seen {
	unsigned long calls;
	const char *what;
	size_t size;
	void *caller;
};

static void enter(void)
{
	__atomic_store_n(&bad_calls, 0, __ATOMIC_RELAXED);
	tls_inside = 1;
}

static struct seen leave(void)
{
	tls_inside = 0;
	return (struct seen){ bad_calls, bad_what, bad_size, bad_caller };
}

/* What was called, from where (resolved now, outside the watched region). */
static const char *culprit(const struct seen *r, char *buf, size_t len)
{
	Dl_info info;

	if (r->calls == 0)
		return "none";
	if (dladdr(r->caller, &info) && info.dli_sname)
		snprintf(buf, len, "%lu calls, first %s(%zu) from %s+0x%lx", r->calls, r->what,
			 r->size, info.dli_sname,
			 (unsigned long)((char *)r->caller - (char *)info.dli_saddr));
	else
		snprintf(buf, len, "%lu calls, first %s(%zu) from %p", r->calls, r->what, r->size,
			 r->caller);
	return buf;
}

/* Check a region; @todo: why it is known to fail, or NULL. */
static void check(struct seen r, const char *todo, const char *what)
{
	char buf[256];

	if (todo)
		ok_todo(r.calls == 0, todo, "%s: no allocation (%s)", what,
			culprit(&r, buf, sizeof(buf)));
	else
		ok(r.calls == 0, "%s: no allocation (%s)", what, culprit(&r, buf, sizeof(buf)));
}

static struct percpu_counter counter;
static struct percpu_list list;
static struct percpu_buffer buffer, page_buffer;
static struct percpu_ring ring, odd_ring;
static struct percpu_list_node nodes[4];
static int items[4];

struct rec48 { uint64_t w[6]; };
struct rec52 { uint32_t w[13]; };

/* Every fast-path operation; each leaves the structures as it found them. */
static void fast_paths(void)
{
	struct rec48 r48 = { { 1 } };
	struct rec52 r52 = { { 2 } };

	_percpu_counter_add(&counter, 1);
	percpu_counter_add(&counter, -1);
	_percpu_list_push(&list, &nodes[0]);
	percpu_list_push(&list, &nodes[1]);
	_percpu_list_pop(&list);
	percpu_list_pop(&list);
	_percpu_buffer_push(&buffer, &items[0]);
	percpu_buffer_push(&buffer, &items[1]);
	_percpu_buffer_pop(&buffer);
	percpu_buffer_pop(&buffer);
	_percpu_ring_write(&ring, 1, &r48, sizeof(r48));
	percpu_ring_write(&ring, 1, &r48, sizeof(r48));
	percpu_ring_write(&odd_ring, 1, &r52, sizeof(r52));
}

/* Remote operations on every CPU, sums, reads, drains, reset. */
static void slow_paths(void)
{
	unsigned int nr = percpu_nr_cpus();
	struct rec48 r48;
	struct rec52 r52;
	void *out[4];
	int64_t v;
	struct percpu_ring_lost lost;

	percpu_ring_wait(&ring, 1, 0);
	for (unsigned int cpu = 0; cpu < nr; cpu++) {
		percpu_list_push_cpu(&list, &nodes[2], cpu);
		percpu_list_pop_cpu(&list, cpu);
		percpu_list_push_cpu(&list, &nodes[3], cpu);
		percpu_list_drain_cpu(&list, cpu);
		percpu_buffer_push_cpu(&buffer, &items[2], cpu);
		percpu_buffer_pop_cpu(&buffer, cpu);
		percpu_buffer_push_cpu(&buffer, &items[3], cpu);
		percpu_buffer_drain_cpu(&buffer, cpu, out, 4);
		percpu_counter_read_cpu(&counter, cpu, &v);
		while (ring_read_rec(&ring, cpu, &r48, sizeof(r48)) == 1)
			;
		while (ring_read_rec(&odd_ring, cpu, &r52, sizeof(r52)) == 1)
			;
		percpu_ring_lost_cpu(&ring, cpu, &lost, 1);
		percpu_ring_fill_cpu(&ring, cpu);
	}
	percpu_counter_sum(&counter, &v);
	percpu_counter_reset(&counter);
	percpu_current_cpu();
	percpu_rseq_mode();
}

static struct seen handler_seen;
static const char *own_todo;	/* set in mode own: thread set-up is known to allocate */

static void on_usr1(int sig)
{
	(void)sig;
	enter();
	_percpu_counter_add(&counter, 1);
	handler_seen = leave();
}

static void *new_thread(void *arg)
{
	(void)arg;
	struct seen r;

	(void)arg;
	enter();
	_percpu_counter_add(&counter, 1);
	r = leave();
	check(r, own_todo, "a new thread's first operation");
	enter();
	fast_paths();
	slow_paths();
	r = leave();
	check(r, NULL, "a new thread's fast and slow paths");
	return NULL;
}

static void *signal_thread(void *arg)
{
	(void)arg;
	/* The thread's very first library call is in the handler. */
	raise(SIGUSR1);
	check(handler_seen, own_todo, "a new thread's first operation, inside a signal handler");
	return NULL;
}

/* Before the library's constructor, which creates the library's key. */
__attribute__((constructor(101))) static void make_keys(void)
{
	for (int i = 0; i < 40; i++)
		pthread_key_create(&keys[i], NULL);
}

int main(int argc, char **argv)
{
	struct test_mode m = test_mode_env(argc, argv);
	struct seen self, first, main_first, r;
	pthread_t t;
	char *dup;

#ifdef NO_INTERPOSE
	skip_all("%s", NO_INTERPOSE);
#endif
	/* stdout's buffer, outside the watched regions. */
	printf("# t_malloc mode %s\n", m.name);

	/* The watch itself: an allocation libc makes internally is seen. */
	enter();
	dup = strdup("x");
	self = leave();
	free(dup);
	/* The first library calls of the process and of the main thread. */
	enter();
	percpu_counter_init(&counter, 0);
	first = leave();
	enter();
	_percpu_counter_add(&counter, 1);
	main_first = leave();

	test_mode_check(&m);
	plan(11);
	ok(self.calls > 0, "the interposed malloc sees libc's own calls (strdup: %lu)", self.calls);

	/* Fixed: the library uses its thread-exit key only below glibc's 32. */
	own_todo = NULL;
	check(first, NULL, "the process's first library call (percpu_counter_init)");

	enter();
	percpu_list_init(&list, 0);
	percpu_buffer_init(&buffer, 16, 0);
	/* 16 + 510 * 8 bytes: a page-multiple block, which hwloc used to place. */
	percpu_buffer_init(&page_buffer, 510, 0);
	percpu_ring_init(&ring, PERCPU_RING_MIN_BYTES, 0);
	percpu_ring_init(&odd_ring, PERCPU_RING_MIN_BYTES, 0);
	r = leave();
	check(r, NULL, "list, buffer (small and page-sized), ring (power of two and odd) init");

	check(main_first, own_todo, "the main thread's first operation");

	enter();
	fast_paths();
	r = leave();
	check(r, NULL, "fast paths of every structure");

	enter();
	slow_paths();
	r = leave();
	check(r, NULL, "remote operations, sums, reads and drains on every CPU");

	pthread_create(&t, NULL, new_thread, NULL);
	pthread_join(t, NULL);

	signal(SIGUSR1, on_usr1);
	pthread_create(&t, NULL, signal_thread, NULL);
	pthread_join(t, NULL);

	ok(percpu_rseq_mode() == m.mode, "the main thread ran in mode %s (%s)", m.name,
	   percpu_rseq_mode_name(percpu_rseq_mode()));

	enter();
	percpu_ring_destroy(&odd_ring);
	percpu_ring_destroy(&ring);
	percpu_buffer_destroy(&page_buffer);
	percpu_buffer_destroy(&buffer);
	percpu_list_destroy(&list);
	percpu_counter_destroy(&counter);
	r = leave();
	check(r, NULL, "destroy of every structure");
	for (int i = 0; i < 40; i++)
		pthread_key_delete(keys[i]);
	return exit_status();
}
