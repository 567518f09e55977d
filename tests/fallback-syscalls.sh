#!/bin/sh
# SPDX-License-Identifier: MIT
#
# tests/fallback-syscalls.sh - the fallback path makes no system call per
# operation: strace -c counts what t_fbops makes for N operations of each
# kind on the fallback path (PERCPU_DISABLE_RSEQ=1, or rseq(2) failing), less what it makes for
# none: below one system call per 100 operations for counters (an atomic
# add), lists and buffers (the slot lock, which blocks no signal while no
# thread uses rseq: lib/slow.c).  Before that, lists and buffers made two
# rt_sigprocmask calls per operation (80000 for 20000 push+pop pairs).
N=20000
case "${PERCPU_SAN_FLAGS:-}" in
*-fsanitize*)
	# LeakSanitizer stops the process with ptrace at exit, which strace holds.
	echo "1..0 # SKIP sanitizer build: LeakSanitizer cannot run under strace"
	exit 0 ;;
esac
if ! command -v strace >/dev/null 2>&1; then
	echo "1..0 # SKIP strace is not installed"
	exit 0
fi
# Two ways onto the fallback path: PERCPU_DISABLE_RSEQ=1, and a process
# whose rseq(2) fails (ENOSYS injected by strace, libc's registration off
# so that libpercpu tries its own): an old kernel, seccomp, valgrind.
calls() {	# calls KIND: total system calls of t_fbops KIND $N, in mode $how
	case $how in
	disabled) set -- env PERCPU_DISABLE_RSEQ=1 strace -f -c -o fbops.strace ./t_fbops "$1" $N ;;
	enosys) set -- env GLIBC_TUNABLES=glibc.pthread.rseq=0 \
		strace -f -c -e inject=rseq:error=ENOSYS -o fbops.strace ./t_fbops "$1" $N ;;
	esac
	"$@" 2>/dev/null || {
		if grep -q "PTRACE\|ptrace" fbops.strace 2>/dev/null; then echo skip; else echo fail; fi
		return
	}
	awk '$NF == "total" { print $4 }' fbops.strace
}
how=disabled
base=$(calls none)
case $base in
''|skip) echo "1..0 # SKIP strace cannot trace here"; exit 0 ;;
fail) echo "1..1"; echo "not ok 1 - t_fbops none ran"; exit 1 ;;
esac
echo "1..6"
i=0
for how in disabled enosys; do
	base=$(calls none)
	for kind in counter list buffer; do
		i=$((i + 1))
		n=$(calls $kind)
		case $base$n in
		*fail*|*skip*|'') echo "not ok $i - $how: t_fbops none and $kind ran and kept every item"
			continue ;;
		esac
		extra=$((n - base))
		msg="$how: $kind: $extra system calls for $N fallback operations (below $((N / 100)))"
		[ $extra -lt $((N / 100)) ] && echo "ok $i - $msg" || echo "not ok $i - $msg"
	done
done
rm -f fbops.strace
