// SPDX-License-Identifier: MIT
// tests/t_cxx.cpp - every public header compiles as C++ and works from it.
#include <percpu/percpu.h>
#include <percpu/compiler.h>
#include <percpu/rseq.h>
#include <percpu/arch.h>
#include <percpu/counter.h>
#include "tap.h"

int main()
{
	struct percpu_counter c;
	int64_t v = 0;

	plan(3);
	ok(percpu_counter_init(&c, 0) == 0, "init from C++");
	for (int i = 0; i < 1000; i++)
		_percpu_counter_inc(&c);
	int r = percpu_counter_sum(&c, &v);
	ok(r == 0 && v == 1000, "inline adds from C++: %lld",
	   (long long)v);
	ok(percpu_rseq_mode_name(percpu_rseq_mode()) != nullptr, "mode %s",
	   percpu_rseq_mode_name(percpu_rseq_mode()));
	percpu_counter_destroy(&c);
	return exit_status();
}
