#!/bin/bash
# SPDX-License-Identifier: MIT
#
# tests/musl.sh - build libpercpu with Debian's musl-gcc, as a new user would
# (`./configure CC=musl-gcc`), and run its test suite.  musl registers no
# rseq area, so every thread uses the library's own registration (the libc
# mode skips); musl-gcc sees no kernel headers, so the seccomp mode skips;
# there is no musl C++ compiler, so t_cxx and the benchmarks skip, each with
# the reason.
#
# Environment:
#   PERCPU_MUSL_BUILD  build directory (default <source>/_musl)
#   PERCPU_NO_INSTALL  set: never apt-get install musl-tools
#   PERCPU_CHECK_ARGS  extra arguments for make check (e.g. TESTS=...)
#
# Prints the automake summary ("# PASS:  N" ...) that .ci/run counts; exits
# 77 when musl-gcc is missing, 1 when a test fails.
set -uo pipefail

SRC=$(cd "$(dirname "$0")/.." && pwd)
B=${PERCPU_MUSL_BUILD:-$SRC/_musl}

if ! command -v musl-gcc > /dev/null && [ -z "${PERCPU_NO_INSTALL:-}" ] && [ "$(id -u)" = 0 ]; then
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends musl-tools \
		> /dev/null 2>&1
fi
if ! command -v musl-gcc > /dev/null; then
	echo "1..0 # SKIP musl: no musl-gcc (apt-get install musl-tools)"
	echo "# SKIP:  1"
	exit 77
fi
echo "# musl $(dpkg-query -W -f='${Version}' musl 2>/dev/null), $(musl-gcc -dumpfullversion 2>/dev/null | sed 's/^/gcc /')"

[ -x "$SRC/configure" ] || (cd "$SRC" && ./bootstrap > /dev/null 2>&1) || exit 2
# A source tree configured in place cannot also be built out of tree.
[ -f "$SRC/config.status" ] && {
	echo "# the source tree is configured in place: building a copy"
	rm -rf "$B.src" && mkdir -p "$B.src" &&
		(cd "$SRC" && tar -c --exclude=./.git --exclude='./_*' .) | tar -x -C "$B.src" &&
		(cd "$B.src" && make distclean > /dev/null 2>&1)
	SRC=$B.src
}
rm -rf "$B" && mkdir -p "$B" && cd "$B" || exit 2
"$SRC/configure" CC=musl-gcc --enable-Werror > configure.log 2>&1 ||
	{ tail -20 configure.log; exit 2; }
grep 'same C library' configure.log
make -j2 > make.log 2>&1 || { tail -30 make.log; exit 2; }
# shellcheck disable=SC2086
make -j2 check ${PERCPU_CHECK_ARGS:-} > check.log 2>&1
rc=$?
grep -E '^(FAIL|ERROR|XPASS):' check.log
[ $rc = 0 ] || for f in $(grep -lE '^(not ok|Bail out)' tests/*.log 2> /dev/null); do
	echo "== $f"
	tail -20 "$f"
done
# Every harness summary (tests/ and bench/).
sed -n '/^# TOTAL:/,/^# ERROR:/p' check.log
[ $rc = 0 ] || echo "# musl suite failed (exit $rc); logs in $B"
exit $rc
