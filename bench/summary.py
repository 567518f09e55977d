#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Summarise percpu-bench's JSON: one table of ns/op and ratios to the
baselines, and one plot of ns/op against threads per benchmark family.

Usage: summary.py BENCH.json OUTDIR    (Python 3 standard library only;
gnuplot for the plots, skipped with a message when missing)

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
        if b.get("run_type") == "aggregate":
            aggregated.add(key)
            runs[key] = [ns]
        elif key not in aggregated and not isinstance(runs.get(key), str):
            runs.setdefault(key, []).append(ns)
    value = {k: (v if isinstance(v, str) else statistics.median(v))
             for k, v in runs.items()}
    return data.get("context", {}), value, order


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


def summarise(context, value, order):
    groups = []
    for g, _ in order:
        if g not in groups:
            groups.append(g)
    pinned_threads = sorted({k[3] for k in value if k[2]})
    unpinned_threads = sorted({k[3] for k in value if not k[2]})
    ncpus = int(context.get("cbench_cpus", max(pinned_threads or [1])))
    n_all = ncpus if ncpus in pinned_threads else max(pinned_threads or [1])
    n_over = max(unpinned_threads) if unpinned_threads else None

    head = ["benchmark", "1 thr ns/op", "%d thr ns/op" % n_all]
    if n_over:
        head.append("%d thr unpinned" % n_over)
    head += ["vs baseline", "ratio @1", "ratio @%d" % n_all]
    rows = []
    failures = []
    for g in groups:
        variants = [v for gg, v in order if gg == g]
        baselines = [v for v in variants if not is_subject(v)]
        for v in sorted(variants, key=lambda v: not is_subject(v)):
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
            cells.append(fmt_ns(alln) if alln is not None or n_all == 1 else "-")
            if n_over:
                cells.append(fmt_ns(over))
            if not is_subject(v) or not baselines:
                rows.append(cells + ["(baseline)" if not is_subject(v) else "-", "", ""])
                continue
            for i, base in enumerate(baselines):
                b1 = value.get((g, base, True, 1))
                bn = value.get((g, base, True, n_all))
                lead = cells if i == 0 else [""] * len(cells)
                rows.append(lead + [base, fmt_ratio(one, b1), fmt_ratio(alln, bn)])
    widths = [max(len(str(r[i])) for r in rows + [head]) for i in range(len(head))]

    def line(cells):
        out = []
        for i, c in enumerate(cells):
            out.append(c.ljust(widths[i]) if i in (0, len(head) - 3) else c.rjust(widths[i]))
        return "| " + " | ".join(out) + " |"

    text = []
    text.append("# libpercpu benchmark summary")
    text.append("")
    text.append("%s, %s CPUs pinned in order %s, rseq mode %s, load average %s." % (
        context.get("date", "?"), ncpus, context.get("cbench_pin_order", "?"),
        context.get("percpu_rseq_mode", "?"),
        ", ".join("%.2f" % x for x in context.get("load_avg", [])) or "?"))
    text.append("")
    text.append("ns/op: wall time per operation per thread (per busy CPU in the "
                "oversubscribed unpinned column; median if repeated). "
                "ratio = ns/op of the libpercpu operation / ns/op of the baseline "
                "at the same thread count: below 1 is faster. `-`: not run.")
    text.append("")
    text.append(line(head))
    text.append("|" + "|".join(("-" * (w + 1) + ":") if i not in (0, len(head) - 3)
                               else ("-" * (w + 2)) for i, w in enumerate(widths)) + "|")
    for r in rows:
        text.append(line(r))
    if failures:
        text.append("")
        text.append("**FAILED runs** (no figure is reported for them):")
        text += ["- " + f for f in failures]
    return "\n".join(text) + "\n", groups, pinned_threads, unpinned_threads


def plot(outdir, value, order, groups, pinned_threads, unpinned_threads):
    if not shutil.which("gnuplot"):
        return "gnuplot not found: no plots"
    written = []
    xs = [(t, True) for t in pinned_threads] + [(t, False) for t in unpinned_threads]
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
        series = ", ".join("'%s' using 0:%d:xtic(1) with linespoints title '%s'"
                           % (dat, i + 2, v) for i, v in enumerate(variants))
        script = ("set terminal svg size 800,500 dynamic background rgb 'white'\n"
                  "set output '%s'\n"
                  "set title '%s: ns per operation per thread (u: unpinned)'\n"
                  "set xlabel 'threads'\nset ylabel 'ns/op'\nset logscale y\n"
                  "set key outside right\nset grid\nset datafile missing 'NaN'\n"
                  "plot %s\n" % (svg, g, series))
        r = subprocess.run(["gnuplot"], input=script, text=True,
                           capture_output=True)
        if r.returncode != 0:
            return "gnuplot failed: " + r.stderr.strip()
        written.append(svg)
    return written


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    path, outdir = sys.argv[1], sys.argv[2]
    os.makedirs(outdir, exist_ok=True)
    context, value, order = load(path)
    text, groups, pt, ut = summarise(context, value, order)
    md = os.path.join(outdir, "summary.md")
    with open(md, "w") as f:
        f.write(text)
    print()
    print(text)
    plots = plot(outdir, value, order, groups, pt, ut)
    print("bench: JSON    %s" % path)
    print("bench: summary %s" % md)
    if isinstance(plots, str):
        print("bench: " + plots)
    else:
        print("bench: plots   %s" % (" ".join(plots) if plots else "(none)"))


if __name__ == "__main__":
    main()
