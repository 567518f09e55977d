/* SPDX-License-Identifier: MIT */
/*
 * tests/t_ring_stress.c - event rings under preemption, migration and
 * signals, drained by a reader in another process.
 *
 * The rings are shared (a memfd); a child process attaches to the memfd and
 * is their only reader, reading many events at a time with buffers of random
 * sizes and sometimes waiting on the watermark.  In the parent, 2 writer
 * threads per CPU (at least 4) write events of random sizes (16 to 1000
 * bytes of payload) with spin loops inside each sequence, and a 1 kHz
 * SIGALRM whose handler writes events too.  Each payload names its writer,
 * its number and its length, and the rest is a pattern derived from them.
 *
 * Checked at the end, exactly: every writer's attempts = written + dropped;
 * events written = events read + lost ("overwritten", counted by the reader
 * from sequence gaps) and dropped = lost ("full"), per writer in discard mode;
 * every event read intact, each writer's events in order per CPU; zero
 * timestamp inversions within any CPU's ring; kernel aborts in the rseq
 * modes.  Each mode runs until it has seen aborts (rseq modes), signal
 * handlers' events, events read and events lost, at least PERCPU_TEST_SECS,
 * at most PERCPU_TEST_MAX_SECS (see testutil.h).
 *
 * Usage: t_ring_stress [libc|own|fallback|seccomp] [discard|overwrite|all]
 */
#define _GNU_SOURCE
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <sys/wait.h>

/* Must precede the libpercpu headers. */
#include "stress-inject.h"

#include <percpu/percpu.h>
#include "testutil.h"

#define MAX_WRITERS	256
#define MAX_CPUS	1024

struct payload {
	uint32_t writer;
	uint32_t seq;		/* the writer's attempt number */
	uint32_t len;		/* payload bytes */
	uint32_t pad;
};

struct wstat {
	uint64_t attempts, ok, dropped, errors;
};

/* What the reader shares while it runs, and reports at the end. */
struct shared {
	uint64_t reads;			/* events read so far */
	uint64_t lost_seen;		/* lost (both causes) seen so far */
	uint64_t bad, inversions, order_errors, read_errors;
	uint64_t lost_full, lost_overwritten;
	uint64_t per_writer[MAX_WRITERS];
	uint64_t waits, wakes;
	int done;			/* set by the parent: drain and report */
	int reported;
};

static struct percpu_ring ring;
static struct wstat wstats[MAX_WRITERS];
static struct shared *sh;
static int nthreads, stop;
static unsigned int nr;
static unsigned long handler_ops;
static __thread unsigned int tls_id;
static __thread int tls_active;
static __thread uint64_t tls_rnd;

static uint32_t rnd(void)
{
	tls_rnd ^= tls_rnd << 13;
	tls_rnd ^= tls_rnd >> 7;
	tls_rnd ^= tls_rnd << 17;
	return (uint32_t)(tls_rnd >> 16);
}

static unsigned char pattern(const struct payload *p, size_t i)
{
	return (unsigned char)(p->seq * 31u + p->writer * 7u + (unsigned int)i);
}

/*
 * Out of line: on 32-bit ARM (ARM mode) the inlined write grew write_one()
 * past the reach of vldr to its literal pool.
 */
static __attribute__((noinline)) int put(unsigned int id, const void *buf, uint32_t len,
					 int exported)
{
	return exported ? percpu_ring_write(&ring, id, buf, len) :
			  _percpu_ring_write(&ring, id, buf, len);
}

static void write_one(unsigned int id, int exported)
{
	struct wstat *ws = &wstats[id];
	uint64_t buf[1000 / 8 + 1];
	struct payload *p = (struct payload *)buf;
	uint32_t len = 16 + rnd() % 241;
	int ret;

	if ((rnd() & 63) == 0)
		len = 16 + rnd() % 985;
	p->writer = id;
	p->seq = (uint32_t)ws->attempts++;
	p->len = len;
	p->pad = 0;
	for (size_t i = sizeof(*p); i < len; i++)
		((unsigned char *)buf)[i] = pattern(p, i);
	ret = put(id, buf, len, exported);
	if (ret == 0)
		ws->ok++;
	else if (ret == -ENOSPC)
		ws->dropped++;
	else
		ws->errors++;
	publish_aborts();
}

static void on_alarm(int sig)
{
	(void)sig;
	if (!tls_active)
		return;
	write_one(tls_id + (unsigned int)nthreads, 1);
	__atomic_fetch_add(&handler_ops, 1, __ATOMIC_RELAXED);
}

static void *work(void *arg)
{
	unsigned int id = (unsigned int)(uintptr_t)arg;

	tls_id = id;
	tls_rnd = 0x9e3779b97f4a7c15ull * (id + 1);
	tls_active = 1;
	while (!__atomic_load_n(&stop, __ATOMIC_RELAXED)) {
		write_one(id, rnd() & 1);
		/* Let the reader in now and then, or discard mode drops nearly all. */
		if ((rnd() & 15) == 0)
			sched_yield();
	}
	tls_active = 0;
	return NULL;
}

/* The child: the only reader, through its own attachment to the memfd. */
static void check_events(const char *buf, size_t n, unsigned int cpu, uint64_t *last_ts,
			 int64_t *last_seq)
{
	const struct percpu_ring_event *ev;
	size_t off = 0;

	while ((ev = percpu_ring_event_next(buf, n, &off)) != NULL) {
		const struct payload *p = percpu_ring_event_payload(ev);
		int bad = ev->size < PERCPU_RING_HEADER + sizeof(*p) ||
			  p->writer >= (uint32_t)(2 * nthreads) || ev->type != p->writer ||
			  ev->size != PERCPU_RING_HEADER + p->len;

		for (size_t i = sizeof(*p); !bad && i < p->len; i++)
			bad = ((const unsigned char *)p)[i] != pattern(p, i);
		if (bad) {
			sh->bad++;
			continue;
		}
		if (ev->ts < last_ts[cpu])
			sh->inversions++;
		last_ts[cpu] = ev->ts;
		if ((int64_t)p->seq <= last_seq[(size_t)p->writer * nr + cpu])
			sh->order_errors++;
		last_seq[(size_t)p->writer * nr + cpu] = p->seq;
		sh->per_writer[p->writer]++;
		__atomic_fetch_add(&sh->reads, 1, __ATOMIC_RELAXED);
	}
}

static void update_lost(struct percpu_ring *rr, int final)
{
	uint64_t full = 0, over = 0;

	for (unsigned int cpu = 0; cpu < nr; cpu++) {
		struct percpu_ring_lost l;

		if (percpu_ring_lost_cpu(rr, cpu, &l, 0) != 0)
			sh->read_errors++;
		full += l.full;
		over += l.overwritten;
	}
	__atomic_store_n(&sh->lost_seen, full + over, __ATOMIC_RELAXED);
	if (final) {
		sh->lost_full = full;
		sh->lost_overwritten = over;
	}
}

static int reader(int fd)
{
	struct percpu_ring rr;
	uint64_t *last_ts = calloc(nr, sizeof(*last_ts));
	int64_t *last_seq = malloc(sizeof(*last_seq) * nr * 2 * (size_t)nthreads);
	size_t cap = 1 << 16;
	char *buf = malloc(cap);
	int final = 0;

	tls_rnd = 12345;
	memset(&rr, 0, sizeof(rr));
	if (!last_ts || !last_seq || !buf || percpu_ring_attach(&rr, fd) != 0)
		return 2;
	for (size_t i = 0; i < nr * 2 * (size_t)nthreads; i++)
		last_seq[i] = -1;
	for (;;) {
		uint64_t got = 0;

		for (unsigned int cpu = 0; cpu < nr; cpu++) {
			/* From one largest event to the whole buffer. */
			size_t len = PERCPU_RING_SPAN(PERCPU_RING_MAX_PAYLOAD) +
				     rnd() % (cap - PERCPU_RING_SPAN(PERCPU_RING_MAX_PAYLOAD));
			ssize_t n;

			while ((n = percpu_ring_read_cpu(&rr, cpu, buf, len)) > 0) {
				check_events(buf, (size_t)n, cpu, last_ts, last_seq);
				got += (uint64_t)n;
				if (!final)
					break;
			}
			if (n < 0)
				sh->read_errors++;
		}
		update_lost(&rr, 0);
		if (final && got == 0)
			break;
		if (__atomic_load_n(&sh->done, __ATOMIC_ACQUIRE)) {
			final = 1;
			continue;
		}
		/* A slow reader now and then: rings fill, overwrite mode laps. */
		if ((rnd() & 255) == 0)
			usleep(2000);
		if (got == 0) {
			int w = percpu_ring_wait(&rr, 2048, 5);

			sh->waits++;
			sh->wakes += w == 1;
		}
	}
	update_lost(&rr, 1);
	percpu_ring_destroy(&rr);
	__atomic_store_n(&sh->reported, 1, __ATOMIC_RELEASE);
	return 0;
}

static int seen_enough(const struct test_mode *m)
{
	return __atomic_load_n(&handler_ops, __ATOMIC_RELAXED) > 0 &&
	       __atomic_load_n(&sh->reads, __ATOMIC_RELAXED) > 0 &&
	       __atomic_load_n(&sh->lost_seen, __ATOMIC_RELAXED) > 0 &&
	       (m->mode == PERCPU_MODE_FALLBACK || __atomic_load_n(&live_aborts, __ATOMIC_RELAXED) > 0);
}

static void run(const struct test_mode *m, unsigned int flags, double secs)
{
	const char *name = (flags & PERCPU_RING_OVERWRITE) ? "overwrite" : "discard";
	struct itimerval tv = { { 0, 1000 }, { 0, 1000 } }, off = { { 0, 0 }, { 0, 0 } };
	struct sigaction sa = { .sa_handler = on_alarm, .sa_flags = SA_RESTART };
	size_t bytes = (flags & PERCPU_RING_OVERWRITE) ? PERCPU_RING_MIN_BYTES_OVERWRITE :
							  2 * PERCPU_RING_MIN_BYTES;
	pthread_t tid[MAX_WRITERS];
	uint64_t attempts = 0, ok_ = 0, dropped = 0, errors = 0, reads = 0, mismatch = 0;
	struct test_clock clk;
	sigset_t alrm, old;
	int status = -1;
	pid_t pid;

	memset(sh, 0, sizeof(*sh));
	memset(wstats, 0, sizeof(wstats));
	stop = 0;
	live_aborts = handler_ops = 0;
	if (!ok(percpu_ring_init(&ring, bytes, flags | PERCPU_RING_SHARED) == 0,
		"%s: init %zu bytes per CPU in a memfd", name, bytes)) {
		skip(5, "no ring");
		return;
	}
	fflush(stdout);
	pid = fork();
	if (pid == 0)
		_exit(reader(percpu_ring_fd(&ring)));
	sigaction(SIGALRM, &sa, NULL);
	test_clock_start(&clk, secs, 10 * secs);
	for (int i = 0; i < nthreads; i++)
		pthread_create(&tid[i], NULL, work, (void *)(uintptr_t)i);
	/* The main thread blocks SIGALRM: the signals go to the writers. */
	sigemptyset(&alrm);
	sigaddset(&alrm, SIGALRM);
	pthread_sigmask(SIG_BLOCK, &alrm, &old);
	setitimer(ITIMER_REAL, &tv, NULL);
	while (!test_clock_done(&clk, seen_enough(m)))
		;
	setitimer(ITIMER_REAL, &off, NULL);
	__atomic_store_n(&stop, 1, __ATOMIC_RELAXED);
	for (int i = 0; i < nthreads; i++)
		pthread_join(tid[i], NULL);
	sigaction(SIGALRM, &(struct sigaction){ .sa_handler = SIG_IGN }, NULL);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	__atomic_store_n(&sh->done, 1, __ATOMIC_RELEASE);
	if (pid > 0)
		waitpid(pid, &status, 0);
	for (int i = 0; i < 2 * nthreads; i++) {
		struct wstat *ws = &wstats[i];

		attempts += ws->attempts;
		ok_ += ws->ok;
		dropped += ws->dropped;
		errors += ws->errors;
		reads += sh->per_writer[i];
		if (!(flags & PERCPU_RING_OVERWRITE))
			mismatch += sh->per_writer[i] != ws->ok;
		else
			mismatch += sh->per_writer[i] > ws->ok;
	}
	ok(pid > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0 && sh->reported &&
	   sh->read_errors == 0 && errors == 0,
	   "%s: the reader process attached and reported (status %d, %llu read errors, "
	   "%llu write errors)", name, status, (unsigned long long)sh->read_errors,
	   (unsigned long long)errors);
	ok(attempts == ok_ + dropped && ok_ == reads + sh->lost_overwritten &&
	   dropped == sh->lost_full && mismatch == 0 &&
	   ((flags & PERCPU_RING_OVERWRITE) ? dropped == 0 : sh->lost_overwritten == 0),
	   "%s: %llu attempts = %llu written + %llu dropped; written = %llu read + %llu "
	   "overwritten; dropped = lost full %llu; %llu writers differ", name,
	   (unsigned long long)attempts, (unsigned long long)ok_, (unsigned long long)dropped,
	   (unsigned long long)reads, (unsigned long long)sh->lost_overwritten,
	   (unsigned long long)sh->lost_full, (unsigned long long)mismatch);
	ok(sh->bad == 0 && sh->order_errors == 0,
	   "%s: every event intact and in order per writer and CPU (%llu bad, %llu out of order)",
	   name, (unsigned long long)sh->bad, (unsigned long long)sh->order_errors);
	ok(sh->inversions == 0, "%s: no timestamp inversion within any CPU's ring (%llu)", name,
	   (unsigned long long)sh->inversions);
	ok(seen_enough(m),
	   "%s: saw %lu handler events, %llu reads, %llu lost, %lu aborts (mode %s); reader "
	   "waited %llu times, woken %llu", name, handler_ops, (unsigned long long)reads,
	   (unsigned long long)(sh->lost_full + sh->lost_overwritten), live_aborts, m->name,
	   (unsigned long long)sh->waits, (unsigned long long)sh->wakes);
	diag("%s, mode %s: %.2f s, %d writers, %llu aborts", name, m->name,
	     test_clock_elapsed(&clk), nthreads, (unsigned long long)live_aborts);
	percpu_ring_destroy(&ring);
}

int main(int argc, char **argv)
{
	struct test_mode m = test_mode_setup(argc, argv);
	const char *which = argc > 2 ? argv[2] : "all";
	double secs = test_seconds(1);
	int runs = strcmp(which, "all") == 0 ? 2 : 1;

	nr = percpu_nr_cpus();
	if (nr > MAX_CPUS)
		skip_all("more than %d CPUs", MAX_CPUS);
	nthreads = (int)nr * 2 < 4 ? 4 : (int)nr * 2;
	if (nthreads > MAX_WRITERS / 2)
		nthreads = MAX_WRITERS / 2;
	inject_loops[0] = inject_loops[1] = inject_loops[2] = inject_loops[3] =
		test_inject_loops(50);
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		skip_all("no shared memory");
	plan(6 * runs);
	diag("mode %s, %u CPUs, %d writers", m.name, nr, nthreads);
	if (strcmp(which, "discard") == 0 || runs == 2)
		run(&m, 0, secs);
	if (strcmp(which, "overwrite") == 0 || runs == 2)
		run(&m, PERCPU_RING_OVERWRITE, secs);
	return exit_status();
}
