/* SPDX-License-Identifier: MIT */
/*
 * tests/t_fork.c - fork() while other threads are inside slow paths.
 *
 * Worker threads hammer remote (`_cpu`) operations, which hold a slot's
 * slow-path lock with every signal blocked, and the fallback path, while the
 * main thread forks again and again.  Each child must be able to use every
 * structure on every slot at once: a child that inherited a held lock would
 * spin on it forever, with its signals blocked.  The parent kills a child
 * that does not finish within a generous deadline, and that counts as a
 * failure.  Afterwards the parent checks that every list node is still
 * accounted for.
 *
 * The structures are made as the man pages allow and programs do: the ring
 * in a local struct copied to the global one, and a scratch ring, made
 * first, destroyed through a copy of its struct.  Fork must still wait for
 * every structure's locks (the library once kept its list of structures in
 * their structs, and that destroy emptied it).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>

#include <percpu/percpu.h>
#include "tap.h"
#include "testutil.h"
#include "ringutil.h"

#define NNODES		256
#define NFORKS		60
#define CHILD_SECS	20.0

static struct percpu_list list;
static struct percpu_buffer buffer;
static struct percpu_ring ring;
static struct percpu_counter counter;
static struct percpu_list_node nodes[NNODES];
static unsigned int nr;
static int stop;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Move nodes between slots with remote calls, and push/pop locally. */
static void *work(void *arg)
{
	unsigned int seed = (unsigned int)(uintptr_t)arg;

	while (!__atomic_load_n(&stop, __ATOMIC_RELAXED)) {
		unsigned int from = (unsigned int)rand_r(&seed) % nr;
		unsigned int to = (unsigned int)rand_r(&seed) % nr;
		struct percpu_list_node *n = percpu_list_pop_cpu(&list, from);
		uint64_t rec = 7;
		void *p;

		if (n) {
			if (rand_r(&seed) & 1)
				percpu_list_push_cpu(&list, n, to);
			else
				percpu_list_push(&list, n);
		}
		n = percpu_list_pop(&list);
		if (n)
			percpu_list_push_cpu(&list, n, to);
		if (percpu_buffer_push_cpu(&buffer, &seed, from) == 0) {
			p = percpu_buffer_pop_cpu(&buffer, from);
			if (!p)
				p = percpu_buffer_pop(&buffer);
		}
		percpu_ring_write(&ring, 1, &rec, sizeof(rec));
		percpu_counter_add(&counter, 1);
	}
	return NULL;
}

/* In the child: every structure on every slot must work, promptly. */
static int child(void)
{
	struct percpu_list_node own;
	uint64_t rec = 9, back;
	int64_t sum;

	for (unsigned int cpu = 0; cpu < nr; cpu++) {
		if (percpu_list_push_cpu(&list, &own, cpu) != 0 ||
		    percpu_list_pop_cpu(&list, cpu) == NULL)
			return 2;
		if (percpu_buffer_push_cpu(&buffer, &own, cpu) == -EPERM)
			return 3;
		percpu_buffer_pop_cpu(&buffer, cpu);
		while (ring_read_rec(&ring, cpu, &back, sizeof(back)) == 1)
			;
	}
	percpu_list_push(&list, &own);
	if (!percpu_list_pop(&list))
		return 4;
	if (percpu_ring_write(&ring, 1, &rec, sizeof(rec)) != 0)
		return 5;
	if (percpu_counter_add(&counter, 1) != 0 || percpu_counter_sum(&counter, &sum) != 0)
		return 6;
	return 0;
}

/* Every structure, made through copies (see the top).  Return 0 or -1. */
static int init_structures(void)
{
	struct percpu_ring scratch, copy, local;
	int err = 0;

	err |= percpu_ring_init(&scratch, PERCPU_RING_MIN_BYTES, 0);
	copy = scratch;
	err |= percpu_list_init(&list, 0);
	err |= percpu_buffer_init(&buffer, 16, 0);
	err |= percpu_ring_init(&local, PERCPU_RING_MIN_BYTES, 0);
	ring = local;
	err |= percpu_counter_init(&counter, 0);
	err |= percpu_ring_destroy(&copy);
	return err ? -1 : 0;
}

/* Wait for @pid until @deadline; kill it past that.  Return its status. */
static int wait_child(pid_t pid, double deadline)
{
	int status = 0;

	for (;;) {
		pid_t r = waitpid(pid, &status, WNOHANG);

		if (r == pid)
			return status;
		if (r < 0)
			return -1;
		if (now() > deadline) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			return -2;
		}
		usleep(1000);
	}
}

int main(int argc, char **argv)
{
	struct test_mode m = test_mode_setup(argc, argv);
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	int nthreads = 2 * (ncpu > 0 ? (int)ncpu : 1) + 2;
	pthread_t *tid = calloc((size_t)nthreads, sizeof(*tid));
	int hung = 0, failed = 0, found = 0;
	uint64_t back;

	(void)m;
	plan(4);
	nr = percpu_nr_cpus();
	ok(init_structures() == 0,
	   "init every structure (the ring through a copy; a scratch ring destroyed through one)");
	for (int i = 0; i < NNODES; i++)
		percpu_list_push_cpu(&list, &nodes[i], (unsigned int)i % nr);
	for (int i = 0; i < nthreads; i++)
		pthread_create(&tid[i], NULL, work, (void *)(uintptr_t)(i + 1));

	for (int i = 0; i < NFORKS; i++) {
		pid_t pid;
		int status;

		usleep(2000);
		pid = fork();
		if (pid == 0)
			_exit(child());
		if (pid < 0) {
			failed++;
			continue;
		}
		status = wait_child(pid, now() + CHILD_SECS);
		if (status == -2) {
			hung++;
			break;		/* one is enough: do not wait out the others */
		}
		else if (status < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
			failed++;
	}
	ok(hung == 0, "no child of %d hung on a lock its parent's threads held (%d did)",
	   NFORKS, hung);
	ok(failed == 0, "every child could use every structure (%d could not)", failed);

	__atomic_store_n(&stop, 1, __ATOMIC_RELAXED);
	for (int i = 0; i < nthreads; i++)
		pthread_join(tid[i], NULL);
	for (unsigned int cpu = 0; cpu < nr; cpu++) {
		for (struct percpu_list_node *n = percpu_list_drain_cpu(&list, cpu); n; n = n->next)
			found++;
		while (ring_read_rec(&ring, cpu, &back, sizeof(back)) == 1)
			;
	}
	ok(found == NNODES, "the parent still has every node: %d of %d", found, NNODES);
	percpu_list_destroy(&list);
	percpu_buffer_destroy(&buffer);
	percpu_ring_destroy(&ring);
	percpu_counter_destroy(&counter);
	free(tid);
	return exit_status();
}
