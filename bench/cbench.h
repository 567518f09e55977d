/* SPDX-License-Identifier: MIT */
/*
 * bench/cbench.h - register C benchmarks with Google Benchmark.
 *
 * A benchmark is a struct cbench_desc: a name ("family/variant", the variant
 * naming the baseline), a setup that builds the shared object under test, a
 * run() that does @n operations per call, and a verify() that checks the
 * object accounts for every operation done.  The wrapper (cbench.cc) runs
 * run() in batches through State::KeepRunningBatch(), so one Google Benchmark
 * iteration is one operation and the C++-to-C call is paid once per batch.
 *
 * Each benchmark runs with 1 .. N threads pinned (hwloc: one per core first,
 * then hyperthreads) and with 2N threads unpinned, N being the CPUs this
 * process may use.  A run whose verify() fails is reported with
 * SkipWithError() and makes cbench_main() return 1.
 *
 * Per thread and per run, in this order:
 *
 *   thread 0: shared = setup(run)          (others wait at a barrier)
 *   priv = thread_init(t)                  (untimed)
 *   run(t, batch) ... run(t, batch)        (timed)
 *   thread_fini(t)                         (untimed; fold results into shared)
 *   thread 0: verify(shared, run), teardown(shared)   (after a barrier)
 */
#ifndef CBENCH_H
#define CBENCH_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* What setup() and verify() see of a run. */
struct cbench_run {
	int threads;		/* threads running the benchmark */
	int pinned;		/* 1: each thread bound to one CPU */
	long arg;		/* the desc's argument for this run (0 if none) */
	uint64_t total_ops;	/* for verify(): operations done by all threads */
};

/* What each thread's callbacks see. */
struct cbench_thread {
	void *shared;		/* setup()'s result */
	void *priv;		/* thread_init()'s result */
	int index;		/* 0 .. threads-1 */
	int threads;
	long arg;
	uint64_t ops;		/* operations this thread has done so far */
	double manual_ns;	/* manual-time benchmarks: run() adds what it timed */
	void *state_;		/* the wrapper's benchmark::State */
};

enum cbench_threads_mode {
	CBENCH_THREADS_ALL = 0,	/* 1..N pinned and 2N unpinned */
	CBENCH_THREADS_ONE = 1,	/* one pinned thread only */
};

struct cbench_desc {
	const char *name;	/* "family/variant" */
	/* Build the shared object; NULL on failure (the run is skipped). */
	void *(*setup)(const struct cbench_run *run);
	void *(*thread_init)(struct cbench_thread *t);	/* optional */
	/* Do exactly @n operations. */
	void (*run)(struct cbench_thread *t, uint64_t n);
	void (*thread_fini)(struct cbench_thread *t);	/* optional */
	/* NULL if every operation is accounted for, else what is wrong. */
	const char *(*verify)(void *shared, const struct cbench_run *run);
	void (*teardown)(void *shared);			/* optional */
	unsigned int batch;	/* operations per run() call (0: 1000) */
	const long *args;	/* optional list of arguments, one run each */
	int nargs;
	int threads_mode;	/* enum cbench_threads_mode */
	int manual_time;	/* time is what run() puts in manual_ns */
	/* Fixed operations per thread (rounded up to a batch) instead of
	 * running for --benchmark_min_time: for slow operations. 0: timed. */
	long iterations;
};

/* Queue @d (which must outlive cbench_main()) for registration. */
void cbench_register(const struct cbench_desc *d);

/*
 * Add @value to the counter @name of this run (summed over threads).  With
 * @per_op, the console and JSON show it divided by the operations done.
 */
void cbench_counter(struct cbench_thread *t, const char *name, double value, int per_op);

/* Add a key/value line to the run's context (console header and JSON). */
void cbench_context(const char *key, const char *value);

/* Bind the calling thread to the @i-th CPU of the pinning order (wraps). */
int cbench_pin_cpu(unsigned int i);
/* The CPUs this process may use, and the OS index of the @i-th in pinning order. */
unsigned int cbench_nr_cpus(void);
int cbench_cpu_os_index(unsigned int i);
/* Allow the calling thread on every CPU this process may use. */
int cbench_unpin(void);

/*
 * Parse the harness's own options, register every queued benchmark and run
 * Google Benchmark with the remaining arguments.
 * Return: 0, or 1 if a run failed to verify or an argument was not understood.
 */
int cbench_main(int argc, char **argv);

#ifdef __cplusplus
}
#endif

#endif /* CBENCH_H */
