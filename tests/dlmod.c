/* SPDX-License-Identifier: MIT */
/*
 * tests/dlmod.c - a module that t_dlclose loads, runs and unloads: its
 * inline fast paths put descriptors of its own __rseq_cs section in the
 * calling thread's rseq_cs.
 */
#include <percpu/percpu.h>

int dlmod_run(struct percpu_counter *c, struct percpu_list *l, int n);

int dlmod_run(struct percpu_counter *c, struct percpu_list *l, int n)
{
	struct percpu_list_node node;
	int good = 1;

	for (int i = 0; i < n; i++) {
		_percpu_counter_inc(c);
		_percpu_list_push(l, &node);
		good &= _percpu_list_pop(l) == &node;
	}
	/* The last sequence run here was this module's own. */
	_percpu_counter_inc(c);
	return good;
}
