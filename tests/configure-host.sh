#!/bin/sh
# SPDX-License-Identifier: MIT
#
# tests/configure-host.sh - configure stops at once, with a message naming
# the reason, for a host that is not Linux and for a CPU without sequences
# (see PORTABILITY in libpercpu(7)).  Both stop before a compiler is looked
# for, so no cross compiler is needed.
set -u
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
echo "1..2"
n=0 failed=0
check() {	# check HOST EXPECTED-TEXT
	n=$((n + 1))
	(cd "$tmp" && "$top_srcdir/configure" --host="$1" > out 2>&1)
	st=$?
	if [ $st -ne 0 ] && grep -q "$2" "$tmp/out"; then
		echo "ok $n - configure --host=$1 stops: $(grep 'error:' "$tmp/out")"
	else
		echo "not ok $n - configure --host=$1 (status $st) should stop with \"$2\""
		sed 's/^/# /' "$tmp/out" | tail -5
		failed=1
	fi
}
check x86_64-unknown-freebsd14.0 "libpercpu needs Linux"
check sparc64-unknown-linux-gnu "no restartable sequences for sparc64"
exit $failed
