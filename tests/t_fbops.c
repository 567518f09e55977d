/* SPDX-License-Identifier: MIT */
/*
 * tests/t_fbops.c - run N operations of one kind, for fallback-syscalls.sh,
 * which counts the system calls they make under strace.
 *
 * Usage: t_fbops none|counter|list|buffer N
 * Everything is set up (and the thread's first operation made) before the
 * N operations, so that only their own system calls differ from "none".
 * Exits 1 if an operation fails or loses something.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <percpu/percpu.h>

static struct percpu_counter c;
static struct percpu_list l;
static struct percpu_buffer b;
static struct percpu_list_node node;

/*
 * The pop may look at another CPU's share than the push did (the thread
 * moved): find the node there.  Rare, so its system calls do not count.
 */
static int find_node(int list)
{
	for (unsigned int cpu = 0; cpu < percpu_nr_cpus(); cpu++) {
		void *p = list ? (void *)percpu_list_pop_cpu(&l, cpu) : percpu_buffer_pop_cpu(&b, cpu);

		if (p == &node)
			return 1;
		if (p)
			return 0;
	}
	return 0;
}

int main(int argc, char **argv)
{
	const char *kind = argc > 2 ? argv[1] : "";
	long n = argc > 2 ? atol(argv[2]) : 0;
	int64_t sum = 0;

	if (percpu_counter_init(&c, 0) || percpu_list_init(&l, 0) ||
	    percpu_buffer_init(&b, 4, 0)) {
		fprintf(stderr, "init failed\n");
		return 1;
	}
	/* First use of each: sets the thread up. */
	percpu_counter_add(&c, 1);
	percpu_list_push(&l, &node);
	if (percpu_list_pop(&l) != &node || percpu_buffer_push(&b, &node) ||
	    percpu_buffer_pop(&b) != &node)
		return 1;
	fprintf(stderr, "-- start --\n");
	for (long i = 0; i < n; i++) {
		if (!strcmp(kind, "counter")) {
			_percpu_counter_inc(&c);
		} else if (!strcmp(kind, "list")) {
			_percpu_list_push(&l, &node);
			if (_percpu_list_pop(&l) != &node && !find_node(1))
				return 1;
		} else if (!strcmp(kind, "buffer")) {
			if (_percpu_buffer_push(&b, &node) ||
			    (_percpu_buffer_pop(&b) != &node && !find_node(0)))
				return 1;
		}
	}
	fprintf(stderr, "-- end --\n");
	if (percpu_counter_sum(&c, &sum) || sum != 1 + (strcmp(kind, "counter") ? 0 : n))
		return 1;
	return 0;
}
