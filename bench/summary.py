#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Summarise percpu-bench's JSON: the issue-9 targets at a glance, one table
of ns/op with ratios to the floor and the baselines, and one plot of ns/op
against threads per benchmark family.

Usage: summary.py BENCH.json OUTDIR [FALLBACK.json]
(Python 3 standard library only; gnuplot for the plots, skipped with a
message when missing).  FALLBACK.json is the run `make bench` makes with
PERCPU_DISABLE_RSEQ=1: the fallback path and its baselines, one thread.

ns/op is wall time per operation per thread: Google Benchmark's real time
per iteration of a threaded run is the wall time divided by the operations
of all threads, so it is multiplied back by the thread count -- capped at
the number of CPUs, so that an oversubscribed run (more threads than CPUs,
each thread on a CPU only part of the time) reads as time per operation per
busy CPU and compares directly with the all-CPU figure.  With repetitions,
the median is used.
"""
import json
import os
import shutil
import statistics
import subprocess
import sys

UNIT_NS = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}
SUFFIXES = ("real_time", "manual_time", "threads:", "iterations:", "min_time:",
            "repeats:", "process_time")


def parse_name(run_name):
    """family/variant/(pinned|unpinned)[/arg...]/... -> (group, variant, pinned)"""
    parts = run_name.split("/")
    family, variant, mode = parts[0], parts[1], parts[2]
    args = []
    for p in parts[3:]:
        if p.startswith(SUFFIXES):
            break
        args.append(p)
    group = family + "".join("/" + a for a in args)
    return group, variant, mode == "pinned"


def load(path):
    with open(path) as f:
        data = json.load(f)
    ctx = data.get("context", {})
    ncpus = int(ctx.get("cbench_cpus", ctx.get("num_cpus", 1)))
    runs = {}      # (group, variant, pinned, threads) -> [ns] or "ERROR"
    cpu_runs = {}  # the same key -> [thread CPU ns], one thread, not manual time
    order = []     # groups and variants in the order they ran
    aggregated = set()
    for b in data.get("benchmarks", []):
        run_name = b.get("run_name", b["name"])
        if b.get("run_type") == "aggregate" and b.get("aggregate_name") != "median":
            continue
        group, variant, pinned = parse_name(run_name)
        key = (group, variant, pinned, int(b.get("threads", 1)))
        if (group, variant) not in order:
            order.append((group, variant))
        if b.get("error_occurred"):
            runs[key] = "ERROR: " + b.get("error_message", "?")
            continue
        ns = b["real_time"] * UNIT_NS[b.get("time_unit", "ns")] * min(key[3], ncpus)
        # Thread CPU time: a manual-time run's includes its untimed work.
        cpu = None
        if key[3] == 1 and "/manual_time" not in run_name:
            cpu = b["cpu_time"] * UNIT_NS[b.get("time_unit", "ns")]
        if b.get("run_type") == "aggregate":
            aggregated.add(key)
            runs[key] = [ns]
            if cpu is not None:
                cpu_runs[key] = [cpu]
        elif key not in aggregated and not isinstance(runs.get(key), str):
            runs.setdefault(key, []).append(ns)
            if cpu is not None:
                cpu_runs.setdefault(key, []).append(cpu)
    value = {k: (v if isinstance(v, str) else statistics.median(v))
             for k, v in runs.items()}
    CPU_NS[path] = {k: statistics.median(v) for k, v in cpu_runs.items()}
    return data.get("context", {}), value, order


# path -> {key: thread CPU ns per operation} (see load()).
CPU_NS = {}


def fmt_ns(v):
    if v is None:
        return "-"
    if isinstance(v, str):
        return "FAILED"
    return "%.3g" % v if v < 100 else "%.0f" % v


def fmt_ratio(a, b):
    if not isinstance(a, float) or not isinstance(b, float) or b == 0:
        return "-"
    return "%.2f" % (a / b) if a / b < 10 else "%.1f" % (a / b)


def is_subject(variant):
    return variant.startswith("percpu")


def is_floor(variant):
    return variant.startswith("floor")


def table(head, rows, left=(0,)):
    """Markdown table; columns in @left are left-aligned, others right."""
    widths = [max(len(str(r[i])) for r in rows + [head]) for i in range(len(head))]

    def line(cells):
        return "| " + " | ".join(str(c).ljust(widths[i]) if i in left
                                 else str(c).rjust(widths[i])
                                 for i, c in enumerate(cells)) + " |"
    out = [line(head), "|" + "|".join(("-" * (w + 2)) if i in left
                                      else ("-" * (w + 1) + ":")
                                      for i, w in enumerate(widths)) + "|"]
    return out + [line(r) for r in rows]


# The targets of issue 9, at one pinned thread:
# (what, subject (group, variant), reference (group, variant), goal, source)
# source "main": both from the main run; "fallback": both from the
# PERCPU_DISABLE_RSEQ=1 run, so the reference shares the subject's process.
TARGETS = [
    ("inline counter add vs floor", ("counter", "percpu_inline"),
     ("counter", "floor_rseq_inc"), 1.05, "main"),
    ("list push+pop vs floor", ("list", "percpu_push_pop"),
     ("list", "floor_rseq_push_pop"), 1.3, "main"),
    ("buffer push+pop vs floor", ("buffer", "percpu_push_pop"),
     ("buffer", "floor_rseq_push_pop"), 1.3, "main"),
    ("ring 16 B write vs floor", ("ring/16", "percpu_write"),
     ("ring/16", "floor_rseq_write"), None, "main"),
    ("ring 16 B write+read vs floor", ("ring_write_read/16", "percpu_write_read"),
     ("ring_write_read/16", "floor_rseq_write_read"), None, "main"),
    ("exported percpu_counter_add vs inline", ("counter", "percpu_call"),
     ("counter", "percpu_inline"), 2.5, "call"),
    ("fallback counter add vs getcpu+atomic", ("counter", "percpu_inline"),
     ("counter", "getcpu_atomic"), 1.2, "fallback"),
    ("fallback list push+pop vs mutex", ("list", "percpu_push_pop"),
     ("list", "mutex_push_pop"), 2.0, "fallback"),
    ("fallback buffer push+pop vs mutex", ("buffer", "percpu_push_pop"),
     ("buffer", "mutex_push_pop"), 2.0, "fallback"),
    ("fallback ring 16 B write vs mutex", ("ring/16", "percpu_write"),
     ("ring/16", "mutex_write"), 2.0, "fallback"),
    ("fallback ring 16 B write+read vs mutex", ("ring_write_read/16", "percpu_write_read"),
     ("ring_write_read/16", "mutex_write_read"), None, "fallback"),
]
CALL_NS_GOAL = 1.5


def targets(value, fb_value, fb_context, cpu_ns, fb_cpu_ns):
    head = ["target (1 pinned thread)", "libpercpu ns/op", "reference", "ref ns/op",
            "ratio", "goal", "met", "CPU-time ratio"]
    rows = []
    for what, subj, ref, goal, source in TARGETS:
        vals = fb_value if source == "fallback" else value
        cpus = fb_cpu_ns if source == "fallback" else cpu_ns
        if vals is None:
            rows.append([what, "-", ref[1], "-", "-", "-", "not run", "-"])
            continue
        a = vals.get(subj + (True, 1))
        b = vals.get(ref + (True, 1))
        ca = (cpus or {}).get(subj + (True, 1))
        cb = (cpus or {}).get(ref + (True, 1))
        refname = ref[1] + (" (same process)" if source == "fallback" else "")
        ratio = fmt_ratio(a, b)
        if source == "call":
            goal_s = "<= %g ns or <= %gx" % (CALL_NS_GOAL, goal)
            ok = isinstance(a, float) and (a <= CALL_NS_GOAL or
                                           (isinstance(b, float) and a / b <= goal))
        else:
            goal_s = "<= %gx" % goal if goal else "(none set)"
            ok = isinstance(a, float) and isinstance(b, float) and goal and a / b <= goal
        if not isinstance(a, float) or not isinstance(b, float):
            met = "FAILED" if isinstance(a, str) or isinstance(b, str) else "not run"
        elif goal is None:
            met = "-"
        else:
            met = "yes" if ok else "NO"
        rows.append([what, fmt_ns(a), refname, fmt_ns(b), ratio, goal_s, met,
                     fmt_ratio(ca, cb)])
    out = table(head, rows, left=(0, 2, 6))
    if fb_context is not None and fb_context.get("percpu_rseq_mode") != "fallback":
        out.append("")
        out.append("**The fallback run did not use the fallback path** (rseq mode %s): "
                   "its figures are not the fallback's." % fb_context.get("percpu_rseq_mode"))
    return out


def main_table(context, value, order, n_all, n_over):
    groups = []
    for g, _ in order:
        if g not in groups:
            groups.append(g)
    multi = n_all != 1
    head = ["benchmark", "1 thr ns/op"] + (["%d thr ns/op" % n_all] if multi else [])
    if n_over:
        head.append("%d thr unpinned" % n_over)
    head += ["vs", "ratio @1"] + (["ratio @%d" % n_all] if multi else [])
    rows = []
    failures = []

    def rank(v):
        return 0 if is_subject(v) else 1 if is_floor(v) else 2
    for g in groups:
        variants = [v for gg, v in order if gg == g]
        # the floor first: it is what the library is measured against
        refs = sorted([v for v in variants if not is_subject(v)], key=rank)
        for v in sorted(variants, key=rank):
            one = value.get((g, v, True, 1))
            alln = value.get((g, v, True, n_all))
            over = value.get((g, v, False, n_over)) if n_over else None
            if one is None and alln is None and over is None:
                continue
            for x in (one, alln, over):
                if isinstance(x, str):
                    failures.append("%s/%s: %s" % (g, v, x))
            cells = [g + ":" + v if "/" in g else g + "/" + v, fmt_ns(one)]
            # single-thread-only benchmarks have no all-CPU figure
            if multi:
                cells.append(fmt_ns(alln) if alln is not None else "-")
            if n_over:
                cells.append(fmt_ns(over))
            if not is_subject(v) or not refs:
                kind = "(floor)" if is_floor(v) else "(baseline)" if not is_subject(v) else "-"
                rows.append(cells + [kind, ""] + ([""] if multi else []))
                continue
            for i, base in enumerate(refs):
                b1 = value.get((g, base, True, 1))
                bn = value.get((g, base, True, n_all))
                lead = cells if i == 0 else [""] * len(cells)
                rows.append(lead + [base, fmt_ratio(one, b1)] +
                            ([fmt_ratio(alln, bn)] if multi else []))
    vs_col = len(head) - (3 if multi else 2)
    return table(head, rows, left=(0, vs_col)), groups, failures


def debug_note(context, value):
    """Why Debian's DEBUG build of libbenchmark does not skew the figures."""
    build = context.get("library_build_type", "?")
    text = ["Google Benchmark library build: %s." % build]
    if build == "debug":
        text.append(
            "Debian builds libbenchmark without NDEBUG, hence its \"Library was built as "
            "DEBUG\" warning.  It does not affect these figures: the timed loop is this "
            "program's own run(), compiled with the flags above, doing 256 to 4096 "
            "operations per call; around each call the harness runs "
            "State::KeepRunningBatch(), an inline function of benchmark.h compiled with "
            "our flags too (a compare and a subtract per batch).  The library's own "
            "code (starting and stopping the timers, statistics, reporting) runs once "
            "per run, outside the timed operations.")
    loop = context.get("clock_loop_counter_percpu_inline_ns")
    gb = value.get(("counter", "percpu_inline", True, 1))
    if loop and isinstance(gb, float):
        text.append(
            "Check, same process: counter/percpu_inline timed by a plain "
            "clock_gettime() loop outside Google Benchmark (best of 64 x 2^20 adds, "
            "bound to one CPU): %s ns/op; through the harness: %s ns/op (ratio %s)."
            % (fmt_ns(float(loop)), fmt_ns(gb), fmt_ratio(gb, float(loop))))
    return " ".join(text)


def summarise(context, value, order, fb_context=None, fb_value=None, fb_order=None,
              cpu_ns=None, fb_cpu_ns=None):
    pinned_threads = sorted({k[3] for k in value if k[2]})
    unpinned_threads = sorted({k[3] for k in value if not k[2]})
    ncpus = int(context.get("cbench_cpus", max(pinned_threads or [1])))
    n_all = ncpus if ncpus in pinned_threads else max(pinned_threads or [1])
    n_over = max(unpinned_threads) if unpinned_threads else None
    body, groups, failures = main_table(context, value, order, n_all, n_over)

    text = ["# libpercpu benchmark summary", ""]
    text.append("%s on %s (%s CPUs, pinned in order %s), load average %s; rseq mode %s." % (
        context.get("date", "?"), context.get("cpu_model", "?"), ncpus,
        context.get("cbench_pin_order", "?"),
        ", ".join("%.2f" % x for x in context.get("load_avg", [])) or "?",
        context.get("percpu_rseq_mode", "?")))
    text.append("libpercpu %s, git %s; %s; CFLAGS %s." % (
        context.get("libpercpu_version", "?"), context.get("git_commit", "?"),
        context.get("compiler", "?"), " ".join(context.get("cflags", "?").split())))
    text.append("Floor: %s." % context.get("floor", "?"))
    text.append("")
    text.append("## Targets (issue 9)")
    text.append("")
    text.append("Ratio = libpercpu ns/op / reference ns/op, one pinned thread, lower is "
                "better.  Fallback rows come from the PERCPU_DISABLE_RSEQ=1 run%s." % (
                    "" if fb_value is not None else " (not given: not run)"))
    if fb_context is not None:
        text[-1] += "  That run's load average: %s." % (
            ", ".join("%.2f" % x for x in fb_context.get("load_avg", [])) or "?")
    text.append("CPU-time ratio: the same from the thread's CPU time (not for the "
                "manual-time ring runs, whose CPU time includes their untimed work). "
                "Where the load average exceeds the CPU count the wall-time figures "
                "include time spent waiting for a CPU, and this column is the better "
                "guide.")
    loads = context.get("load_avg", [])
    if loads and loads[0] > ncpus:
        text[-1] += ("  **This run's load average (%.1f) exceeds its %d CPUs: judge by "
                     "the CPU-time ratio.**" % (loads[0], ncpus))
    text.append("")
    text += targets(value, fb_value, fb_context, cpu_ns, fb_cpu_ns)
    text.append("")
    text.append("## All benchmarks")
    text.append("")
    text.append("ns/op: wall time per operation per thread (per busy CPU in the "
                "oversubscribed unpinned column; median if repeated), lower is better. "
                "ratio = ns/op of the libpercpu operation / ns/op of the floor or "
                "baseline at the same thread count: below 1 is faster.  The floor "
                "(floor_rseq_*) is a hand-written minimal rseq sequence doing the same "
                "operation.  ring/: writes only (drains untimed); ring_write_read/: "
                "a write and a read, one thread.  `-`: not run.")
    text.append("")
    text += body
    if fb_value is not None:
        fb_pinned = sorted({k[3] for k in fb_value if k[2]})
        fb_body, _, fb_fail = main_table(fb_context or {}, fb_value, fb_order or [],
                                         max(fb_pinned or [1]), None)
        text.append("")
        text.append("## Fallback path (PERCPU_DISABLE_RSEQ=1, separate process)")
        text.append("")
        text += fb_body
        failures += ["fallback run: " + f for f in fb_fail]
    text.append("")
    text.append(debug_note(context, value))
    if failures:
        text.append("")
        text.append("**FAILED runs** (no figure is reported for them):")
        text += ["- " + f for f in failures]
    return "\n".join(text) + "\n", groups, pinned_threads, unpinned_threads


def gp_str(s):
    """A gnuplot double-quoted string (which understands \\n)."""
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def plot(outdir, context, value, order, groups, pinned_threads, unpinned_threads):
    if not shutil.which("gnuplot"):
        return "gnuplot not found: no plots"
    written = []
    xs = [(t, True) for t in pinned_threads] + [(t, False) for t in unpinned_threads]
    machine = "%s, %s CPUs, %s" % (context.get("cpu_model", "?"),
                                   context.get("cbench_cpus", "?"),
                                   context.get("date", "?")[:10])
    for g in groups:
        variants = [v for gg, v in order if gg == g]
        rows = []
        for t, pinned in xs:
            vals = [value.get((g, v, pinned, t)) for v in variants]
            if all(not isinstance(x, float) for x in vals):
                continue
            label = str(t) if pinned else "%du" % t
            rows.append(label + " " + " ".join(
                "%.6g" % x if isinstance(x, float) else "NaN" for x in vals))
        if len(rows) < 2:
            continue        # one thread count only (first_use): nothing to plot
        safe = g.replace("/", "-")
        dat = os.path.join(outdir, "plot-%s.dat" % safe)
        svg = os.path.join(outdir, "plot-%s.svg" % safe)
        with open(dat, "w") as f:
            f.write("\n".join(rows) + "\n")
        series = []
        for i, v in enumerate(variants):
            # libpercpu: thick solid; the floor: dotted; baselines: dashed
            if is_subject(v):
                style = "lw 3.5 dt 1 pt 7"
            elif is_floor(v):
                style = "lw 2 dt 3 pt 6 lc rgb 'black'"
            else:
                style = "lw 1.5 dt 2 pt 1"
            series.append("%s using 0:%d:xtic(1) with linespoints %s title %s"
                          % (gp_str(dat), i + 2, style, gp_str(v)))
        what = g
        parts = g.split("/")
        if parts[0].startswith("ring") and len(parts) > 1:
            what = "%s, %s-byte records" % (parts[0], parts[1])
        title = "%s: ns per operation per thread, lower is better (u: unpinned)\n%s" % (
            what, machine)
        script = ("set terminal svg size 900,540 dynamic background rgb 'white'\n"
                  "set termoption noenhanced\n"
                  "set output %s\n"
                  "set title %s noenhanced\n"
                  "set xlabel 'threads'\nset ylabel 'ns per operation (lower is better)'\n"
                  "set logscale y\n"
                  "set key outside right noenhanced\nset grid\nset datafile missing 'NaN'\n"
                  "plot %s\n" % (gp_str(svg), gp_str(title), ", ".join(series)))
        r = subprocess.run(["gnuplot"], input=script, text=True,
                           capture_output=True)
        if r.returncode != 0:
            return "gnuplot failed: " + r.stderr.strip()
        written.append(svg)
    return written


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__)
    path, outdir = sys.argv[1], sys.argv[2]
    os.makedirs(outdir, exist_ok=True)
    context, value, order = load(path)
    fb_context = fb_value = fb_order = None
    if len(sys.argv) == 4:
        if os.path.exists(sys.argv[3]):
            fb_context, fb_value, fb_order = load(sys.argv[3])
        else:
            print("bench: %s missing: no fallback figures" % sys.argv[3])
    text, groups, pt, ut = summarise(context, value, order, fb_context, fb_value, fb_order,
                                     CPU_NS.get(path),
                                     CPU_NS.get(sys.argv[3]) if fb_value is not None else None)
    md = os.path.join(outdir, "summary.md")
    with open(md, "w") as f:
        f.write(text)
    print()
    print(text)
    plots = plot(outdir, context, value, order, groups, pt, ut)
    print("bench: JSON    %s" % path)
    print("bench: summary %s" % md)
    if isinstance(plots, str):
        print("bench: " + plots)
    else:
        print("bench: plots   %s" % (" ".join(plots) if plots else "(none)"))


if __name__ == "__main__":
    main()
