/* SPDX-License-Identifier: MIT */
/*
 * lib/rseq.c - find or register the calling thread's rseq area.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#ifdef HAVE_SYS_AUXV_H
#include <sys/auxv.h>
#endif

#include <percpu/arch.h>
#include <percpu/rseq.h>
#include "internal.h"

#ifndef AT_RSEQ_FEATURE_SIZE
#define AT_RSEQ_FEATURE_SIZE	27
#endif
#ifndef AT_RSEQ_ALIGN
#define AT_RSEQ_ALIGN		28
#endif
#define PERCPU_RSEQ_FLAG_UNREGISTER	1
#define PERCPU_CPU_ID_UNINITIALIZED	((uint32_t)-1)

/* Size of the original struct rseq (up to and including flags). */
#define PERCPU_RSEQ_ORIG_SIZE	20

/*
 * glibc >= 2.35 exports where it put each thread's area.  Weak, so that the
 * library still loads on a libc without them (older glibc, musl): then their
 * addresses are NULL.
 */
extern const ptrdiff_t __rseq_offset __attribute__((weak));
extern const unsigned int __rseq_size __attribute__((weak));

/*
 * The library's own area, registered only when libc did not register one.
 * Initial-exec TLS so the fast path reaches it without a call.  Until
 * registered its cpu_id is negative, which sends every sequence run on it to
 * the fallback path: it doubles as the fallback sentinel.
 */
static __thread struct percpu_rseq_abi own_area
	__attribute__((tls_model("initial-exec"))) = {
	.cpu_id = PERCPU_CPU_ID_UNINITIALIZED,
};

__thread struct percpu_rseq_abi *percpu_tls_area
	__attribute__((tls_model("initial-exec"), visibility("default")));

/* Per-thread bookkeeping, touched only off the fast path. */
struct thread_state {
	int mode;		/* enum percpu_rseq_mode */
	int fallback_errno;	/* why the fallback is used */
	unsigned int refs;	/* percpu_rseq_register() references */
	int initializing;	/* set while percpu_rseq_thread_init() runs */
};
static __thread struct thread_state tstate __attribute__((tls_model("initial-exec")));

/* Process-wide facts, set once (see global_init()). */
static struct {
	int state;		/* 0: not yet, 1: being set, 2: ready */
	int disabled;		/* PERCPU_DISABLE_RSEQ set */
	uint32_t libc_size;	/* __rseq_size, 0 if libc has no area */
	uint32_t feature_size;
	uint32_t align;
	unsigned int nr_cpus;
	int have_key;
	pthread_key_t key;	/* its destructor unregisters at thread exit */
} g;

static long rseq_syscall(struct percpu_rseq_abi *area, uint32_t len, int flags)
{
#ifdef __NR_rseq
	return syscall(__NR_rseq, area, len, flags, PERCPU_RSEQ_SIG);
#else
	(void)area; (void)len; (void)flags;
	errno = ENOSYS;
	return -1;
#endif
}

/* Highest CPU number in a list such as "0-3,8-11", plus one; 0 on error. */
static unsigned int parse_cpu_list(const char *s)
{
	unsigned int max = 0;

	while (*s) {
		char *end;
		unsigned long v = strtoul(s, &end, 10);

		if (end == s)
			break;
		if (v + 1 > max)
			max = v + 1;
		s = end;
		if (*s == '-' || *s == ',')
			s++;
		else
			break;
	}
	return max;
}

/*
 * Every CPU number the kernel may report must index a slot: a CPU number at
 * or above the count sends inline sequences to memory no slot covers (adds
 * lost, list heads read as locked forever).  sysfs's "possible" list is
 * exact (it is nr_cpu_ids).  Without sysfs (a minimal container or
 * initramfs), sysconf() and our affinity mask may count only the CPUs we may
 * run on now, not every number the kernel may report, so take an upper bound
 * of nr_cpu_ids instead: the width of the Cpus_allowed mask in
 * /proc/self/status (nr_cpu_ids bits, printed in hex digits of 4 CPUs), or
 * else the size in bytes of the kernel's cpumask, which the raw
 * sched_getaffinity system call returns (nr_cpu_ids rounded up to a long).
 */
static unsigned int cpus_allowed_width(void)
{
	static const char key[] = "Cpus_allowed:";
	char buf[4096];
	unsigned int digits = 0;
	ssize_t len;
	char *p;
	int fd;

	fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	len = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (len <= 0)
		return 0;
	buf[len] = '\0';
	p = strstr(buf, key);
	if (!p)
		return 0;
	for (p += sizeof(key) - 1; *p == ' ' || *p == '\t'; p++)
		;
	/* Hex digits in groups of 8 separated by commas, up to the newline. */
	for (; *p && *p != '\n'; p++) {
		if ((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f'))
			digits++;
		else if (*p != ',')
			return 0;
	}
	/* A line cut short by our buffer would understate the width. */
	return *p == '\n' ? digits * 4 : 0;
}

static unsigned int kernel_cpumask_bits(void)
{
	unsigned long mask[128];	/* 8192 CPUs on 64-bit, the largest NR_CPUS */
	long ret = syscall(__NR_sched_getaffinity, 0, sizeof(mask), mask);

	return ret > 0 ? (unsigned int)ret * 8 : 0;
}

static unsigned int count_possible_cpus(void)
{
	unsigned int n = 0, bound;
	char buf[256];
	long conf;
	cpu_set_t set;
	int fd;

	fd = open("/sys/devices/system/cpu/possible", O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		ssize_t len = read(fd, buf, sizeof(buf) - 1);

		if (len > 0) {
			buf[len] = '\0';
			n = parse_cpu_list(buf);
		}
		close(fd);
	}
	if (n == 0) {
		bound = cpus_allowed_width();
		if (bound == 0)
			bound = kernel_cpumask_bits();
		n = bound;
	}
	conf = sysconf(_SC_NPROCESSORS_CONF);
	if (conf > 0 && (unsigned long)conf > n)
		n = (unsigned int)conf;
	if (sched_getaffinity(0, sizeof(set), &set) == 0) {
		for (unsigned int cpu = CPU_SETSIZE; cpu > n; cpu--) {
			if (CPU_ISSET(cpu - 1, &set)) {
				n = cpu;
				break;
			}
		}
	}
	return n ? n : 1;
}

static void thread_exit(void *arg);

/*
 * Set the process-wide facts.  Runs from the constructor; a call that comes
 * earlier (another library's constructor) or races with it is answered
 * "not ready" and that operation takes the fallback path.
 */
static int global_init(void)
{
	int expected = 0;

	if (__atomic_load_n(&g.state, __ATOMIC_ACQUIRE) == 2)
		return 1;
	if (!__atomic_compare_exchange_n(&g.state, &expected, 1, 0, __ATOMIC_ACQUIRE,
					 __ATOMIC_RELAXED))
		return 0;

	const char *env = getenv("PERCPU_DISABLE_RSEQ");

	g.disabled = env && *env && strcmp(env, "0") != 0;
	if (&__rseq_size && &__rseq_offset)
		g.libc_size = __rseq_size;
#ifdef HAVE_GETAUXVAL
	g.feature_size = (uint32_t)getauxval(AT_RSEQ_FEATURE_SIZE);
	g.align = (uint32_t)getauxval(AT_RSEQ_ALIGN);
#endif
	g.nr_cpus = count_possible_cpus();
	g.have_key = pthread_key_create(&g.key, thread_exit) == 0;
	__atomic_store_n(&g.state, 2, __ATOMIC_RELEASE);
	return 1;
}

__attribute__((constructor)) static void percpu_rseq_constructor(void)
{
	global_init();
}

static struct percpu_rseq_abi *libc_area(void)
{
	return (struct percpu_rseq_abi *)((char *)percpu_arch_thread_pointer() + __rseq_offset);
}

static struct percpu_rseq_abi *use_fallback(int err)
{
	tstate.mode = PERCPU_MODE_FALLBACK;
	tstate.fallback_errno = err;
	return &own_area;
}

int percpu_rseq_in_use;

/*
 * Called before this thread can first enter a sequence.  Sequential
 * consistency pairs with percpu_slow_lock(): either the slow path sees the
 * flag, or this thread's first sequence sees the slow path's lock word.
 */
static void mark_rseq_in_use(void)
{
	__atomic_store_n(&percpu_rseq_in_use, 1, __ATOMIC_SEQ_CST);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

/* rseq_cs is owned by user space: a plain store, whole (see rseq.h). */
static void clear_rseq_cs(struct percpu_rseq_abi *area)
{
	*(volatile uint64_t *)&area->rseq_cs = 0;
	PERCPU_BARRIER();
}

static struct percpu_rseq_abi *setup_thread(void)
{
	if (g.disabled)
		return use_fallback(ENOTSUP);

	if (g.libc_size > 0) {
		/* libc owns this thread's registration: never register another. */
		struct percpu_rseq_abi *area = libc_area();

		if ((int32_t)PERCPU_LOAD(&area->cpu_id) < 0)
			return use_fallback(ENOSYS);
		mark_rseq_in_use();
		tstate.mode = PERCPU_MODE_LIBC;
		tstate.fallback_errno = 0;
		return area;
	}

	/* Before registering: a signal handler may use the area right after. */
	mark_rseq_in_use();
	/*
	 * A descriptor left from before an unregistration may lie in code
	 * unloaded since: the kernel would fault on it at the first preemption.
	 */
	clear_rseq_cs(&own_area);
	if (rseq_syscall(&own_area, sizeof(own_area), 0) != 0) {
		int err = errno;

		/*
		 * Our arguments are valid, so EINVAL (another area), EPERM
		 * (another signature) and EBUSY all mean that some other
		 * component registered an area for this thread, which we cannot
		 * find.
		 */
		if (err == EINVAL || err == EPERM)
			err = EBUSY;
		return use_fallback(err);
	}
	if (g.have_key)
		pthread_setspecific(g.key, &own_area);
	tstate.mode = PERCPU_MODE_OWN;
	tstate.fallback_errno = 0;
	return &own_area;
}

struct percpu_rseq_abi *percpu_rseq_thread_init(void)
{
	struct percpu_rseq_abi *area = percpu_tls_area;
	int saved_errno = errno;

	if (area)
		return area;
	/*
	 * Not ready yet, or a signal handler interrupted this thread's own set-up:
	 * answer with the own area without caching it.  If the interrupted code
	 * already registered it, its cpu_id is valid and rseq works; otherwise
	 * cpu_id is negative and the operation falls back.  Either is correct.
	 */
	if (!global_init() || tstate.initializing)
		return &own_area;

	tstate.initializing = 1;
	PERCPU_BARRIER();
	area = setup_thread();
	PERCPU_BARRIER();
	percpu_tls_area = area;
	tstate.initializing = 0;
	errno = saved_errno;
	return area;
}

/* Undo our own registration (if any); the next operation sets up again. */
static void release_own(void)
{
	if (tstate.mode == PERCPU_MODE_OWN) {
		/*
		 * Fails only if someone else already unregistered our area, and
		 * then there is nothing left to undo.
		 */
		rseq_syscall(&own_area, sizeof(own_area), PERCPU_RSEQ_FLAG_UNREGISTER);
		clear_rseq_cs(&own_area);
		if (g.have_key)
			pthread_setspecific(g.key, NULL);
	}
}

static void thread_exit(void *arg)
{
	(void)arg;
	/*
	 * Static TLS outlives this destructor, but a thread must not leave an
	 * area registered that the library will not manage any more.  Later
	 * destructors that still use libpercpu get the fallback path.
	 */
	release_own();
	tstate.mode = PERCPU_MODE_FALLBACK;
	tstate.fallback_errno = ESRCH;
	percpu_tls_area = &own_area;
}

int percpu_rseq_register(void)
{
	struct percpu_rseq_abi *rs = percpu_rseq_area();

	if (percpu_rseq_is_fallback(rs))
		return tstate.fallback_errno ? -tstate.fallback_errno : -ENOSYS;
	tstate.refs++;
	return 0;
}

int percpu_rseq_unregister(void)
{
	if (tstate.refs == 0)
		return -EINVAL;
	if (--tstate.refs == 0 && tstate.mode == PERCPU_MODE_OWN) {
		release_own();
		tstate.mode = PERCPU_MODE_FALLBACK;
		percpu_tls_area = NULL;
	}
	return 0;
}

void percpu_rseq_prepare_unload(void)
{
	struct percpu_rseq_abi *area = percpu_tls_area;

	/* Never set up: no sequence ran on this thread, nothing to clear. */
	if (area)
		clear_rseq_cs(area);
}

int percpu_rseq_mode(void)
{
	struct percpu_rseq_abi *rs = percpu_rseq_area();

	return percpu_rseq_is_fallback(rs) ? PERCPU_MODE_FALLBACK : tstate.mode;
}

const char *percpu_rseq_mode_name(int mode)
{
	switch (mode) {
	case PERCPU_MODE_FALLBACK:
		return "fallback";
	case PERCPU_MODE_LIBC:
		return "libc";
	case PERCPU_MODE_OWN:
		return "own";
	}
	return NULL;
}

int percpu_rseq_get_info(struct percpu_rseq_info *info)
{
	uint32_t usable;

	if (!info)
		return -EINVAL;
	memset(info, 0, sizeof(*info));
	info->mode = percpu_rseq_mode();
	info->fallback_errno = info->mode == PERCPU_MODE_FALLBACK ?
			       (tstate.fallback_errno ? tstate.fallback_errno : ENOSYS) : 0;
	info->signature = PERCPU_RSEQ_SIG;
	info->feature_size = g.feature_size;
	info->align = g.align;
	info->libc_rseq_size = g.libc_size;

	switch (info->mode) {
	case PERCPU_MODE_LIBC:
		usable = g.libc_size;
		break;
	case PERCPU_MODE_OWN:
		usable = sizeof(struct percpu_rseq_abi);
		break;
	default:
		usable = 0;
	}
	/* Kernels before 6.3 have no AT_RSEQ_FEATURE_SIZE: original fields only. */
	if (usable > (g.feature_size ? g.feature_size : PERCPU_RSEQ_ORIG_SIZE))
		usable = g.feature_size ? g.feature_size : PERCPU_RSEQ_ORIG_SIZE;
	info->usable_size = usable;
	info->has_node_id = usable >= PERCPU_RSEQ_OFF_NODE_ID + 4;
	info->has_mm_cid = usable >= PERCPU_RSEQ_OFF_MM_CID + 4;
	return 0;
}

unsigned int percpu_fallback_cpu(void)
{
	int cpu = sched_getcpu();

	if (cpu < 0 || (unsigned int)cpu >= percpu_nr_cpus())
		return 0;
	return (unsigned int)cpu;
}

int percpu_current_cpu(void)
{
	struct percpu_rseq_abi *rs = percpu_rseq_area();
	int32_t cpu = (int32_t)PERCPU_LOAD(&rs->cpu_id);
	int saved_errno = errno, ret;

	if (cpu >= 0)
		return cpu;
	ret = sched_getcpu();
	if (ret < 0)
		ret = -errno;
	errno = saved_errno;
	return ret;
}

static int area_field(size_t offset)
{
	struct percpu_rseq_info info;

	percpu_rseq_get_info(&info);
	if (info.usable_size < offset + 4)
		return -ENOTSUP;
	return (int)PERCPU_LOAD((uint32_t *)((char *)percpu_rseq_area() + offset));
}

int percpu_current_node(void)
{
	return area_field(PERCPU_RSEQ_OFF_NODE_ID);
}

int percpu_current_mm_cid(void)
{
	return area_field(PERCPU_RSEQ_OFF_MM_CID);
}

unsigned int percpu_nr_cpus(void)
{
	if (PERCPU_LIKELY(__atomic_load_n(&g.state, __ATOMIC_ACQUIRE) == 2))
		return g.nr_cpus;
	if (global_init())
		return g.nr_cpus;
	return count_possible_cpus();
}
