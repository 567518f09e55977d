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
    # The floor after the same clock read: the least a timestamped per-CPU
    # write costs, against which the clock's share is not the ring's.
    ("ring 16 B write vs timestamped floor", ("ring/16", "percpu_write"),
     ("ring/16", "floor_rseq_ts_write"), None, "main"),
    ("ring 16 B write+read vs floor", ("ring_write_read/16", "percpu_write_read"),
     ("ring_write_read/16", "floor_rseq_write_read"), None, "main"),
    ("exported percpu_counter_add vs inline", ("counter", "percpu_call"),
     ("counter", "percpu_inline"), 2.5, "call"),
    # Any exported call costs a PLT hop, a call and a return: what is
    # left of percpu_call above it is the wrapper's own work.
    ("exported percpu_counter_add vs a bare exported call", ("counter", "percpu_call"),
     ("counter", "call_floor"), None, "main"),
    ("fallback counter add vs getcpu+atomic", ("counter", "percpu_inline"),
     ("counter", "getcpu_atomic"), 1.2, "fallback"),
    ("fallback list push+pop vs mutex", ("list", "percpu_push_pop"),
     ("list", "mutex_push_pop"), 2.0, "fallback"),
    ("fallback buffer push+pop vs mutex", ("buffer", "percpu_push_pop"),
     ("buffer", "mutex_push_pop"), 2.0, "fallback"),
    ("fallback ring 16 B write vs mutex", ("ring/16", "percpu_write"),
     ("ring/16", "mutex_write"), 2.0, "fallback"),
    # The same with the baseline that also reads the clock per event: what a
    # timestamped event costs a mutex ring.
    ("fallback ring 16 B write vs timestamped mutex", ("ring/16", "percpu_write"),
     ("ring/16", "mutex_ts_write"), 2.0, "fallback"),
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


def debug_note(context, value, cpu_ns):
    """Why a libbenchmark built without NDEBUG does not skew the figures."""
    build = context.get("library_build_type", "?")
    text = ["Google Benchmark library build: %s." % build]
    if build == "debug":
        text.append(
            "The library was compiled without NDEBUG (Debian's package: -O2, its "
            "internal checks on), hence its \"Library was built as DEBUG\" warning.  "
            "It does not affect these figures: the timed loop is this program's own "
            "run(), compiled with the flags above, doing a batch of operations per "
            "call (1024 or 4096 for the counter, list and buffer); around each call the harness runs State::KeepRunningBatch(), an "
            "inline function of benchmark.h compiled with our flags too (a few "
            "instructions and no call into the library per batch).  The library's own code (starting and stopping the "
            "timers, statistics, reporting) runs once per run, outside the timed "
            "operations; the ring and first_use runs (manual time) read the clock "
            "themselves.")
    loop = context.get("clock_loop_counter_percpu_inline_ns")
    gb = value.get(("counter", "percpu_inline", True, 1))
    gb_cpu = (cpu_ns or {}).get(("counter", "percpu_inline", True, 1))
    if loop and isinstance(gb, float):
        text.append(
            "Check, same process: counter/percpu_inline timed by a plain "
            "clock_gettime() loop outside Google Benchmark (best of 64 x 2^20 adds, "
            "bound to one CPU): %s ns/op; through the harness: %s ns/op wall (ratio %s)%s.  "
            "The loop keeps its best run and the harness averages over preemptions, so on "
            "a busy machine compare the CPU time."
            % (fmt_ns(float(loop)), fmt_ns(gb), fmt_ratio(gb, float(loop)),
               ", %s ns/op CPU time (ratio %s)" % (fmt_ns(gb_cpu), fmt_ratio(gb_cpu, float(loop)))
               if isinstance(gb_cpu, float) else ""))
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
    text.append("%s; %s; CPUs: %s." % (
        " ".join(context.get("kernel", "kernel ?").split()[:3]), context.get("libc", "libc ?"),
        context.get("cpus", "? CPUs")))
    text.append("libpercpu %s, git %s; %s; CFLAGS %s; Google Benchmark %s (%s build)." % (
        context.get("libpercpu_version", "?"), context.get("git_commit", "?"),
        context.get("compiler", "?"), " ".join(context.get("cflags", "?").split()),
        context.get("libbenchmark_version", "?"), context.get("library_build_type", "?")))
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
    text.append(debug_note(context, value, cpu_ns))
    if failures:
        text.append("")
        text.append("**FAILED runs** (no figure is reported for them):")
        text += ["- " + f for f in failures]
    return "\n".join(text) + "\n", groups, pinned_threads, unpinned_threads


def gp_str(s):
    """A gnuplot double-quoted string (which understands \\n)."""
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


# Line colours, the same in every plot: libpercpu's operations in warm
# colours (its main operation of each family always red), the floor black,
# each baseline in its own cool colour or grey wherever it appears.
SUBJECT_COLOURS = ["#c8102e", "#e87d00", "#a0208f", "#8c510a"]
BASELINE_COLOURS = [("mutex", "#1f5fbf"), ("vyukov", "#00a0a0"), ("treiber", "#2e8b2e"),
                    ("atomic_shared", "#1f5fbf"), ("atomic_per_thread", "#00a0a0"),
                    ("getcpu", "#2e8b2e"), ("atomic", "#5a7fa8"), ("plain", "#707070")]
SPARE_COLOURS = ["#6a5acd", "#4682b4", "#556b2f", "#2f4f4f", "#708090"]
BASELINE_POINTS = [1, 2, 4, 8, 10, 12]


# What one operation is, per family, for the plot titles.
FAMILY_WHAT = {
    "counter": "one add",
    "list": "one push and one pop",
    "buffer": "one push and one pop",
    "ring": "one write",
    "ring_write_read": "one write and one read",
}


def line_styles(variants):
    """variant -> gnuplot style: thick solid libpercpu, dotted black floor,
    thin dashed baselines, colours as above (distinct within one plot)."""
    styles, used = {}, set()
    subjects = [v for v in variants if is_subject(v)]
    for v in variants:
        if is_subject(v):
            colour = SUBJECT_COLOURS[subjects.index(v) % len(SUBJECT_COLOURS)]
            styles[v] = "lw 4 dt 1 pt 7 ps 1.2 lc rgb '%s'" % colour
        elif is_floor(v):
            styles[v] = "lw 2.5 dt 3 pt 6 ps 1 lc rgb 'black'"
    baselines = [v for v in variants if not is_subject(v) and not is_floor(v)]
    for i, v in enumerate(baselines):
        colour = next((c for stem, c in BASELINE_COLOURS if v.startswith(stem)), None)
        if colour is None or colour in used:
            colour = next((c for c in SPARE_COLOURS if c not in used), "#808080")
        used.add(colour)
        styles[v] = "lw 1.5 dt 2 pt %d ps 1 lc rgb '%s'" % (
            BASELINE_POINTS[i % len(BASELINE_POINTS)], colour)
    return styles


def machine_lines(context):
    """Two subtitle lines: the machine and date, then the build."""
    kernel = " ".join(context.get("kernel", "?").split()[:2])
    cc = context.get("compiler", "?").split()
    cc = "%s %s" % (cc[0], cc[-1]) if len(cc) > 1 else "".join(cc) or "?"
    opt = " ".join(f for f in context.get("cflags", "").split()
                   if f.startswith(("-O", "-march", "-mcpu", "-mtune", "-flto")))
    return ("%s, %s CPUs, %s, %s, %s" % (
                context.get("cpu_model", "?"), context.get("cbench_cpus", "?"), kernel,
                context.get("libc", "?"), context.get("date", "?")[:10]),
            "libpercpu %s (%s), %s %s, rseq mode %s" % (
                context.get("libpercpu_version", "?"), context.get("git_commit", "?"),
                cc, opt or "(no -O)", context.get("percpu_rseq_mode", "?")))


def plot(outdir, context, value, order, groups, pinned_threads, unpinned_threads):
    if not shutil.which("gnuplot"):
        return "gnuplot not found: no plots"
    written = []
    xs = [(t, True) for t in pinned_threads] + [(t, False) for t in unpinned_threads]
    machine = "\n".join(machine_lines(context))
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
        styles = line_styles(variants)
        # The key lists libpercpu first, then the floor, then the baselines;
        # libpercpu's lines are drawn a second time, untitled, on top.
        rank = [0 if is_subject(v) else 1 if is_floor(v) else 2 for v in variants]
        listed = sorted(range(len(variants)), key=lambda i: rank[i])
        series = ["%s using 0:%d:xtic(1) with linespoints %s title %s"
                  % (gp_str(dat), i + 2, styles[variants[i]], gp_str(variants[i]))
                  for i in listed]
        series += ["%s using 0:%d with linespoints %s notitle"
                   % (gp_str(dat), i + 2, styles[variants[i]])
                   for i in listed if rank[i] == 0]
        parts = g.split("/")
        what = parts[0]
        if parts[0] in FAMILY_WHAT:
            what += " (%s)" % FAMILY_WHAT[parts[0]]
        if parts[0].startswith("ring") and len(parts) > 1:
            what += ", %s-byte records" % parts[1]
        title = "%s: ns per operation, lower is better\n%s" % (what, machine)
        xlabel = "threads (pinned; Nu: N threads unpinned)" if unpinned_threads else "threads"
        script = ("set terminal svg size 1000,600 dynamic background rgb 'white'\n"
                  "set termoption noenhanced\n"
                  "set output %s\n"
                  "set title %s noenhanced\n"
                  "set xlabel %s noenhanced\n"
                  "set ylabel 'ns per operation per thread (log scale, lower is better)'"
                  " noenhanced\n"
                  "set logscale y\n"
                  "set key outside right top noenhanced reverse Left width 2\n"
                  "set key title %s noenhanced\n"
                  "set grid\nset datafile missing 'NaN'\n"
                  "plot %s\n" % (gp_str(svg), gp_str(title), gp_str(xlabel),
                                  gp_str("thick: libpercpu\ndotted: floor\n"
                                         "dashed: baselines"),
                                  ", ".join(series)))
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
