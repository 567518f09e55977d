#!/bin/sh
# SPDX-License-Identifier: MIT
# bench/lttng-bench-test.sh - TAP: the LTTng comparison's script and
# program without a session daemon (make check never starts one):
#   1. lttng-bench.sh skips, exit 0 and one SKIP line, when the session
#      daemon is missing or cannot start
#   2. --discarded reads "Discarded events" out of `lttng list` (a stand-in
#      lttng prints what lttng-tools 2.13 prints), and fails when absent
#   3. lttng_bench --no-lttng runs the libpercpu side and prints its cell
#      line and table row, with no complaint about lost or consumed counts;
#      by default every cell writes what fits in the ring from empty, so
#      nothing is dropped, at every size and thread count; with --events
#      beyond what fits it says so, and the drops show in the cell lines
#      and the table
# LTTNG_BENCH: the program (set by make check).
set -u
here=$(cd "$(dirname "$0")" && pwd)
script=$here/lttng-bench.sh
prog=${LTTNG_BENCH:-./lttng_bench}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/lttng-bench-test.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
n=0 fail=0

ok() {	# ok CONDITION-STATUS DESCRIPTION
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		fail=1
	fi
}

echo "1..10"

# 1. A missing daemon, and one that fails to start.
out=$(LTTNG_BENCH="$prog" LTTNG_SESSIOND="$tmp/no-such-sessiond" sh "$script" 2>&1)
rc=$?
echo "$out" | sed 's/^/# /'
[ $rc -eq 0 ] && echo "$out" | grep -q '^SKIP lttng-bench: .*no-such-sessiond not found'
ok $? "no session daemon: SKIP line, exit 0"

printf '#!/bin/sh\necho "Error: cannot start (test)" >&2\nexit 1\n' > "$tmp/bad-sessiond"
chmod +x "$tmp/bad-sessiond"
# Not as root here: the namespace path mounts over /run; LTTNG_BENCH_NS=none
# takes the path of a root without unshare, with a stand-in lttng that finds
# no system daemon.
printf '#!/bin/sh\nexit 1\n' > "$tmp/lttng"
chmod +x "$tmp/lttng"
out=$(LTTNG_BENCH="$prog" LTTNG_SESSIOND="$tmp/bad-sessiond" LTTNG="$tmp/lttng" \
	LTTNG_BENCH_NS=none sh "$script" 2>&1)
rc=$?
echo "$out" | sed 's/^/# /'
[ $rc -eq 0 ] && echo "$out" | grep -q '^SKIP lttng-bench: lttng-sessiond did not start: Error: cannot start (test)'
ok $? "session daemon fails to start: SKIP line with its error, exit 0"

out=$(LTTNG_BENCH_SKIP="lttng-ust not found by configure (test)" sh "$script" 2>&1)
rc=$?
[ $rc -eq 0 ] && [ "$out" = "SKIP lttng-bench: lttng-ust not found by configure (test)" ]
ok $? "configure found no lttng-ust: SKIP line, exit 0"

# 2. The discarded count, as lttng-tools 2.13 prints it.
cat > "$tmp/lttng" << 'EOF'
#!/bin/sh
[ "$1 $2 $3 $4" = "list percpu-bench -c bench" ] || exit 1
cat << 'END'
Recording session percpu-bench: [active]
    Trace output: /tmp/x/trace

=== Domain: User space ===

Buffering scheme: per-user

Channels:
-------------
- bench: [enabled]

    Attributes:
      Event-loss mode:  discard
      Sub-buffer size:  262144 bytes
      Sub-buffer count: 8

    Statistics:
      Discarded events: 123456

    Recording event rules:
      percpu_bench:* (type: tracepoint) [enabled]
END
EOF
out=$(LTTNG="$tmp/lttng" sh "$script" --discarded percpu-bench bench)
ok $? "--discarded: exit 0"
[ "$out" = 123456 ]
ok $? "--discarded: reads the count (got '$out')"
LTTNG="$tmp/lttng" sh "$script" --discarded other-session bench > /dev/null
[ $? -ne 0 ]
ok $? "--discarded: fails when lttng list has no count"

# 3. The libpercpu side alone.
if [ ! -x "$prog" ]; then
	for i in 7 8 9 10; do
		echo "ok $i # SKIP $prog not built"
	done
	exit $fail
fi
"$prog" --no-lttng --reps=1 --sizes=64 --threads=1 \
	--out-dir="$tmp" > "$tmp/out" 2> "$tmp/err"
rc=$?
sed 's/^/# /' "$tmp/out" "$tmp/err"
[ $rc -eq 0 ] && [ ! -s "$tmp/err" ] &&
	grep -q '^cell percpu_write size=64 threads=1 rep=0 ns=[0-9.]* cpu_ns=[0-9.]* wall_ns=[0-9.]* events=[1-9][0-9]* dropped=[0-9]* wakes=[0-9]*$' "$tmp/out" &&
	grep -q '^| 64 | 1 | [0-9.]* | - | - | [0-9.]* | - | - | [0-9.<]* / - | [0-9.]* |$' "$tmp/out"
ok $? "lttng_bench --no-lttng: a cell line and a table row, nothing on stderr"

# Every cell from empty: no drop, and each writer wrote what the header
# line says fits (events = threads x that).
"$prog" --no-lttng --reps=2 > "$tmp/out" 2> "$tmp/err"
rc=$?
sed 's/^/# /' "$tmp/out" "$tmp/err"
cells=$(grep -c '^cell percpu_write ' "$tmp/out")
[ $rc -eq 0 ] && [ ! -s "$tmp/err" ] && [ "$cells" -eq 12 ] &&
	! grep '^cell ' "$tmp/out" | grep -v ' dropped=0 ' | grep -q . &&
	[ "$(grep -c '^| [0-9]* | [0-9]* | .* | 0 / - | [0-9.]* |$' "$tmp/out")" -eq 6 ]
ok $? "lttng_bench --no-lttng: 6 cells x 2 repetitions, none dropped an event"
bad=$(awk '/^# [0-9]+ B, [0-9]+ threads: [0-9]+ events per writer/ {
		n[$2 " " $4] = $6 }
	/^cell / { split($3, s, "="); split($4, t, "="); split($9, e, "=");
		if (e[2] != t[2] * n[s[2] " " t[2]]) print }' "$tmp/out")
[ -n "$(grep '^# 256 B, 1 threads: ' "$tmp/out")" ] && [ -z "$bad" ]
ok $? "lttng_bench: each cell wrote threads x the events per writer announced${bad:+ (not: $bad)}"

# More than fits: said so, and the drops are counted and shown.
"$prog" --no-lttng --reps=1 --sizes=16 --threads=1 --ring-bytes=8192 --events=200000 \
	--poll-consumer > "$tmp/out" 2> "$tmp/err"
rc=$?
sed 's/^/# /' "$tmp/out" "$tmp/err"
[ $rc -eq 0 ] && [ ! -s "$tmp/err" ] &&
	grep -q '^# 16 B, 1 threads: 200000 events per writer .* more than fit: expect drops$' "$tmp/out" &&
	grep -q '^cell percpu_write size=16 threads=1 rep=0 .* events=200000 dropped=[1-9][0-9]* ' "$tmp/out" &&
	grep -q '^| 16 | 1 | .* | [0-9.]* / - | [0-9.]* |$' "$tmp/out" &&
	! grep -q '^| 16 | 1 | .* | 0 / - |' "$tmp/out"
ok $? "lttng_bench --events beyond what fits: announced, drops counted and shown"
exit $fail
