#!/bin/sh
# Smoke test of the benchmark harness: a tiny subset at a minimal time.
# Checks that the runs verified and the JSON parses; never asserts speed.
# Also checks that deliberately broken benchmarks fail loudly, that the floor
# benchmarks run where they are built (x86_64 with glibc's rseq area), and
# that the summary reads a main and a fallback run.
if test -n "$BENCH_SKIP_REASON"; then
	echo "1..0 # SKIP $BENCH_SKIP_REASON"
	exit 0
fi
: "${PYTHON3:=python3}"
srcdir=${srcdir:-.}
out=smoke-results
rm -rf "$out" && mkdir -p "$out" || exit 1
# The clock-loop check of the DEBUG note takes ~0.1 s: not needed here.
PERCPU_BENCH_NO_CLOCK_LOOP=1
export PERCPU_BENCH_NO_CLOCK_LOOP
echo "1..9"

filter='^(counter/(percpu_inline|percpu_slow|atomic_shared|floor_rseq_inc)|first_use/percpu_first_add|list/[a-z_]*|buffer/[a-z_]*|ring/[a-z_]*/pinned/16|ring_write_read/[a-z_]*/pinned/16)/'
./percpu-bench --benchmark_filter="$filter" --benchmark_min_time=0.001 \
	--cbench_threads=1,2 --cbench_unpinned=3 \
	--benchmark_out="$out/smoke.json" --benchmark_out_format=json \
	> "$out/console.txt" 2>&1
rc=$?
sed 's/^/# /' "$out/console.txt"
if test $rc = 0; then echo "ok 1 - every run verified (exit 0)"; else echo "not ok 1 - percpu-bench exit $rc"; fi

have_python=no
command -v "$PYTHON3" >/dev/null 2>&1 && have_python=yes
if test $have_python = yes; then
	if "$PYTHON3" - "$out/smoke.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
runs = d["benchmarks"]
assert runs, "no runs"
bad = [r["name"] for r in runs if r.get("error_occurred")]
assert not bad, "errors: %s" % bad
names = {r["name"].split("/")[0] for r in runs}
assert {"counter", "first_use", "list", "buffer", "ring", "ring_write_read"} <= names, names
ctx = d["context"]
for k in ("libpercpu_version", "git_commit", "compiler", "cflags", "cxxflags", "cpu_model",
          "cpus", "kernel", "libc", "libbenchmark_version", "libbenchmark_debug_build",
          "floor"):
    assert ctx.get(k), "context lacks %s" % k
PY
	then echo "ok 2 - JSON is valid, has every family, the build context and no error"
	else echo "not ok 2 - JSON invalid, incomplete or has errors"; fi
else
	echo "ok 2 # SKIP $PYTHON3 not found"
fi

# The floor: on x86_64 with glibc's area registered, all five must have run
# (and verified: test 1).  Elsewhere the context says why they did not.
floor=`sed -n 's/^floor: //p' "$out/console.txt"`
if test $have_python = no; then
	echo "ok 3 # SKIP $PYTHON3 not found"
elif test "`uname -m`" = x86_64 && case $floor in x86_64*) true;; *) false;; esac; then
	if "$PYTHON3" - "$out/smoke.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
ran = {"/".join(r["name"].split("/")[:2]) for r in d["benchmarks"]
       if not r.get("error_occurred")}
want = {"counter/floor_rseq_inc", "list/floor_rseq_push_pop", "buffer/floor_rseq_push_pop",
        "ring/floor_rseq_write", "ring/floor_rseq_ts_write",
        "ring_write_read/floor_rseq_write_read"}
assert want <= ran, "missing: %s" % sorted(want - ran)
PY
	then echo "ok 3 - the floor benchmarks ran and verified"
	else echo "not ok 3 - floor benchmarks missing"; fi
elif test "`uname -m`" = x86_64 && case $floor in "not built"*) true;; *) false;; esac; then
	echo "not ok 3 - floor not built on x86_64: $floor"
else
	echo "ok 3 # SKIP floor: ${floor:-not reported}"
fi

# Benchmarks that lose one operation per batch must not produce a number.
PERCPU_BENCH_SELFTEST_BREAK=1 ./percpu-bench --benchmark_filter='^selftest/' \
	--benchmark_min_time=0.001 --cbench_threads=1 --cbench_unpinned=0 \
	--benchmark_out="$out/broken.json" --benchmark_out_format=json \
	> "$out/broken.txt" 2>&1
rc=$?
sed 's/^/# /' "$out/broken.txt"
if test $rc != 0; then echo "ok 4 - a broken benchmark makes the run fail"; else echo "not ok 4 - broken benchmark exited 0"; fi
nbroken=`grep -c '"error_occurred": true' "$out/broken.json"`
nwant=1
case $floor in x86_64*) nwant=2;; esac	# selftest/broken_floor too
if test "$nbroken" = "$nwant"; then
	echo "ok 5 - the broken runs ($nwant) are marked as errors in the JSON"
else
	echo "not ok 5 - $nbroken of $nwant broken runs marked as errors"
fi

# The fallback path, as make bench runs it: rseq disabled, one thread.
PERCPU_DISABLE_RSEQ=1 ./percpu-bench \
	--benchmark_filter='^(counter/(percpu_inline|getcpu_atomic)|list/(percpu|mutex)_push_pop|ring/(percpu|mutex)_write)/pinned(/16)?/' \
	--benchmark_min_time=0.001 --cbench_threads=1 --cbench_unpinned=0 \
	--benchmark_out="$out/fallback.json" --benchmark_out_format=json \
	> "$out/fallback.txt" 2>&1
rc=$?
sed 's/^/# /' "$out/fallback.txt"
if test $rc = 0 && grep -q '^percpu_rseq_mode: fallback' "$out/fallback.txt"; then
	echo "ok 6 - the fallback run verified, in fallback mode"
else
	echo "not ok 6 - fallback run: exit $rc, `grep '^percpu_rseq_mode' "$out/fallback.txt"`"
fi

if test $have_python = yes; then
	if "$PYTHON3" "$srcdir/summary.py" "$out/smoke.json" "$out" "$out/fallback.json" \
		> "$out/summary.txt" 2>&1 &&
	   grep -q '^| fallback counter add vs getcpu+atomic' "$out/summary.md" &&
	   grep -q '^| inline counter add vs floor' "$out/summary.md" &&
	   grep -q 'Library build\|library build' "$out/summary.md"; then
		echo "ok 7 - summary.py reads both runs and writes the targets table"
	else
		sed 's/^/# /' "$out/summary.txt"
		echo "not ok 7 - summary.py failed or its table is incomplete"
	fi
else
	echo "ok 7 # SKIP $PYTHON3 not found"
fi

# Google Benchmark's DEBUG warning (a library built without NDEBUG) must be
# followed at once by the harness's note saying why it does not apply.
if grep -q 'built as DEBUG' "$out/console.txt"; then
	if grep -A1 'built as DEBUG' "$out/console.txt" | sed -n 2p | grep -q '^\*\*\*NOTE\*\*\* It does not affect'; then
		echo "ok 8 - the DEBUG warning is followed by the note on why it does not apply"
	else
		echo "not ok 8 - no note after the DEBUG warning"
	fi
else
	echo "ok 8 # SKIP Google Benchmark printed no DEBUG warning (a release build)"
fi

# Plots: legends verbatim (gnuplot's enhanced text would make "_i" a
# subscript, splitting the name across <tspan>s), titles saying what is
# measured and on what machine.
if test $have_python = no; then
	echo "ok 9 # SKIP $PYTHON3 not found"
elif ! command -v gnuplot >/dev/null 2>&1; then
	echo "ok 9 # SKIP gnuplot not found"
elif test -s "$out/plot-counter.svg" &&
     grep -q '<text>percpu_inline</text>' "$out/plot-counter.svg" &&
     grep -q '<text>atomic_shared</text>' "$out/plot-counter.svg" &&
     grep -q 'ns per operation, lower is better' "$out/plot-counter.svg" &&
     grep -q ' CPUs, ' "$out/plot-counter.svg"; then
	echo "ok 9 - plots name every line verbatim and say ns per operation, lower is better, and the machine"
else
	echo "not ok 9 - plot-counter.svg missing, garbled legend or title"
fi
