/* SPDX-License-Identifier: MIT */
/*
 * bench/lttng/bench_tp.h - the LTTng-UST tracepoint provider of
 * lttng_bench: one event per payload size, each a fixed array of bytes, so
 * that LTTng copies the payload in one piece as _percpu_ring_write() does.
 * Read several times by lttng-ust's headers (LTTNG_UST_TRACEPOINT_HEADER_MULTI_READ).
 */
#undef LTTNG_UST_TRACEPOINT_PROVIDER
#define LTTNG_UST_TRACEPOINT_PROVIDER percpu_bench

#undef LTTNG_UST_TRACEPOINT_INCLUDE
#define LTTNG_UST_TRACEPOINT_INCLUDE "bench_tp.h"

#if !defined(_BENCH_TP_H) || defined(LTTNG_UST_TRACEPOINT_HEADER_MULTI_READ)
#define _BENCH_TP_H

#include <stdint.h>
#include <lttng/tracepoint.h>

LTTNG_UST_TRACEPOINT_EVENT(percpu_bench, ev16,
	LTTNG_UST_TP_ARGS(const uint8_t *, p),
	LTTNG_UST_TP_FIELDS(lttng_ust_field_array(uint8_t, payload, p, 16)))

LTTNG_UST_TRACEPOINT_EVENT(percpu_bench, ev64,
	LTTNG_UST_TP_ARGS(const uint8_t *, p),
	LTTNG_UST_TP_FIELDS(lttng_ust_field_array(uint8_t, payload, p, 64)))

LTTNG_UST_TRACEPOINT_EVENT(percpu_bench, ev256,
	LTTNG_UST_TP_ARGS(const uint8_t *, p),
	LTTNG_UST_TP_FIELDS(lttng_ust_field_array(uint8_t, payload, p, 256)))

#endif /* _BENCH_TP_H */

#include <lttng/tracepoint-event.h>
