/* SPDX-License-Identifier: MIT */
/*
 * bench/main.c - percpu-bench: libpercpu against atomics, locks and
 * lock-free structures.  Options: see `percpu-bench --cbench_help` and
 * `--help` (Google Benchmark's).
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include <percpu/percpu.h>
#include "bench.h"

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

int main(int argc, char **argv)
{
	cbench_context("percpu_rseq_mode", percpu_rseq_mode_name(percpu_rseq_mode()));
	bench_register_counter();
	bench_register_first_use();
	bench_register_list();
	bench_register_buffer();
	bench_register_ring();
	return cbench_main(argc, argv);
}
