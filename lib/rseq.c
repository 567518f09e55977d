/* SPDX-License-Identifier: MIT */
/*
 * lib/rseq.c - find or register the calling thread's rseq area.
 */
#include "config.h"
#define PERCPU_LIB_BUILD 1

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
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
 * Initial-exec TLS: at a constant offset from the thread pointer, reached
 * without a call to __tls_get_addr (and so without allocation).  Until
 * registered its cpu_id is negative, which sends every sequence run on it to
 * the slow path: it doubles as the fallback area.
 *
 * The area has room for the fields kernels add after the original 32 bytes:
 * Linux 7.x gives its optimized rseq mode (IDs written only when they
 * change, with kernel-owned fields read-only) to registrations at least
 * AT_RSEQ_FEATURE_SIZE long (33 on 7.2) and aligned to AT_RSEQ_ALIGN (64).
 * Where a kernel asks for more than this, the library registers the
 * original 32 bytes, which every kernel accepts.  Kept small (128 bytes in
 * all): initial-exec TLS of a dlopen()ed library comes from glibc's few
 * hundred bytes of surplus static TLS.
 */
#define PERCPU_OWN_AREA_SIZE	64
#define PERCPU_OWN_AREA_ALIGN	64

struct own_rseq_area {
	/*
	 * Not at the thread pointer itself: on riscv the first TLS block
	 * begins there (static executables put own_tls first), and offset 0
	 * means "not initialised" to the fast paths, which then all took
	 * their slow path.  The alignment makes this as large as one area.
	 */
	unsigned char not_at_tp[PERCPU_OWN_AREA_ALIGN];
	struct percpu_rseq_abi abi;
	/* Kernel-owned or zero (slice_ctrl.request): the library writes none. */
	unsigned char ext[PERCPU_OWN_AREA_SIZE - sizeof(struct percpu_rseq_abi)];
} __attribute__((aligned(PERCPU_OWN_AREA_ALIGN)));

static __thread struct own_rseq_area own_tls
	__attribute__((tls_model("initial-exec"))) = {
	.abi.cpu_id = PERCPU_CPU_ID_UNINITIALIZED,
};
/* The struct rseq part, which is all the rest of the library looks at. */
#define own_area (own_tls.abi)

/* See percpu/rseq.h.  0 until global_init() chose the area. */
ptrdiff_t percpu_rseq_offset __attribute__((visibility("default")));
ptrdiff_t _percpu_rseq_offset_lib;
/* See percpu/rseq.h. */
int (*_percpu_fallback_getcpu)(void) __attribute__((visibility("default"))) = sched_getcpu;

/* Per-thread bookkeeping, touched only off the fast path. */
struct thread_state {
	int mode;		/* enum percpu_rseq_mode, once set_up */
	int fallback_errno;	/* why the fallback is used */
	unsigned int refs;	/* percpu_rseq_register() references */
	int set_up;		/* mode is known */
	int exited;		/* past the thread-exit destructor */
	int initializing;	/* set while percpu_rseq_thread_init() runs */
};
static __thread struct thread_state tstate __attribute__((tls_model("initial-exec")));

unsigned int percpu_fb_nr;

/* See internal.h: lets slow paths skip the area lookup on the fallback path. */
__thread struct percpu_fb_state percpu_fb __attribute__((tls_model("initial-exec")));

/* Set while this thread runs global_init() (a handler may interrupt it). */
static __thread int global_initializing __attribute__((tls_model("initial-exec")));

/* Process-wide facts, set once (see global_init()). */
static struct {
	int state;		/* 0: not yet, 1: being set, 2: ready */
	int disabled;		/* PERCPU_DISABLE_RSEQ set */
	int own;		/* threads register the library's own area */
	uint32_t libc_size;	/* __rseq_size, 0 if libc has no area */
	uint32_t feature_size;
	uint32_t align;
	uint32_t own_len;	/* length the library registers its own area with */
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
	/*
	 * No sysconf(_SC_NPROCESSORS_CONF): without sysfs glibc falls back to
	 * fopen() of /proc files, which allocates, and this may run inside an
	 * allocator's malloc.
	 */
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

static struct percpu_rseq_abi *libc_area(void)
{
	return (struct percpu_rseq_abi *)((char *)percpu_arch_thread_pointer() + __rseq_offset);
}

int percpu_rseq_in_use;

/*
 * Called before any thread can first enter a sequence.  Sequential
 * consistency pairs with percpu_slow_lock(): either the slow path sees the
 * flag, or the thread's first sequence sees the slow path's lock word; and
 * slow paths that saw no flag, and so hold their slot by the mutex alone,
 * are waited for.
 */
static void mark_rseq_in_use(void)
{
	if (__atomic_load_n(&percpu_rseq_in_use, __ATOMIC_RELAXED))
		return;
	__atomic_store_n(&percpu_rseq_in_use, 1, __ATOMIC_SEQ_CST);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	/* Slow paths that took slots without a locked value: let them finish. */
	percpu_slow_quiesce();
}

/*
 * rseq_cs is owned by user space: a plain store of the whole word.  Volatile
 * rather than PERCPU_STORE(): a 64-bit atomic store is a libatomic call (and
 * a lock) on 32-bit machines without 64-bit atomics, and there the upper
 * half is always 0 anyway.
 */
static void clear_rseq_cs(struct percpu_rseq_abi *area)
{
	*(volatile uint64_t *)&area->rseq_cs = 0;
	PERCPU_BARRIER();
}

/*
 * Thread-exit hook for the library's own registration: a key whose destructor
 * unregisters the area, so that a thread does not leave registered an area
 * the library no longer manages (later destructors may register another).
 * pthread_setspecific() must not allocate, though: the first use may come
 * from a signal handler or from inside an allocator.  glibc allocates for
 * keys from PTHREAD_KEY_2NDLEVEL_SIZE (32) up; our key is made at load time,
 * so it is almost always below, and when it is not we go without the hook.
 * That is safe with glibc, which reuses a thread's stack (and its static TLS,
 * where own_area lies) only once the kernel has cleared the thread's tid at
 * exit, after the kernel last wrote the area.  musl never allocates there.
 */
#ifdef __GLIBC__
#define PERCPU_KEY_MAX_NO_ALLOC	32
#else
#define PERCPU_KEY_MAX_NO_ALLOC	((pthread_key_t)-1)
#endif

static void make_exit_key(void)
{
	if (pthread_key_create(&g.key, thread_exit) != 0)
		return;
	if ((unsigned long)g.key >= (unsigned long)PERCPU_KEY_MAX_NO_ALLOC) {
		pthread_key_delete(g.key);
		return;
	}
	g.have_key = 1;
}

/*
 * The length to register the library's own area with: what the kernel asks
 * for (AT_RSEQ_FEATURE_SIZE bytes, aligned to AT_RSEQ_ALIGN), so that it gets
 * the kernel's best mode, when own_tls is large and aligned enough; else the
 * original 32 bytes, which every kernel accepts (its historical mode).
 * Kernels before 6.3 say nothing (0), and those before 6.19 know no more
 * than 28 bytes: 32 then too.
 */
static uint32_t own_registration_len(uint32_t feature_size, uint32_t align)
{
	if (feature_size <= sizeof(struct percpu_rseq_abi))
		return sizeof(struct percpu_rseq_abi);
	if (feature_size > PERCPU_OWN_AREA_SIZE || align > PERCPU_OWN_AREA_ALIGN ||
	    (align & (align - 1)))
		return sizeof(struct percpu_rseq_abi);
	return feature_size;
}

/*
 * Set the process-wide facts and publish the area's offset.  Runs from the
 * constructor, or earlier from the first call that needs it (an allocator's
 * malloc may run before constructors): nothing here allocates.  A call that
 * races with another is answered "not ready" and takes the fallback path.
 */
static int global_init(void)
{
	int expected = 0;

	if (__atomic_load_n(&g.state, __ATOMIC_ACQUIRE) == 2)
		return 1;
	if (!__atomic_compare_exchange_n(&g.state, &expected, 1, 0, __ATOMIC_ACQUIRE,
					 __ATOMIC_RELAXED))
		return 0;
	global_initializing = 1;

	const char *env = getenv("PERCPU_DISABLE_RSEQ");
	ptrdiff_t off;

	g.disabled = env && *env && strcmp(env, "0") != 0;
	if (&__rseq_size && &__rseq_offset)
		g.libc_size = __rseq_size;
#ifdef HAVE_GETAUXVAL
	g.feature_size = (uint32_t)getauxval(AT_RSEQ_FEATURE_SIZE);
	g.align = (uint32_t)getauxval(AT_RSEQ_ALIGN);
#endif
	g.own_len = own_registration_len(g.feature_size, g.align);
	g.nr_cpus = count_possible_cpus();
	percpu_fb_nr = g.nr_cpus;
	make_exit_key();

	if (!g.disabled && g.libc_size > 0) {
		/* libc registers every thread's area: sequences may start now. */
		off = __rseq_offset;
		mark_rseq_in_use();
	} else {
		g.own = !g.disabled;
		off = (char *)&own_area - (char *)percpu_arch_thread_pointer();
	}
	/*
	 * 0 means "not initialised" to the fast paths.  Should an area really
	 * lie at the thread pointer, every operation takes its slow path, which
	 * finds the area itself: slower, never wrong.
	 */
	__atomic_store_n(&_percpu_rseq_offset_lib, off, __ATOMIC_RELEASE);
	__atomic_store_n(&percpu_rseq_offset, off, __ATOMIC_RELEASE);
	__atomic_store_n(&g.state, 2, __ATOMIC_RELEASE);
	global_initializing = 0;
	return 1;
}

int percpu_rseq_global_ready(void)
{
	while (!global_init()) {
		/* Another thread is initialising: it will be done in microseconds. */
		if (global_initializing)
			return 0;	/* no: this thread, interrupted by a signal */
		sched_yield();
	}
	return 1;
}

__attribute__((constructor)) static void percpu_rseq_constructor(void)
{
	global_init();
	/* pthread_atfork() may allocate: only here, never on a later path. */
	percpu_slow_setup_fork();
}

static struct percpu_rseq_abi *use_fallback(int err)
{
	tstate.mode = PERCPU_MODE_FALLBACK;
	tstate.fallback_errno = err;
	tstate.set_up = 1;
	percpu_fb.on = 1;
	/*
	 * Where the fast paths find our own area, say so in its cpu_id, the
	 * only field they read: the value of a registration that failed tells
	 * the inline counter add to take the fallback without a call into the
	 * library.  The area is not registered here (never, or no longer), so
	 * the field is ours to write; libc's area is libc's (and glibc sets
	 * this value itself when its registration fails).
	 */
	if (g.own || g.disabled)
		PERCPU_STORE(&own_area.cpu_id, PERCPU_CPU_ID_REGISTRATION_FAILED);
	return &own_area;
}

static struct percpu_rseq_abi *setup_thread(void)
{
	sigset_t all, old;

	if (tstate.exited)
		return use_fallback(ESRCH);
	if (g.disabled)
		return use_fallback(ENOTSUP);

	if (!g.own) {
		/* libc owns this thread's registration: never register another. */
		struct percpu_rseq_abi *area = libc_area();

		if ((int32_t)PERCPU_LOAD(&area->cpu_id) < 0)
			return use_fallback(ENOSYS);
		tstate.mode = PERCPU_MODE_LIBC;
		percpu_fb.on = 0;
		tstate.fallback_errno = 0;
		tstate.set_up = 1;
		return area;
	}

	/*
	 * No sequence may start before percpu_rseq_in_use is set, and a signal
	 * handler could start one as soon as the area is registered: signals
	 * stay blocked from the registration until the flag is set.  Set only
	 * after a registration that worked, so that a process where rseq(2)
	 * fails (old kernel, seccomp, valgrind) keeps the fallback's common
	 * path, which makes no system call while the flag is clear (lib/slow.c).
	 */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	/*
	 * A descriptor left from before an unregistration may lie in code
	 * unloaded since: the kernel would fault on it at the first preemption.
	 */
	clear_rseq_cs(&own_area);
	if (rseq_syscall(&own_area, g.own_len, 0) != 0) {
		int err = errno;

		pthread_sigmask(SIG_SETMASK, &old, NULL);
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
	mark_rseq_in_use();
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (g.have_key)
		pthread_setspecific(g.key, &own_area);
	tstate.mode = PERCPU_MODE_OWN;
	percpu_fb.on = 0;
	tstate.fallback_errno = 0;
	tstate.set_up = 1;
	return &own_area;
}

/* The area the calling thread uses, once set up (registered or not). */
static struct percpu_rseq_abi *thread_area(void)
{
	return tstate.mode == PERCPU_MODE_LIBC ? libc_area() : &own_area;
}

struct percpu_rseq_abi *percpu_rseq_thread_area(void)
{
	struct percpu_rseq_abi *area;
	int saved_errno;

	if (PERCPU_LIKELY(tstate.set_up))
		return thread_area();
	/*
	 * Not ready yet, or a signal handler interrupted this thread's own set-up:
	 * answer with the own area without recording anything.  If the
	 * interrupted code already registered it, its cpu_id is valid and rseq
	 * works; otherwise cpu_id is negative and the operation falls back.
	 * Either is correct.
	 */
	if (!global_init() || tstate.initializing)
		return &own_area;

	saved_errno = errno;
	tstate.initializing = 1;
	PERCPU_BARRIER();
	/*
	 * A signal handler may have set the thread up between our test of
	 * set_up and the line above: registering again would fail (EBUSY)
	 * and record a fallback the thread is not on.
	 */
	if (tstate.set_up) {
		tstate.initializing = 0;
		return thread_area();
	}
	area = setup_thread();
	PERCPU_BARRIER();
	tstate.initializing = 0;
	errno = saved_errno;
	return area;
}

struct percpu_rseq_abi *percpu_rseq_thread_init(void)
{
	return percpu_rseq_thread_area();
}

/* Undo our own registration (if any); the next operation sets up again. */
static void release_own(void)
{
	if (tstate.mode == PERCPU_MODE_OWN) {
		/*
		 * Fails only if someone else already unregistered our area, and
		 * then there is nothing left to undo.
		 */
		rseq_syscall(&own_area, g.own_len, PERCPU_RSEQ_FLAG_UNREGISTER);
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
	tstate.exited = 1;
	use_fallback(ESRCH);
}

int percpu_rseq_register(void)
{
	struct percpu_rseq_abi *rs = percpu_rseq_thread_area();

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
		tstate.set_up = 0;	/* the next operation registers again */
		percpu_fb.on = 0;
	}
	return 0;
}

void percpu_rseq_prepare_unload(void)
{
	ptrdiff_t off = _PERCPU_RSEQ_OFFSET;

	/*
	 * The area every inline path of this thread used (libc's or ours);
	 * before the library initialised, none ran: nothing to clear.
	 */
	if (off)
		clear_rseq_cs((struct percpu_rseq_abi *)((char *)percpu_arch_thread_pointer() +
							 off));
}

int percpu_rseq_mode(void)
{
	struct percpu_rseq_abi *rs = percpu_rseq_thread_area();

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

	/*
	 * Every registration is at least 32 bytes long (the kernel's minimum),
	 * and the kernel fills every field it knows (AT_RSEQ_FEATURE_SIZE) in
	 * any registered area.  glibc 2.35-2.40's __rseq_size (20 on Debian 12)
	 * says which fields glibc itself relies on, not which the kernel
	 * writes: node_id and mm_cid are valid in glibc's area too.  Kernels
	 * before 6.3 have no AT_RSEQ_FEATURE_SIZE: original fields only.
	 */
	usable = info->mode == PERCPU_MODE_FALLBACK ? 0 :
		 g.feature_size ? g.feature_size : PERCPU_RSEQ_ORIG_SIZE;
	if (usable > sizeof(struct percpu_rseq_abi))
		usable = sizeof(struct percpu_rseq_abi);
	info->usable_size = usable;
	info->has_node_id = usable >= PERCPU_RSEQ_OFF_NODE_ID + 4;
	info->has_mm_cid = usable >= PERCPU_RSEQ_OFF_MM_CID + 4;

	/*
	 * The length the area was registered with: ours, or glibc's, which
	 * registers __rseq_size bytes but never fewer than the original 32.
	 * The kernel's optimized mode goes to registrations of at least its
	 * feature size; kernels whose feature size is within the original 32
	 * bytes (before 6.19) have one mode only.  The kernel does not report
	 * the mode it chose (architectures without its generic entry code
	 * keep the historical one): this says what the registration asked for.
	 */
	if (info->mode == PERCPU_MODE_OWN)
		info->registered_size = g.own_len;
	else if (info->mode == PERCPU_MODE_LIBC)
		info->registered_size = g.libc_size > sizeof(struct percpu_rseq_abi) ?
					g.libc_size : sizeof(struct percpu_rseq_abi);
	info->optimized = info->registered_size && g.feature_size > sizeof(struct percpu_rseq_abi) &&
			  info->registered_size >= g.feature_size;
	return 0;
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
	struct percpu_rseq_abi *rs = percpu_rseq_thread_area();

	if ((int32_t)PERCPU_LOAD(&rs->cpu_id) < 0 ||
	    (g.feature_size ? g.feature_size : PERCPU_RSEQ_ORIG_SIZE) < offset + 4)
		return -ENOTSUP;
	return (int)PERCPU_LOAD((uint32_t *)((char *)rs + offset));
}

int percpu_rseq_mm_cid_usable(void)
{
	int saved = errno, no_rseq;

	if (!global_init())
		return 0;
	if (g.disabled)
		return 1;	/* every operation takes the fallback path */
	if (g.feature_size >= PERCPU_RSEQ_OFF_MM_CID + 4)
		return percpu_have_membarrier();
	/*
	 * No mm_cid: fine only if no thread can use rseq at all (every
	 * operation then takes the fallback path, which needs no index).
	 * Invalid arguments: EINVAL where rseq exists, ENOSYS where not.
	 */
	no_rseq = rseq_syscall(NULL, 0, 0) != 0 && errno == ENOSYS && g.libc_size == 0;
	errno = saved;
	return no_rseq;
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
