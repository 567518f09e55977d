/* SPDX-License-Identifier: MIT */
/*
 * tests/t_api.c - every public call with bad arguments gets its documented
 * error and changes nothing; the basics work with good ones.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include <percpu/percpu.h>
#include "tap.h"

int main(void)
{
	struct percpu_counter c, zeroed;
	struct percpu_rseq_info info;
	int64_t v = 0;
	unsigned int nr = percpu_nr_cpus();
	int r;

	plan(22);

	ok(nr >= 1, "percpu_nr_cpus() = %u", nr);
	ok(percpu_rseq_get_info(NULL) == -EINVAL, "get_info(NULL): -EINVAL");
	r = percpu_rseq_get_info(&info);
	ok(r == 0 && info.signature == PERCPU_RSEQ_SIG, "get_info: signature 0x%08x",
	   info.signature);
	ok(percpu_rseq_mode_name(-1) == NULL && percpu_rseq_mode_name(3) == NULL,
	   "mode_name of an invalid mode: NULL");
	ok(strcmp(percpu_rseq_mode_name(PERCPU_MODE_LIBC), "libc") == 0 &&
	   strcmp(percpu_rseq_mode_name(PERCPU_MODE_OWN), "own") == 0 &&
	   strcmp(percpu_rseq_mode_name(PERCPU_MODE_FALLBACK), "fallback") == 0,
	   "mode names");
	ok(percpu_rseq_unregister() == -EINVAL, "unregister with no reference: -EINVAL");
	ok(percpu_current_cpu() >= 0 && (unsigned int)percpu_current_cpu() < nr,
	   "current CPU %d is below %u", percpu_current_cpu(), nr);

	ok(percpu_counter_init(NULL, 0) == -EINVAL, "counter_init(NULL): -EINVAL");
	ok(percpu_counter_init(&c, 0x80) == -EINVAL, "counter_init(unknown flag 0x80): -EINVAL");

	memset(&zeroed, 0, sizeof(zeroed));
	ok(percpu_counter_add(NULL, 1) == -EINVAL && percpu_counter_add(&zeroed, 1) == -EINVAL,
	   "counter_add on NULL or an uninitialised counter: -EINVAL");
	ok(percpu_counter_sum(NULL, &v) == -EINVAL && percpu_counter_sum(&zeroed, &v) == -EINVAL,
	   "counter_sum on NULL or an uninitialised counter: -EINVAL");
	ok(percpu_counter_reset(NULL) == -EINVAL && percpu_counter_reset(&zeroed) == -EINVAL,
	   "counter_reset on NULL or uninitialised: -EINVAL");
	ok(percpu_counter_destroy(NULL) == -EINVAL && percpu_counter_destroy(&zeroed) == -EINVAL,
	   "counter_destroy on NULL or uninitialised: -EINVAL");
	ok(percpu_counter_read_cpu(NULL, 0, &v) == -EINVAL, "counter_read_cpu(NULL): -EINVAL");

	ok(percpu_counter_init(&c, 0) == 0, "counter_init");
	ok(percpu_counter_add(&c, 7) == 0 && percpu_counter_add(&c, -2) == 0, "counter_add");
	ok(percpu_counter_sum(&c, NULL) == -EINVAL, "counter_sum(sum NULL): -EINVAL");
	ok(percpu_counter_read_cpu(&c, 0, NULL) == -EINVAL &&
	   percpu_counter_read_cpu(&c, nr, &v) == -ERANGE &&
	   percpu_counter_read_cpu(&c, UINT32_MAX, &v) == -ERANGE,
	   "counter_read_cpu: NULL value -EINVAL, CPU %u and UINT_MAX -ERANGE", nr);
	r = percpu_counter_sum(&c, &v);
	ok(r == 0 && v == 5, "sum after bad calls is still 5 (%lld)",
	   (long long)v);
	_percpu_counter_inc(&c);
	_percpu_counter_add(&c, INT64_C(1) << 40);
	r = percpu_counter_sum(&c, &v);
	ok(r == 0 && v == 6 + (INT64_C(1) << 40),
	   "64-bit values: %lld", (long long)v);
	ok(percpu_counter_destroy(&c) == 0, "counter_destroy");
	ok(percpu_counter_destroy(&c) == -EINVAL && percpu_counter_add(&c, 1) == -EINVAL,
	   "destroyed counter: -EINVAL");
	return exit_status();
}
