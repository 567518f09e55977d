/* SPDX-License-Identifier: MIT */
/*
 * examples/trace/percpu-trace.c - run a program under the preloaded malloc
 * tracer and write what it records as a CTF 1.8 trace (babeltrace2 reads
 * it), draining the per-CPU rings from this process while the program runs.
 *
 * Usage: percpu-trace [-o DIR] [-b BYTES] [-l TRACER.so] [-q] -- PROGRAM [ARGS]
 *
 * The trace directory holds `metadata` and one stream file per CPU; each
 * drained batch of a CPU's ring becomes one packet, whose context carries the
 * CPU, the first and last timestamps and the events lost so far.  At the
 * end it checks, and prints, that events written = read + lost (by cause),
 * that every event is intact (size and check word) and that timestamps never
 * decrease within a CPU's stream.  Exit status: the program's, or 3 if a
 * check failed, 4 on a tracing error.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <percpu/ring.h>
#include "trace.h"

#define READ_BUF	(1 << 20)

static const char *const event_name[TRACE_TYPES] = { "", "malloc", "free", "calloc",
						     "realloc" };
static const char *const field_names[TRACE_TYPES][3] = {
	{ "" }, { "size", "ptr" }, { "ptr" }, { "size", "ptr" }, { "ptr", "size", "result" },
};

struct cpu_stream {
	FILE *f;
	uint64_t last_ts;
	uint64_t events;
};

static struct percpu_ring ring;
static struct cpu_stream *streams;
static unsigned int nr;
static uint64_t nread, nbad, ninversions;
static unsigned char *packet;

static void die(const char *what)
{
	perror(what);
	exit(4);
}

static int recv_fd(int s)
{
	char byte;
	struct iovec iov = { &byte, 1 };
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} u;
	struct msghdr msg;
	struct cmsghdr *c;
	int fd;

	memset(&msg, 0, sizeof(msg));
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = u.buf;
	msg.msg_controllen = sizeof(u.buf);
	if (recvmsg(s, &msg, MSG_CMSG_CLOEXEC) != 1)
		return -1;
	c = CMSG_FIRSTHDR(&msg);
	if (!c || c->cmsg_type != SCM_RIGHTS)
		return -1;
	memcpy(&fd, CMSG_DATA(c), sizeof(int));
	return fd;
}

static void write_metadata(const char *dir)
{
	char path[4096];
	struct timespec rt, mono;
	int64_t offset;
	FILE *f;

	clock_gettime(CLOCK_REALTIME, &rt);
	clock_gettime(CLOCK_MONOTONIC, &mono);
	offset = ((int64_t)rt.tv_sec - mono.tv_sec) * 1000000000 + (rt.tv_nsec - mono.tv_nsec);
	snprintf(path, sizeof(path), "%s/metadata", dir);
	f = fopen(path, "w");
	if (!f)
		die(path);
	fprintf(f, "/* CTF 1.8 */\n\n"
		"typealias integer { size = 16; align = 8; signed = false; } := uint16_t;\n"
		"typealias integer { size = 32; align = 8; signed = false; } := uint32_t;\n"
		"typealias integer { size = 64; align = 8; signed = false; } := uint64_t;\n"
		"typealias integer { size = 64; align = 8; signed = false; base = hex; } := "
		"hex64_t;\n\n"
		"trace {\n\tmajor = 1;\n\tminor = 8;\n\tbyte_order = %s;\n"
		"\tpacket.header := struct { uint32_t magic; uint32_t stream_id; };\n};\n\n"
		"env {\n\ttracer_name = \"percpu-trace\";\n\tdomain = \"ust\";\n};\n\n"
		"clock {\n\tname = \"monotonic\";\n"
		"\tdescription = \"CLOCK_MONOTONIC (libpercpu percpu_ring_clock)\";\n"
		"\tfreq = 1000000000;\n\toffset_s = %" PRId64 ";\n\toffset = %" PRId64 ";\n"
		"\tabsolute = false;\n};\n\n"
		"typealias integer { size = 64; align = 8; signed = false; "
		"map = clock.monotonic.value; } := uint64_clock_t;\n\n"
		"stream {\n\tid = 0;\n"
		"\tpacket.context := struct {\n\t\tuint64_clock_t timestamp_begin;\n"
		"\t\tuint64_clock_t timestamp_end;\n\t\tuint64_t content_size;\n"
		"\t\tuint64_t packet_size;\n\t\tuint64_t events_discarded;\n"
		"\t\tuint32_t cpu_id;\n\t};\n"
		"\tevent.header := struct { uint16_t id; uint64_clock_t timestamp; };\n"
		"\tevent.context := struct { uint32_t tid; };\n};\n\n",
		__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ ? "le" : "be",
		offset / 1000000000, offset % 1000000000);
	for (int t = 1; t < TRACE_TYPES; t++) {
		fprintf(f, "event {\n\tname = \"%s\";\n\tid = %d;\n\tstream_id = 0;\n"
			"\tfields := struct {", event_name[t], t);
		for (unsigned int i = 0; i < trace_nargs[t]; i++)
			fprintf(f, " %s %s;", strcmp(field_names[t][i], "size") == 0 ?
				"uint64_t" : "hex64_t", field_names[t][i]);
		fprintf(f, " };\n};\n\n");
	}
	fclose(f);
}

static void put(unsigned char **p, const void *v, size_t n)
{
	memcpy(*p, v, n);
	*p += n;
}

/*
 * One CTF packet from the events of one read of @cpu's ring, checked on the
 * way.  Return: its length in bytes, 0 if no event was good.
 */
static size_t make_packet(unsigned int cpu, const uint64_t *buf, size_t n)
{
	struct cpu_stream *s = &streams[cpu];
	const struct percpu_ring_event *ev;
	struct percpu_ring_lost lost = { 0, 0 };
	unsigned char *p = packet + 52, *h = packet;
	uint64_t first = 0, last = 0, v64;
	uint32_t v32;
	size_t off = 0, len;

	while ((ev = percpu_ring_event_next(buf, n, &off)) != NULL) {
		const struct trace_payload *pl = percpu_ring_event_payload(ev);
		unsigned int type = ev->type;
		uint16_t id = (uint16_t)type;

		if (type == 0 || type >= TRACE_TYPES ||
		    ev->size != PERCPU_RING_HEADER + offsetof(struct trace_payload, args) +
				8 * trace_nargs[type] ||
		    pl->check != trace_check(type, pl)) {
			nbad++;
			continue;
		}
		if (ev->ts < s->last_ts)
			ninversions++;
		s->last_ts = ev->ts;
		if (p == packet + 52)
			first = ev->ts;
		last = ev->ts;
		put(&p, &id, 2);
		put(&p, &ev->ts, 8);
		put(&p, &pl->tid, 4);
		put(&p, pl->args, 8 * trace_nargs[type]);
		s->events++;
		nread++;
	}
	len = (size_t)(p - packet);
	if (len == 52)
		return 0;
	/* Lost so far on this CPU: babeltrace2 reports the increments. */
	percpu_ring_lost_cpu(&ring, cpu, &lost, 0);
	v32 = 0xC1FC1FC1;
	put(&h, &v32, 4);
	v32 = 0;			/* stream id */
	put(&h, &v32, 4);
	put(&h, &first, 8);
	put(&h, &last, 8);
	v64 = (uint64_t)len * 8;	/* content and packet size, in bits */
	put(&h, &v64, 8);
	put(&h, &v64, 8);
	v64 = lost.full + lost.overwritten;
	put(&h, &v64, 8);
	put(&h, &cpu, 4);
	return len;
}

static void drain(int final)
{
	static uint64_t buf[READ_BUF / 8];

	for (unsigned int cpu = 0; cpu < nr; cpu++) {
		ssize_t n;

		while ((n = percpu_ring_read_cpu(&ring, cpu, buf, sizeof(buf))) > 0) {
			size_t len = make_packet(cpu, buf, (size_t)n);

			if (len && fwrite(packet, 1, len, streams[cpu].f) != len)
				die("write stream");
			if (!final)
				break;
		}
		if (n < 0) {
			fprintf(stderr, "percpu-trace: read cpu %u: %s\n", cpu, strerror((int)-n));
			exit(4);
		}
	}
}

int main(int argc, char **argv)
{
	const char *dir = "percpu-trace.out", *lib = NULL;
	size_t bytes = TRACE_DEFAULT_BYTES;
	int sv[2], opt, status, quiet = 0, fd;
	struct trace_counts counts = { 0, 0, 0 };
	uint64_t full = 0, over = 0;
	char buf[64];
	pid_t pid;

	while ((opt = getopt(argc, argv, "+o:b:l:q")) != -1) {
		switch (opt) {
		case 'o': dir = optarg; break;
		case 'b': bytes = strtoul(optarg, NULL, 0); break;
		case 'l': lib = optarg; break;
		case 'q': quiet = 1; break;
		default:
			fprintf(stderr, "usage: %s [-o DIR] [-b BYTES] [-l TRACER.so] [-q] -- "
				"PROGRAM [ARGS]\n", argv[0]);
			return 4;
		}
	}
	if (optind >= argc || !lib) {
		fprintf(stderr, "percpu-trace: need -l TRACER.so and a program\n");
		return 4;
	}
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
		die("socketpair");
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		const char *pre = getenv("LD_PRELOAD");
		char *val;

		close(sv[0]);
		/* The tracer's end survives exec; it is unset again in the tracer. */
		fcntl(sv[1], F_SETFD, 0);
		snprintf(buf, sizeof(buf), "%d", sv[1]);
		setenv(TRACE_SOCK_ENV, buf, 1);
		snprintf(buf, sizeof(buf), "%zu", bytes);
		setenv(TRACE_BYTES_ENV, buf, 1);
		if (asprintf(&val, "%s%s%s", lib, pre ? ":" : "", pre ? pre : "") < 0)
			_exit(127);
		setenv("LD_PRELOAD", val, 1);
		execvp(argv[optind], argv + optind);
		perror(argv[optind]);
		_exit(127);
	}
	close(sv[1]);
	fd = recv_fd(sv[0]);
	if (fd < 0) {
		fprintf(stderr, "percpu-trace: the tracer sent no rings (not preloaded?)\n");
		waitpid(pid, &status, 0);
		return 4;
	}
	if (percpu_ring_attach(&ring, fd) != 0)
		die("percpu_ring_attach");
	nr = percpu_nr_cpus();
	if (mkdir(dir, 0755) != 0 && errno != EEXIST)
		die(dir);
	write_metadata(dir);
	streams = calloc(nr, sizeof(*streams));
	packet = malloc(52 + READ_BUF * 2);
	if (!streams || !packet)
		die("malloc");
	for (unsigned int cpu = 0; cpu < nr; cpu++) {
		char path[4096];

		snprintf(path, sizeof(path), "%s/stream_%u", dir, cpu);
		streams[cpu].f = fopen(path, "w");
		if (!streams[cpu].f)
			die(path);
	}
	/* Drain while the program runs: until its counts arrive or it ends. */
	for (;;) {
		struct pollfd pf = { sv[0], POLLIN, 0 };

		percpu_ring_wait(&ring, bytes / 4, 50);
		drain(0);
		if (poll(&pf, 1, 0) > 0)
			break;
	}
	drain(1);
	if (read(sv[0], &counts, sizeof(counts)) != (ssize_t)sizeof(counts) ||
	    counts.magic != TRACE_COUNTS_MAGIC)
		counts.magic = 0;
	waitpid(pid, &status, 0);
	drain(1);
	for (unsigned int cpu = 0; cpu < nr; cpu++) {
		struct percpu_ring_lost l;

		percpu_ring_lost_cpu(&ring, cpu, &l, 0);
		full += l.full;
		over += l.overwritten;
		fclose(streams[cpu].f);
	}
	percpu_ring_destroy(&ring);
	/* On stderr: stdout is the program's. */
	if (!quiet || counts.magic == 0 || counts.attempted != nread + full + over ||
	    counts.refused != full || nbad || ninversions)
		fprintf(stderr, "percpu-trace: %s: written %" PRIu64 " = read %" PRIu64
			" + lost %" PRIu64 " (full %" PRIu64 ", overwritten %" PRIu64 "); "
			"refused %" PRIu64 "; bad %" PRIu64 "; inversions %" PRIu64 "\n",
			counts.magic ? "counts" : "NO COUNTS", counts.attempted, nread,
			full + over, full, over, counts.refused, nbad, ninversions);
	if (counts.magic == 0 || counts.attempted != nread + full + over ||
	    counts.refused != full || nbad || ninversions)
		return 3;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
