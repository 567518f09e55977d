/* SPDX-License-Identifier: MIT */
/*
 * bench/main.c - percpu-bench: libpercpu against atomics, locks and
 * lock-free structures.  Options: see `percpu-bench --cbench_help` and
 * `--help` (Google Benchmark's).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include <percpu/percpu.h>
#include "bench.h"
#include "bench-build.h"
#include "floor.h"

void *bench_zalloc(size_t size)
{
	size_t rounded = (size + BENCH_PAD - 1) / BENCH_PAD * BENCH_PAD;
	void *p = aligned_alloc(BENCH_PAD, rounded);

	if (p)
		memset(p, 0, rounded);
	return p;
}

int bench_pin_os_cpu(unsigned int cpu)
{
	for (unsigned int i = 0; i < cbench_nr_cpus(); i++)
		if (cbench_cpu_os_index(i) == (int)cpu)
			return cbench_pin_cpu(i);
	return -1;
}

/* The first "model name" of /proc/cpuinfo (x86), else "unknown". */
static void context_cpu_model(void)
{
	static char model[256] = "unknown";
	char line[512];
	FILE *f = fopen("/proc/cpuinfo", "r");

	while (f && fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':');

		if (colon && !strncmp(line, "model name", 10)) {
			snprintf(model, sizeof(model), "%s", colon + 2);
			model[strcspn(model, "\n")] = '\0';
			break;
		}
	}
	if (f)
		fclose(f);
	cbench_context("cpu_model", model);
}

/* Whether the floor benchmarks run, and if not why (bench/floor.h). */
static const char *floor_status(void)
{
#ifdef FLOOR_HAVE_RSEQ
	if (__rseq_size == 0)
		return "skipped: glibc registered no rseq area (__rseq_size is 0)";
	if (!floor_area_usable())
		return "skipped: glibc's rseq area is not registered (cpu_id < 0)";
	return "x86_64 hand-written sequences on glibc's rseq area";
#else
	return "not built: hand-written sequences exist for x86_64 with glibc >= 2.35 only";
#endif
}

int main(int argc, char **argv)
{
	static char clock_loop[32];
	double ns;

	cbench_context("percpu_rseq_mode", percpu_rseq_mode_name(percpu_rseq_mode()));
	cbench_context("libpercpu_version", PACKAGE_VERSION);
	cbench_context("git_commit", BENCH_GIT_COMMIT);
	cbench_context("compiler", BENCH_CC_VERSION);
	cbench_context("cflags", BENCH_CFLAGS);
	cbench_context("cxxflags", BENCH_CXXFLAGS);
	context_cpu_model();
	cbench_context("floor", floor_status());
	cbench_context("libbenchmark_debug_warning",
		       "if printed below, harmless: the timed loops are this program's code "
		       "(see doc/benchmarks.md)");
	/* Outside Google Benchmark: see bench_counter_clock_loop(). */
	if (!getenv("PERCPU_BENCH_NO_CLOCK_LOOP") && (ns = bench_counter_clock_loop()) > 0) {
		snprintf(clock_loop, sizeof(clock_loop), "%.4f", ns);
		cbench_context("clock_loop_counter_percpu_inline_ns", clock_loop);
	}
	bench_register_counter();
	bench_register_first_use();
	bench_register_list();
	bench_register_buffer();
	bench_register_ring();
	bench_register_slab();
	return cbench_main(argc, argv);
}
