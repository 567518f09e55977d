#!/bin/sh
# SPDX-License-Identifier: MIT
# bench/lttng-bench.sh - libpercpu's ring writer against LTTng-UST, in one
# run of lttng_bench (bench/lttng/lttng_bench.c) inside a real LTTng session.
#
#   lttng-bench.sh [lttng_bench options]     (make bench-lttng; see --help of
#                                             lttng_bench: --reps, --events...)
#   lttng-bench.sh --[flush-]discarded SESSION CHANNEL
#                 (used by lttng_bench) print the channel's "Discarded
#                 events" as the session daemon counts them
#
# It starts its own session daemon (lttng-sessiond --daemonize, --no-kernel),
# creates a session writing into a temporary directory, a UST channel with
# per-user per-CPU buffers (--buffers-uid, the default) in discard mode (the
# default) of the libpercpu ring's bytes per CPU (8 sub-buffers of RING_BYTES / 8,
# 8 of them), enables percpu_bench:*, starts, runs lttng_bench (which
# registers with the daemon and writes the events while lttng-consumerd
# drains them to disk), stops, destroys, stops the daemon and removes the
# directory.  The daemon never touches a system one: as root it runs in a
# private mount namespace with its own /run and /dev/shm (unshare); as a
# user, under LTTNG_HOME in the temporary directory.
#
# Where that cannot be done (lttng-ust or lttng-tools missing, daemon not
# starting, a system daemon in the way) it prints one "SKIP lttng-bench:
# REASON" line and exits 0.  Otherwise it exits with lttng_bench's status.
#
# Environment: LTTNG_BENCH (the program, default ./lttng_bench),
# LTTNG_BENCH_SKIP (non-empty: skip with this reason; set by make where
# configure found no lttng-ust), LTTNG and LTTNG_SESSIOND (the tools),
# LTTNG_BENCH_RING_BYTES (per CPU, both sides; default 2 MiB),
# LTTNG_BENCH_VERIFY (non-empty: keep the whole trace, then count its events
# and discarded-events notices with babeltrace2 and check them against what
# lttng_bench wrote; for short runs: the trace is not rotated).
set -u

LTTNG=${LTTNG:-lttng}
LTTNG_SESSIOND=${LTTNG_SESSIOND:-lttng-sessiond}
prog=${LTTNG_BENCH:-./lttng_bench}
ring_bytes=${LTTNG_BENCH_RING_BYTES:-2097152}
session=percpu-bench
channel=bench

skip() {
	echo "SKIP lttng-bench: $*"
	exit 0
}

# The "Discarded events: N" lines of `lttng list SESSION -c CHANNEL`, summed
# (one per channel).  The daemon's count comes from the packets the
# consumer has seen, so it lags until the buffers are flushed:
# --flush-discarded stops the session first (a flush) and starts it again
# after (the applications' tracepoints are active again when `lttng start`
# returns); lttng_bench runs it between cells.
case ${1:-} in
--discarded|--flush-discarded)
	[ $# -eq 3 ] || { echo "usage: $0 --[flush-]discarded SESSION CHANNEL" >&2; exit 2; }
	if [ "$1" = --flush-discarded ]; then
		"$LTTNG" stop "$2" > /dev/null 2>&1 || exit 1
	fi
	"$LTTNG" list "$2" -c "$3" 2>/dev/null |
		awk '/^ *Discarded events: *[0-9]+ *$/ { n += $3; found = 1 }
		     END { if (!found) exit 1; print n }'
	rc=$?
	if [ "$1" = --flush-discarded ]; then
		"$LTTNG" start "$2" > /dev/null 2>&1 || exit 1
	fi
	exit $rc
	;;
esac

script=$(cd "$(dirname "$0")" && pwd)/$(basename "$0")
[ -z "${LTTNG_BENCH_SKIP:-}" ] || skip "$LTTNG_BENCH_SKIP"
[ -x "$prog" ] || skip "$prog not built"
command -v "$LTTNG_SESSIOND" > /dev/null 2>&1 || skip "$LTTNG_SESSIOND not found (lttng-tools)"
command -v "$LTTNG" > /dev/null 2>&1 || skip "$LTTNG not found (lttng-tools)"

# Root's daemon uses fixed paths (/run/lttng, /dev/shm/lttng-ust-wait-*):
# give it private ones in a mount namespace of its own.  Without one, run
# only if no daemon answers there.
if [ "$(id -u)" -eq 0 ] && [ -z "${LTTNG_BENCH_NS:-}" ]; then
	if unshare --mount --propagation private true 2> /dev/null; then
		LTTNG_BENCH_NS=1 exec unshare --mount --propagation private \
			/bin/sh "$script" "$@"
	fi
	LTTNG_BENCH_NS=none
fi
if [ "${LTTNG_BENCH_NS:-}" = 1 ]; then
	rundir=$(readlink -f /var/run)
	mount -t tmpfs -o mode=755 lttng-bench "$rundir" 2> /dev/null ||
		skip "cannot mount a private $rundir in the mount namespace"
	mount -t tmpfs -o mode=1777 lttng-bench /dev/shm 2> /dev/null ||
		skip "cannot mount a private /dev/shm in the mount namespace"
elif [ "${LTTNG_BENCH_NS:-}" = none ]; then
	"$LTTNG" list > /dev/null 2>&1 &&
		skip "a system lttng-sessiond is running and no private mount namespace is available (unshare): not touching it"
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/lttng-bench.XXXXXX") || skip "cannot make a temporary directory"
pidfile=$tmp/sessiond.pid
cleanup() {
	if [ -s "$pidfile" ]; then
		pid=$(cat "$pidfile")
		kill "$pid" 2> /dev/null
		# The daemon stops its consumer daemons before it exits.
		i=0
		while kill -0 "$pid" 2> /dev/null && [ $i -lt 100 ]; do
			sleep 0.1
			i=$((i + 1))
		done
		kill -9 "$pid" 2> /dev/null
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP
mkdir "$tmp/home" "$tmp/out" || skip "cannot populate $tmp"
export LTTNG_HOME="$tmp/home"

"$LTTNG_SESSIOND" --daemonize --no-kernel --pidfile="$pidfile" > "$tmp/sessiond.log" 2>&1 ||
	skip "lttng-sessiond did not start: $(tail -n 1 "$tmp/sessiond.log")"

lt() {	# an lttng command, its output kept; skip with its last line if it fails
	"$LTTNG" "$@" > "$tmp/lttng.log" 2>&1 ||
		skip "lttng $1 failed: $(tail -n 1 "$tmp/lttng.log")"
}
subbuf=$((ring_bytes / 8))
lt create "$session" --output="$tmp/trace"
# Trace files rotate (4 per stream, 4 sub-buffers each) so that a long run
# does not fill the disk; lttng_bench's own consumer wraps its file too.
# LTTNG_BENCH_VERIFY=1 keeps the whole trace instead, and counts it after.
if [ -n "${LTTNG_BENCH_VERIFY:-}" ]; then
	rotate=
else
	rotate="--tracefile-size=$((subbuf * 4)) --tracefile-count=4"
fi
lt enable-channel --userspace "$channel" --session="$session" --buffers-uid --discard \
	--subbuf-size="$subbuf" --num-subbuf=8 $rotate
lt enable-event --userspace 'percpu_bench:*' --session="$session" --channel="$channel"
lt start "$session"
echo "# LTTng-UST $("$LTTNG" --version | sed -n '1s/^lttng (LTTng Trace Control) //p'):" \
	"session daemon pid $(cat "$pidfile"), channel $channel: --buffers-uid, discard," \
	"$((subbuf / 1024)) KiB x 8 sub-buffers per CPU; libpercpu ring $((ring_bytes / 1024)) KiB per CPU"

# The application registers with the daemon in its constructor; wait for
# that longer than the default 3 s on a loaded machine.
{
	LTTNG_UST_REGISTER_TIMEOUT=${LTTNG_UST_REGISTER_TIMEOUT:-20000} \
		"$prog" --ring-bytes="$ring_bytes" --out-dir="$tmp/out" \
		--discarded-cmd="/bin/sh '$script' --flush-discarded $session $channel" "$@"
	echo $? > "$tmp/status"
} | tee "$tmp/bench.out"
status=$(cat "$tmp/status")

# After the run, failures only warn: the figures are printed already.
"$LTTNG" stop "$session" > "$tmp/lttng.log" 2>&1 ||
	echo "# lttng stop failed: $(tail -n 1 "$tmp/lttng.log")"
grep -i -E 'discard|lost' "$tmp/lttng.log" | sed 's/^/# lttng stop: /'
final=$(/bin/sh "$script" --discarded "$session" "$channel" || echo unknown)
echo "# LTTng channel after stop: discarded events $final"
cells=$(sed -n 's/^lttng_ust dropped, all cells and the warm-up: \([0-9]*\) .*/\1/p' "$tmp/bench.out")
[ -z "$cells" ] || [ "$cells" = "$final" ] ||
	echo "# warning: the cells' discarded counts sum to $cells, not $final: the dropped column is not exact"
"$LTTNG" destroy "$session" > "$tmp/lttng.log" 2>&1 ||
	echo "# lttng destroy failed: $(tail -n 1 "$tmp/lttng.log")"

# The trace itself: events recorded and the discarded-events notices
# babeltrace2 prints, against what lttng_bench wrote and was told was
# discarded.
if [ -n "${LTTNG_BENCH_VERIFY:-}" ]; then
	if command -v babeltrace2 > /dev/null 2>&1; then
		recorded=$(babeltrace2 "$tmp/trace" 2> "$tmp/bt.err" | grep -c ' percpu_bench:ev')
		discarded=$(grep -o 'discarded [0-9]* event' "$tmp/bt.err" |
			awk '{ n += $2 } END { print n + 0 }')
		written=$(sed -n 's/^lttng_ust written, all cells and the warm-up: //p' "$tmp/bench.out")
		echo "# trace (babeltrace2): $recorded events recorded, $discarded discarded;" \
			"lttng_bench wrote ${written:-?}"
		[ -n "$written" ] && [ $((recorded + discarded)) -eq "$written" ] ||
			{ echo "# trace: recorded + discarded != written"; status=1; }
	else
		echo "# trace: babeltrace2 not found, not counted"
	fi
fi
exit $status
