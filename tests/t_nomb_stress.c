/* SPDX-License-Identifier: MIT */
/*
 * tests/t_nomb_stress.c - the slow paths without membarrier (they pin the
 * caller to the CPU instead) while another thread keeps changing the
 * caller's CPU affinity.
 *
 * PERCPU_DISABLE_MEMBARRIER=1.  Workers push and pop list nodes and write
 * ring records on their own CPUs (rseq sequences in modes libc and own);
 * one slow-path thread pops, pushes and drains other CPUs' lists with the
 * `_cpu` calls and writes ring records (in mode own it installs a seccomp
 * filter on itself first, so its writes and its pushes take the fallback
 * path, among rseq threads); a changer thread sets the slow-path thread's
 * affinity to random CPU sets without pause; a consumer reads every ring.
 * Afterwards every node must be on the lists exactly once (drain walks are
 * bounded, so a cycle is seen, not followed forever) and every record written
 * must have been read exactly once.  Also: a `_cpu` call on a CPU outside
 * the caller's mask is -EPERM.
 *
 * Usage: t_nomb_stress [libc|own|fallback|seccomp]
 *   PERCPU_TEST_SECS  seconds to run (default 1)
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>

/* Must precede the libpercpu headers: long sequences, so slow paths meet them. */
#include "stress-inject.h"

#include <percpu/percpu.h>
#include "testutil.h"
#include "ringutil.h"

#define NODES		512
#define MAX_WRITERS	16
#define MAX_SEQ		(1 << 20)	/* records per writer at most */
#define SLOW_THREADS	2

struct rec {
	uint64_t writer;
	uint64_t seq;
};

static struct percpu_list list;
static struct percpu_ring ring;
static struct percpu_list_node nodes[NODES];
static unsigned char *seen[MAX_WRITERS];	/* times each record was read */
static uint64_t written[MAX_WRITERS];
static unsigned int nr;
static int nworkers, stop, slow_tid[SLOW_THREADS], own_mode, bad_record;
static unsigned long slow_ops[SLOW_THREADS], slow_eperm, changes;

static void write_one(int id)
{
	struct rec r = { (uint64_t)id, written[id] };

	if (written[id] < MAX_SEQ && _percpu_ring_write(&ring, 1, &r, sizeof(r)) == 0)
		written[id]++;
}

static void *worker(void *arg)
{
	int id = (int)(intptr_t)arg;

	while (!__atomic_load_n(&stop, __ATOMIC_RELAXED)) {
		struct percpu_list_node *n = _percpu_list_pop(&list);

		if (n)
			_percpu_list_push(&list, n);
		write_one(id);
	}
	return NULL;
}

/* Push @n back somewhere: on @cpu if allowed, else on the current CPU. */
static void put_back(struct percpu_list_node *n, unsigned int cpu)
{
	if (percpu_list_push_cpu(&list, n, cpu) != 0)
		_percpu_list_push(&list, n);
}

static void *slow_thread(void *arg)
{
	int me = (int)(intptr_t)arg;
	unsigned int seed = 1 + (unsigned int)me;

	__atomic_store_n(&slow_tid[me], (int)syscall(SYS_gettid), __ATOMIC_RELEASE);
	/* Mode own: this thread alone has no rseq, the workers have. */
	if (own_mode && install_rseq_enosys_filter() != 0)
		own_mode = 0;
	while (!__atomic_load_n(&stop, __ATOMIC_RELAXED)) {
		unsigned int cpu = rand_r(&seed) % nr;
		struct percpu_list_node *n, *chain;
		int k = 0;

		n = percpu_list_pop_cpu(&list, cpu);
		if (!n && errno == EPERM)
			__atomic_fetch_add(&slow_eperm, 1, __ATOMIC_RELAXED);
		if (n)
			put_back(n, rand_r(&seed) % nr);
		if ((slow_ops[me] & 63) == 0) {
			chain = percpu_list_drain_cpu(&list, cpu);
			/* Bounded walk: a cycle must not hang the test. */
			while (chain && k++ <= NODES) {
				n = chain;
				chain = chain->next;
				put_back(n, cpu);
			}
			if (k > NODES)
				bad_record = 1;
		}
		write_one(nworkers + me);
		slow_ops[me]++;
	}
	return NULL;
}

static void *changer(void *arg)
{
	unsigned int seed = 7;
	int tid[SLOW_THREADS];

	(void)arg;
	for (int i = 0; i < SLOW_THREADS; i++)
		while (!(tid[i] = __atomic_load_n(&slow_tid[i], __ATOMIC_ACQUIRE)))
			sched_yield();
	for (unsigned long k = 0; !__atomic_load_n(&stop, __ATOMIC_RELAXED); k++) {
		cpu_set_t set;

		CPU_ZERO(&set);
		while (CPU_COUNT(&set) == 0)
			for (unsigned int c = 0; c < nr && c < CPU_SETSIZE; c++)
				if (rand_r(&seed) & 1)
					CPU_SET(c, &set);
		if (sched_setaffinity(tid[k % SLOW_THREADS], sizeof(set), &set) == 0)
			changes++;
	}
	return NULL;
}

static void consume(void)
{
	struct rec r;

	for (unsigned int cpu = 0; cpu < nr; cpu++)
		while (ring_read_rec(&ring, cpu, &r, sizeof(r)) == 1) {
			if (r.writer >= (uint64_t)(nworkers + SLOW_THREADS) || r.seq >= MAX_SEQ)
				bad_record = 1;
			else if (seen[r.writer][r.seq]++ == 255)
				bad_record = 1;
		}
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* A `_cpu` call on a CPU outside the caller's mask: -EPERM, nothing done. */
static void test_eperm(void)
{
	cpu_set_t saved, one;
	struct percpu_list_node n;
	struct percpu_buffer b;
	int x, first = -1, other = -1;

	sched_getaffinity(0, sizeof(saved), &saved);
	for (int c = 0; c < CPU_SETSIZE && c < (int)nr; c++) {
		if (!CPU_ISSET(c, &saved))
			continue;
		if (first < 0)
			first = c;
		else if (other < 0)
			other = c;
	}
	if (other < 0) {
		skip(2, "needs two allowed CPUs");
		return;
	}
	CPU_ZERO(&one);
	CPU_SET(first, &one);
	sched_setaffinity(0, sizeof(one), &one);
	percpu_buffer_init(&b, 4, 0);
	errno = 0;
	ok(percpu_list_push_cpu(&list, &n, (unsigned int)other) == -EPERM &&
	   percpu_list_pop_cpu(&list, (unsigned int)other) == NULL && errno == EPERM &&
	   (errno = 0, percpu_list_drain_cpu(&list, (unsigned int)other) == NULL) &&
	   errno == EPERM && percpu_buffer_push_cpu(&b, &x, (unsigned int)other) == -EPERM,
	   "thread allowed only on CPU %d: push_cpu, pop_cpu, drain_cpu on CPU %d: EPERM",
	   first, other);
	ok(percpu_list_push_cpu(&list, &n, (unsigned int)first) == 0 &&
	   percpu_list_pop_cpu(&list, (unsigned int)first) == &n &&
	   percpu_buffer_pop_cpu(&b, (unsigned int)other) == NULL && errno == EPERM,
	   "on its own CPU they work; the refused push stored nothing");
	percpu_buffer_destroy(&b);
	sched_setaffinity(0, sizeof(saved), &saved);
}

int main(int argc, char **argv)
{
	struct test_mode m;
	pthread_t workers[MAX_WRITERS], slow[SLOW_THREADS], chg;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	double secs = test_seconds(1.0), end;
	unsigned char *mark;
	int found = 0, dup = 0, cycle = 0, lost_rec = 0;
	uint64_t total = 0;

	/* Read at the first slow path; set before any, and kept across re-execs. */
	setenv("PERCPU_DISABLE_MEMBARRIER", "1", 1);
	m = test_mode_setup(argc, argv);
	nr = percpu_nr_cpus();
	own_mode = m.mode == PERCPU_MODE_OWN;
	nworkers = ncpu > 0 ? (int)ncpu : 1;
	if (nworkers > MAX_WRITERS - SLOW_THREADS)
		nworkers = MAX_WRITERS - SLOW_THREADS;
	inject_loops[1] = inject_loops[2] = test_inject_loops(200);
	plan(6);
	diag("mode %s, %u CPUs, %d workers, %.1f s, PERCPU_DISABLE_MEMBARRIER=%s", m.name, nr,
	     nworkers, secs, getenv("PERCPU_DISABLE_MEMBARRIER"));
	if (!ok(percpu_list_init(&list, 0) == 0 && percpu_ring_init(&ring, PERCPU_RING_MIN_BYTES, 0) == 0, "init"))
		return exit_status();
	test_eperm();
	for (int i = 0; i < nworkers + SLOW_THREADS; i++)
		seen[i] = calloc(MAX_SEQ, 1);
	for (int i = 0; i < NODES; i++)
		put_back(&nodes[i], (unsigned int)i % nr);

	for (int i = 0; i < nworkers; i++)
		pthread_create(&workers[i], NULL, worker, (void *)(intptr_t)i);
	for (int i = 0; i < SLOW_THREADS; i++)
		pthread_create(&slow[i], NULL, slow_thread, (void *)(intptr_t)i);
	pthread_create(&chg, NULL, changer, NULL);
	end = now() + secs;
	while (now() < end)
		consume();
	__atomic_store_n(&stop, 1, __ATOMIC_RELAXED);
	for (int i = 0; i < nworkers; i++)
		pthread_join(workers[i], NULL);
	for (int i = 0; i < SLOW_THREADS; i++)
		pthread_join(slow[i], NULL);
	pthread_join(chg, NULL);
	consume();

	/* Every node once: drain every CPU, walks bounded by NODES. */
	mark = calloc(NODES, 1);
	for (unsigned int cpu = 0; cpu < nr; cpu++) {
		struct percpu_list_node *n = percpu_list_drain_cpu(&list, cpu);
		int k = 0;

		for (; n && k <= NODES; n = n->next, k++) {
			ptrdiff_t i = n - nodes;

			if (i < 0 || i >= NODES || mark[i]++) {
				dup++;
				break;
			}
			found++;
		}
		if (k > NODES)
			cycle++;
	}
	for (int i = 0; i < nworkers + SLOW_THREADS; i++) {
		total += written[i];
		for (uint64_t s = 0; s < MAX_SEQ; s++)
			if (seen[i][s] != (s < written[i]))
				lost_rec++;
	}
	diag("%lu slow-path rounds (%lu EPERM after a mask change), %lu affinity changes, "
	     "%llu records", slow_ops[0] + slow_ops[1], slow_eperm, changes,
	     (unsigned long long)total);
	ok(cycle == 0 && dup == 0 && !bad_record,
	   "no cycle, no node twice, drain walks bounded (%d cycles, %d duplicates)", cycle, dup);
	ok(found == NODES, "every node accounted for: %d of %d", found, NODES);
	ok(lost_rec == 0, "every record written was read exactly once (%d lost or doubled)",
	   lost_rec);
	percpu_list_destroy(&list);
	percpu_ring_destroy(&ring);
	free(mark);
	for (int i = 0; i < nworkers + SLOW_THREADS; i++)
		free(seen[i]);
	return exit_status();
}
