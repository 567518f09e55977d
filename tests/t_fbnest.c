/* SPDX-License-Identifier: MIT */
/*
 * tests/t_fbnest.c - signal handlers that interrupt the fallback path's own
 * operations and run operations of their own on the same structures.
 *
 * Without rseq in the process, a list or buffer operation takes its slot's
 * lock without blocking signals (lib/slow.c), so a handler may run while its
 * thread holds a slot or waits for one.  A slow path nested that way never
 * waits: it tries every slot once, a list push that finds them all busy
 * sets its node aside on the slot's deferred stack, and pops and buffer
 * pushes report nothing done.  Two workers (pinned to two CPUs when there
 * are two, so each mostly holds its own CPU's slot) take items out and put
 * them back while a third thread floods them with SIGUSR1, whose handler
 * takes and puts back items too.  It runs until handlers have interrupted
 * workers inside an operation many times, and checks that nothing hung
 * (a watchdog) and that every item is found exactly once at the end.
 *
 * Usage: t_fbnest [fallback|seccomp]   (other modes skip: with rseq in use,
 * slow paths block signals and nothing nests)
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <percpu/percpu.h>
#include "testutil.h"

#define NITEMS		256
#define STASH		8
#define HSTASH		4
#define NESTED_WANTED	500

struct item {
	struct percpu_list_node node;	/* first: a node is its item */
	int id;
};

static struct item items[NITEMS];
static struct percpu_list list;
static struct percpu_buffer buf;
static int use_list;		/* the structure of the current round */
static int stop;
static unsigned long nested_ops, handler_ops;

struct worker {
	pthread_t thread;
	int cpu;
	struct item *stash[STASH], *hstash[HSTASH];
	int nstash, nhstash;
};

static __thread struct worker *tls_worker;
static __thread volatile int tls_in_op;

static struct item *take(void)
{
	if (use_list)
		return (struct item *)percpu_list_pop(&list);
	return percpu_buffer_pop(&buf);
}

/* 0 when the item is back in the structure. */
static int put(struct item *it)
{
	if (use_list)
		return percpu_list_push(&list, &it->node);
	return percpu_buffer_push(&buf, it);
}

static void on_usr1(int sig)
{
	struct worker *w = tls_worker;
	int saved = errno;
	struct item *it;

	(void)sig;
	if (!w)
		return;
	__atomic_fetch_add(&handler_ops, 1, __ATOMIC_RELAXED);
	if (tls_in_op)
		__atomic_fetch_add(&nested_ops, 1, __ATOMIC_RELAXED);
	if (w->nhstash < HSTASH && (it = take()) != NULL)
		w->hstash[w->nhstash++] = it;
	while (w->nhstash > 0 && put(w->hstash[w->nhstash - 1]) == 0)
		w->nhstash--;
	errno = saved;
}

static void *work(void *arg)
{
	struct worker *w = arg;
	sigset_t usr1;

	if (w->cpu >= 0) {
		cpu_set_t one;

		CPU_ZERO(&one);
		CPU_SET(w->cpu, &one);
		pthread_setaffinity_np(pthread_self(), sizeof(one), &one);
	}
	tls_worker = w;
	while (!__atomic_load_n(&stop, __ATOMIC_RELAXED)) {
		struct item *it;

		tls_in_op = 1;
		it = w->nstash < STASH ? take() : NULL;
		tls_in_op = 0;
		if (it)
			w->stash[w->nstash++] = it;
		tls_in_op = 1;
		if (w->nstash > 0 && put(w->stash[w->nstash - 1]) == 0)
			w->nstash--;
		tls_in_op = 0;
	}
	/* No handler may touch the stashes after this. */
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &usr1, NULL);
	return NULL;
}

static struct worker workers[2];

static void *flood(void *arg)
{
	(void)arg;
	while (!__atomic_load_n(&stop, __ATOMIC_RELAXED)) {
		for (int i = 0; i < 2; i++)
			pthread_kill(workers[i].thread, SIGUSR1);
		sched_yield();
	}
	return NULL;
}

static void on_watchdog(int sig)
{
	static const char msg[] = "not ok - a worker hung (watchdog)\n";

	(void)sig;
	if (write(1, msg, sizeof(msg) - 1) < 0)
		_exit(2);
	_exit(1);
}

/* Every item exactly once: in a stash or in some CPU's share. */
static int account(char *seen)
{
	int dup = 0;

	memset(seen, 0, NITEMS);
	for (int i = 0; i < 2; i++) {
		for (int j = 0; j < workers[i].nstash; j++)
			dup += seen[workers[i].stash[j]->id]++ != 0;
		for (int j = 0; j < workers[i].nhstash; j++)
			dup += seen[workers[i].hstash[j]->id]++ != 0;
	}
	for (unsigned int cpu = 0; cpu < percpu_nr_cpus(); cpu++) {
		if (use_list) {
			for (struct percpu_list_node *n = percpu_list_drain_cpu(&list, cpu); n;
			     n = n->next)
				dup += seen[((struct item *)n)->id]++ != 0;
		} else {
			void *p;

			while ((p = percpu_buffer_pop_cpu(&buf, cpu)) != NULL)
				dup += seen[((struct item *)p)->id]++ != 0;
		}
	}
	for (int i = 0; i < NITEMS; i++)
		dup += seen[i] != 1;
	return dup;
}

int main(int argc, char **argv)
{
	struct test_mode mode = test_mode_setup(argc, argv);
	struct sigaction sa;
	char seen[NITEMS];
	int cpus = 0;
	cpu_set_t mask;

	if (mode.mode != PERCPU_MODE_FALLBACK)
		skip_all("nesting happens only on the fallback path (mode %s)", mode.name);
	plan(6);
	if (sched_getaffinity(0, sizeof(mask), &mask) == 0)
		cpus = CPU_COUNT(&mask);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1;
	sigaction(SIGUSR1, &sa, NULL);
	sa.sa_handler = on_watchdog;
	sigaction(SIGALRM, &sa, NULL);
	for (int i = 0; i < NITEMS; i++)
		items[i].id = i;
	if (percpu_list_init(&list, 0) || percpu_buffer_init(&buf, NITEMS, 0))
		skip_all("init failed");

	for (int round = 0; round < 2; round++) {
		struct test_clock clk;
		pthread_t flooder;
		unsigned long nested0 = nested_ops, handler0 = handler_ops;
		const char *name = round == 0 ? "list" : "buffer";

		use_list = round == 0;
		for (int i = 0; i < NITEMS; i++)
			if (put(&items[i]) != 0)
				skip_all("%s: seeding failed", name);
		stop = 0;
		memset(workers, 0, sizeof(workers));
		for (int i = 0; i < 2; i++) {
			int cpu = -1, k = 0;

			/* The i-th CPU of our mask, when there are two. */
			for (int c = 0; cpus >= 2 && c < CPU_SETSIZE; c++)
				if (CPU_ISSET(c, &mask) && k++ == i) {
					cpu = c;
					break;
				}
			workers[i].cpu = cpu;
			pthread_create(&workers[i].thread, NULL, work, &workers[i]);
		}
		pthread_create(&flooder, NULL, flood, NULL);
		test_clock_start(&clk, test_seconds(1), 60);
		/* The watchdog: well past the deadline, a hang is a failure. */
		alarm((unsigned int)clk.max + 60);
		while (!test_clock_done(&clk, nested_ops - nested0 >= NESTED_WANTED))
			;
		__atomic_store_n(&stop, 1, __ATOMIC_RELAXED);
		pthread_join(flooder, NULL);
		for (int i = 0; i < 2; i++)
			pthread_join(workers[i].thread, NULL);
		alarm(0);
		diag("%s: %lu handler operations, %lu of them interrupting a worker's operation, "
		     "in %.1f s", name, handler_ops - handler0, nested_ops - nested0,
		     test_clock_elapsed(&clk));
		ok(nested_ops - nested0 > 0, "%s: handlers interrupted workers' operations", name);
		ok(1, "%s: no worker hung", name);
		ok(account(seen) == 0, "%s: every item found exactly once", name);
	}
	return exit_status();
}
