#!/bin/sh
# SPDX-License-Identifier: MIT
#
# tests/install.sh - install into a scratch DESTDIR and build a user's program
# (install-prog.c) against what was installed, through pkg-config only:
# dynamically, and statically with `pkg-config --static` and -static (which
# fails when libpercpu.pc drags in dependencies without static archives, such
# as hwloc's -ludev on Debian).  Both programs must run and sum exactly.
#
# Needs from the Makefile (AM_TESTS_ENVIRONMENT): MAKE, CC, top_builddir,
# srcdir, libdir, PERCPU_SAN_FLAGS, ENABLE_STATIC.
set -u
n=0 failed=0
t() {	# t COND-STATUS DESCRIPTION
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=1; fi
}
sk() { n=$((n + 1)); echo "ok $n # SKIP $1"; }

command -v pkg-config > /dev/null || { echo "1..0 # SKIP pkg-config is not installed"; exit 0; }
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
echo "1..6"

# Only the library, headers and .pc file: no recursion into tests/ while
# `make check` runs there.
MAKEFLAGS= $MAKE -C "$top_builddir" DESTDIR="$tmp/root" install-libLTLIBRARIES \
	install-percpuHEADERS install-nodist_percpuHEADERS install-nobase_percpuHEADERS \
	install-pkgconfigDATA \
	> "$tmp/install.log" 2>&1
st=$?
[ $st = 0 ] || sed 's/^/# /' "$tmp/install.log"
t $st "make install DESTDIR=<scratch>"

# The .pc names the configured prefix; the sysroot maps it into DESTDIR.
# The system's .pc files stay visible, as for a user.
export PKG_CONFIG_SYSROOT_DIR="$tmp/root" PKG_CONFIG_PATH="$tmp/root$libdir/pkgconfig"
dyn=$(pkg-config --cflags --libs libpercpu 2>&1)
t $? "pkg-config --cflags --libs libpercpu: $dyn"
sta=$(pkg-config --static --cflags --libs libpercpu 2>&1)
st=$?
case $sta in *hwloc* | *udev*) st=1 ;; esac
t $st "pkg-config --static --libs names no hwloc or udev: $sta"

prog=$srcdir/install-prog.c
# shellcheck disable=SC2086
if $CC $PERCPU_SAN_FLAGS -o "$tmp/prog-dyn" "$prog" $dyn > "$tmp/cc.log" 2>&1; then
	out=$(LD_LIBRARY_PATH="$tmp/root$libdir" "$tmp/prog-dyn" 2>&1)
	st=$?
	# It must have loaded the installed library, not some other copy.
	# musl has no ldd program: its dynamic linker lists instead.
	interp=$(readelf -l "$tmp/prog-dyn" 2>/dev/null | sed -n 's/.*interpreter: \(.*\)]/\1/p')
	case $interp in
	*ld-musl*) list="$interp --list" ;;
	*) list=ldd ;;
	esac
	LD_LIBRARY_PATH="$tmp/root$libdir" $list "$tmp/prog-dyn" 2>&1 |
		grep -q "$tmp/root$libdir/libpercpu.so" ||
		{ st=1; out="$out; not linked to the installed libpercpu.so"; }
	t $st "dynamic program built with pkg-config runs: $out"
else
	sed 's/^/# /' "$tmp/cc.log"
	t 1 "dynamic program builds with \$(pkg-config --cflags --libs libpercpu)"
fi

if [ -n "$PERCPU_SAN_FLAGS" ]; then
	sk "static link: the sanitizers cannot link -static"
	sk "static program: not built"
elif [ "$ENABLE_STATIC" != yes ]; then
	sk "static link: configured with --disable-static"
	sk "static program: not built"
# shellcheck disable=SC2086
elif $CC -static -o "$tmp/prog-static" "$prog" $sta > "$tmp/cc.log" 2>&1; then
	t 0 "static link with -static \$(pkg-config --static --cflags --libs libpercpu)"
	out=$("$tmp/prog-static" 2>&1)
	st=$?
	readelf -d "$tmp/prog-static" 2>/dev/null | grep -q NEEDED && { st=1; out="$out; has NEEDED entries"; }
	t $st "static program runs: $out"
else
	sed 's/^/# /' "$tmp/cc.log"
	t 1 "static link with -static \$(pkg-config --static --cflags --libs libpercpu)"
	sk "static program: not built"
fi
exit $failed
