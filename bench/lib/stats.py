#!/usr/bin/env python3
"""Statistics for wbscope benchmarks (standard library only).

    stats.py overhead RUNS.jsonl [--baseline none] [--target-pct 2] [--json OUT] [--md OUT]

RUNS.jsonl holds one measured run per line: {"job", "variant", "round", "bw_kib"}.
Runs are paired by (job, round): every round ran each variant once, in shuffled order,
so a variant's cost is estimated from its per-round ratio to the baseline run of the
same round, which cancels slow drifts of the machine. The cost is 1 - median(ratio);
its 95% confidence interval comes from a percentile bootstrap over rounds (fixed seed,
so a report is reproducible from its runs).
"""
import argparse
import json
import math
import random
import statistics
import sys

BOOTSTRAP = 4000


def median_ci(values, conf=0.95, seed=1):
    """Percentile-bootstrap confidence interval of the median."""
    if len(values) < 2:
        return (math.nan, math.nan)
    rng = random.Random(seed)
    meds = sorted(statistics.median(rng.choices(values, k=len(values)))
                  for _ in range(BOOTSTRAP))
    lo = meds[int((1 - conf) / 2 * BOOTSTRAP)]
    hi = meds[min(BOOTSTRAP - 1, int((1 + conf) / 2 * BOOTSTRAP))]
    return (lo, hi)


def describe(values):
    """Median, mean, standard deviation, coefficient of variation, min, max."""
    out = {"n": len(values)}
    if not values:
        return out
    out["median"] = statistics.median(values)
    out["mean"] = statistics.fmean(values)
    out["stdev"] = statistics.stdev(values) if len(values) > 1 else 0.0
    out["cv_pct"] = 100.0 * out["stdev"] / out["mean"] if out["mean"] else math.nan
    out["min"] = min(values)
    out["max"] = max(values)
    return out


def load_runs(path):
    runs = []
    with open(path) as f:
        for lineno, line in enumerate(f, 1):
            line = line.strip()
            if not line:
                continue
            try:
                r = json.loads(line)
            except json.JSONDecodeError as e:
                sys.exit(f"stats.py: {path}:{lineno}: not JSON: {e}")
            for key in ("job", "variant", "round", "bw_kib"):
                if key not in r:
                    sys.exit(f"stats.py: {path}:{lineno}: missing field '{key}'")
            if not isinstance(r["bw_kib"], (int, float)) or r["bw_kib"] <= 0:
                sys.exit(f"stats.py: {path}:{lineno}: bw_kib must be a positive number")
            runs.append(r)
    if not runs:
        sys.exit(f"stats.py: {path}: no runs")
    return runs


def verdict(lo, hi, target):
    if math.isnan(lo):
        return "too few rounds"
    if hi < target:
        return f"under {target:g}%"
    if lo > target:
        return f"over {target:g}%"
    return "inconclusive"


def overhead(runs, baseline, target):
    jobs = sorted({r["job"] for r in runs})
    variants = sorted({r["variant"] for r in runs} - {baseline})
    by = {}
    for r in runs:
        by.setdefault((r["job"], r["variant"]), {})[r["round"]] = r["bw_kib"]
    result = {"baseline": baseline, "target_pct": target, "jobs": {}}
    for job in jobs:
        base = by.get((job, baseline), {})
        if not base:
            sys.exit(f"stats.py: job {job}: no '{baseline}' runs to compare with")
        entry = {baseline: {"bw_kib": describe(list(base.values()))}}
        for v in variants:
            runs_v = by.get((job, v), {})
            rounds = sorted(set(runs_v) & set(base))
            ratios = [runs_v[k] / base[k] for k in rounds]
            cost = [100.0 * (1 - x) for x in ratios]
            e = {"bw_kib": describe(list(runs_v.values())), "paired_rounds": len(rounds)}
            bpf = [r for r in runs if r["job"] == job and r["variant"] == v
                   and isinstance(r.get("bpf_ns"), (int, float)) and r.get("bytes")]
            if bpf:
                e["bpf_cpu_pct"] = describe([100.0 * r["bpf_ns"] / (r["traced_s"] * 1e9) for r in bpf
                                             if r.get("traced_s")])
                e["bpf_ns_per_mib"] = describe([r["bpf_ns"] / (r["bytes"] / 1048576.0) for r in bpf])
            progs = programs([r for r in bpf if isinstance(r.get("progs"), list)])
            if progs:
                e["programs"] = progs
            if ratios:
                lo, hi = median_ci(cost)
                e["cost_pct"] = {"median": statistics.median(cost), "ci95": [lo, hi],
                                 "per_round": cost}
                e["verdict"] = verdict(lo, hi, target)
            else:
                e["verdict"] = "no paired runs"
            entry[v] = e
        result["jobs"][job] = entry
    return result


def programs(runs):
    """Per BPF program of a tracer (bpftool's run_cnt / run_time_ns during the fio run):
    median over rounds of its runs per MiB written, ns per run and us per MiB."""
    per = {}
    for r in runs:
        mib = r["bytes"] / 1048576.0
        for p in r["progs"]:
            d = per.setdefault(p["name"], {"runs_per_mib": [], "ns_per_run": [], "us_per_mib": []})
            d["runs_per_mib"].append(p["runs"] / mib)
            d["ns_per_run"].append(p["ns"] / p["runs"] if p["runs"] else 0.0)
            d["us_per_mib"].append(p["ns"] / 1000.0 / mib)
    out = {name: {k: statistics.median(v) for k, v in d.items()} for name, d in per.items()}
    return dict(sorted(out.items(), key=lambda kv: -kv[1]["us_per_mib"]))


def fmt(x, digits=1):
    return "-" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.{digits}f}"


def markdown(res):
    lines = [f"Throughput cost of each tracer against `{res['baseline']}` (no tracing), "
             f"target under {res['target_pct']:g}%. Cost = 1 - median over rounds of "
             f"(tracer run / baseline run of the same round); 95% CI by bootstrap. The last "
             f"two columns are the wbscope tools' own BPF run time (kernel.bpf_stats_enabled), "
             f"a low-noise measure of their direct cost: median % of one CPU over the run, "
             f"and per MiB written.", ""]
    for job, entry in res["jobs"].items():
        lines += [f"### {job}", "",
                  "| variant | MiB/s median | CV % | rounds | cost % (median) | 95% CI | verdict | BPF CPU % of one CPU | BPF µs per MiB |",
                  "|---|---:|---:|---:|---:|---|---|---:|---:|"]
        for v, e in entry.items():
            bw = e["bw_kib"]
            c = e.get("cost_pct")
            ci = f"[{fmt(c['ci95'][0])}, {fmt(c['ci95'][1])}]" if c else "-"
            cpu = e.get("bpf_cpu_pct", {}).get("median")
            per = e.get("bpf_ns_per_mib", {}).get("median")
            lines.append(f"| {v} | {fmt(bw.get('median', math.nan) / 1024)} | "
                         f"{fmt(bw.get('cv_pct'))} | {bw['n']} | {fmt(c['median']) if c else '-'} | "
                         f"{ci} | {e.get('verdict', 'baseline')} | {fmt(cpu, 2)} | "
                         f"{fmt(per / 1000 if per is not None else None, 1)} |")
        lines.append("")
        progs = [(v, e["programs"]) for v, e in entry.items() if e.get("programs")]
        if progs:
            lines += [f"Where the BPF time goes ({job}): each program's median runs per MiB "
                      "written, ns per run and µs per MiB (bpftool, kernel.bpf_stats_enabled).", "",
                      "| variant | program | runs per MiB | ns per run | µs per MiB |",
                      "|---|---|---:|---:|---:|"]
            for v, pr in progs:
                for name, d in pr.items():
                    lines.append(f"| {v} | {name} | {fmt(d['runs_per_mib'])} | "
                                 f"{fmt(d['ns_per_run'], 0)} | {fmt(d['us_per_mib'])} |")
            lines.append("")
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    o = sub.add_parser("overhead", help="tracer cost from paired interleaved runs")
    o.add_argument("runs")
    o.add_argument("--baseline", default="none")
    o.add_argument("--target-pct", type=float, default=2.0)
    o.add_argument("--json")
    o.add_argument("--md")
    a = ap.parse_args()
    res = overhead(load_runs(a.runs), a.baseline, a.target_pct)
    if a.json:
        with open(a.json, "w") as f:
            json.dump(res, f, indent=1)
    md = markdown(res)
    if a.md:
        with open(a.md, "w") as f:
            f.write(md + "\n")
    print(md)


if __name__ == "__main__":
    main()
