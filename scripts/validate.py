#!/usr/bin/env python3
"""validate.py -- hetsim against measured serving runs (docs/validation.md).

Reads AIConfigurator's measured end-to-end benchmark rows (the training
file shared/data/aiconfigurator/silicon_e2e_train.csv, one closed-loop
benchmark per row: concurrency N, fixed ISL/OSL, mean TTFT and TPOT),
turns every row hetsim can express into a scenario, runs it, and compares
the mean TTFT and TPOT.  Rows are split once, by a hash of their id, into
a fit part (70%) and a held-out part (30%); engine overheads may be
fitted on the fit part only, and every figure of docs/validation.md is
about the held-out part.

Usage (make validate runs the first form):
    scripts/validate.py --hetsim build/hetsim --rows CSV [--out DIR]
                        [--engine NAME] [--only REGEX] [--jobs N] [--ramp S]

Writes DIR/rows.csv (one line per row: simulated and measured values,
the split, or why the row is not expressible) and prints a summary by
model x system x backend group.  Needs python3 (standard library only).
"""
import argparse
import concurrent.futures
import csv
import hashlib
import os
import re
import sqlite3
import statistics
import subprocess
import sys

# AIConfigurator model_path -> (hetsim catalog model, precision override)
MODELS = {
    "meta-llama/Llama-3.1-8B-Instruct": "llama-3.1-8b",
    "nvidia/Llama-3.1-8B-Instruct-FP8": "llama-3.1-8b",
    "meta-llama/Llama-3.1-70B": "llama-3.1-70b",
    "Qwen/Qwen3-32B": "qwen3-32b",
}
# AIConfigurator system -> (hetsim hardware entry, scale-up link)
SYSTEMS = {
    "h100_sxm": ("h100-sxm", "nvlink4"),
    "h200_sxm": ("h200", "nvlink4"),
    "b200_sxm": ("b200", "nvlink5"),
}
FIT_SHARE = 0.7


def split_of(row_id):
    """'fit' or 'holdout', fixed by the row id alone."""
    h = int(hashlib.sha256(row_id.encode()).hexdigest()[:8], 16)
    return "fit" if h / 0xFFFFFFFF < FIT_SHARE else "holdout"


def concurrency_of(row):
    m = re.search(r"silicon_concurrency=(\d+)", row["silicon_data_source"])
    return int(m.group(1)) if m else None


def precision_of(row):
    """The scenario's precision (the shorthand, as the frameworks mean it:
    fp8 = W8A8 with a bf16 residual stream and all-reduce, nvfp4 = W4A4 at
    the fp4 peak; KV bf16), or None when not expressible."""
    p = row["precision"] or "bf16"
    gemm = row["gemm_quant_mode"] or p
    if p == "bf16" and gemm in ("", "bf16"):
        return "bf16"
    if p == "fp8" and gemm in ("fp8", "fp8_block"):
        return "fp8"
    if p == "fp4" and gemm == "nvfp4":
        return "nvfp4"
    return None


def group_of(row, sep):
    """model x system x backend x precision: each group runs one format."""
    return sep.join((row["model_path"], row["system"], row["backend"],
                     precision_of(row) or row["precision"] or "bf16"))


def why_not(row):
    """None when hetsim can express the row, else the reason."""
    if row["mode"] != "agg":
        return "disaggregated rows need attention DP / EP (not yet)"
    if row["model_path"] not in MODELS:
        return "model not in the catalog yet"
    if row["system"] not in SYSTEMS:
        return "system not in the catalog yet"
    if precision_of(row) is None:
        return "precision %s/%s" % (row["precision"], row["gemm_quant_mode"])
    if int(row["pp_size"] or 1) != 1:
        return "pipeline parallelism (not yet)"
    if int(row["attention_dp_size"] or 1) != 1:
        return "attention data parallelism (not yet)"
    if concurrency_of(row) is None:
        return "no concurrency in silicon_data_source"
    return None


def engine_of(args, row):
    """The scenario's 'engine' value for the row."""
    if args.engine == "none":
        return "none"
    name = row["backend"] if args.engine == "auto" else args.engine
    host = args.host.get(name)
    if host is None:
        return name
    return "{profile: %s, host: {step: %.6gs, per_seq: %.6gs, overlap: false}}" % (
        name, host[0], host[1])


def scenario_of(row, engine, requests_per_user, warmup_per_user, ramp_s=0):
    model = MODELS[row["model_path"]]
    dev, link = SYSTEMS[row["system"]]
    n = concurrency_of(row)
    tp = int(row["tp_size"] or 1)
    batch = int(row["batch_size"] or n)
    reqs = n * requests_per_user
    warm = n * warmup_per_user
    eng = "engine: %s\n" % engine
    ramp = ", ramp: %gs" % ramp_s if ramp_s > 0 else ""
    return f"""name: {row['id'][:60]}
seed: 1
model: {model}
precision: {precision_of(row)}
{eng}hardware:
  gpu: {{catalog: {dev}}}
links:
  tp: {{catalog: {link}}}
cluster:
  instances:
    - {{name: e, device: gpu, count: 1, tp: {tp}, link: tp, max_batch: {batch}}}
workload:
  - name: bench
    warmup: {warm}
    synthetic:
      arrival: {{process: closed, concurrency: {n}{ramp}}}
      requests: {reqs}
      prompt: {{dist: fixed, value: {row['isl']}}}
      output: {{dist: fixed, value: {row['osl']}}}
output: {{steps: none, timeseries_interval: 0s}}
"""


def run_row(args, row):
    out = os.path.join(args.out, "runs")
    base = os.path.join(out, row["id"][:120])
    with open(base + ".yaml", "w") as f:
        f.write(scenario_of(row, engine_of(args, row),
                            args.requests_per_user, args.warmup_per_user,
                            args.ramp))
    db = base + ".db"
    if os.path.exists(db):
        os.remove(db)
    p = subprocess.run([args.hetsim, "run", "-q", base + ".yaml", "-o", db],
                       capture_output=True, text=True)
    if p.returncode != 0:
        return None, p.stderr.strip().splitlines()[-1:] or ["failed"]
    con = sqlite3.connect(db)
    got = dict(con.execute(
        "SELECT name, value FROM metrics WHERE scope = 'run' AND name IN "
        "('ttft_mean_s', 'tpot_mean_s')").fetchall())
    con.close()
    os.remove(db)
    return got, None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--hetsim", default="build/hetsim")
    ap.add_argument("--rows", required=True)
    ap.add_argument("--out", default="build/validate")
    ap.add_argument("--engine", default="auto",
                    help="auto (the row's backend), none, or a profile")
    ap.add_argument("--fit", action="store_true",
                    help="fit host time per engine on the fit part first")
    ap.add_argument("--only", default="")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--requests-per-user", type=int, default=12)
    ap.add_argument("--warmup-per-user", type=int, default=2)
    ap.add_argument("--ramp", type=float, default=0.0,
                    help="users start one at a time over this many seconds "
                         "(the closed source's 'ramp'; 0: all at once)")
    args = ap.parse_args()
    os.makedirs(os.path.join(args.out, "runs"), exist_ok=True)
    rows = list(csv.DictReader(open(args.rows)))
    if args.only:
        rows = [r for r in rows if re.search(args.only, r["id"])]
    todo = [r for r in rows if why_not(r) is None]
    args.host = {}
    if args.fit:
        args.host = {b: (0.0, 0.0) for b in ("vllm", "sglang", "trtllm")}
        args.host = fit_host(rows, run_all(args, todo))
        with open(os.path.join(args.out, "fit.txt"), "w") as f:
            for b, (a, c) in sorted(args.host.items()):
                line = "%s host.step %.4g ms, host.per_seq %.4g us" % (
                    b, a * 1e3, c * 1e6)
                print(line)
                f.write(line + "\n")
    results = run_all(args, todo)
    write_rows(args, rows, results)
    summarise(rows, results)


def run_all(args, todo):
    results = {}
    with concurrent.futures.ThreadPoolExecutor(args.jobs) as ex:
        futs = {ex.submit(run_row, args, r): r for r in todo}
        for f in concurrent.futures.as_completed(futs):
            results[futs[f]["id"]] = f.result()
    return results


def fit_host(rows, results):
    """Per engine, the host time per iteration: least squares of the TPOT
    left unexplained by the GPU steps (measured - simulated without host
    time) against the concurrency (the decode batch), over the fit part,
    clamped at zero.  Rows the simulator puts past the capacity wall
    (simulated or measured TTFT over 10x the other) are left out: their
    TPOT gap is queueing, not host time."""
    pts = {}
    for r in rows:
        got = results.get(r["id"], (None, None))[0]
        if got is None or split_of(r["id"]) != "fit":
            continue
        ts, tm = got["ttft_mean_s"] * 1e3, float(r["silicon_ttft_ms"])
        if max(ts, tm) > 10 * min(ts, tm):
            continue
        gap = (float(r["silicon_tpot_ms"]) - got["tpot_mean_s"] * 1e3) / 1e3
        pts.setdefault(r["backend"], []).append((concurrency_of(r), gap))
    out = {}
    for b, xy in pts.items():
        n = len(xy)
        mx = sum(x for x, _ in xy) / n
        my = sum(y for _, y in xy) / n
        sxx = sum((x - mx) ** 2 for x, _ in xy)
        slope = sum((x - mx) * (y - my) for x, y in xy) / sxx if sxx else 0
        slope = max(slope, 0.0)
        base = max(my - slope * mx, 0.0)
        out[b] = (base, slope)
    return out


def err(sim, meas):
    return (sim - meas) / meas


def write_rows(args, rows, results):
    with open(os.path.join(args.out, "rows.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "group", "split", "isl", "osl", "concurrency",
                    "tp", "ttft_meas_ms", "ttft_sim_ms", "tpot_meas_ms",
                    "tpot_sim_ms", "note"])
        for r in rows:
            grp = group_of(r, "|")
            note = why_not(r) or ""
            got = results.get(r["id"], (None, None))
            ts = ps = ""
            if got[0] is not None:
                ts = "%.3f" % (got[0]["ttft_mean_s"] * 1e3)
                ps = "%.3f" % (got[0]["tpot_mean_s"] * 1e3)
            elif got[1] is not None:
                note = "run failed: " + " ".join(got[1])
            w.writerow([r["id"], grp, split_of(r["id"]), r["isl"], r["osl"],
                        concurrency_of(r), r["tp_size"], r["silicon_ttft_ms"],
                        ts, r["silicon_tpot_ms"], ps, note])


def pct(xs, q):
    xs = sorted(xs)
    return xs[max(0, min(len(xs) - 1, int(round(q * len(xs) + 0.5)) - 1))]


def summarise(rows, results):
    groups = {}
    for r in rows:
        got = results.get(r["id"], (None, None))[0]
        if got is None:
            continue
        grp = group_of(r, " ")
        e = groups.setdefault(grp, {"fit": [], "holdout": []})
        e[split_of(r["id"])].append(
            (err(got["ttft_mean_s"] * 1e3, float(r["silicon_ttft_ms"])),
             err(got["tpot_mean_s"] * 1e3, float(r["silicon_tpot_ms"]))))
    print("| group | rows (held out) | TTFT median / p90 abs err | "
          "TTFT median signed | TPOT median / p90 abs err | "
          "TPOT median signed |")
    print("|---|---:|---|---:|---|---:|")
    all_t, all_p = [], []
    for g in sorted(groups):
        h = groups[g]["holdout"]
        if not h:
            continue
        t = [x[0] for x in h]
        p = [x[1] for x in h]
        all_t.append(statistics.median(abs(x) for x in t))
        all_p.append(statistics.median(abs(x) for x in p))
        print("| %s | %d | %.0f%% / %.0f%% | %+.0f%% | %.0f%% / %.0f%% | "
              "%+.0f%% |" % (g, len(h),
                              100 * statistics.median(abs(x) for x in t),
                              100 * pct([abs(x) for x in t], 0.9),
                              100 * statistics.median(t),
                              100 * statistics.median(abs(x) for x in p),
                              100 * pct([abs(x) for x in p], 0.9),
                              100 * statistics.median(p)))
    if all_t:
        print("\nmedian over groups of the per-group median |error|: "
              "TTFT %.0f%%, TPOT %.0f%%" % (100 * statistics.median(all_t),
                                             100 * statistics.median(all_p)))


if __name__ == "__main__":
    sys.exit(main())
