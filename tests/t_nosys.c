/* SPDX-License-Identifier: MIT */
/*
 * tests/t_nosys.c - CPU numbers when sysfs is missing.
 *
 * Re-executes itself in a private mount namespace without /sys, with empty
 * files over /proc/cpuinfo and /proc/stat (so that sysconf() falls back to
 * the affinity mask) and with its affinity cut to one CPU: the situation of
 * a minimal container.  There percpu_nr_cpus() must still cover every CPU
 * number the kernel can report (at least what it says with sysfs), and a
 * thread on each CPU must be counted: no add lost, no list push spinning on
 * a slot that was never set up.  Needs root (CAP_SYS_ADMIN) for the mount
 * namespace; skipped otherwise.  With PERCPU_TEST_NOSYS_NOSTATUS=1,
 * /proc/self/status is hidden too, leaving the size of the kernel's cpumask
 * (the raw sched_getaffinity system call) as the only bound.
 *
 * Usage: t_nosys [libc|own|fallback|seccomp]
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/mount.h>

#include <percpu/percpu.h>
#include "testutil.h"

#define ADDS 1000

static struct percpu_counter counter;
static struct percpu_list list;

struct on_cpu {
	int cpu;
	int pinned;
	int list_ok;
};

static void *run_on(void *arg)
{
	struct on_cpu *o = arg;
	struct percpu_list_node n;
	cpu_set_t one;

	CPU_ZERO(&one);
	CPU_SET(o->cpu, &one);
	o->pinned = sched_setaffinity(0, sizeof(one), &one) == 0;
	if (!o->pinned)
		return NULL;
	for (int i = 0; i < ADDS / 2; i++) {
		_percpu_counter_inc(&counter);
		percpu_counter_add(&counter, 1);
	}
	_percpu_list_push(&list, &n);
	o->list_ok = _percpu_list_pop(&list) == &n;
	return NULL;
}

/* Hide sysfs and the files sysconf() counts CPUs from; then exec ourselves. */
static void enter_namespace(char **argv, unsigned int real_nr)
{
	char val[32];
	cpu_set_t set, one;

	if (unshare(CLONE_NEWNS) != 0)
		skip_all("cannot make a mount namespace: %s", strerror(errno));
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0)
		skip_all("cannot make mounts private: %s", strerror(errno));
	if (umount2("/sys", MNT_DETACH) != 0 && errno != EINVAL)
		skip_all("cannot unmount /sys: %s", strerror(errno));
	if (mount("/dev/null", "/proc/cpuinfo", NULL, MS_BIND, NULL) != 0 ||
	    mount("/dev/null", "/proc/stat", NULL, MS_BIND, NULL) != 0)
		skip_all("cannot hide /proc/cpuinfo and /proc/stat: %s", strerror(errno));
	if (getenv("PERCPU_TEST_NOSYS_NOSTATUS")) {
		char status[64];

		/* The pid, hence the path, survives the exec below. */
		snprintf(status, sizeof(status), "/proc/%d/status", (int)getpid());
		if (mount("/dev/null", status, NULL, MS_BIND, NULL) != 0)
			skip_all("cannot hide %s: %s", status, strerror(errno));
	}
	sched_getaffinity(0, sizeof(set), &set);
	for (int c = 0; c < CPU_SETSIZE; c++) {
		if (CPU_ISSET(c, &set)) {
			CPU_ZERO(&one);
			CPU_SET(c, &one);
			sched_setaffinity(0, sizeof(one), &one);
			break;
		}
	}
	snprintf(val, sizeof(val), "%u", real_nr);
	setenv("PERCPU_TEST_NOSYS_REAL_NR", val, 1);
	reexec(argv);
}

int main(int argc, char **argv)
{
	struct test_mode m = test_mode_setup(argc, argv);
	const char *real = getenv("PERCPU_TEST_NOSYS_REAL_NR");
	unsigned int real_nr, nr, pinned = 0, list_good = 0;
	struct on_cpu o[CPU_SETSIZE];
	pthread_t tid[CPU_SETSIZE];
	int64_t sum;

	if (!real) {
		if (access("/sys/devices/system/cpu/possible", R_OK) != 0)
			skip_all("no sysfs here to compare with");
		enter_namespace(argv, percpu_nr_cpus());
	}
	real_nr = (unsigned int)atoi(real);
	nr = percpu_nr_cpus();
	plan(3);
	diag("mode %s: without /sys percpu_nr_cpus() = %u (%u with /sys), sysconf %ld",
	     m.name, nr, real_nr, sysconf(_SC_NPROCESSORS_CONF));
	if (!ok(access("/sys/devices/system/cpu/possible", R_OK) != 0 && nr >= real_nr,
		"sysfs hidden; percpu_nr_cpus() %u covers the %u CPU numbers sysfs knows",
		nr, real_nr)) {
		/* Running on the CPUs beyond would write outside the slots. */
		skip(2, "percpu_nr_cpus() too small: running there would corrupt memory");
		return exit_status();
	}
	/* A list push that finds a slot never set up would spin: fail instead. */
	alarm(60);
	percpu_counter_init(&counter, 0);
	percpu_list_init(&list, 0);
	for (unsigned int c = 0; c < real_nr && c < CPU_SETSIZE; c++) {
		o[c].cpu = (int)c;
		pthread_create(&tid[c], NULL, run_on, &o[c]);
	}
	for (unsigned int c = 0; c < real_nr && c < CPU_SETSIZE; c++) {
		pthread_join(tid[c], NULL);
		pinned += o[c].pinned;
		list_good += o[c].list_ok;
	}
	percpu_counter_sum(&counter, &sum);
	ok(sum == (int64_t)pinned * ADDS, "%u threads, one on each CPU, %d adds each: sum %lld",
	   pinned, ADDS, (long long)sum);
	ok(list_good == pinned, "list push and pop on each of the %u CPUs", pinned);
	percpu_list_destroy(&list);
	percpu_counter_destroy(&counter);
	return exit_status();
}
