#!/bin/sh
# SPDX-License-Identifier: MIT
#
# examples/trace/trace-xz.sh - trace a real multithreaded program (xz -T2)
# with the preloaded malloc tracer, and check the trace: percpu-trace checks
# events written = read + lost (by cause), every event intact, timestamps in
# order within each CPU; babeltrace2 must read the CTF trace and find the
# same number of events, in time order; xz's output must still be right.
set -u
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "1..5"
case "${PERCPU_SAN_FLAGS:-}" in
*-fsanitize*)
	for i in 1 2 3 4 5; do echo "ok $i # SKIP sanitizer runtimes must come first in LD_PRELOAD"; done
	exit 0 ;;
esac
if ! command -v xz >/dev/null 2>&1; then
	for i in 1 2 3 4 5; do echo "ok $i # SKIP xz is not installed"; done
	exit 0
fi
lib=$(pwd)/.libs/libtrace-malloc.so
# xz uses the system's glibc: a tracer built for another C library
# (musl-gcc) cannot be preloaded into it.
if command -v objdump >/dev/null 2>&1 && ! objdump -p "$lib" | grep -q 'NEEDED.*libc\.so\.6'; then
	for i in 1 2 3 4 5; do
		echo "ok $i # SKIP the tracer is not linked with glibc, which xz uses here"
	done
	exit 0
fi
# 8 MiB of text xz needs several blocks for: both threads work.
seq 1 1200000 | sed 's/$/ percpu ring tracer test line/' | head -c 8000000 >"$tmp/in"
./percpu-trace -o "$tmp/trace" -b 262144 -l "$lib" -- \
	xz -T2 --block-size=256KiB -c "$tmp/in" >"$tmp/in.xz" 2>"$tmp/err"
status=$?
n=$(sed -n 's/.* = read \([0-9]*\) .*/\1/p' "$tmp/err")
if [ $status -eq 0 ] && [ -n "$n" ] && [ "$n" -gt 100 ]; then
	echo "ok 1 - xz -T2 traced: $n malloc/free events, written = read + lost, intact, in order per CPU"
else
	echo "not ok 1 - percpu-trace on xz -T2: status $status, events '${n:-}'"
	sed 's/^/# /' "$tmp/err"
fi
if xz -dc "$tmp/in.xz" | cmp -s - "$tmp/in"; then
	echo "ok 2 - xz's output under the tracer decompresses to its input"
else
	echo "not ok 2 - xz's output under the tracer decompresses to its input"
fi
if ! command -v babeltrace2 >/dev/null 2>&1; then
	echo "ok 3 # SKIP babeltrace2 is not installed (apt-get install babeltrace2)"
	echo "ok 4 # SKIP babeltrace2 is not installed"
else

babeltrace2 --clock-seconds "$tmp/trace" >"$tmp/bt" 2>"$tmp/bterr"
bts=$?
lines=$(grep -c '^\[' "$tmp/bt")
if [ $bts -eq 0 ] && [ "$lines" = "$n" ]; then
	echo "ok 3 - babeltrace2 reads the CTF trace: $lines events, as many as percpu-trace wrote"
else
	echo "not ok 3 - babeltrace2 status $bts, $lines events, percpu-trace wrote '${n:-}'"
	head -5 "$tmp/bterr" | sed 's/^/# /'
fi
# babeltrace2 merges the CPUs' streams by time: the seconds it prints must
# never decrease (same width, so compared as strings), and every event is a
# malloc, free, calloc or realloc of xz's threads.
bad=$(awk -F'[][]' '{ if ($2 < prev) n++; prev = $2 }
	!/ (malloc|free|calloc|realloc): / { n++ } END { print n + 0 }' "$tmp/bt")
tids=$(grep -o 'tid = [0-9]*' "$tmp/bt" | sort -u | wc -l)
if [ "$bad" = 0 ] && [ "$tids" -ge 2 ]; then
	echo "ok 4 - events in time order, all of known types, from $tids threads"
else
	echo "not ok 4 - $bad events out of order or unknown; $tids threads"
	head -3 "$tmp/bt" | sed 's/^/# /'
fi
fi
# Rings of 8 KiB per CPU: the reader falls behind and events are dropped;
# the counts must still match exactly.
./percpu-trace -o "$tmp/small" -b 8192 -l "$lib" -- \
	xz -T2 --block-size=256KiB -c "$tmp/in" >/dev/null 2>"$tmp/err2"
status=$?
if [ $status -eq 0 ]; then
	echo "ok 5 - with 8 KiB rings: $(sed -n 's/.*counts: //p' "$tmp/err2")"
else
	echo "not ok 5 - with 8 KiB rings: status $status"
	sed 's/^/# /' "$tmp/err2"
fi
