/* SPDX-License-Identifier: MIT */
/*
 * bench/lttng/bench_tp.c - instantiates the probes of bench_tp.h, linked
 * statically into lttng_bench (no LD_PRELOAD of a provider library needed).
 */
#define LTTNG_UST_TRACEPOINT_CREATE_PROBES
#define LTTNG_UST_TRACEPOINT_DEFINE
#include "bench_tp.h"
