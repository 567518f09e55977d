/* SPDX-License-Identifier: MIT */
/*
 * tests/t_handoff.c - objects handed from one thread to another through a
 * list and a buffer carry what the producer wrote into them.  Both threads
 * run on one CPU, so every object goes through the same per-CPU list or
 * buffer.  The producer writes each object with plain stores before pushing
 * it; the consumer pops it, reads it with plain loads and frees it.
 *
 * Built with ./configure --enable-tsan this is the check of the TSan
 * annotations (PERCPU_TSAN_RELEASE/ACQUIRE in the inline push and pop):
 * without them ThreadSanitizer reports a data race between the producer's
 * writes and the consumer's reads (and the program exits 66).
 *
 * Usage: t_handoff [libc|own|fallback|seccomp]
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdint.h>

#include <percpu/percpu.h>
#include "testutil.h"

#define OBJECTS	5000

struct object {
	struct percpu_list_node node;	/* first: a node pointer is an object pointer */
	uint64_t seq;
	uint64_t payload[4];
};

static struct percpu_list list;
static struct percpu_buffer buffer;
static int use_buffer;
static int done;
static unsigned long consumed, bad;

static void *produce(void *arg)
{
	(void)arg;
	for (uint64_t i = 0; i < OBJECTS; i++) {
		struct object *o = malloc(sizeof(*o));

		o->seq = i;
		for (int k = 0; k < 4; k++)
			o->payload[k] = i * 31 + (uint64_t)k;
		if (use_buffer) {
			while (_percpu_buffer_push(&buffer, o) != 0)
				sched_yield();
		} else {
			_percpu_list_push(&list, &o->node);
		}
	}
	__atomic_store_n(&done, 1, __ATOMIC_RELEASE);
	return NULL;
}

static void take(struct object *o)
{
	for (int k = 0; k < 4; k++)
		bad += o->payload[k] != o->seq * 31 + (uint64_t)k;
	consumed++;
	free(o);
}

static void *consume(void *arg)
{
	(void)arg;
	for (;;) {
		int last = __atomic_load_n(&done, __ATOMIC_ACQUIRE);
		void *p = use_buffer ? _percpu_buffer_pop(&buffer) : (void *)_percpu_list_pop(&list);

		if (p)
			take(p);
		else if (last)
			break;
		else
			sched_yield();
	}
	return NULL;
}

/* Pin the calling thread (and the threads it creates) to one CPU. */
static int pin_one_cpu(void)
{
	cpu_set_t set;

	if (sched_getaffinity(0, sizeof(set), &set) != 0)
		return -1;
	for (int cpu = 0; cpu < CPU_SETSIZE; cpu++) {
		if (CPU_ISSET(cpu, &set)) {
			CPU_ZERO(&set);
			CPU_SET(cpu, &set);
			return sched_setaffinity(0, sizeof(set), &set) == 0 ? cpu : -1;
		}
	}
	return -1;
}

int main(int argc, char **argv)
{
	struct test_mode m = test_mode_setup(argc, argv);
	int cpu = pin_one_cpu();

	plan(3);
	ok(cpu >= 0 && percpu_list_init(&list, 0) == 0 &&
	   percpu_buffer_init(&buffer, 64, 0) == 0, "init, pinned to CPU %d (mode %s)", cpu,
	   m.name);
	for (use_buffer = 0; use_buffer < 2; use_buffer++) {
		pthread_t p, c;

		done = 0;
		consumed = bad = 0;
		pthread_create(&c, NULL, consume, NULL);
		pthread_create(&p, NULL, produce, NULL);
		pthread_join(p, NULL);
		pthread_join(c, NULL);
		ok(consumed == OBJECTS && bad == 0, "%s: %lu of %d objects handed over, %lu words "
		   "wrong", use_buffer ? "buffer" : "list", consumed, OBJECTS, bad);
	}
	percpu_buffer_destroy(&buffer);
	percpu_list_destroy(&list);
	return exit_status();
}
