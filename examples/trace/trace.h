/* SPDX-License-Identifier: MIT */
/*
 * examples/trace/trace.h - what the preloaded tracer (libtrace-malloc.so)
 * and its consumer (percpu-trace) share: the events and how the tracer hands
 * its rings over.
 *
 * percpu-trace makes a UNIX socket pair, starts the program with
 * LD_PRELOAD=libtrace-malloc.so and PERCPU_TRACE_SOCK=<fd of one end>.  The
 * tracer's constructor creates the rings in a memfd (PERCPU_RING_SHARED) and
 * sends the memfd over the socket; the consumer attaches and drains while
 * the program runs.  At exit the tracer sends its counts (events attempted,
 * events the rings refused) so the consumer can check written = read + lost.
 */
#ifndef PERCPU_EXAMPLES_TRACE_H
#define PERCPU_EXAMPLES_TRACE_H

#include <stdint.h>

#define TRACE_SOCK_ENV		"PERCPU_TRACE_SOCK"
#define TRACE_BYTES_ENV		"PERCPU_TRACE_BYTES"	/* ring size per CPU */
#define TRACE_DEFAULT_BYTES	(1u << 20)

/* Event types, and their CTF ids. */
enum trace_type {
	TRACE_MALLOC = 1,	/* args: size, result */
	TRACE_FREE,		/* args: ptr */
	TRACE_CALLOC,		/* args: bytes, result */
	TRACE_REALLOC,		/* args: ptr, size, result */
	TRACE_TYPES
};

/* Arguments per type. */
static const unsigned int trace_nargs[TRACE_TYPES] = { 0, 2, 1, 2, 3 };

/* The payload of every event: tid, a check word, then the arguments. */
struct trace_payload {
	uint32_t tid;
	uint32_t check;		/* trace_check(): an event altered in transit fails it */
	uint64_t args[3];
};

static inline uint32_t trace_check(unsigned int type, const struct trace_payload *p)
{
	uint64_t h = 0xcbf29ce484222325ull ^ type ^ ((uint64_t)p->tid << 8);

	for (unsigned int i = 0; i < trace_nargs[type]; i++)
		h = (h ^ p->args[i]) * 0x100000001b3ull;
	return (uint32_t)(h ^ (h >> 32));
}

/* What the tracer sends at exit. */
struct trace_counts {
	uint64_t magic;		/* TRACE_COUNTS_MAGIC */
	uint64_t attempted;	/* events the tracer tried to write */
	uint64_t refused;	/* of which the rings refused (-ENOSPC) */
};

#define TRACE_COUNTS_MAGIC	0x7065726370750001ull

#endif /* PERCPU_EXAMPLES_TRACE_H */
