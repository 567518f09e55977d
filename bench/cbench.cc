// SPDX-License-Identifier: MIT
//
// bench/cbench.cc - the C++ side of cbench.h: registers C benchmarks with
// Google Benchmark, pins threads with hwloc, runs setup/verify around the
// timed loop.  The only C++ in the project besides the C++ header test.

#include "cbench.h"

#include <benchmark/benchmark.h>
#include <hwloc.h>

#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <sstream>
#include <string>
#include <vector>

namespace {

std::vector<const cbench_desc *> queued;
std::vector<std::pair<std::string, std::string>> contexts;
bool any_failed;

// Thread counts: pinned ones (default 1, 2, 4, ... N and N) and one unpinned.
std::vector<int> pinned_counts;
int unpinned_count = -1;	// -1: 2N; 0: none

hwloc_topology_t topo;
std::vector<hwloc_obj_t> pin_order;	// one PU per core first, then the siblings

void build_pin_order()
{
	if (hwloc_topology_init(&topo) != 0 || hwloc_topology_load(topo) != 0) {
		std::fprintf(stderr, "cbench: hwloc topology failed to load\n");
		std::exit(1);
	}
	int ncores = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_CORE);
	for (unsigned int round = 0; ncores > 0; round++) {
		bool found = false;

		for (int c = 0; c < ncores; c++) {
			hwloc_obj_t core = hwloc_get_obj_by_type(topo, HWLOC_OBJ_CORE, c);
			hwloc_obj_t pu = hwloc_get_obj_inside_cpuset_by_type(
				topo, core->cpuset, HWLOC_OBJ_PU, round);

			if (pu) {
				pin_order.push_back(pu);
				found = true;
			}
		}
		if (!found)
			break;
	}
	if (pin_order.empty()) {	// no core objects: PUs in order
		int npus = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_PU);
		for (int i = 0; i < npus; i++)
			pin_order.push_back(hwloc_get_obj_by_type(topo, HWLOC_OBJ_PU, i));
	}
	if (pin_order.empty()) {
		std::fprintf(stderr, "cbench: hwloc found no CPU\n");
		std::exit(1);
	}
}

// A reusable barrier for the threads of one run (one run at a time).
struct Barrier {
	std::mutex m;
	std::condition_variable cv;
	int arrived = 0;
	unsigned long generation = 0;

	void wait(int n)
	{
		std::unique_lock<std::mutex> lock(m);
		unsigned long gen = generation;

		if (++arrived == n) {
			arrived = 0;
			generation++;
			cv.notify_all();
			return;
		}
		cv.wait(lock, [&] { return generation != gen; });
	}
};

// What the threads of the current run share.
struct RunShared {
	Barrier barrier;
	void *object = nullptr;
	bool setup_failed = false;
	std::atomic<uint64_t> ops{0};
} cur;

void run_one(benchmark::State &state, const cbench_desc *d, bool pinned)
{
	const int ti = state.thread_index();
	const int n = state.threads();
	const uint64_t batch = d->batch ? d->batch : 1000;
	cbench_run run = {n, pinned ? 1 : 0, d->nargs ? (long)state.range(0) : 0, 0};

	if (pinned ? cbench_pin_cpu((unsigned int)ti) : cbench_unpin()) {
		// Every thread must still reach the barriers below.
		state.SkipWithError("cannot bind thread to its CPU");
	}
	if (ti == 0) {
		cur.ops = 0;
		cur.object = d->setup(&run);
		cur.setup_failed = cur.object == nullptr;
	}
	cur.barrier.wait(n);

	cbench_thread t = {};
	t.shared = cur.object;
	t.index = ti;
	t.threads = n;
	t.arg = run.arg;
	t.state_ = &state;
	if (cur.setup_failed)
		state.SkipWithError("setup failed");
	else if (d->thread_init)
		t.priv = d->thread_init(&t);

	bool ok = !cur.setup_failed;
	while (state.KeepRunningBatch((benchmark::IterationCount)batch)) {
		d->run(&t, batch);
		t.ops += batch;
		if (d->manual_time) {
			state.SetIterationTime(t.manual_ns * 1e-9);
			t.manual_ns = 0;
		}
	}
	if (ok && d->thread_fini)
		d->thread_fini(&t);
	cur.ops += t.ops;
	cur.barrier.wait(n);	// every thread's operations are done and folded

	if (ti == 0 && ok) {
		run.total_ops = cur.ops;
		const char *msg = d->verify(cur.object, &run);
		if (msg) {
			std::fprintf(stderr, "cbench: %s (threads:%d): VERIFY FAILED: %s\n",
				     d->name, n, msg);
			state.SkipWithError(msg);
			any_failed = true;
		}
		if (d->teardown)
			d->teardown(cur.object);
		cur.object = nullptr;
	}
}

// Why a libbenchmark built without NDEBUG does not skew these figures
// (doc/benchmarks.md has the evidence).  Printed after the library's warning
// and recorded in the JSON context.
const char debug_note[] =
	"It does not affect these figures: the timed loop is this program's own code.\n"
	"    run_one() in bench/cbench.cc calls a C run() of a batch of operations\n"
	"    (1024 or 4096 for the counter, list and buffer) per\n"
	"    State::KeepRunningBatch(), which is inline in benchmark.h and so compiled\n"
	"    with this program's flags (cxxflags above): a few instructions and no call\n"
	"    into the library per batch.  The library's compiled code (timers,\n"
	"    statistics, reporting) runs only as a run starts and stops; the ring and\n"
	"    first_use runs (manual time) read the clock themselves.\n"
	"    See doc/benchmarks.md.\n";

// Whether the library's reporters print the DEBUG warning, i.e. whether it
// was compiled without NDEBUG: it is known only to the library, which
// reports it from its basic context, so run that into a string.  Needs
// Initialize() first (the context prints the program name).
bool library_is_debug()
{
	std::ostringstream text;
	benchmark::BenchmarkReporter::Context context;

	benchmark::BenchmarkReporter::PrintBasicContext(&text, context);
	return text.str().find("built as DEBUG") != std::string::npos;
}

// The display reporter the flags ask for, with a note after the library's
// DEBUG warning saying why it does not apply.  The context goes to a string
// first; everything else is passed through unchanged.
class NotingReporter : public benchmark::BenchmarkReporter {
public:
	explicit NotingReporter(benchmark::BenchmarkReporter *inner) : inner_(inner) {}

	bool ReportContext(const Context &context) override
	{
		std::ostringstream out, err;

		inner_->SetOutputStream(&out);
		inner_->SetErrorStream(&err);
		bool ok = inner_->ReportContext(context);
		inner_->SetOutputStream(&GetOutputStream());
		inner_->SetErrorStream(&GetErrorStream());
		GetOutputStream() << noted(out.str()) << std::flush;
		GetErrorStream() << noted(err.str()) << std::flush;
		return ok;
	}
	void ReportRuns(const std::vector<Run> &report) override
	{
		inner_->ReportRuns(report);
	}
	void Finalize() override
	{
		inner_->Finalize();
	}

private:
	static std::string noted(std::string text)
	{
		size_t at = text.find("built as DEBUG");

		if (at == std::string::npos)
			return text;
		at = text.find('\n', at);
		at = at == std::string::npos ? text.size() : at + 1;
		return text.insert(at, std::string("***NOTE*** ") + debug_note);
	}

	benchmark::BenchmarkReporter *inner_;
};

std::vector<int> parse_list(const char *s)
{
	std::vector<int> v;

	while (*s) {
		char *end;
		long x = std::strtol(s, &end, 10);
		if (end == s || x <= 0) {
			std::fprintf(stderr, "cbench: bad thread list '%s'\n", s);
			std::exit(1);
		}
		v.push_back((int)x);
		s = *end == ',' ? end + 1 : end;
	}
	return v;
}

// Removes the harness's own options from argv.
void parse_own_args(int *argc, char **argv)
{
	int out = 1;

	for (int i = 1; i < *argc; i++) {
		const char *a = argv[i];

		if (!std::strncmp(a, "--cbench_threads=", 17))
			pinned_counts = parse_list(a + 17);
		else if (!std::strncmp(a, "--cbench_unpinned=", 18))
			unpinned_count = std::atoi(a + 18);
		else if (!std::strcmp(a, "--cbench_help")) {
			std::printf("cbench options (before Google Benchmark's own):\n"
				    "  --cbench_threads=1,2,4  pinned thread counts "
				    "(default: 1, 2, 4, ... and the number of CPUs)\n"
				    "  --cbench_unpinned=N     unpinned thread count "
				    "(default: 2 x CPUs; 0: none)\n");
			std::exit(0);
		} else
			argv[out++] = argv[i];
	}
	*argc = out;
	argv[out] = nullptr;
}

} // namespace

extern "C" {

void cbench_register(const cbench_desc *d)
{
	queued.push_back(d);
}

void cbench_context(const char *key, const char *value)
{
	contexts.emplace_back(key, value);
}

void cbench_counter(cbench_thread *t, const char *name, double value, int per_op)
{
	auto *state = static_cast<benchmark::State *>(t->state_);
	benchmark::Counter &c = state->counters[name];

	c.value += value;
	c.flags = per_op ? benchmark::Counter::kAvgIterations : benchmark::Counter::kDefaults;
}

unsigned int cbench_nr_cpus(void)
{
	return (unsigned int)pin_order.size();
}

int cbench_cpu_os_index(unsigned int i)
{
	return (int)pin_order[i % pin_order.size()]->os_index;
}

int cbench_pin_cpu(unsigned int i)
{
	return hwloc_set_cpubind(topo, pin_order[i % pin_order.size()]->cpuset,
				 HWLOC_CPUBIND_THREAD);
}

int cbench_unpin(void)
{
	return hwloc_set_cpubind(topo, hwloc_topology_get_allowed_cpuset(topo),
				 HWLOC_CPUBIND_THREAD);
}

int cbench_main(int argc, char **argv)
{
	parse_own_args(&argc, argv);
	build_pin_order();

	const int ncpus = (int)pin_order.size();
	if (pinned_counts.empty()) {
		for (int t = 1; t < ncpus; t *= 2)
			pinned_counts.push_back(t);
		pinned_counts.push_back(ncpus);
	}
	if (unpinned_count < 0)
		unpinned_count = 2 * ncpus;

	std::string order;
	for (hwloc_obj_t pu : pin_order)
		order += (order.empty() ? "" : ",") + std::to_string(pu->os_index);
	benchmark::AddCustomContext("cbench_cpus", std::to_string(ncpus));
	benchmark::AddCustomContext("cbench_pin_order", order);
	for (auto &kv : contexts)
		benchmark::AddCustomContext(kv.first, kv.second);

	for (const cbench_desc *d : queued) {
		for (int pinned = 1; pinned >= 0; pinned--) {
			std::vector<int> counts;

			if (d->threads_mode == CBENCH_THREADS_ONE)
				counts = pinned ? std::vector<int>{1} : std::vector<int>{};
			else if (pinned)
				counts = pinned_counts;
			else if (unpinned_count > 0)
				counts = {unpinned_count};
			if (counts.empty())
				continue;

			std::string name = std::string(d->name) + (pinned ? "/pinned" : "/unpinned");
			auto *b = benchmark::RegisterBenchmark(
				name.c_str(), [d, pinned](benchmark::State &st) {
					run_one(st, d, pinned != 0);
				});
			for (int i = 0; i < d->nargs; i++)
				b->Arg(d->args[i]);
			for (int c : counts)
				b->Threads(c);
			if (d->iterations > 0)
				b->Iterations(d->iterations);
			if (d->manual_time)
				b->UseManualTime();
			else
				b->UseRealTime();
		}
	}

	benchmark::Initialize(&argc, argv);
	if (benchmark::ReportUnrecognizedArguments(argc, argv))
		return 1;
	benchmark::AddCustomContext("libbenchmark_debug_build", library_is_debug()
		? "yes (compiled without NDEBUG); harmless here: the timed loop is "
		  "this program's own code (doc/benchmarks.md)"
		: "no");
	// The library's default display reporter (a static it never frees).
	NotingReporter display(benchmark::CreateDefaultDisplayReporter());
	benchmark::RunSpecifiedBenchmarks(&display);
	benchmark::Shutdown();
	hwloc_topology_destroy(topo);
	if (any_failed)
		std::fprintf(stderr, "cbench: some runs FAILED verification (see above)\n");
	return any_failed ? 1 : 0;
}

} // extern "C"
