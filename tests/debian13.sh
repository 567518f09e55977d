#!/bin/bash
# SPDX-License-Identifier: MIT
#
# tests/debian13.sh - build libpercpu and run its native test suite with
# Debian 13's toolchain and C library (gcc 14, glibc 2.41, whose rseq
# registration follows AT_RSEQ_FEATURE_SIZE), in a debootstrap chroot that
# is made once and cached.  The kernel is the host's.
#
# Environment:
#   PERCPU_QEMU_CACHE  cache directory (default ~/.cache/libpercpu-qemu); the
#                      chroot is $PERCPU_QEMU_CACHE/chroot-trixie
#   PERCPU_MIRROR      Debian mirror (default: the one this machine uses)
#   PERCPU_SUITE       suite (default trixie)
#   PERCPU_NO_INSTALL  set: never apt-get install debootstrap on the host
#   PERCPU_CHECK_ARGS  extra arguments for make check (e.g. TESTS=...)
#
# Needs root (debootstrap, chroot, mounts).  Prints the automake summary
# ("# PASS:  N" ...) that .ci/run counts; exits 77 (skipped) when it cannot
# make the chroot, 1 when a test fails.
set -uo pipefail

SRC=$(cd "$(dirname "$0")/.." && pwd)
CACHE=${PERCPU_QEMU_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/libpercpu-qemu}
SUITE=${PERCPU_SUITE:-trixie}
ROOT=$CACHE/chroot-$SUITE
PKGS=gcc,g++,make,autoconf,automake,libtool,pkgconf,libc6-dev,ca-certificates

skip() { echo "1..0 # SKIP Debian $SUITE chroot: $*"; echo "# SKIP:  1"; exit 77; }

[ "$(id -u)" = 0 ] || skip "needs root (debootstrap, chroot)"
if ! command -v debootstrap > /dev/null; then
	[ -z "${PERCPU_NO_INSTALL:-}" ] &&
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
			debootstrap > /dev/null 2>&1
	command -v debootstrap > /dev/null || skip "no debootstrap (apt-get install debootstrap)"
fi

mirror=${PERCPU_MIRROR:-}
if [ -z "$mirror" ]; then
	mirror=$(sed -n 's/^URIs: *\([^ ]*\).*/\1/p' /etc/apt/sources.list.d/*.sources 2>/dev/null |
		grep -v security | head -1)
	[ -n "$mirror" ] || mirror=http://deb.debian.org/debian
fi

mkdir -p "$CACHE" || exit 2
# The chroot is complete once debootstrap finished and marked it: a run
# interrupted half-way starts again from scratch.
if [ ! -e "$ROOT/.percpu-ready" ]; then
	rm -rf "$ROOT"
	echo "# making the Debian $SUITE chroot in $ROOT from $mirror"
	ok=0
	for i in 1 2 3; do
		if debootstrap --variant=minbase --include=$PKGS "$SUITE" "$ROOT" "$mirror" \
			> "$CACHE/debootstrap-$SUITE.log" 2>&1; then
			ok=1
			break
		fi
		rm -rf "$ROOT"
		sleep $((i * 10))
	done
	[ $ok = 1 ] || { tail -5 "$CACHE/debootstrap-$SUITE.log"; skip "debootstrap failed (see $CACHE/debootstrap-$SUITE.log)"; }
	touch "$ROOT/.percpu-ready"
fi

gccv=$(chroot "$ROOT" gcc -dumpfullversion 2>/dev/null)
glibcv=$(chroot "$ROOT" ldd --version 2>/dev/null | head -1 | awk '{ print $NF }')
echo "# Debian $SUITE chroot: gcc $gccv, glibc $glibcv, host kernel $(uname -r)"

# A fresh copy of the source tree each time (no build outputs from the host).
rm -rf "$ROOT/src" && mkdir -p "$ROOT/src" || exit 2
(cd "$SRC" && tar -c --exclude=./_build --exclude=./.git --exclude='./_*' \
	--exclude=autom4te.cache . ) | tar -x -C "$ROOT/src" || exit 2
# A tree the README build configured and built in place: clean the copy, or
# make would take the host's objects from it through VPATH.
if [ -f "$ROOT/src/config.status" ]; then
	(cd "$ROOT/src" && make distclean > /dev/null 2>&1)
	[ -f "$ROOT/src/config.status" ] && { echo "# cannot clean the copy of the configured tree"; exit 2; }
fi

mounted=()
cleanup() {
	local m
	for m in "${mounted[@]}"; do umount -l "$m" 2>/dev/null; done
}
trap cleanup EXIT
for d in proc sys dev; do
	mkdir -p "$ROOT/$d"
	mountpoint -q "$ROOT/$d" && umount -l "$ROOT/$d"
	mount --bind "/$d" "$ROOT/$d" || skip "cannot bind-mount /$d"
	mounted+=("$ROOT/$d")
done
mkdir -p "$ROOT/dev/shm"

# -j2: the host has two cores, shared.
chroot "$ROOT" /usr/bin/env -i PATH=/usr/bin:/bin HOME=/root LANG=C.UTF-8 bash -c "
	cd /src && ./bootstrap > /dev/null 2>&1 && mkdir -p _b && cd _b &&
	../configure --enable-Werror > configure.log 2>&1 || { tail -20 configure.log; exit 2; }
	make -j2 > make.log 2>&1 || { tail -30 make.log; exit 2; }
	make -j2 check ${PERCPU_CHECK_ARGS:-} > check.log 2>&1; rc=\$?
	grep -E '^(FAIL|ERROR|XPASS):' check.log
	[ \$rc = 0 ] || for f in \$(grep -lE '^(not ok|Bail out)' tests/*.log); do echo \"== \$f\"; tail -20 \$f; done
	sed -n '/^# TOTAL:/,/^# ERROR:/p' check.log
	exit \$rc"
rc=$?
[ $rc = 0 ] || echo "# Debian $SUITE suite failed (exit $rc); logs in $ROOT/src/_b"
exit $rc
