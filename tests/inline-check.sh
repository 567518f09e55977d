#!/bin/sh
# SPDX-License-Identifier: MIT
#
# tests/inline-check.sh - every inline fast path compiles, at -O2, to code
# that calls nothing but its own out-of-line slow path: no call to a helper
# gcc declined to inline, no PLT hop on the way to the sequence.  TAP output.
set -u
: "${CC:=cc}" "${top_srcdir:=..}" "${top_builddir:=..}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "1..2"
case "${CFLAGS:-} ${PERCPU_SAN_FLAGS:-}" in
*-fsanitize*)
	echo "ok 1 # SKIP sanitizer builds instrument every access with calls"
	echo "ok 2 # SKIP sanitizer builds instrument every access with calls"
	exit 0 ;;
esac
if ! command -v objdump >/dev/null 2>&1; then
	echo "ok 1 # SKIP no objdump"
	echo "ok 2 # SKIP no objdump"
	exit 0
fi
if $CC -O2 -I"$top_srcdir/include" -I"$top_srcdir" -I"$top_builddir" \
	-c "$top_srcdir/tests/inline_probe.c" -o "$tmp/probe.o" 2>"$tmp/err"; then
	echo "ok 1 - inline_probe.c compiles at -O2"
else
	echo "not ok 1 - inline_probe.c compiles at -O2"
	sed 's/^/# /' "$tmp/err"
	exit 0
fi
# Each call or jump to a symbol, as "function target", from the relocations.
objdump -dr "$tmp/probe.o" | awk '
	/^[0-9a-f]+ <[A-Za-z_.0-9]+>:$/ {
		fn = $2; gsub(/[<>:]/, "", fn)
		if (fn !~ /^probe_/) fn = ""
		next
	}
	fn == "" { next }
	/^[ \t]+[0-9a-f]+: R_/ {
		sym = $NF; sub(/[-+]0x[0-9a-f]+$/, "", sym)
		if (sym != "percpu_rseq_offset" && sym !~ /^(__rseq|\.)/) print fn, sym
		next
	}
	/[ \t](call|callq)[ \t]/ && /<[^>]*>/ {
		t = $0; sub(/.*</, "", t); sub(/[-+>].*/, "", t)
		if (t !~ /^probe_/) print fn, t
	}' >"$tmp/calls"
# The ring's fast path reads the clock (clock_gettime: the vDSO, no system
# call) and copies a payload of variable size (memcpy): both are its work.
bad=$(awk '$2 !~ /_slow$|_bounce$/ &&
	!($1 ~ /^probe_(ring|many)/ && $2 ~ /^(memcpy|clock_gettime)$/)' "$tmp/calls")
if [ -z "$bad" ] && [ -s "$tmp/calls" ]; then
	echo "ok 2 - every fast path calls only its slow path ($(wc -l <"$tmp/calls") slow-path calls)"
else
	echo "not ok 2 - fast paths call something else than their slow path:"
	[ -s "$tmp/calls" ] || echo "# (no slow-path call found at all: the check itself is broken)"
	echo "$bad" | sed 's/^/#   /'
fi
