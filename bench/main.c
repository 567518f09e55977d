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
#include <unistd.h>
#include <sys/utsname.h>
#ifdef __GLIBC__
#include <gnu/libc-version.h>
#endif

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

/*
 * The CPU model from /proc/cpuinfo: the first line whose key is one of the
 * architectures' names for it ("model name" on x86 and s390, "cpu model" on
 * mips, "cpu" on powerpc, "uarch" on riscv), else "unknown".  On arm64 the
 * kernel gives only part numbers; the context's cpu_* from Google Benchmark
 * and the CPU count still say what ran.
 */
static void context_cpu_model(void)
{
	static const char *const keys[] = { "model name", "cpu model", "cpu", "uarch" };
	static char model[256] = "unknown";
	char line[512];
	FILE *f = fopen("/proc/cpuinfo", "r");
	int best = (int)(sizeof(keys) / sizeof(keys[0]));

	while (f && best > 0 && fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':');
		size_t klen;

		if (!colon)
			continue;
		klen = (size_t)(colon - line);
		while (klen && (line[klen - 1] == ' ' || line[klen - 1] == '\t'))
			klen--;
		for (int k = 0; k < best; k++) {
			if (strlen(keys[k]) == klen && !strncmp(line, keys[k], klen)) {
				snprintf(model, sizeof(model), "%s", colon + 1 + (colon[1] == ' '));
				model[strcspn(model, "\n")] = '\0';
				best = k;	/* a better key may still come */
				break;
			}
		}
	}
	if (f)
		fclose(f);
	cbench_context("cpu_model", model);
}

/* Kernel, C library and CPU counts: what the figures depend on besides the build. */
static void context_system(void)
{
	static char kernel[sizeof(struct utsname)];
	static char cpus[64];
	struct utsname u;

	if (uname(&u) == 0) {
		snprintf(kernel, sizeof(kernel), "%s %s %s (%s)", u.sysname, u.release,
			 u.machine, u.version);
		cbench_context("kernel", kernel);
	} else {
		cbench_context("kernel", "unknown");
	}
#ifdef __GLIBC__
	{
		static char libc[64];

		snprintf(libc, sizeof(libc), "glibc %s", gnu_get_libc_version());
		cbench_context("libc", libc);
	}
#else
	cbench_context("libc", "not glibc (version unknown)");
#endif
	snprintf(cpus, sizeof(cpus), "%ld online, %ld configured",
		 sysconf(_SC_NPROCESSORS_ONLN), sysconf(_SC_NPROCESSORS_CONF));
	cbench_context("cpus", cpus);
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
	cbench_context("cxx_compiler", BENCH_CXX_VERSION);
	cbench_context("cflags", BENCH_CFLAGS);
	cbench_context("cxxflags", BENCH_CXXFLAGS);
	cbench_context("cppflags", BENCH_CPPFLAGS);
	cbench_context("libbenchmark_version", BENCH_LIBBENCHMARK_VERSION);
	context_cpu_model();
	context_system();
	cbench_context("floor", floor_status());
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
	return cbench_main(argc, argv);
}
