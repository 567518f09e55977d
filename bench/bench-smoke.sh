#!/bin/sh
# Smoke test of the benchmark harness: a tiny subset at a minimal time.
# Checks that the runs verified and the JSON parses; never asserts speed.
# Also checks that a deliberately broken benchmark fails loudly.
if test -n "$BENCH_SKIP_REASON"; then
	echo "1..0 # SKIP $BENCH_SKIP_REASON"
	exit 0
fi
: "${PYTHON3:=python3}"
out=smoke-results
rm -rf "$out" && mkdir -p "$out" || exit 1
echo "1..4"

filter='^(counter/(percpu_inline|percpu_fallback|atomic_shared)|first_use/percpu_first_add|list/[a-z_]*|buffer/[a-z_]*|ring/[a-z_]*/pinned/64)/'
./percpu-bench --benchmark_filter="$filter" --benchmark_min_time=0.001 \
	--cbench_threads=1,2 --cbench_unpinned=3 \
	--benchmark_out="$out/smoke.json" --benchmark_out_format=json \
	> "$out/console.txt" 2>&1
rc=$?
sed 's/^/# /' "$out/console.txt"
if test $rc = 0; then echo "ok 1 - every run verified (exit 0)"; else echo "not ok 1 - percpu-bench exit $rc"; fi

if command -v "$PYTHON3" >/dev/null 2>&1; then
	if "$PYTHON3" - "$out/smoke.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
runs = d["benchmarks"]
assert runs, "no runs"
bad = [r["name"] for r in runs if r.get("error_occurred")]
assert not bad, "errors: %s" % bad
names = {r["name"].split("/")[0] for r in runs}
assert {"counter", "first_use", "list", "buffer", "ring"} <= names, names
PY
	then echo "ok 2 - JSON is valid, has every family and no error"
	else echo "not ok 2 - JSON invalid or has errors"; fi
else
	echo "ok 2 # SKIP $PYTHON3 not found"
fi

# A counter benchmark that loses one add per batch must not produce a number.
PERCPU_BENCH_SELFTEST_BREAK=1 ./percpu-bench --benchmark_filter='^selftest/' \
	--benchmark_min_time=0.001 --cbench_threads=1 --cbench_unpinned=0 \
	--benchmark_out="$out/broken.json" --benchmark_out_format=json \
	> "$out/broken.txt" 2>&1
rc=$?
sed 's/^/# /' "$out/broken.txt"
if test $rc != 0; then echo "ok 3 - a broken benchmark makes the run fail"; else echo "not ok 3 - broken benchmark exited 0"; fi
if grep -q '"error_occurred": true' "$out/broken.json"; then
	echo "ok 4 - the broken run is marked as an error in the JSON"
else
	echo "not ok 4 - the broken run is not marked as an error"
fi
