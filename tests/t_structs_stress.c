/* SPDX-License-Identifier: MIT */
/*
 * tests/t_structs_stress.c - lists, buffers and rings under preemption,
 * migration and signals, in the style of the kernel's rseq param_test:
 * 4 threads per CPU, unpinned, spin loops inside each critical section, a
 * 1 kHz SIGALRM whose handler does operations too, a thread that keeps
 * moving workers between CPUs with sched_setaffinity, and
 *   list, buffer: a thread that pops and drains other CPUs' lists/buffers
 *                 (the remote slow path) while workers push and pop;
 *                 every item seeded is found exactly once at the end;
 *   ring:         a consumer reading every CPU's ring while workers write;
 *                 every record is read exactly once, intact and in order,
 *                 or counted lost.
 *
 * Each structure runs until it has seen what it must (kernel aborts in the
 * rseq modes, workers moved between CPUs where there are several, signal
 * handlers' operations, remote operations or records read), at least
 * PERCPU_TEST_SECS, at most PERCPU_TEST_MAX_SECS (see testutil.h).
 *
 * Usage: t_structs_stress [libc|own|fallback|seccomp] [list|buffer|ring|all]
 * Environment: PERCPU_TEST_SECS (minimum, default 1 per structure),
 * PERCPU_TEST_MAX_SECS (deadline, default 10 times the minimum),
 * PERCPU_TEST_OPS (instead of the minimum time: run each structure until
 * this many operations are done; deadline 3600 s),
 * PERCPU_TEST_INJECT_LOOPS (spins at each hook, default 50).
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

/* Must precede the libpercpu headers. */
#include "stress-inject.h"

#include <percpu/percpu.h>
#include "testutil.h"
#include "ringutil.h"

#define NITEMS		2048
#define STASH		128	/* items a worker holds at most */
#define HSTASH		4	/* items its signal handler holds at most */
#define RING_SLOTS	64
#define PAYLOAD		3

enum structure { S_LIST, S_BUFFER, S_RING };
static const char *const sname[] = { "list", "buffer", "ring" };

struct item {
	struct percpu_list_node node;	/* first: a node pointer is an item pointer */
	uint32_t id;
	int owned;			/* 1 while some thread holds it */
};

struct record {
	uint32_t writer;
	uint32_t cpu_hint;
	uint64_t seq;
	uint64_t payload[PAYLOAD];
	uint64_t sum;
};

/* What one writer id did (workers: id i, their signal handlers: n + i). */
struct wstat {
	uint64_t attempts, ok, lost;
	uint64_t reads;
	unsigned char *written;	/* bitmap of seqs written successfully */
	unsigned char *read;	/* bitmap of seqs read */
};

struct worker {
	pthread_t tid;
	int idx;
	int mode;
	struct item *stash[STASH];
	int nstash;
	struct item *hstash[HSTASH];
	int nhstash;
};

static enum structure cur;
static struct percpu_list list;
static struct percpu_buffer buffer;
static struct percpu_ring ring;
static struct item items[NITEMS];
static struct wstat *wstats;
static uint64_t max_seq;
static int nthreads, nallowed, allowed[CPU_SETSIZE];
/* PERCPU_TEST_MM_CID set: every structure is indexed by mm_cid. */
static unsigned int sflags;
static unsigned int nr;
static int stop;
/*
 * Shared statistics are unsigned long, not uint64_t: signal handlers update
 * them, and where 64-bit atomics are not lock-free (mips o32) libatomic takes
 * a lock that a handler interrupting its holder would wait on forever.
 */
static unsigned long total_ops, phase_aborts, dup_takes, bad_items, bad_records, order_errors;
static __thread struct worker *tls_worker;
static __thread unsigned long tls_ops;
static __thread uint64_t tls_rand;
static __thread int tls_in_handler;
static unsigned long remote_ops, handler_ops, ring_reads, migrations;
static __thread int tls_last_cpu = -1;

static uint32_t rnd(void)
{
	tls_rand ^= tls_rand << 13;
	tls_rand ^= tls_rand >> 7;
	tls_rand ^= tls_rand << 17;
	return (uint32_t)(tls_rand >> 11);
}

static void count_op(void)
{
	if ((++tls_ops & 255) == 0)
		__atomic_fetch_add(&total_ops, 256, __ATOMIC_RELAXED);
}

static void thread_done(void)
{
	__atomic_fetch_add(&total_ops, tls_ops & 255, __ATOMIC_RELAXED);
	publish_aborts();
	tls_ops = 0;
}

/* Ownership check: an item popped twice without a push between is a duplicate. */
static struct item *take(void *p)
{
	struct item *it = p;

	if (!it)
		return NULL;
	if (it < items || it >= items + NITEMS) {
		__atomic_fetch_add(&bad_items, 1, __ATOMIC_RELAXED);
		return NULL;
	}
	if (__atomic_exchange_n(&it->owned, 1, __ATOMIC_ACQ_REL) != 0)
		__atomic_fetch_add(&dup_takes, 1, __ATOMIC_RELAXED);
	return it;
}

static void give(struct item *it)
{
	__atomic_store_n(&it->owned, 0, __ATOMIC_RELEASE);
}

/* Local operations, alternating the inline and the exported calls. */
static struct item *pop_local(int exported)
{
	void *p;

	if (cur == S_LIST)
		p = exported ? percpu_list_pop(&list) : _percpu_list_pop(&list);
	else
		p = exported ? percpu_buffer_pop(&buffer) : _percpu_buffer_pop(&buffer);
	count_op();
	return take(p);
}

static int push_local(struct item *it, int exported)
{
	int ret = 0;

	give(it);
	if (cur == S_LIST) {
		if (exported)
			ret = percpu_list_push(&list, &it->node);
		else
			_percpu_list_push(&list, &it->node);
	} else {
		ret = exported ? percpu_buffer_push(&buffer, it) : _percpu_buffer_push(&buffer, it);
	}
	count_op();
	if (ret != 0)
		take(it);	/* still ours (-ENOSPC) */
	return ret;
}

static uint64_t checksum(const struct record *r)
{
	uint64_t s = 0x9e3779b97f4a7c15ull ^ r->writer ^ (r->seq << 17) ^ r->cpu_hint;

	for (int i = 0; i < PAYLOAD; i++)
		s = (s ^ r->payload[i]) * 0x100000001b3ull;
	return s;
}

static void ring_write(unsigned int id, int exported)
{
	struct wstat *ws = &wstats[id];
	struct record r;
	int ret;

	if (ws->attempts >= max_seq)
		return;
	r.writer = id;
	r.cpu_hint = (uint32_t)rnd();
	r.seq = ws->attempts++;
	for (int i = 0; i < PAYLOAD; i++)
		r.payload[i] = r.seq * (i + 3) + rnd();
	r.sum = checksum(&r);
	ret = exported ? percpu_ring_write(&ring, 1, &r, sizeof(r)) : _percpu_ring_write(&ring, 1, &r, sizeof(r));
	count_op();
	if (ret == 0) {
		ws->ok++;
		ws->written[r.seq / 8] |= (unsigned char)(1u << (r.seq % 8));
	} else if (ret == -ENOSPC) {
		ws->lost++;
		/* Let the consumer catch up, or nearly every write is lost. */
		if (!tls_in_handler)
			sched_yield();
	} else {
		__atomic_fetch_add(&bad_records, 1, __ATOMIC_RELAXED);
	}
}

static void on_alarm(int sig)
{
	struct worker *w = tls_worker;
	int saved = errno;

	(void)sig;
	if (!w)
		return;
	tls_in_handler = 1;
	__atomic_fetch_add(&handler_ops, 1, __ATOMIC_RELAXED);
	if (cur == S_RING) {
		ring_write((unsigned int)(nthreads + w->idx), 1);
	} else {
		struct item *it;

		if (w->nhstash < HSTASH && (it = pop_local(w->nhstash & 1)) != NULL)
			w->hstash[w->nhstash++] = it;
		while (w->nhstash > 0 && push_local(w->hstash[w->nhstash - 1], 0) == 0)
			w->nhstash--;
	}
	tls_in_handler = 0;
	errno = saved;
}

static void *work(void *arg)
{
	struct worker *w = arg;
	sigset_t alrm;

	tls_worker = w;
	tls_rand = 0x2545f4914f6cdd1dull * (uint64_t)(w->idx + 1);
	w->mode = percpu_rseq_mode();
	while (!__atomic_load_n(&stop, __ATOMIC_RELAXED)) {
		int cpu = percpu_current_cpu();

		/* Seen moving: the migration thread's work reached a section. */
		if (cpu != tls_last_cpu) {
			if (tls_last_cpu >= 0)
				__atomic_fetch_add(&migrations, 1, __ATOMIC_RELAXED);
			tls_last_cpu = cpu;
		}
		publish_aborts();
		for (int i = 0; i < 64; i++) {
			uint32_t r = rnd();

			if (cur == S_RING) {
				ring_write((unsigned int)w->idx, r & 1);
				continue;
			}
			if (w->nstash < STASH && (w->nstash == 0 || (r & 3) != 0)) {
				struct item *it = pop_local(r & 4);

				if (it)
					w->stash[w->nstash++] = it;
			}
			if (w->nstash > 0 && (r & 24) != 0 &&
			    push_local(w->stash[w->nstash - 1], r & 32) == 0)
				w->nstash--;
		}
	}
	/* No handler may touch our stash or statistics after this. */
	sigemptyset(&alrm);
	sigaddset(&alrm, SIGALRM);
	pthread_sigmask(SIG_BLOCK, &alrm, NULL);
	while (cur != S_RING && w->nstash > 0 && push_local(w->stash[w->nstash - 1], 1) == 0)
		w->nstash--;
	thread_done();
	return NULL;
}

/* The stealer's items; seeding puts what does not fit in the buffers here. */
static struct item *steal_stash[NITEMS];
static int nsteal;

/* Remote slow paths on random CPUs while the workers run. */
static void *steal(void *arg)
{
	struct item **stash = steal_stash;
	int n = nsteal;

	(void)arg;
	tls_rand = 0x9e3779b97f4a7c15ull;
	while (!__atomic_load_n(&stop, __ATOMIC_RELAXED)) {
		unsigned int cpu = rnd() % nr, to = rnd() % nr;
		uint32_t r = rnd();

		if (cur == S_LIST && (r & 3) == 0) {
			struct percpu_list_node *node = percpu_list_drain_cpu(&list, cpu), *next;

			for (; node; node = next) {
				next = node->next;
				stash[n++] = take(node);
			}
		} else if (cur == S_BUFFER && (r & 3) == 0) {
			void *out[16];
			ssize_t got = percpu_buffer_drain_cpu(&buffer, cpu, out, 16);

			for (ssize_t i = 0; i < got; i++)
				stash[n++] = take(out[i]);
		} else {
			void *p = cur == S_LIST ? (void *)percpu_list_pop_cpu(&list, cpu) :
				  percpu_buffer_pop_cpu(&buffer, cpu);

			if (p)
				stash[n++] = take(p);
		}
		count_op();
		__atomic_fetch_add(&remote_ops, 1, __ATOMIC_RELAXED);
		while (n > 0) {
			struct item *it = stash[n - 1];
			int ret;

			give(it);
			if (cur == S_LIST)
				ret = (r & 4) ? percpu_list_push(&list, &it->node) :
					percpu_list_push_cpu(&list, &it->node, to);
			else
				ret = percpu_buffer_push_cpu(&buffer, it, to);
			count_op();
			__atomic_fetch_add(&remote_ops, 1, __ATOMIC_RELAXED);
			if (ret != 0) {
				take(it);
				to = (to + 1) % nr;
				if ((r = rnd()) % 8 == 0)
					break;	/* keep some for later */
				continue;
			}
			n--;
		}
	}
	/* Whatever is left is counted by check_items(). */
	nsteal = n;
	thread_done();
	return NULL;
}

static void check_record(const struct record *r, unsigned int cpu, int64_t *last)
{
	struct wstat *ws;

	if (r->writer >= (uint32_t)(2 * nthreads) || r->sum != checksum(r) || r->seq >= max_seq) {
		__atomic_fetch_add(&bad_records, 1, __ATOMIC_RELAXED);
		return;
	}
	ws = &wstats[r->writer];
	if ((int64_t)r->seq <= last[(size_t)cpu * 2 * nthreads + r->writer])
		order_errors++;
	last[(size_t)cpu * 2 * nthreads + r->writer] = (int64_t)r->seq;
	if (ws->read[r->seq / 8] & (1u << (r->seq % 8)))
		bad_records++;	/* read twice */
	ws->read[r->seq / 8] |= (unsigned char)(1u << (r->seq % 8));
	ws->reads++;
}

static int64_t *last_seq;

/* The only consumer of every CPU's ring while the workers run. */
static void *consume(void *arg)
{
	struct record r;
	int idle;

	(void)arg;
	do {
		idle = __atomic_load_n(&stop, __ATOMIC_RELAXED);
		for (unsigned int cpu = 0; cpu < nr; cpu++) {
			for (int k = 0; k < RING_SLOTS && ring_read_rec(&ring, cpu, &r, sizeof(r)) == 1; k++) {
				check_record(&r, cpu, last_seq);
				count_op();
				__atomic_fetch_add(&ring_reads, 1, __ATOMIC_RELAXED);
			}
		}
	} while (!idle);
	thread_done();
	return NULL;
}

/* Move workers between CPUs, and sometimes let them run anywhere. */
static void *migrate(void *arg)
{
	struct worker *w = arg;
	struct timespec nap = { 0, 200000 };
	cpu_set_t set, all;

	tls_rand = 0x1234567ull;
	CPU_ZERO(&all);
	for (int i = 0; i < nallowed; i++)
		CPU_SET(allowed[i], &all);
	while (!__atomic_load_n(&stop, __ATOMIC_RELAXED)) {
		struct worker *t = &w[rnd() % (uint32_t)nthreads];

		if (rnd() % 4 == 0) {
			set = all;
		} else {
			CPU_ZERO(&set);
			CPU_SET(allowed[rnd() % (uint32_t)nallowed], &set);
		}
		pthread_setaffinity_np(t->tid, sizeof(set), &set);
		nanosleep(&nap, NULL);
	}
	return NULL;
}

static void seed(void)
{
	int c = 0;

	nsteal = 0;
	for (int i = 0; i < NITEMS; i++) {
		items[i].id = (uint32_t)i;
		items[i].owned = 0;
		if (cur == S_LIST) {
			percpu_list_push_cpu(&list, &items[i].node, (unsigned int)allowed[c]);
		} else {
			/* Buffers hold 3/4 of the items: the rest start with the stealer. */
			int tries = 0;

			while (percpu_buffer_push_cpu(&buffer, &items[i], (unsigned int)allowed[c]) != 0) {
				c = (c + 1) % nallowed;
				if (++tries == nallowed) {
					items[i].owned = 1;
					steal_stash[nsteal++] = &items[i];
					break;
				}
			}
		}
		c = (c + 1) % nallowed;
	}
}

static int check_items(struct worker *w, uint64_t *found)
{
	static unsigned int seen[NITEMS];
	int bad = 0;

	memset(seen, 0, sizeof(seen));
	for (unsigned int cpu = 0; cpu < nr; cpu++) {
		if (cur == S_LIST) {
			for (struct percpu_list_node *n = percpu_list_drain_cpu(&list, cpu); n; n = n->next)
				seen[((struct item *)n)->id]++;
		} else {
			void *out[64];
			ssize_t got;

			while ((got = percpu_buffer_drain_cpu(&buffer, cpu, out, 64)) > 0)
				for (ssize_t i = 0; i < got; i++)
					seen[((struct item *)out[i])->id]++;
		}
	}
	for (int t = 0; t < nthreads; t++) {
		for (int i = 0; i < w[t].nstash; i++)
			seen[w[t].stash[i]->id]++;
		for (int i = 0; i < w[t].nhstash; i++)
			seen[w[t].hstash[i]->id]++;
	}
	for (int i = 0; i < nsteal; i++)
		seen[steal_stash[i]->id]++;
	*found = 0;
	for (int i = 0; i < NITEMS; i++) {
		bad += seen[i] != 1;
		*found += seen[i];
	}
	return bad;
}

/* What a phase must have seen before it may stop (before its deadline). */
static int seen_enough(enum structure s, const struct test_mode *m)
{
	if (nallowed > 1 && __atomic_load_n(&migrations, __ATOMIC_RELAXED) == 0)
		return 0;
	if (__atomic_load_n(&handler_ops, __ATOMIC_RELAXED) == 0)
		return 0;
	if (__atomic_load_n(s == S_RING ? &ring_reads : &remote_ops, __ATOMIC_RELAXED) == 0)
		return 0;
	return m->mode == PERCPU_MODE_FALLBACK || __atomic_load_n(&live_aborts, __ATOMIC_RELAXED) > 0;
}

static void run_phase(enum structure s, struct test_mode *m, double secs, uint64_t ops_target)
{
	struct worker *w = calloc((size_t)nthreads, sizeof(*w));
	struct itimerval tv = { { 0, 1000 }, { 0, 1000 } }, off = { { 0, 0 }, { 0, 0 } };
	struct sigaction sa = { .sa_handler = on_alarm, .sa_flags = SA_RESTART };
	struct test_clock clk;
	pthread_t helper, mover;
	sigset_t alrm, old;
	int wrong_mode = 0;
	double elapsed;

	cur = s;
	stop = 0;
	total_ops = remote_ops = phase_aborts = dup_takes = bad_items = bad_records = order_errors = 0;
	live_aborts = handler_ops = ring_reads = migrations = 0;
	if (s == S_LIST) {
		ok(percpu_list_init(&list, sflags) == 0, "list: init");
	} else if (s == S_BUFFER) {
		ok(percpu_buffer_init(&buffer, NITEMS * 3 / 4 / nr, sflags) == 0,
		   "buffer: init, %u pointers per CPU", NITEMS * 3 / 4 / nr);
	} else {
		ok(percpu_ring_init(&ring, PERCPU_RING_MIN_BYTES, sflags) == 0,
		   "ring: init, %zu bytes per CPU, %zu-byte records", PERCPU_RING_MIN_BYTES,
		   sizeof(struct record));
		wstats = calloc((size_t)nthreads * 2, sizeof(*wstats));
		last_seq = malloc(sizeof(*last_seq) * nr * 2 * (size_t)nthreads);
		for (size_t i = 0; i < (size_t)nr * 2 * (size_t)nthreads; i++)
			last_seq[i] = -1;
		for (int i = 0; i < 2 * nthreads; i++) {
			wstats[i].written = calloc((size_t)(max_seq / 8 + 1), 1);
			wstats[i].read = calloc((size_t)(max_seq / 8 + 1), 1);
		}
	}
	if (s != S_RING)
		seed();

	sigaction(SIGALRM, &sa, NULL);
	/* With an operation target, run until it is reached (deadline: secs). */
	test_clock_start(&clk, ops_target ? 0 : secs, ops_target ? secs : 10 * secs);
	for (int i = 0; i < nthreads; i++) {
		w[i].idx = i;
		pthread_create(&w[i].tid, NULL, work, &w[i]);
	}
	/* Helpers inherit SIGALRM blocked: signals go to the workers. */
	sigemptyset(&alrm);
	sigaddset(&alrm, SIGALRM);
	pthread_sigmask(SIG_BLOCK, &alrm, &old);
	pthread_create(&helper, NULL, s == S_RING ? consume : steal, NULL);
	pthread_create(&mover, NULL, migrate, w);
	setitimer(ITIMER_REAL, &tv, NULL);
	while (!test_clock_done(&clk, seen_enough(s, m) &&
				(!ops_target || __atomic_load_n(&total_ops, __ATOMIC_RELAXED) >= ops_target)))
		;
	elapsed = test_clock_elapsed(&clk);
	setitimer(ITIMER_REAL, &off, NULL);
	__atomic_store_n(&stop, 1, __ATOMIC_RELAXED);
	/* The mover first: pthread_setaffinity_np() on a joined thread is a use after free. */
	pthread_join(mover, NULL);
	for (int i = 0; i < nthreads; i++) {
		pthread_join(w[i].tid, NULL);
		wrong_mode += w[i].mode != m->mode;
	}
	pthread_join(helper, NULL);
	sigaction(SIGALRM, &(struct sigaction){ .sa_handler = SIG_IGN }, NULL);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	phase_aborts = live_aborts;

	ok(seen_enough(s, m), "%s: saw %lu CPU changes (of %d CPUs), %lu signal handler "
	   "operations, %lu %s, %lu kernel aborts (mode %s)", sname[s], migrations, nallowed,
	   handler_ops, s == S_RING ? ring_reads : remote_ops,
	   s == S_RING ? "records read" : "remote operations", phase_aborts, m->name);
	ok(wrong_mode == 0, "%s: all %d workers ran in mode %s (%d did not)", sname[s], nthreads,
	   m->name, wrong_mode);
	if (s != S_RING) {
		uint64_t found;
		int bad = check_items(w, &found);

		ok(bad == 0 && dup_takes == 0 && bad_items == 0,
		   "%s: each of %d items found exactly once (%llu found, %d wrong, %llu taken "
		   "twice, %llu foreign)", sname[s], NITEMS, (unsigned long long)found, bad,
		   (unsigned long long)dup_takes, (unsigned long long)bad_items);
		if (s == S_LIST)
			percpu_list_destroy(&list);
		else
			percpu_buffer_destroy(&buffer);
	} else {
		struct record r;
		uint64_t attempts = 0, wok = 0, lost = 0, reads = 0, lib_lost = 0, mismatch = 0;

		for (unsigned int cpu = 0; cpu < nr; cpu++) {
			uint64_t l = 0;

			while (ring_read_rec(&ring, cpu, &r, sizeof(r)) == 1)
				check_record(&r, cpu, last_seq);
			l = ring_lost(&ring, cpu);
			lib_lost += l;
		}
		for (int i = 0; i < 2 * nthreads; i++) {
			struct wstat *ws = &wstats[i];

			attempts += ws->attempts;
			wok += ws->ok;
			lost += ws->lost;
			reads += ws->reads;
			mismatch += ws->ok + ws->lost != ws->attempts || ws->reads != ws->ok ||
				    memcmp(ws->written, ws->read, (size_t)(max_seq / 8 + 1)) != 0;
			free(ws->written);
			free(ws->read);
		}
		ok(mismatch == 0 && wok + lost == attempts && reads == wok && lib_lost == lost,
		   "ring: %llu attempts = %llu written + %llu lost; %llu read; library lost %llu; "
		   "%llu writers differ", (unsigned long long)attempts, (unsigned long long)wok,
		   (unsigned long long)lost, (unsigned long long)reads,
		   (unsigned long long)lib_lost, (unsigned long long)mismatch);
		ok(bad_records == 0 && order_errors == 0,
		   "ring: every record intact, read once, in order per CPU (%llu bad, %llu out of "
		   "order)", (unsigned long long)bad_records, (unsigned long long)order_errors);
		percpu_ring_destroy(&ring);
		free(wstats);
		free(last_seq);
	}

	diag("%s, mode %s: %llu kernel aborts in %llu ops (%llu remote; %.2f s, %d workers)",
	     sname[s], m->name, (unsigned long long)phase_aborts, (unsigned long long)total_ops,
	     (unsigned long long)remote_ops, elapsed, nthreads);
	if (m->mode == PERCPU_MODE_FALLBACK)
		ok(phase_aborts == 0, "%s: fallback ran no sequence (%llu aborts)", sname[s],
		   (unsigned long long)phase_aborts);
	else
		ok(phase_aborts > 0, "%s: the kernel aborted %llu sequences (0 would mean the "
		   "abort path was never exercised)", sname[s], (unsigned long long)phase_aborts);
	free(w);
}

int main(int argc, char **argv)
{
	struct test_mode m = test_mode_setup(argc, argv);
	const char *which = argc > 2 ? argv[2] : "all";
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	double secs = test_seconds(1.0);
	const char *ops_env = getenv("PERCPU_TEST_OPS");
	uint64_t ops_target = ops_env ? strtoull(ops_env, NULL, 0) : 0;
	int run[3], planned = 0;
	cpu_set_t set;

	nr = percpu_nr_cpus();
	if (getenv("PERCPU_TEST_MM_CID")) {
		sflags = PERCPU_MM_CID;
		diag("structures indexed by mm_cid");
	}
	nthreads = 4 * (ncpu > 0 ? (int)ncpu : 1);
	sched_getaffinity(0, sizeof(set), &set);
	for (int cpu = 0; cpu < CPU_SETSIZE; cpu++)
		if (CPU_ISSET(cpu, &set) && (unsigned int)cpu < nr)
			allowed[nallowed++] = cpu;
	/* Bitmaps of ring sequence numbers: enough for the operation target. */
	max_seq = (uint64_t)1 << 22;
	if (ops_target / (uint64_t)nthreads + 1 > max_seq)
		max_seq = ops_target / (uint64_t)nthreads + 1;
	if (ops_env && !getenv("PERCPU_TEST_SECS"))
		secs = 3600;	/* the deadline, with an operation target */

	for (int s = 0; s < 3; s++) {
		run[s] = strcmp(which, "all") == 0 || strcmp(which, sname[s]) == 0;
		planned += run[s] ? (s == S_RING ? 6 : 5) : 0;
	}
	if (!planned) {
		fprintf(stderr, "unknown structure %s (list, buffer, ring, all)\n", which);
		return 2;
	}
	plan(planned);
	inject_loops[1] = inject_loops[2] = inject_loops[3] = test_inject_loops(50);
	for (int s = 0; s < 3; s++)
		if (run[s])
			run_phase((enum structure)s, &m, secs, ops_target);
	return exit_status();
}
