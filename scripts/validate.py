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

Usage (make validate runs the first form, with --fit):
    scripts/validate.py --hetsim build/hetsim --rows CSV [--out DIR]
                        [--engine NAME] [--only REGEX] [--jobs N] [--fit] [--ramp S]
    scripts/validate.py ... --only REGEX --holdout-only \
                        --host ENGINE:STEP_S:PER_SEQ_S ...
(the second: a subset's held-out rows with host times fixed, e.g. from a
previous full fit, when a whole run takes too long).

Aggregated rows become one instance group, disaggregated rows a split
cluster (prefill_* / decode_* columns, KV over InfiniBand NDR); each
group carries the row's tp, pp, attention DP, EP and moe_tp
(docs/scenario.md, "Parallelism"), and its max_batch is the row's batch
size times its attention-DP ranks (the file's batch sizes are per rank).

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
    # MoE models (attention DP, EP, moe_tp: docs/scenario.md "Parallelism")
    "deepseek-ai/DeepSeek-R1": "deepseek-r1",
    "deepseek-ai/DeepSeek-V3": "deepseek-v3",
    "Qwen/Qwen3-235B-A22B": "qwen3-235b-a22b",
    "Qwen/Qwen3-235B-A22B-FP8": "qwen3-235b-a22b",
}
# Catalog models with routed experts: their rows' moe_tp / moe_ep columns
# mean something (a dense model's are placeholders).
MOE_MODELS = {"deepseek-r1", "deepseek-v3", "qwen3-235b-a22b"}
# The link a split-mode KV hand-off crosses between nodes.
KV_LINK = "ib-ndr-400g"
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


def layout_of(row, prefix):
    """The group keys {tp, pp, dp, ep, moe_tp} of the row's aggregated
    instance (prefix '') or its prefill_ / decode_ pool."""
    def num(key):
        v = row[prefix + key]
        return int(v) if v not in ("", None) else 1
    lay = {"tp": num("tp_size"), "pp": num("pp_size"),
           "dp": num("attention_dp_size")}
    if MODELS.get(row["model_path"]) in MOE_MODELS:
        lay["ep"] = num("moe_ep_size")
        lay["moe_tp"] = num("moe_tp_size")
    return lay


def layout_problem(lay):
    """Why a layout is not one hetsim accepts, or None."""
    if min(lay.values()) < 1:
        return "a parallel degree of 0"
    if "ep" in lay and lay["ep"] * lay["moe_tp"] != lay["tp"] * lay["dp"]:
        return "moe_tp x ep != tp x attention_dp in the row"
    return None


def why_not(row):
    """None when hetsim can express the row, else the reason."""
    if row["mode"] not in ("agg", "disagg"):
        return "mode %s" % row["mode"]
    if row["model_path"] not in MODELS:
        return "model not in the catalog yet"
    if row["system"] not in SYSTEMS:
        return "system not in the catalog yet"
    if precision_of(row) is None:
        return "precision %s/%s" % (row["precision"], row["gemm_quant_mode"])
    for prefix in ([""] if row["mode"] == "agg" else ["prefill_", "decode_"]):
        why = layout_problem(layout_of(row, prefix))
        if why is not None:
            return why
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


def group_keys(row, prefix):
    """The flow-map body of one group: its layout, workers and batch limit
    (hetsim's max_batch counts every attention rank's sequences)."""
    lay = layout_of(row, prefix)
    keys = ", ".join("%s: %d" % (k, v) for k, v in lay.items()
                     if k == "tp" or v != 1 or k == "ep")
    batch = row[prefix + "batch_size"]
    if prefix and row[prefix + "num_workers"]:
        keys = "count: %d, " % int(row[prefix + "num_workers"]) + keys
    if batch:  # the file's batch sizes are per attention-DP rank
        keys += ", max_batch: %d" % (int(batch) * lay["dp"])
    return "device: gpu, link: tp, " + keys


def cluster_of(row, n):
    """The scenario's 'cluster' section for the row."""
    if row["mode"] == "agg":
        if not row["batch_size"]:
            row = dict(row, batch_size=str(n))
        return "cluster:\n  instances:\n    - {name: e, %s}\n" % group_keys(
            row, "")
    return ("cluster:\n  mode: split\n  prefill: {%s}\n  decode: {%s}\n"
            "  kv_transfer: {link: kv}\n" % (group_keys(row, "prefill_"),
                                             group_keys(row, "decode_")))


def scenario_of(row, engine, requests_per_user, warmup_per_user, ramp_s=0):
    model = MODELS[row["model_path"]]
    dev, link = SYSTEMS[row["system"]]
    n = concurrency_of(row)
    reqs = n * requests_per_user
    warm = n * warmup_per_user
    eng = "engine: %s\n" % engine
    ramp = ", ramp: %gs" % ramp_s if ramp_s > 0 else ""
    kv = "  kv: {catalog: %s}\n" % KV_LINK if row["mode"] != "agg" else ""
    return f"""name: {row['id'][:60]}
seed: 1
model: {model}
precision: {precision_of(row)}
{eng}hardware:
  gpu: {{catalog: {dev}}}
links:
  tp: {{catalog: {link}}}
{kv}{cluster_of(row, n)}workload:
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
    ap.add_argument("--holdout-only", action="store_true",
                    help="run only the held-out rows (the summary's); "
                         "not with --fit")
    ap.add_argument("--host", action="append", default=[],
                    metavar="ENGINE:STEP_S:PER_SEQ_S",
                    help="fixed host time of an engine instead of --fit "
                         "(e.g. a previous full fit's)")
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
    if args.holdout_only and args.fit:
        ap.error("--holdout-only leaves no rows to fit on")
    if args.holdout_only:
        todo = [r for r in todo if split_of(r["id"]) == "holdout"]
    fixed = {}
    for h in args.host:
        name, step, per_seq = h.split(":")
        fixed[name] = (float(step), float(per_seq))
    args.host = fixed
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


def group_of(row):
    """(model, system, backend, precision[, 'disagg']): the unit errors are
    judged in; each group runs one format."""
    g = (row["model_path"], row["system"], row["backend"],
         precision_of(row) or row["precision"] or "bf16")
    return g if row["mode"] == "agg" else g + ("disagg",)


def layout_text(row):
    """'tp8 ep8' (aggregated) or 'P tp8 ep8 / D dp8 ep8' (disaggregated)."""
    def one(prefix):
        return " ".join("%s%d" % (k, v) for k, v in
                        layout_of(row, prefix).items() if k == "tp" or v != 1)
    if row["mode"] == "agg":
        return one("")
    return "P %s / D %s" % (one("prefill_"), one("decode_"))


def write_rows(args, rows, results):
    with open(os.path.join(args.out, "rows.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "group", "split", "isl", "osl", "concurrency",
                    "layout", "ttft_meas_ms", "ttft_sim_ms", "tpot_meas_ms",
                    "tpot_sim_ms", "note"])
        for r in rows:
            grp = "|".join(group_of(r))
            note = why_not(r) or ""
            got = results.get(r["id"], (None, None))
            ts = ps = ""
            if got[0] is not None:
                ts = "%.3f" % (got[0]["ttft_mean_s"] * 1e3)
                ps = "%.3f" % (got[0]["tpot_mean_s"] * 1e3)
            elif got[1] is not None:
                note = "run failed: " + " ".join(got[1])
            w.writerow([r["id"], grp, split_of(r["id"]), r["isl"], r["osl"],
                        concurrency_of(r), layout_text(r), r["silicon_ttft_ms"],
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
        grp = " ".join(group_of(r))
        e = groups.setdefault(grp, {"fit": [], "holdout": []})
        e[split_of(r["id"])].append(
            (err(got["ttft_mean_s"] * 1e3, float(r["silicon_ttft_ms"])),
             err(got["tpot_mean_s"] * 1e3, float(r["silicon_tpot_ms"]))))
    print("| group | rows (held out) | TTFT median / p90 abs err | "
          "TTFT median signed | TPOT median / p90 abs err | "
          "TPOT median signed |")
    print("|---|---:|---|---:|---|---:|")
    all_t, all_p = {}, {}
    for g in sorted(groups):
        h = groups[g]["holdout"]
        if not h:
            continue
        t = [x[0] for x in h]
        p = [x[1] for x in h]
        kind = "disaggregated" if g.endswith(" disagg") else "aggregated"
        all_t.setdefault(kind, []).append(
            statistics.median(abs(x) for x in t))
        all_p.setdefault(kind, []).append(
            statistics.median(abs(x) for x in p))
        print("| %s | %d | %.0f%% / %.0f%% | %+.0f%% | %.0f%% / %.0f%% | "
              "%+.0f%% |" % (g, len(h),
                              100 * statistics.median(abs(x) for x in t),
                              100 * pct([abs(x) for x in t], 0.9),
                              100 * statistics.median(t),
                              100 * statistics.median(abs(x) for x in p),
                              100 * pct([abs(x) for x in p], 0.9),
                              100 * statistics.median(p)))
    for kind in sorted(all_t):
        print("\nmedian over %d %s groups of the per-group median |error|: "
              "TTFT %.0f%%, TPOT %.0f%%" % (
                  len(all_t[kind]), kind,
                  100 * statistics.median(all_t[kind]),
                  100 * statistics.median(all_p[kind])))


if __name__ == "__main__":
    sys.exit(main())
