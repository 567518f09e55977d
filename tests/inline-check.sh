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

# Check with $CC, and with clang too where it is installed (users build
# with either: a fast path that only gcc inlines is still a bug).
compilers=$CC
command -v clang >/dev/null 2>&1 && [ "$(basename "${CC%% *}")" != clang ] && compilers="$CC|clang"
n=0
IFS='|'
set -- $compilers
unset IFS
echo "1..$(($# * 2))"
for cc in "$@"; do
	name=$(basename "${cc%% *}")
	case "${CFLAGS:-} ${PERCPU_SAN_FLAGS:-}" in
	*-fsanitize*)
		echo "ok $((n + 1)) # SKIP $name: sanitizer builds instrument every access with calls"
		echo "ok $((n + 2)) # SKIP $name: sanitizer builds instrument every access with calls"
		n=$((n + 2)); continue ;;
	esac
	if ! command -v objdump >/dev/null 2>&1; then
		echo "ok $((n + 1)) # SKIP no objdump"
		echo "ok $((n + 2)) # SKIP no objdump"
		n=$((n + 2)); continue
	fi
	if $cc -O2 -I"$top_builddir/include" -I"$top_srcdir/include" -I"$top_srcdir" -I"$top_builddir" \
		-c "$top_srcdir/tests/inline_probe.c" -o "$tmp/probe.o" 2>"$tmp/err"; then
		echo "ok $((n + 1)) - $name: inline_probe.c compiles at -O2"
	else
		echo "not ok $((n + 1)) - $name: inline_probe.c compiles at -O2"
		sed 's/^/# /' "$tmp/err"
		echo "not ok $((n + 2)) - $name: not compiled"
		n=$((n + 2)); continue
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
	# Its payloads above 256 bytes go out of line to percpu_ring_write_long.
	# The counter's inline fallback (cpu_id says "never registered") calls
	# sched_getcpu() through _percpu_fallback_getcpu: that is its work too.
	bad=$(awk '$2 !~ /_slow$|^percpu_ring_write_long$|^_percpu_fallback_getcpu$/ &&
		!($1 ~ /^probe_(ring|many)/ && $2 ~ /^(memcpy|clock_gettime)$/)' "$tmp/calls")
	if [ -z "$bad" ] && [ -s "$tmp/calls" ]; then
		echo "ok $((n + 2)) - $name: every fast path calls only its slow path ($(wc -l <"$tmp/calls") slow-path calls)"
	else
		echo "not ok $((n + 2)) - $name: fast paths call something else than their slow path:"
		[ -s "$tmp/calls" ] || echo "# (no slow-path call found at all: the check itself is broken)"
		echo "$bad" | sed 's/^/#   /'
	fi
	n=$((n + 2))
done
