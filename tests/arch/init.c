/* SPDX-License-Identifier: MIT */
/*
 * tests/arch/init.c - /init of the test initramfs: runs every (program, mode)
 * of /tests.list on the guest kernel, echoes their TAP output with a prefix
 * the host harness parses, and powers the machine off.
 *
 * Output lines (each prefixed "@@ <tag> <program> <mode> "):
 *   "| <line>"        one line of the program's output
 *   "exit <status>"   how it ended (128 + signal if killed, 124 on timeout)
 * and "@@ <tag> done" at the end.  <tag> comes from PERCPU_ARCH_TAG.
 *
 * The kernel hands unknown key=value boot parameters to /init as its
 * environment (PERCPU_TEST_SECS, PERCPU_ARCH_TAG): the programs inherit it.
 * Built statically: the initramfs has no libc besides what is linked in.
 *
 * run.sh also runs it on the host, natively and in front of qemu-user, so
 * that every run is parsed the same way; there these variables say where:
 *   PERCPU_TEST_DIR      directory of the programs (default /bin)
 *   PERCPU_TEST_LIST     the manifest (default /tests.list)
 *   PERCPU_TEST_WRAPPER  a command to run each program with (qemu-aarch64-static)
 *   PERCPU_TEST_MODES    run only these modes ("- fallback" under qemu-user)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/wait.h>

/*
 * A program still running after this long is killed: the boot must end.
 * At least 180 s, and room for three stress phases that each run to their
 * deadline (PERCPU_TEST_MAX_SECS) on a slow emulator.
 */
static double test_timeout(void)
{
	const char *s = getenv("PERCPU_TEST_MAX_SECS");
	double t = s && atof(s) > 0 ? 3 * atof(s) + 60 : 0;

	return t > 180 ? t : 180;
}

static const char *tag, *dir, *wrapper, *only_modes;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Print every complete line of @buf with the prefix; keep the rest. */
static size_t emit_lines(char *buf, size_t len, const char *prefix, int flush)
{
	size_t start = 0;

	for (size_t i = 0; i < len; i++) {
		if (buf[i] == '\n') {
			printf("%s| %.*s\n", prefix, (int)(i - start), buf + start);
			start = i + 1;
		}
	}
	if (flush && start < len) {
		printf("%s| %.*s\n", prefix, (int)(len - start), buf + start);
		start = len;
	}
	memmove(buf, buf + start, len - start);
	return len - start;
}

/* Run /bin/@prog with @mode (NULL: no argument); returns its exit status. */
static int run_one(const char *prog, const char *mode)
{
	char path[256], prefix[256], buf[8192];
	char *argv[] = { path, (char *)mode, NULL };
	char *wrapped[] = { (char *)wrapper, path, (char *)mode, NULL };
	size_t have = 0;
	int pipefd[2], status = 0, timed_out = 0;
	double deadline = now() + test_timeout();
	pid_t pid;

	snprintf(path, sizeof(path), "%s/%s", dir, prog);
	snprintf(prefix, sizeof(prefix), "@@ %s %s %s ", tag, prog, mode ? mode : "-");
	if (pipe(pipefd) != 0)
		return 127;
	pid = fork();
	if (pid == 0) {
		/* Own process group, so a timeout kills the test's re-executions too. */
		setpgid(0, 0);
		dup2(pipefd[1], 1);
		dup2(pipefd[1], 2);
		close(pipefd[0]);
		close(pipefd[1]);
		if (wrapper)
			execvp(wrapper, wrapped);
		else
			execv(path, argv);
		printf("cannot execute %s: %s\n", wrapper ? wrapper : path, strerror(errno));
		_exit(127);
	}
	close(pipefd[1]);
	if (pid < 0) {
		close(pipefd[0]);
		return 127;
	}
	for (;;) {
		struct pollfd pfd = { pipefd[0], POLLIN, 0 };
		ssize_t n;

		if (now() > deadline) {
			kill(-pid, SIGKILL);
			timed_out = 1;
			break;
		}
		if (poll(&pfd, 1, 1000) <= 0)
			continue;
		n = read(pipefd[0], buf + have, sizeof(buf) - 1 - have);
		if (n <= 0)
			break;
		have = emit_lines(buf, have + (size_t)n, prefix, have + (size_t)n == sizeof(buf) - 1);
	}
	emit_lines(buf, have, prefix, 1);
	close(pipefd[0]);
	waitpid(pid, &status, 0);
	if (timed_out)
		return 124;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static int mode_selected(const char *mode)
{
	char copy[256], *save, *m;

	if (!only_modes)
		return 1;
	snprintf(copy, sizeof(copy), "%s", only_modes);
	for (m = strtok_r(copy, " ,", &save); m; m = strtok_r(NULL, " ,", &save))
		if (strcmp(m, mode) == 0)
			return 1;
	return 0;
}

static void run_list(const char *list)
{
	FILE *f = fopen(list, "r");
	char line[512];

	if (!f) {
		printf("@@ %s cannot open %s: %s\n", tag, list, strerror(errno));
		return;
	}
	while (fgets(line, sizeof(line), f)) {
		char *save, *prog = strtok_r(line, " \t\n", &save), *mode;

		if (!prog || prog[0] == '#')
			continue;
		while ((mode = strtok_r(NULL, " \t\n", &save))) {
			int st;

			if (!mode_selected(mode))
				continue;
			st = run_one(prog, strcmp(mode, "-") ? mode : NULL);

			printf("@@ %s %s %s exit %d\n", tag, prog, mode, st);
		}
	}
	fclose(f);
}

/* The console: as PID 1 we may start with no descriptors open. */
static void open_console(void)
{
	if (fcntl(1, F_GETFD) < 0) {
		int fd = open("/dev/console", O_RDWR);

		if (fd >= 0) {
			dup2(fd, 0);
			dup2(fd, 1);
			dup2(fd, 2);
			if (fd > 2)
				close(fd);
		}
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
}

int main(void)
{
	double start;

	const char *list = getenv("PERCPU_TEST_LIST");

	if (getpid() == 1) {
		/* The tests need /proc/self/exe; percpu_nr_cpus() reads sysfs. */
		mkdir("/proc", 0755);
		mkdir("/sys", 0755);
		mkdir("/dev", 0755);
		mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
		mount("proc", "/proc", "proc", 0, NULL);
		mount("sysfs", "/sys", "sysfs", 0, NULL);
	}
	open_console();
	tag = getenv("PERCPU_ARCH_TAG");
	if (!tag)
		tag = "guest";
	dir = getenv("PERCPU_TEST_DIR");
	if (!dir)
		dir = "/bin";
	wrapper = getenv("PERCPU_TEST_WRAPPER");
	if (wrapper && !*wrapper)
		wrapper = NULL;
	only_modes = getenv("PERCPU_TEST_MODES");

	start = now();
	printf("\n@@ %s start\n", tag);
	run_list(list ? list : "/tests.list");
	printf("@@ %s done in %.1f s\n", tag, now() - start);
	fflush(stdout);
	sync();
	if (getpid() == 1) {
		reboot(RB_POWER_OFF);
		for (;;)
			pause();
	}
	return 0;
}
