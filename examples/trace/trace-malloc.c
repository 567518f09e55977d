/* SPDX-License-Identifier: MIT */
/*
 * examples/trace/trace-malloc.c - a tracer to preload: every malloc, free,
 * calloc and realloc of the program, with its thread id, arguments and
 * result, as an event in per-CPU rings in shared memory.  Built only on
 * libpercpu's public API (percpu/ring.h, percpu/counter.h).
 *
 * Started by percpu-trace (see trace.h), which drains the rings while the
 * program runs.  Without PERCPU_TRACE_SOCK in the environment it does
 * nothing but call glibc's allocator: children of the traced program, which
 * inherit LD_PRELOAD, are not traced.
 *
 * The calls go to glibc's __libc_malloc and friends: dlsym(RTLD_NEXT) may
 * itself allocate, and the tracer must not recurse into itself.  libpercpu
 * never calls malloc, so writing an event from inside malloc is safe.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include <percpu/counter.h>
#include <percpu/ring.h>
#include "trace.h"

extern void *__libc_malloc(size_t size);
extern void __libc_free(void *ptr);
extern void *__libc_calloc(size_t n, size_t size);
extern void *__libc_realloc(void *ptr, size_t size);

static struct percpu_ring ring;
static struct percpu_counter attempted, refused;
static int active, sock = -1;
/* initial-exec: no lazy TLS allocation from inside malloc. */
static __thread uint32_t tls_tid __attribute__((tls_model("initial-exec")));

static void emit(unsigned int type, uint64_t a, uint64_t b, uint64_t c)
{
	struct trace_payload p;
	int ret;

	if (!__atomic_load_n(&active, __ATOMIC_ACQUIRE))
		return;
	if (!tls_tid)
		tls_tid = (uint32_t)syscall(SYS_gettid);
	p.tid = tls_tid;
	p.args[0] = a;
	p.args[1] = b;
	p.args[2] = c;
	p.check = trace_check(type, &p);
	ret = _percpu_ring_write(&ring, type, &p,
				 offsetof(struct trace_payload, args) + 8 * trace_nargs[type]);
	_percpu_counter_inc(&attempted);
	if (ret == -ENOSPC)
		_percpu_counter_inc(&refused);
}

void *malloc(size_t size)
{
	void *r = __libc_malloc(size);

	emit(TRACE_MALLOC, size, (uintptr_t)r, 0);
	return r;
}

void free(void *ptr)
{
	emit(TRACE_FREE, (uintptr_t)ptr, 0, 0);
	__libc_free(ptr);
}

void *calloc(size_t n, size_t size)
{
	void *r = __libc_calloc(n, size);

	emit(TRACE_CALLOC, (uint64_t)n * size, (uintptr_t)r, 0);
	return r;
}

void *realloc(void *ptr, size_t size)
{
	void *r = __libc_realloc(ptr, size);

	emit(TRACE_REALLOC, (uintptr_t)ptr, size, (uintptr_t)r);
	return r;
}

/* Send the memfd over the socket with SCM_RIGHTS. */
static int send_fd(int s, int fd)
{
	char byte = 'R';
	struct iovec iov = { &byte, 1 };
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} u;
	struct msghdr msg;
	struct cmsghdr *c;

	memset(&msg, 0, sizeof(msg));
	memset(&u, 0, sizeof(u));
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = u.buf;
	msg.msg_controllen = sizeof(u.buf);
	c = CMSG_FIRSTHDR(&msg);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	return sendmsg(s, &msg, 0) == 1 ? 0 : -1;
}

__attribute__((constructor)) static void trace_start(void)
{
	const char *s = getenv(TRACE_SOCK_ENV), *b = getenv(TRACE_BYTES_ENV);
	size_t bytes = b ? strtoul(b, NULL, 0) : TRACE_DEFAULT_BYTES;

	if (!s)
		return;
	sock = atoi(s);
	/* Our children are not traced: they would find no reader. */
	unsetenv(TRACE_SOCK_ENV);
	if (percpu_counter_init(&attempted, 0) != 0 || percpu_counter_init(&refused, 0) != 0 ||
	    percpu_ring_init(&ring, bytes, PERCPU_RING_SHARED) != 0 ||
	    send_fd(sock, percpu_ring_fd(&ring)) != 0) {
		close(sock);
		sock = -1;
		return;
	}
	__atomic_store_n(&active, 1, __ATOMIC_RELEASE);
}

/*
 * At exit, after the program's own destructors: stop tracing and send the
 * counts.  Threads still running (detached ones) may add a few events after
 * the counts are taken; the consumer then sees more read than written.
 */
__attribute__((destructor)) static void trace_stop(void)
{
	struct trace_counts c = { TRACE_COUNTS_MAGIC, 0, 0 };
	int64_t v;

	if (sock < 0)
		return;
	__atomic_store_n(&active, 0, __ATOMIC_RELEASE);
	if (percpu_counter_sum(&attempted, &v) == 0)
		c.attempted = (uint64_t)v;
	if (percpu_counter_sum(&refused, &v) == 0)
		c.refused = (uint64_t)v;
	if (write(sock, &c, sizeof(c)) != (ssize_t)sizeof(c))
		c.magic = 0;
	close(sock);
}
