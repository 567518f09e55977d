/* SPDX-License-Identifier: MIT */
/*
 * bench/lttng/lttng_bench.c - cost per recorded event of libpercpu's ring
 * writer against LTTng-UST's, same payloads, same threads, same run.
 *
 * Run by bench/lttng-bench.sh, which starts a private session daemon and an
 * active UST session whose channel (per-CPU buffers, discard mode, 8
 * sub-buffers of --ring-bytes / 8) records the percpu_bench:ev16/ev64/ev256
 * events, then runs this program.  For each payload size (16, 64, 256
 * bytes) and thread count, each repetition runs two cells back to back:
 *
 *   percpu_write   _percpu_ring_write() into a discard-mode percpu_ring of
 *                  --ring-bytes per CPU, as many as LTTng's channel has in
 *                  its 8 sub-buffers (one ring for the whole run, as the
 *                  session's buffers are), while a consumer thread drains
 *                  it as lttng-consumerd drains LTTng's buffers: it sleeps
 *                  in percpu_ring_wait() until an LTTng sub-buffer's worth
 *                  (an eighth) is written, reads every CPU's ring and
 *                  writes what it read to a file (--out-dir; wrapping at
 *                  64 MiB, as the LTTng channel's trace files rotate)
 *   lttng_ust      lttng_ust_tracepoint(percpu_bench, evN, payload): LTTng
 *                  serialises the event into its per-CPU buffer; its own
 *                  consumer daemon drains it
 *
 * What is timed is the cost of a RECORDED event: a writer running flat out
 * outruns either consumer, and a dropped event costs less than a recorded
 * one.  So each writer writes a fixed number of events per repetition
 * (--events; by default the most that fit in one CPU's buffer on BOTH
 * sides, from empty, counting each side's headers: see events_that_fit()),
 * and each cell starts with empty buffers: the libpercpu cell ends when its
 * consumer has read everything, the LTTng cell by stopping the session,
 * which flushes the buffers and waits until the consumer daemon has
 * consumed them, then starting it again (--discarded-cmd, untimed; the
 * same command reads LTTng's discarded count).  Neither side should drop
 * an event; each still counts what it dropped, and the table reports it.
 *
 * Timing: each writer thread prepares a 16 KiB chunk of records (untimed;
 * it stays in L1), then times its whole repetition's writes, cycling
 * through the chunk, with CLOCK_MONOTONIC and its thread CPU clock.  One
 * window per repetition: the CPU clock is a system call, whose cost read
 * per 16 KiB chunk would add up to 5 ns to each 256-byte event on both
 * sides.  A dropped event counts as written (it was paid for) and is
 * reported: "dropped" is libpercpu's lost "full" count, or LTTng's
 * "Discarded events" from the session daemon.
 *
 * Output: one line per cell and repetition ("cell ..."), then a table of
 * medians over the repetitions.  ns/event is a writer's own cost (its timed
 * wall-clock nanoseconds over its events, summed over threads); cpu_ns the
 * same with the threads' CPU time (CLOCK_THREAD_CPUTIME_ID: time preempted
 * left out, system calls made by the writer counted); wall_ns the cell's
 * wall time over all threads' events (throughput, what Google Benchmark's
 * manual time reports for threads in percpu-bench).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <percpu/ring.h>
#include <percpu/rseq.h>

#ifdef HAVE_LTTNG_UST
#include "bench_tp.h"
#endif

#define MAX_THREADS	256
#define MAX_REPS	51
#define CHUNK_BYTES	16384
#define OUT_WRAP	((off_t)64 << 20)
#define WARMUP_REPS	2

/*
 * LTTng-UST's layout, as bounds (lttng-ust 2.13, x86-64, the channel of
 * lttng-bench.sh): an event's header is 4 bytes (compact: 5-bit id, 27-bit
 * timestamp) or 13 (extended: id 31, then 32-bit id and 64-bit timestamp,
 * after a gap of more than 2^27 ns), no context fields; the payload is a
 * byte array (no padding).  Each packet (sub-buffer) starts with its
 * header and context (magic, UUID, stream ids, begin/end timestamps,
 * content and packet size, sequence number, discarded count, CPU: about
 * 90 bytes); an event never straddles two packets.  The bounds below are
 * looser than that; lttng-bench.sh's LTTNG_BENCH_VERIFY=1 checks with
 * babeltrace2 that nothing was dropped in such a run.
 */
#define LTTNG_EVENT_HEADER_MAX	16
#define LTTNG_PACKET_HEADER_MAX	256

enum variant { V_PERCPU, V_LTTNG, NVARIANTS };
static const char *const variant_name[] = { "percpu_write", "lttng_ust" };

static long opt_events;		/* per writer per repetition; 0: what fits */
static int opt_reps = 11;
static size_t opt_ring_bytes = 2u << 20;
static const char *opt_out_dir;
static const char *opt_discarded_cmd;
static int opt_unpinned;
static int opt_poll;
static int opt_no_lttng;
static long sizes[3] = { 16, 64, 256 };
static int nsizes = 3;
static int threads[8];
static int nthreads_opts;

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/*
 * The thread's CPU time: unlike the wall clock, it leaves out the time the
 * writer was preempted, which on a busy machine (more runnable threads than
 * CPUs) is most of the difference between repetitions.  A system call, so
 * read once per chunk only.
 */
static uint64_t cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* One cell: a variant, a size, a thread count. */
struct cell {
	enum variant v;
	size_t size;
	int nthreads;
	struct percpu_ring *ring;
	long events;			/* per writer */
	pthread_barrier_t start;
	int stop_consumer;
	int out_fd;
	uint64_t consumed_bytes;
};

struct writer {
	struct cell *c;
	pthread_t tid;
	int index;
	int cpu;
	uint64_t events;
	uint64_t dropped;
	uint64_t timed_ns;
	uint64_t cpu_ns;		/* thread CPU time of the timed sections */
	uint64_t start_ns, end_ns;
	int pin_failed;
};

static int pin_to(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set);
}

/*
 * Tag each record of the chunk (first and last word), as bench/ring.c
 * does, so consecutive events differ and the tags are written by plain
 * stores well before the timed copy reads them.
 */
static void prepare(uint64_t *recs, size_t size, size_t k, int index)
{
	for (size_t j = 0; j < k; j++) {
		uint64_t *rec = recs + j * (size / 8);
		uint64_t tag = ((uint64_t)(index + 1) << 48) | (j + 1);

		rec[0] = tag;
		rec[size / 8 - 1] = ~tag;
	}
}

static inline int write_percpu(struct cell *c, const uint64_t *rec, size_t size)
{
	return _percpu_ring_write(c->ring, 1, rec, size) == -ENOSPC;
}

#ifdef HAVE_LTTNG_UST
/*
 * One tracepoint per size (the array length is part of the event's
 * layout).  lttng-ust counts discarded events itself; the call returns
 * nothing.
 */
static inline void write_lttng(const uint64_t *rec, size_t size)
{
	const uint8_t *p = (const uint8_t *)rec;

	if (size == 16)
		lttng_ust_tracepoint(percpu_bench, ev16, p);
	else if (size == 64)
		lttng_ust_tracepoint(percpu_bench, ev64, p);
	else
		lttng_ust_tracepoint(percpu_bench, ev256, p);
}

static int lttng_enabled(size_t size)
{
	if (size == 16)
		return lttng_ust_tracepoint_enabled(percpu_bench, ev16);
	if (size == 64)
		return lttng_ust_tracepoint_enabled(percpu_bench, ev64);
	return lttng_ust_tracepoint_enabled(percpu_bench, ev256);
}
#endif

static void *writer_main(void *arg)
{
	struct writer *w = arg;
	struct cell *c = w->c;
	const size_t size = c->size, chunk = CHUNK_BYTES / size;
	const size_t n = (size_t)c->events;
	uint64_t *recs = aligned_alloc(64, CHUNK_BYTES), t0, c0, dropped = 0;

	if (!recs)
		abort();
	memset(recs, w->index + 1, CHUNK_BYTES);
	prepare(recs, size, chunk, w->index);
	if (!opt_unpinned && pin_to(w->cpu) != 0)
		w->pin_failed = 1;
	if (c->v == V_PERCPU)
		(void)percpu_rseq_mode();	/* registration outside the timing */
	pthread_barrier_wait(&c->start);
	w->start_ns = now_ns();
	c0 = cpu_ns();
	t0 = now_ns();
	if (c->v == V_PERCPU) {
		for (size_t done = 0; done < n; done += chunk) {
			size_t k = n - done < chunk ? n - done : chunk;

			for (size_t j = 0; j < k; j++)
				dropped += (uint64_t)write_percpu(c, recs + j * (size / 8), size);
		}
	}
#ifdef HAVE_LTTNG_UST
	else {
		for (size_t done = 0; done < n; done += chunk) {
			size_t k = n - done < chunk ? n - done : chunk;

			for (size_t j = 0; j < k; j++)
				write_lttng(recs + j * (size / 8), size);
		}
	}
#endif
	w->end_ns = now_ns();
	w->cpu_ns = cpu_ns() - c0;
	w->timed_ns = w->end_ns - t0;
	w->events = n;
	w->dropped = dropped;
	free(recs);
	return NULL;
}

/*
 * The libpercpu side's consumer: what lttng-consumerd does for LTTng,
 * short of the metadata and the packet headers.  Woken when some CPU's ring
 * holds an LTTng sub-buffer's worth (or every 10 ms), it reads every CPU's ring
 * and writes the bytes to its file.  With --poll-consumer it never waits in
 * percpu_ring_wait(), so no writer wakes it: it reads every millisecond.
 */
static void *consumer_main(void *arg)
{
	struct cell *c = arg;
	const size_t len = 1u << 20;
	void *buf = aligned_alloc(64, len);
	unsigned int ncpu = percpu_nr_cpus();
	off_t off = 0;
	int last = 0;

	if (!buf)
		abort();
	for (;;) {
		int got = 0;

		if (!last && opt_poll) {
			struct timespec ts = { 0, 1000000 };

			nanosleep(&ts, NULL);
		} else if (!last) {
			(void)percpu_ring_wait(c->ring, opt_ring_bytes / PERCPU_RING_SUBBUFS, 10);
		}
		if (__atomic_load_n(&c->stop_consumer, __ATOMIC_ACQUIRE))
			last = 1;
		for (unsigned int cpu = 0; cpu < ncpu; cpu++) {
			ssize_t n;

			while ((n = percpu_ring_read_cpu(c->ring, cpu, buf, len)) > 0) {
				got = 1;
				c->consumed_bytes += (uint64_t)n;
				if (c->out_fd >= 0) {
					if (off + n > OUT_WRAP)
						off = 0;
					if (pwrite(c->out_fd, buf, (size_t)n, off) != n)
						abort();
					off += n;
				}
			}
		}
		if (last && !got)
			break;
	}
	free(buf);
	return NULL;
}

/*
 * LTTng's cumulative discarded count, from --discarded-cmd (which stops the
 * session, so that the buffers are flushed and consumed and the count is
 * up to date, reads it and starts the session again); -1 unknown.
 */
static long long lttng_discarded(void)
{
	long long v = -1;
	FILE *f;

	if (!opt_discarded_cmd)
		return -1;
	f = popen(opt_discarded_cmd, "r");
	if (!f)
		return -1;
	if (fscanf(f, "%lld", &v) != 1)
		v = -1;
	if (pclose(f) != 0)
		v = -1;
	return v;
}

struct result {
	double ns;		/* a writer's ns per event */
	double cpu_ns;		/* a writer's CPU ns per event */
	double wall_ns;		/* wall ns per event, all threads */
	uint64_t events;
	long long dropped;	/* -1: unknown */
	long long wakes;	/* libpercpu: writers' futex wake-ups; -1: n/a */
};

/*
 * LTTng's discarded count after the last flush (-1: unknown): the count
 * before the next LTTng cell, since libpercpu's cells write nothing to
 * LTTng.  One flush per LTTng cell, after it, empties the buffers for the
 * next one too.
 */
static long long lttng_disc_last = -1;

/*
 * The libpercpu rings, made once and used by every cell, as the LTTng
 * session's buffers are: a cell must not pay page faults the other tracer
 * paid once (each cell ends with the rings drained).
 */
static struct percpu_ring ring;

static int run_cell(enum variant v, size_t size, int nthreads, long per_writer,
		    struct result *res)
{
	struct cell c = { .v = v, .size = size, .nthreads = nthreads, .out_fd = -1,
			  .ring = &ring, .events = per_writer };
	struct writer w[MAX_THREADS];
	pthread_t consumer;
	uint64_t ns = 0, cns = 0, events = 0, dropped = 0, first = UINT64_MAX, last = 0;
	int ncpu = (int)percpu_nr_cpus(), pin_failed = 0;
	uint32_t futex0 = __atomic_load_n(&ring.meta->futex, __ATOMIC_RELAXED);

	res->wakes = -1;
	if (v == V_PERCPU) {
		struct percpu_ring_lost l;

		for (int cpu = 0; cpu < ncpu; cpu++)
			(void)percpu_ring_lost_cpu(&ring, (unsigned int)cpu, &l, 1);
		if (opt_out_dir) {
			char path[4096];

			snprintf(path, sizeof(path), "%s/percpu-ring.out", opt_out_dir);
			c.out_fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
			if (c.out_fd < 0) {
				perror(path);
				return -1;
			}
		}
		if (pthread_create(&consumer, NULL, consumer_main, &c) != 0)
			abort();
	}
	pthread_barrier_init(&c.start, NULL, (unsigned int)nthreads + 1);
	for (int i = 0; i < nthreads; i++) {
		w[i] = (struct writer){ .c = &c, .index = i, .cpu = i % ncpu };
		if (pthread_create(&w[i].tid, NULL, writer_main, &w[i]) != 0)
			abort();
	}
	pthread_barrier_wait(&c.start);
	for (int i = 0; i < nthreads; i++) {
		pthread_join(w[i].tid, NULL);
		ns += w[i].timed_ns;
		cns += w[i].cpu_ns;
		events += w[i].events;
		dropped += w[i].dropped;
		pin_failed |= w[i].pin_failed;
		if (w[i].start_ns < first)
			first = w[i].start_ns;
		if (w[i].end_ns > last)
			last = w[i].end_ns;
	}
	pthread_barrier_destroy(&c.start);
	res->ns = (double)ns / (double)events;
	res->cpu_ns = (double)cns / (double)events;
	res->wall_ns = (double)(last - first) / (double)events;
	res->events = events;
	if (v == V_PERCPU) {
		struct percpu_ring_lost l;
		uint64_t lost = 0;

		__atomic_store_n(&c.stop_consumer, 1, __ATOMIC_RELEASE);
		pthread_join(consumer, NULL);
		for (int cpu = 0; cpu < ncpu; cpu++)
			if (percpu_ring_lost_cpu(&ring, (unsigned int)cpu, &l, 0) == 0)
				lost += l.full;
		/* The ring's count and the writers' -ENOSPC returns must agree. */
		if (lost != dropped)
			fprintf(stderr, "lttng_bench: lost %llu != dropped %llu\n",
				(unsigned long long)lost, (unsigned long long)dropped);
		if (c.consumed_bytes != (events - dropped) * PERCPU_RING_SPAN(size))
			fprintf(stderr, "lttng_bench: consumer read %llu bytes, expected %llu\n",
				(unsigned long long)c.consumed_bytes,
				(unsigned long long)((events - dropped) * PERCPU_RING_SPAN(size)));
		res->dropped = (long long)dropped;
		/* Bits 1-31 of the futex word count wake-ups (lib/ring.c). */
		res->wakes = (uint32_t)((__atomic_load_n(&ring.meta->futex, __ATOMIC_RELAXED) >> 1) -
					(futex0 >> 1));
		if (c.out_fd >= 0)
			close(c.out_fd);
	} else {
		long long disc = lttng_discarded();

		res->dropped = lttng_disc_last >= 0 && disc >= 0 ? disc - lttng_disc_last : -1;
		lttng_disc_last = disc;
	}
	if (pin_failed) {
		fprintf(stderr, "lttng_bench: cannot pin writer threads (use --unpinned)\n");
		return -1;
	}
	return 0;
}

/*
 * What one read of the event clock costs here (both tracers read
 * CLOCK_MONOTONIC through the vDSO once per event): part of both columns,
 * printed so that the reader can take it out.
 */
static double clock_cost_ns(void)
{
	const int n = 1000000;
	volatile uint64_t sink = 0;
	uint64_t c0 = cpu_ns();

	for (int i = 0; i < n; i++)
		sink += now_ns();
	(void)sink;
	return (double)(cpu_ns() - c0) / n;
}

/*
 * How many @size-byte events each writer can write from empty buffers with
 * no drop, when @per_cpu writers share a CPU's buffer, on either side:
 *
 * - libpercpu: a discard-mode ring is one region freed event by event; from
 *   empty it takes the ring less its terminator and the up to one
 *   span an event skips at the end of the ring, in PERCPU_RING_SPAN()s
 *   (16-byte header, payload padded to 8);
 * - LTTng: whole packets of (sub-buffer - packet header) / (event header +
 *   payload) events, in all sub-buffers but one (the flush leaves the
 *   writer at the start of a fresh one, or in a partly written one: seven
 *   whole ones are free either way).
 *
 * *pc and *lt get each side's own figure.
 */
static long events_that_fit(size_t size, long per_cpu, long *pc, long *lt)
{
	const size_t span = PERCPU_RING_SPAN(size);
	const size_t subbuf = opt_ring_bytes / PERCPU_RING_SUBBUFS;
	long p = (long)((opt_ring_bytes - PERCPU_RING_TERM - span) / span);
	long l = (long)((PERCPU_RING_SUBBUFS - 1) *
			((subbuf - LTTNG_PACKET_HEADER_MAX) / (LTTNG_EVENT_HEADER_MAX + size)));

	*pc = p / per_cpu;
	*lt = l / per_cpu;
	return *pc < *lt ? *pc : *lt;
}

/*
 * Dropped events as a share of those written: "0" only when none was
 * dropped (a handful in millions still shows), "?" when unknown.
 */
static void format_dropped(char *buf, size_t len, long long dropped, unsigned long long events)
{
	double pct = 100.0 * (double)dropped / (double)events;

	if (dropped < 0)
		snprintf(buf, len, "?");
	else if (dropped == 0)
		snprintf(buf, len, "0");
	else if (pct < 0.01)
		snprintf(buf, len, "<0.01");
	else
		snprintf(buf, len, "%.2f", pct);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static int parse_list(const char *s, long *out, int max)
{
	int n = 0;
	char *end;

	while (*s && n < max) {
		out[n++] = strtol(s, &end, 10);
		if (end == s)
			return -1;
		s = *end == ',' ? end + 1 : end;
		if (*end && *end != ',')
			return -1;
	}
	return n;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: lttng_bench [--events=N] [--reps=N] [--sizes=16,64,256] [--threads=1,N]\n"
		"                   [--ring-bytes=B] [--out-dir=DIR] [--discarded-cmd=CMD]\n"
		"                   [--unpinned] [--poll-consumer] [--no-lttng]\n"
		"  --events: per writer per repetition (default: as many as fit in both\n"
		"            sides' buffers, so that neither drops)\n"
		"  --reps: repetitions, at most %d (default 11)\n"
		"  --threads: thread counts; 0 means one per CPU (default 1,0)\n"
		"  --ring-bytes: per CPU, a power of two (default 2 MiB; LTTng: 8 sub-buffers)\n"
		"  --discarded-cmd: shell command printing LTTng's discarded-event count\n"
		"  --poll-consumer: libpercpu's consumer reads every 1 ms instead of\n"
		"                   waiting in percpu_ring_wait() (no writer wakes it)\n"
		"  --no-lttng: libpercpu only (no session, or built without lttng-ust)\n", MAX_REPS);
	exit(2);
}

int main(int argc, char **argv)
{
	struct result r[3][8][NVARIANTS][MAX_REPS];
	long tl[8] = { 1, 0 }, nevents[3][8];
	int ncpu = (int)percpu_nr_cpus(), nt = 2, lttng = 1, marked = 0;
	long long lttng_dropped = 0;
	unsigned long long lttng_written = 0;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strncmp(a, "--events=", 9))
			opt_events = atol(a + 9);
		else if (!strncmp(a, "--reps=", 7))
			opt_reps = atoi(a + 7);
		else if (!strncmp(a, "--sizes=", 8))
			nsizes = parse_list(a + 8, sizes, 3);
		else if (!strncmp(a, "--threads=", 10))
			nt = parse_list(a + 10, tl, 8);
		else if (!strncmp(a, "--ring-bytes=", 13))
			opt_ring_bytes = strtoul(a + 13, NULL, 0);
		else if (!strncmp(a, "--out-dir=", 10))
			opt_out_dir = a + 10;
		else if (!strncmp(a, "--discarded-cmd=", 16))
			opt_discarded_cmd = a + 16;
		else if (!strcmp(a, "--unpinned"))
			opt_unpinned = 1;
		else if (!strcmp(a, "--poll-consumer"))
			opt_poll = 1;
		else if (!strcmp(a, "--no-lttng"))
			opt_no_lttng = 1;
		else
			usage();
	}
	if (opt_events < 0 || opt_reps < 1 || opt_reps > MAX_REPS || nsizes < 1 || nt < 1)
		usage();
	for (int i = 0; i < nsizes; i++)
		if (sizes[i] != 16 && sizes[i] != 64 && sizes[i] != 256)
			usage();
	for (int i = 0; i < nt; i++) {
		long t = tl[i] <= 0 ? ncpu : tl[i];

		if (t > MAX_THREADS)
			usage();
		threads[nthreads_opts++] = (int)t;
	}
#ifdef HAVE_LTTNG_UST
	if (opt_no_lttng) {
		lttng = 0;
	} else {
		/*
		 * lttng-ust registered with the session daemon before main()
		 * (it waits up to LTTNG_UST_REGISTER_TIMEOUT); the events are
		 * enabled once the daemon has pushed the session's state.
		 */
		for (int tries = 0; tries < 500; tries++) {
			int all = 1;

			for (int i = 0; i < nsizes; i++)
				all &= !!lttng_enabled((size_t)sizes[i]);
			if (all)
				break;
			usleep(10000);
		}
		for (int i = 0; i < nsizes; i++) {
			if (!lttng_enabled((size_t)sizes[i])) {
				printf("SKIP lttng_ust: tracepoint percpu_bench:ev%ld is not enabled "
				       "(no session daemon, or no active session recording it)\n",
				       sizes[i]);
				lttng = 0;
				break;
			}
		}
	}
#else
	lttng = 0;
	if (!opt_no_lttng)
		printf("SKIP lttng_ust: built without lttng-ust (liblttng-ust-dev not found by configure)\n");
#endif
	printf("# lttng_bench: %d CPUs, %d repetitions, ring %zu bytes per CPU (LTTng: %d "
	       "sub-buffers of %zu), writers %s, libpercpu consumer %s\n", ncpu, opt_reps,
	       opt_ring_bytes, PERCPU_RING_SUBBUFS, opt_ring_bytes / PERCPU_RING_SUBBUFS,
	       opt_unpinned ? "unpinned" : "pinned to CPU (thread % CPUs)",
	       opt_poll ? "polling every 1 ms" : "waiting in percpu_ring_wait()");
	{
		int err = percpu_ring_init(&ring, opt_ring_bytes, 0);

		if (err) {
			fprintf(stderr, "lttng_bench: percpu_ring_init(%zu): %s\n", opt_ring_bytes,
				strerror(-err));
			return 1;
		}
	}
	/*
	 * Events per writer per repetition: what fits in the buffers of its
	 * CPU, shared with the other writers pinned there (unpinned, all
	 * writers may meet on one CPU).
	 */
	for (int s = 0; s < nsizes; s++) {
		for (int t = 0; t < nthreads_opts; t++) {
			long per_cpu = opt_unpinned ? threads[t] : (threads[t] + ncpu - 1) / ncpu;
			long pc, lt, fit = events_that_fit((size_t)sizes[s], per_cpu, &pc, &lt);

			if (fit < 1) {
				fprintf(stderr, "lttng_bench: no %ld-byte event fits in %zu bytes per "
					"CPU for %d writers\n", sizes[s], opt_ring_bytes, threads[t]);
				return 1;
			}
			nevents[s][t] = opt_events ? opt_events : fit;
			printf("# %ld B, %d threads: %ld events per writer per repetition "
			       "(fit without a drop: libpercpu %ld, LTTng %ld)%s\n", sizes[s],
			       threads[t], nevents[s][t], pc, lt, nevents[s][t] > fit ?
			       " -- more than fit: expect drops" : "");
		}
	}
	printf("# clock_gettime(CLOCK_MONOTONIC): %.1f ns (CPU time per call, one thread)\n",
	       clock_cost_ns());
	/* The count before the first LTTng cell, and empty buffers. */
	if (lttng)
		lttng_disc_last = lttng_discarded();
	/*
	 * Warm-up, untimed: each writer at the largest size on every CPU,
	 * twice what fits, so that no cell of either side pays the page faults
	 * of its buffers, nor the first registrations.
	 */
	for (int i = 0; i < WARMUP_REPS; i++) {
		for (int v = 0; v < NVARIANTS; v++) {
			struct result x;
			long pc, lt, fit = events_that_fit((size_t)sizes[nsizes - 1],
							   opt_unpinned ? ncpu : 1, &pc, &lt);

			if (v == V_LTTNG && !lttng)
				continue;
			if (run_cell((enum variant)v, (size_t)sizes[nsizes - 1], ncpu, fit, &x))
				return 1;
			if (v == V_LTTNG) {
				lttng_written += x.events;
				lttng_dropped = x.dropped >= 0 && lttng_dropped >= 0 ?
					lttng_dropped + x.dropped : -1;
			}
		}
	}
	for (int rep = 0; rep < opt_reps; rep++) {
		for (int s = 0; s < nsizes; s++) {
			for (int t = 0; t < nthreads_opts; t++) {
				for (int v = 0; v < NVARIANTS; v++) {
					struct result *x = &r[s][t][v][rep];

					if (v == V_LTTNG && !lttng)
						continue;
					if (run_cell((enum variant)v, (size_t)sizes[s], threads[t],
						     nevents[s][t], x))
						return 1;
					printf("cell %s size=%ld threads=%d rep=%d ns=%.2f cpu_ns=%.2f "
					       "wall_ns=%.2f events=%llu dropped=%lld", variant_name[v],
					       sizes[s], threads[t], rep, x->ns, x->cpu_ns, x->wall_ns,
					       (unsigned long long)x->events, x->dropped);
					if (x->wakes >= 0)
						printf(" wakes=%lld", x->wakes);
					printf("\n");
					if (v == V_LTTNG)
						lttng_written += x->events;
					if (v == V_LTTNG)
						lttng_dropped = x->dropped >= 0 && lttng_dropped >= 0 ?
							lttng_dropped + x->dropped : -1;
					fflush(stdout);
				}
			}
		}
	}

	printf("\nMedians of %d repetitions.  ns: a writer's timed wall-clock ns per event; "
	       "cpu: its CPU time per event (preemption left out); ratio: percpu_write / "
	       "lttng_ust; dropped: %% of the events written, all repetitions (0: every "
	       "event recorded); wakes: libpercpu writers' futex wake-ups of the consumer "
	       "per 1000 events, all repetitions.\n\n", opt_reps);
	printf("| size | threads | percpu_write ns | lttng_ust ns | ratio | percpu cpu | "
	       "lttng cpu | cpu ratio | dropped %% percpu / lttng | percpu wakes /1k |\n");
	printf("|---|---|---|---|---|---|---|---|---|---|\n");
	for (int s = 0; s < nsizes; s++) {
		for (int t = 0; t < nthreads_opts; t++) {
			double m[NVARIANTS][2] = { { 0 } }, v[MAX_REPS];
			char lns[32] = "-", ratio[32] = "-", lcpu[32] = "-", cratio[32] = "-";
			char drop[NVARIANTS][32] = { "-", "-" };
			long long dropped[NVARIANTS] = { 0 }, wakes = 0;
			unsigned long long pev = 0;

			for (int k = 0; k < NVARIANTS; k++) {
				unsigned long long ev = 0;
				long long dr = 0;

				if (k == V_LTTNG && !lttng)
					continue;
				for (int i = 0; i < opt_reps; i++)
					v[i] = r[s][t][k][i].ns;
				m[k][0] = median(v, opt_reps);
				for (int i = 0; i < opt_reps; i++)
					v[i] = r[s][t][k][i].cpu_ns;
				m[k][1] = median(v, opt_reps);
				for (int i = 0; i < opt_reps; i++) {
					ev += r[s][t][k][i].events;
					dr = dr >= 0 && r[s][t][k][i].dropped >= 0 ?
						dr + r[s][t][k][i].dropped : -1;
				}
				dropped[k] = dr;
				if (k == V_PERCPU) {
					pev = ev;
					for (int i = 0; i < opt_reps; i++)
						wakes += r[s][t][k][i].wakes;
				}
				format_dropped(drop[k], sizeof(drop[k]), dr, ev);
			}
			if (lttng) {
				/* A drop costs less than a write: not only writes compared. */
				const char *mark = dropped[V_PERCPU] != 0 ||
					dropped[V_LTTNG] != 0 ? "*" : "";

				snprintf(lns, sizeof(lns), "%.1f", m[V_LTTNG][0]);
				snprintf(ratio, sizeof(ratio), "%.2f%s", m[V_PERCPU][0] / m[V_LTTNG][0],
					 mark);
				snprintf(lcpu, sizeof(lcpu), "%.1f", m[V_LTTNG][1]);
				snprintf(cratio, sizeof(cratio), "%.2f%s",
					 m[V_PERCPU][1] / m[V_LTTNG][1], mark);
			}
			printf("| %ld | %d | %.1f | %s | %s | %.1f | %s | %s | %s / %s | %.1f |\n",
			       sizes[s], threads[t], m[V_PERCPU][0], lns, ratio, m[V_PERCPU][1], lcpu,
			       cratio, drop[V_PERCPU], drop[V_LTTNG], 1000.0 * (double)wakes / (double)pev);
			marked |= lttng && (dropped[V_PERCPU] != 0 || dropped[V_LTTNG] != 0);
		}
	}
	percpu_ring_destroy(&ring);
	if (marked)
		printf("\n*: one side dropped events (or LTTng's count is unknown): a dropped "
		       "event costs less than a recorded one, so the ratio is not only that of "
		       "recorded events.\n");
	if (lttng)
		printf("\nlttng_ust written, all cells and the warm-up: %llu\nlttng_ust dropped, "
		       "all cells and the warm-up: %lld (the session daemon's count at the end "
		       "should be the same)\n",
		       lttng_written, lttng_dropped);
	return 0;
}
