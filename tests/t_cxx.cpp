// SPDX-License-Identifier: MIT
// tests/t_cxx.cpp - every public header compiles as C++ and works from it.
#include <percpu/percpu.h>
#include <percpu/compiler.h>
#include <percpu/rseq.h>
#include <percpu/arch.h>
#include <percpu/counter.h>
#include <percpu/list.h>
#include <percpu/buffer.h>
#include <percpu/ring.h>
#include "tap.h"

int main()
{
	struct percpu_counter c;
	int64_t v = 0;

	struct percpu_list l;
	struct percpu_list_node n;
	struct percpu_buffer b;
	struct percpu_ring ring;
	long rec = 7, out = 0;
	int lost = 0;

	plan(6);
	ok(percpu_counter_init(&c, 0) == 0, "init from C++");
	for (int i = 0; i < 1000; i++)
		_percpu_counter_inc(&c);
	int r = percpu_counter_sum(&c, &v);
	ok(r == 0 && v == 1000, "inline adds from C++: %lld",
	   (long long)v);
	ok(percpu_rseq_mode_name(percpu_rseq_mode()) != nullptr, "mode %s",
	   percpu_rseq_mode_name(percpu_rseq_mode()));
	percpu_counter_destroy(&c);

	percpu_list_init(&l, 0);
	_percpu_list_push(&l, &n);
	struct percpu_list_node *got = _percpu_list_pop(&l);
	ok(got == &n && _percpu_list_pop(&l) == nullptr, "list push/pop from C++");
	percpu_list_destroy(&l);

	percpu_buffer_init(&b, 4, 0);
	int pushed = _percpu_buffer_push(&b, &n);
	ok(pushed == 0 && _percpu_buffer_pop(&b) == &n, "buffer push/pop from C++");
	percpu_buffer_destroy(&b);

	percpu_ring_init(&ring, PERCPU_RING_MIN_BYTES, 0);
	if (_percpu_ring_write(&ring, 1, &rec, sizeof(rec)) != 0)
		lost = 1;
	int cpu = -1;
	uint64_t ev[8];
	for (unsigned int i = 0; i < percpu_nr_cpus() && cpu < 0; i++)
		if (percpu_ring_read_cpu(&ring, i, ev, sizeof(ev)) > 0) {
			memcpy(&out, percpu_ring_event_payload((struct percpu_ring_event *)ev),
			       sizeof(out));
			cpu = (int)i;
		}
	ok(!lost && cpu >= 0 && out == 7, "ring write/read from C++ (cpu %d)", cpu);
	percpu_ring_destroy(&ring);
	return exit_status();
}
