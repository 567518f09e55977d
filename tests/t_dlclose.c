/* SPDX-License-Identifier: MIT */
/*
 * tests/t_dlclose.c - unloading a module that ran inline sequences.
 *
 * A child dlopen()s tests/dlmod.c, runs its inline paths, calls
 * percpu_rseq_prepare_unload(), dlclose()s it, then keeps running through a
 * 1 kHz timer signal and sched_yield() for 200 ms: it must survive.  Another
 * child does the same without percpu_rseq_prepare_unload(): the kernel must
 * kill it with SIGSEGV, which shows the first child survived because of the
 * call.  If the kernel happened to clear rseq_cs itself between the module's
 * last sequence and dlclose() (a preemption in that window), that child
 * proves nothing and is run again.  Only when rseq is in use.
 *
 * Usage: t_dlclose [libc|own|fallback|seccomp]
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>

#include <percpu/percpu.h>
#include "testutil.h"

#define INCONCLUSIVE	3
#define NOT_UNLOADED	4

static struct percpu_counter counter;
static struct percpu_list list;
static volatile sig_atomic_t ticks;

static void on_alarm(int sig)
{
	(void)sig;
	ticks++;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int child(int prepare)
{
	int (*run)(struct percpu_counter *, struct percpu_list *, int);
	struct itimerval it = { { 0, 1000 }, { 0, 1000 } };
	void *mod = dlopen(DLMOD_PATH, RTLD_NOW | RTLD_LOCAL);
	double end;

	if (!mod)
		return 10;
	*(void **)&run = dlsym(mod, "dlmod_run");
	if (!run || !run(&counter, &list, 100))
		return 11;
	if (prepare)
		percpu_rseq_prepare_unload();
	if (dlclose(mod) != 0)
		return 12;
	/* musl's dlclose() never unloads: then no descriptor dangles. */
	if (!prepare && dlopen(DLMOD_PATH, RTLD_NOW | RTLD_NOLOAD))
		return NOT_UNLOADED;
	if (percpu_rseq_area()->rseq_cs == 0 && !prepare)
		return INCONCLUSIVE;	/* the kernel cleared it before the unload */
	if (prepare && percpu_rseq_area()->rseq_cs != 0)
		return 13;
	signal(SIGALRM, on_alarm);
	setitimer(ITIMER_REAL, &it, NULL);
	end = now() + 0.2;
	while (now() < end)
		sched_yield();
	/* The library's own sequences still work after the unload. */
	percpu_counter_add(&counter, 1);
	_percpu_counter_inc(&counter);
	return ticks > 0 ? 0 : 14;
}

static int run_child(int prepare)
{
	int status;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid == 0)
		_exit(child(prepare));
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return status;
}

int main(int argc, char **argv)
{
	struct test_mode m = test_mode_setup(argc, argv);
	int status, tries = 0;

	if (m.mode == PERCPU_MODE_FALLBACK || percpu_rseq_mode() == PERCPU_MODE_FALLBACK)
		skip_all("no rseq in mode %s: no descriptor can be left behind", m.name);
	plan(3);
	diag("mode %s, module %s", m.name, DLMOD_PATH);
	percpu_counter_init(&counter, 0);
	percpu_list_init(&list, 0);

	status = run_child(1);
	ok(status >= 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0,
	   "prepare_unload, dlclose, 200 ms of 1 kHz signals and yields: survives "
	   "(status 0x%x%s%s)", status, WIFSIGNALED(status) ? ", killed by " : "",
	   WIFSIGNALED(status) ? strsignal(WTERMSIG(status)) : "");
	do
		status = run_child(0);
	while (status >= 0 && WIFEXITED(status) && WEXITSTATUS(status) == INCONCLUSIVE &&
	       ++tries < 10);
	if (status >= 0 && WIFEXITED(status) && WEXITSTATUS(status) == NOT_UNLOADED)
		skip(1, "dlclose() leaves the module loaded here (musl): no dangling descriptor");
	else
		ok(status >= 0 && WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV,
		   "without prepare_unload the kernel kills the thread with SIGSEGV "
		   "(status 0x%x, %d inconclusive runs)", status, tries);
	_percpu_counter_inc(&counter);
	percpu_rseq_prepare_unload();
	ok(percpu_rseq_area()->rseq_cs == 0,
	   "prepare_unload clears rseq_cs of the calling thread");
	percpu_list_destroy(&list);
	percpu_counter_destroy(&counter);
	return exit_status();
}
