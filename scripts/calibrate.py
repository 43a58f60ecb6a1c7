#!/usr/bin/env python3
"""calibrate.py -- fit hetsim's device efficiencies and overheads on measured kernel data.

Optional tooling (never run by `make check`).  See docs/calibration.md for the method and
the results.  Python 3 standard library only.

    python3 scripts/calibrate.py [--data DIR] [--hetsim PATH] [--catalog DIR]
                                 [--device h100|a100|all] [--full-grid] [--no-attention]

--data     the shared data folder (default: ../shared/data relative to the repository root)
--hetsim   the hetsim binary (default: build/hetsim relative to the repository root)
--catalog  catalog dir holding models/, hardware/, links/ (default: $HETSIM_CATALOG, else
           configs/ of the repository); only operator counts and peak/bandwidth are read
           from it, never the efficiencies being fitted.

What it does (all times are one layer on one GPU):

1. Non-attention layer fit (Vidur mlp.csv, H100 and A100).  Measured = sum of the medians of
   input_layernorm, attn_pre_proj, attn_rope, attn_post_proj, post_attention_layernorm,
   mlp_up_proj, mlp_act, mlp_down_proj, add.  Predicted = sum over hetsim's per-layer
   non-attention operators (attn_norm, qkv_proj, o_proj, residual x2, mlp_norm, mlp_gate_up,
   mlp_act, mlp_down; from `hetsim oicf --ops`, divided by count and tp -- hetsim counts the
   norms and residual adds tp times, once per rank, so this gives one rank's share) of
   max(F/(eta_c*peak), B/(eta_m*BW)) + t_layer.  eta_c, eta_m on a 0.01 grid (coarse 0.05
   grid, then 0.01 around the best coarse points; --full-grid scans every 0.01 pair, and
   finds the same optimum), t_layer >= 0 in closed form, minimising the weighted mean squared
   relative error; each row is weighted by the log(T) interval it stands for, so that every
   doubling of T counts the same (see log_weights).  Alternative fits are printed too.
2. Cross-checks (not fitted into the catalog efficiencies): AIConfigurator vLLM 0.19 decode
   and prefill attention on H100 (and H200/B200) against hetsim's attn_decode/attn_prefill
   operator with the fitted efficiencies; the per-kernel minimum of attention (added to
   overhead.layer); vLLM 0.19 bf16 GEMMs on H100 against hetsim's GEMM formula.
3. Consistency: hetsim's own step time with the rounded values (temporary catalog) equals
   the script's roofline sum (plus the ring all-reduces), at TP 1, 4 and 8.

The output is Markdown on stdout.
"""

import argparse
import csv
import math
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Vidur profile folder -> hetsim catalog model, per device.
VIDUR = {
    "h100": [
        ("meta-llama/Llama-2-7b-hf", "llama-2-7b"),
        ("meta-llama/Llama-2-70b-hf", "llama-2-70b"),
        ("codellama/CodeLlama-34b-Instruct-hf", "codellama-34b"),
    ],
    "a100": [
        ("meta-llama/Llama-2-7b-hf", "llama-2-7b"),
        ("meta-llama/Llama-2-70b-hf", "llama-2-70b"),
        ("codellama/CodeLlama-34b-Instruct-hf", "codellama-34b"),
        ("meta-llama/Meta-Llama-3-8B", "llama-3-8b"),
        ("meta-llama/Meta-Llama-3-70B", "llama-3-70b"),
    ],
}
HARDWARE = {"h100": "h100-sxm", "a100": "a100-sxm", "h200": "h200", "b200": "b200"}

VIDUR_OPS = ["input_layernorm", "attn_pre_proj", "attn_rope", "attn_post_proj",
             "post_attention_layernorm", "mlp_up_proj", "mlp_act", "mlp_down_proj", "add"]
LAYER_OPS = {"attn_norm", "qkv_proj", "o_proj", "residual", "mlp_norm", "mlp_gate_up",
             "mlp_act", "mlp_down"}

# AIConfigurator attention tables: per-GPU (q heads, kv heads) of hetsim models at each tp.
ATTN_MODELS = [("llama-3-8b", 32, 8), ("llama-3-70b", 64, 8)]
ATTN_TPS = [1, 2, 4, 8]
AIC_FILES = {
    "h100": ("aiconfigurator/vllm0.19.0_generation_attention_perf.csv",
             "aiconfigurator/vllm0.19.0_context_attention_perf.csv"),
    "h200": ("aiconfigurator/other_gpus/h200_sxm_vllm0.19.0_generation_attention_perf.csv",
             "aiconfigurator/other_gpus/h200_sxm_vllm0.19.0_context_attention_perf.csv"),
    "b200": ("aiconfigurator/other_gpus/b200_sxm_vllm0.19.0_generation_attention_perf.csv",
             "aiconfigurator/other_gpus/b200_sxm_vllm0.19.0_context_attention_perf.csv"),
}


def die(msg):
    sys.stderr.write("calibrate.py: " + msg + "\n")
    sys.exit(2)


# --------------------------------------------------------------------------- catalogs

UNITS = {"": 1.0, "K": 1e3, "M": 1e6, "G": 1e9, "T": 1e12, "P": 1e15}


def hardware_params(catalog, name):
    """bf16 peak (FLOP/s) and memory bandwidth (B/s) of a hardware entry."""
    path = os.path.join(catalog, "hardware", name + ".yaml")
    peak = bw = None
    in_peak = False
    with open(path) as f:
        for line in f:
            line = line.split("#", 1)[0].rstrip()
            if not line.strip():
                continue
            if not line.startswith(" "):
                in_peak = line.startswith("peak_flops:")
            m = re.match(r"^\s+bf16:\s*([\d.]+)\s*([KMGTP]?)FLOP/s", line)
            if in_peak and m:
                peak = float(m.group(1)) * UNITS[m.group(2)]
            m = re.match(r"^mem_bandwidth:\s*([\d.]+)\s*([KMGTP]?)B/s", line)
            if m:
                bw = float(m.group(1)) * UNITS[m.group(2)]
    if peak is None or bw is None:
        die("cannot read peak_flops.bf16 / mem_bandwidth from " + path)
    return peak, bw


def link_params(catalog, hw):
    """(bandwidth B/s, latency s) of the link a hardware entry names."""
    link = None
    with open(os.path.join(catalog, "hardware", hw + ".yaml")) as f:
        for line in f:
            m = re.match(r"^link:\s*([\w.-]+)", line)
            if m:
                link = m.group(1)
    if link is None:
        die("no link in hardware entry " + hw)
    path = os.path.join(catalog, "links", link + ".yaml")
    bw = lat = None
    with open(path) as f:
        for line in f:
            line = line.split("#", 1)[0].rstrip()
            m = re.match(r"^bandwidth:\s*([\d.]+)\s*([KMGTP]?)B/s", line)
            if m:
                bw = float(m.group(1)) * UNITS[m.group(2)]
            m = re.match(r"^latency:\s*([\d.]+)\s*(ns|us|ms|s)$", line)
            if m:
                lat = float(m.group(1)) * {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}[
                    m.group(2)]
    if bw is None or lat is None:
        die("cannot read bandwidth / latency from " + path)
    return bw, lat


def model_params(catalog, name):
    path = os.path.join(catalog, "models", name + ".yaml")
    out = {}
    with open(path) as f:
        for line in f:
            m = re.match(r"^(layers|hidden|heads|kv_heads|head_dim|ffn|vocab):\s*(\d+)", line)
            if m:
                out[m.group(1)] = int(m.group(2))
    return out


# --------------------------------------------------------------------------- hetsim

def chunks(xs, n=64):
    """hetsim oicf takes at most 64 values per list option."""
    xs = list(xs)
    return [xs[i:i + n] for i in range(0, len(xs), n)] or [[]]


def hetsim_ops(args, model, hw, tp, phase, prompts=(), contexts=(), batches=(), kv=None,
               env=None):
    """Run `hetsim oicf --ops` and return {(batch, prompt, context): [op rows]}.

    Each op row is (name, count, flops, bytes) with instance-level values."""
    out = {}
    if env is None:
        env = dict(os.environ, HETSIM_CATALOG=args.catalog)
    for pc in chunks(prompts):
        for cc in chunks(contexts):
            for bc in chunks(batches):
                # Measured kernel shapes are not bound by the model's max_context.
                cmd = [args.hetsim, "oicf", "--model", model, "--hardware", hw, "--phase",
                       phase, "--tp", str(tp), "--ops", "--format", "csv",
                       "--beyond-context"]
                if pc:
                    cmd += ["--prompt", ",".join(str(p) for p in pc)]
                if cc:
                    cmd += ["--context", ",".join(str(c) for c in cc)]
                if bc:
                    cmd += ["--batch", ",".join(str(b) for b in bc)]
                if kv:
                    cmd += ["--kv", kv]
                try:
                    res = subprocess.run(cmd, capture_output=True, text=True, env=env)
                except OSError as e:
                    die("cannot run %s: %s" % (args.hetsim, e))
                if res.returncode != 0:
                    die("hetsim failed (%s): %s" % (" ".join(cmd), res.stderr.strip()))
                for r in csv.DictReader(res.stdout.splitlines()):
                    key = (int(r["batch"]), int(r["prompt_tokens"]), int(r["context_tokens"]))
                    b = float(r["weight_bytes"]) + float(r["kv_bytes"]) + float(r["act_bytes"])
                    out.setdefault(key, []).append((r["op"], float(r["count"]),
                                                    float(r["flops"]), b))
    return out


def hetsim_points(args, model, hw, tp, phase, prompts, env):
    """Whole-step rows of `hetsim oicf` (no --ops): {prompt: time_s}."""
    cmd = [args.hetsim, "oicf", "--model", model, "--hardware", hw, "--phase", phase,
           "--tp", str(tp), "--prompt", ",".join(str(p) for p in prompts), "--format", "csv",
           "--beyond-context"]
    try:
        res = subprocess.run(cmd, capture_output=True, text=True, env=env)
    except OSError as e:
        die("cannot run %s: %s" % (args.hetsim, e))
    if res.returncode != 0:
        die("hetsim failed (%s): %s" % (" ".join(cmd), res.stderr.strip()))
    return {int(r["prompt_tokens"]): float(r["time_s"])
            for r in csv.DictReader(res.stdout.splitlines())}


def layer_terms(ops, tp, names):
    """Per-layer, per-GPU (flops, bytes) of the named operators.  hetsim's instance totals
    count split operators once and replicated ones (norms, residual adds) once per rank, so
    dividing by tp gives one rank's work in both cases."""
    return [(f / c / tp, b / c / tp) for (n, c, f, b) in ops if n in names]


# --------------------------------------------------------------------------- fitting

class Row:
    __slots__ = ("m", "terms", "pooled", "model", "tp", "tokens", "extra", "w")

    def __init__(self, m, terms, model, tp, tokens, extra=None):
        self.m = m              # measured seconds
        self.terms = terms      # [(flops, bytes)] per GPU per layer
        self.pooled = 0.0       # bytes of always-memory-bound terms (filled by prepare)
        self.model = model
        self.tp = tp
        self.tokens = tokens
        self.extra = extra or {}
        self.w = 1.0            # fit weight (see log_weights)


def prepare(rows, peak, bw, min_ratio):
    """Pool the terms that are memory-bound for every eta_c/eta_m >= min_ratio."""
    ridge = peak / bw
    for r in rows:
        keep, pooled = [], 0.0
        for f, b in r.terms:
            if b > 0 and f / b < min_ratio * ridge:
                pooled += b
            else:
                keep.append((f, b))
        r.terms, r.pooled = keep, pooled


def predict(r, ec, em, peak, bw):
    cr, mr = ec * peak, em * bw
    p = r.pooled / mr
    for f, b in r.terms:
        tc, tm = f / cr, b / mr
        p += tc if tc > tm else tm
    return p


def best_offset(rows, preds):
    """t >= 0 minimising sum w*((p + t)/m - 1)^2, and the weighted mean squared error."""
    saw = sww = 0.0
    for r, p in zip(rows, preds):
        u = 1.0 / r.m
        saw += r.w * (p * u - 1.0) * u
        sww += r.w * u * u
    t = max(0.0, -saw / sww)
    return t, weighted_mse(rows, preds, t)


def weighted_mse(rows, preds, t):
    sw = sum(r.w for r in rows)
    return sum(r.w * ((p + t) / r.m - 1.0) ** 2 for r, p in zip(rows, preds)) / sw


def objective(rows, ec, em, peak, bw, fixed_t=None):
    preds = [predict(r, ec, em, peak, bw) for r in rows]
    if fixed_t is not None:
        return fixed_t, weighted_mse(rows, preds, fixed_t)
    return best_offset(rows, preds)


def log_weights(rows):
    """Weight each row by the interval of log(T) it stands for (half the log distance to
    its neighbours in its (model, tp) sweep), normalised so every (model, tp) sweep has the
    same total weight.  Vidur samples T every 8 tokens up to 1024, then every 16 and 32, so
    an unweighted fit gives T <= 64 about 4% of the rows; with these weights every doubling
    of T counts the same, from single-token decode to 4k-token prefill chunks."""
    groups = {}
    for r in rows:
        groups.setdefault((r.model, r.tp), []).append(r)
    for g in groups.values():
        g.sort(key=lambda r: r.tokens)
        lt = [math.log(r.tokens) for r in g]
        n = len(g)
        for i, r in enumerate(g):
            lo = lt[i - 1] if i > 0 else lt[i]
            hi = lt[i + 1] if i < n - 1 else lt[i]
            r.w = (hi - lo) / 2.0
        tot = sum(r.w for r in g)
        for r in g:
            r.w /= tot


def unweighted(rows):
    for r in rows:
        r.w = 1.0


def grid(lo, hi, step):
    n = int(round((hi - lo) / step))
    return [round(lo + i * step, 2) for i in range(n + 1)]


def fit(rows, peak, bw, full=False, fixed_t=None, fixed_ec=None, fixed_em=None):
    """Grid search over eta_c, eta_m (step 0.01) with t_layer in closed form.

    Returns (eta_c, eta_m, t_layer, mse)."""
    def scan(ecs, ems, seen):
        res = []
        for ec in ecs:
            for em in ems:
                if (ec, em) in seen:
                    continue
                t, mse = objective(rows, ec, em, peak, bw, fixed_t)
                seen[(ec, em)] = (mse, ec, em, t)
                res.append(seen[(ec, em)])
        return res

    ec_axis = [fixed_ec] if fixed_ec else None
    em_axis = [fixed_em] if fixed_em else None
    seen = {}
    if full:
        scan(ec_axis or grid(0.01, 1.0, 0.01), em_axis or grid(0.01, 1.0, 0.01), seen)
    else:
        scan(ec_axis or grid(0.05, 1.0, 0.05), em_axis or grid(0.05, 1.0, 0.05), seen)
        for _, ec0, em0, _ in sorted(seen.values())[:3]:
            ecs = ec_axis or [e for e in grid(ec0 - 0.06, ec0 + 0.06, 0.01) if 0.0 < e <= 1.0]
            ems = em_axis or [e for e in grid(em0 - 0.06, em0 + 0.06, 0.01) if 0.0 < e <= 1.0]
            scan(ecs, ems, seen)
    mse, ec, em, t = min(seen.values())
    edge = [n for n, v, ax in (("eta_c", ec, ec_axis), ("eta_m", em, em_axis))
            if not ax and v >= 1.0]
    return ec, em, t, mse, edge


# --------------------------------------------------------------------------- statistics

def pct(xs, q):
    """Nearest-rank percentile of a list (q in 0..100)."""
    s = sorted(xs)
    if not s:
        return float("nan")
    k = max(0, min(len(s) - 1, int(math.ceil(q / 100.0 * len(s))) - 1))
    return s[k]


def errs(rows, preds):
    return [p / r.m - 1.0 for r, p in zip(rows, preds)]


def summary(e):
    a = [abs(x) for x in e]
    return (len(e), 100 * statistics.median(a), 100 * pct(a, 90), 100 * max(a),
            100 * statistics.median(e))


def table(title, groups, key_name):
    print("\n" + title + "\n")
    print("| %s | n | median abs err | p90 abs err | max abs err | median signed err |"
          % key_name)
    print("|---|---:|---:|---:|---:|---:|")
    for k, e in groups:
        if e:
            n, med, p90, mx, sgn = summary(e)
            print("| %s | %d | %.1f%% | %.1f%% | %.1f%% | %+.1f%% |" % (k, n, med, p90, mx, sgn))


def token_range(t):
    if t <= 64:
        return "T <= 64 (weight-bound)"
    if t < 1024:
        return "64 < T < 1024"
    return "T >= 1024 (compute-bound)"


def grouped(rows, e, keyf, order=None):
    g = {}
    for r, x in zip(rows, e):
        g.setdefault(keyf(r), []).append(x)
    keys = order if order else sorted(g)
    return [(k, g.get(k, [])) for k in keys]


def round_sig(x, sig=2):
    if x == 0:
        return 0.0
    return round(x, sig - 1 - int(math.floor(math.log10(abs(x)))))


# --------------------------------------------------------------------------- step 1: Vidur

def load_vidur(path, exclude_rope=False):
    """{(tokens, tp): measured seconds} -- the median over duplicate rows of the summed
    per-op medians."""
    acc = {}
    ops = [o for o in VIDUR_OPS if not (exclude_rope and o == "attn_rope")]
    geo = None
    with open(path) as f:
        for r in csv.DictReader(f):
            ms = sum(float(r["time_stats.%s.median" % o]) for o in ops)
            key = (int(r["num_tokens"]), int(r["num_tensor_parallel_workers"]))
            acc.setdefault(key, []).append(ms * 1e-3)
            geo = (int(r["n_head"]), int(r["n_kv_head"]), int(r["n_embd"]),
                   int(r["n_expanded_embd"]))
    return {k: statistics.median(v) for k, v in acc.items()}, geo


# Operators that Megatron-style tensor parallelism runs replicated on every rank (the
# hidden vector is not sharded).  hetsim counts them once per rank (sim/cost/cost_step.c
# add_op_copies); before commit c5cfed1 it split them over tp like every other operator.
REPLICATED = {"attn_norm", "mlp_norm", "residual"}


def vidur_rows(args, dev, exclude_rope=False, split_norms=False):
    """One Row per (model, tp, tokens), with hetsim's per-rank operators.  split_norms=True
    reproduces the cost model before c5cfed1 for comparison: norms and residual adds split
    over the tp ranks (one tp-th of the replicated per-rank work)."""
    rows = []
    hw = HARDWARE[dev]
    for folder, model in VIDUR[dev]:
        path = os.path.join(args.data, "vidur", "compute", dev, folder, "mlp.csv")
        if not os.path.exists(path):
            die("missing data file " + path)
        meas, geo = load_vidur(path, exclude_rope)
        mp = model_params(args.catalog, model)
        cat = (mp.get("heads"), mp.get("kv_heads"), mp.get("hidden"), mp.get("ffn"))
        if geo != cat:
            die("geometry of %s %s != catalog %s %s" % (path, geo, model, cat))
        for tp in sorted({k[1] for k in meas}):
            toks = sorted(k[0] for k in meas if k[1] == tp)
            ops = hetsim_ops(args, model, hw, tp, "prefill", prompts=toks)
            for t in toks:
                terms = layer_terms(ops[(1, t, 0)], tp, LAYER_OPS - REPLICATED)
                terms += layer_terms(ops[(1, t, 0)], tp * tp if split_norms else tp,
                                     REPLICATED)
                rows.append(Row(meas[(t, tp)], terms, model, tp, t))
    return rows


def report_fit(rows, ec, em, t, peak, bw, label):
    preds = [predict(r, ec, em, peak, bw) + t for r in rows]
    e = errs(rows, preds)
    models = []
    for r in rows:
        if r.model not in models:
            models.append(r.model)
    ranges = ["T <= 64 (weight-bound)", "64 < T < 1024", "T >= 1024 (compute-bound)"]
    table("Residuals by model, %s:" % label, grouped(rows, e, lambda r: r.model, models), "model")
    table("Residuals by tensor parallelism, %s:" % label,
          grouped(rows, e, lambda r: "TP%d" % r.tp), "tp")
    table("Residuals by token range, %s:" % label,
          grouped(rows, e, lambda r: token_range(r.tokens), ranges), "tokens")
    # Median signed error per doubling of T and TP: shows the structure of the residuals.
    octs = sorted({int(math.log2(r.tokens)) for r in rows})
    print("\nMedian signed error by T (rows with 2^i <= T < 2^(i+1)) and TP, %s:\n" % label)
    print("| TP | " + " | ".join("%d" % (1 << o) for o in octs) + " |")
    print("|---|" + "---:|" * len(octs))
    for tp in sorted({r.tp for r in rows}):
        cells = []
        for o in octs:
            sel = [x for r, x in zip(rows, e) if r.tp == tp and int(math.log2(r.tokens)) == o]
            cells.append("%+.0f%%" % (100 * statistics.median(sel)) if sel else "-")
        print("| %d | %s |" % (tp, " | ".join(cells)))
    print("\nResiduals by model x TP x token range, %s; each cell: median |err| / p90 |err| / "
          "median signed err, in %%:\n" % label)
    print("| model | TP | T <= 64 | 64 < T < 1024 | T >= 1024 |")
    print("|---|---:|---:|---:|---:|")
    for m in models:
        for tp in sorted({r.tp for r in rows}):
            cells = []
            for rg in ranges:
                sel = [x for r, x in zip(rows, e) if r.model == m and r.tp == tp and
                       token_range(r.tokens) == rg]
                if sel:
                    _, med, p90, _, sgn = summary(sel)
                    cells.append("%.1f / %.1f / %+.1f" % (med, p90, sgn))
                else:
                    cells.append("-")
            print("| %s | %d | %s |" % (m, tp, " | ".join(cells)))
    return e


def step1(args, dev):
    hw = HARDWARE[dev]
    peak, bw = hardware_params(args.catalog, hw)
    rows = vidur_rows(args, dev)
    prepare(rows, peak, bw, 0.01)
    log_weights(rows)
    print("\n## %s (%s): non-attention layer fit on Vidur mlp.csv\n" % (dev.upper(), hw))
    print("bf16 peak %.1f TFLOP/s, memory bandwidth %.3f TB/s (catalog); %d (tokens, tp, "
          "model) points from %s." % (peak / 1e12, bw / 1e12, len(rows),
                                      ", ".join(m for _, m in VIDUR[dev])))
    ec, em, t, mse, edge = fit(rows, peak, bw, full=args.full_grid)
    ecr, emr, tr = round_sig(ec), round_sig(em), round(t * 1e6) * 1e-6
    _, mse_r = objective(rows, ecr, emr, peak, bw, fixed_t=tr)
    print("\nWeights: every doubling of T counts the same in each (model, tp) sweep "
          "(log_weights); t_layer >= 0.")
    print("\n**Fit:** eta_c = %.2f, eta_m = %.2f, t_layer = %.2f us (RMS relative error "
          "%.1f%%)%s." % (ec, em, t * 1e6, 100 * math.sqrt(mse),
                          "; at the grid edge: " + ", ".join(edge) if edge else ""))
    print("**Catalog (rounded):** efficiency.compute %.2g, efficiency.memory %.2g, "
          "t_layer %d us (RMS relative error %.1f%%)." % (ecr, emr, round(tr * 1e6),
                                                          100 * math.sqrt(mse_r)))

    # Sensitivity / alternative fits.
    print("\nAlternative fits (same grid search; for the discussion, not for the catalog):\n")
    print("| variant | n | eta_c | eta_m | t_layer (us) | RMS rel err | median abs | "
          "p90 abs | max abs |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")

    def variant(name, sub, **kw):
        if not sub:
            return
        vec, vem, vt, vmse, vedge = fit(sub, peak, bw, full=args.full_grid, **kw)
        e = errs(sub, [predict(r, vec, vem, peak, bw) + vt for r in sub])
        n, med, p90, mx, _ = summary(e)
        print("| %s | %d | %.2f | %.2f | %.1f | %.1f%% | %.1f%% | %.1f%% | %.1f%% |"
              % (name + (" (edge: %s)" % ",".join(vedge) if vedge else ""), n, vec, vem,
                 vt * 1e6, 100 * math.sqrt(vmse), med, p90, mx))
        return vec, vem, vt

    variant("all rows, log(T) weights (the fit above)", rows)
    unweighted(rows)
    variant("all rows, every row weight 1", rows)
    log_weights(rows)
    norope = vidur_rows(args, dev, exclude_rope=True)
    prepare(norope, peak, bw, 0.01)
    log_weights(norope)
    variant("measured without attn_rope", norope)
    variant("t_layer forced to 0", rows, fixed_t=0.0)
    split = vidur_rows(args, dev, split_norms=True)
    prepare(split, peak, bw, 0.01)
    log_weights(split)
    old = variant("before c5cfed1: norms + residual split over tp", split)
    variant("TP1 rows only", [r for r in rows if r.tp == 1])
    variant("TP8 rows only", [r for r in rows if r.tp == 8])
    variant("T <= 64 only (eta_c fixed at the fit)", [r for r in rows if r.tokens <= 64],
            fixed_ec=ec)
    variant("T >= 1024 only (eta_m fixed at the fit)", [r for r in rows if r.tokens >= 1024],
            fixed_em=em)
    for _, m in VIDUR[dev]:
        variant("%s only" % m, [r for r in rows if r.model == m])

    e_now = report_fit(rows, ecr, emr, tr, peak, bw, "catalog values (%.2g / %.2g / %d us)"
                       % (ecr, emr, round(tr * 1e6)))

    # Before / after c5cfed1 (norms and residual adds replicated per rank instead of split):
    # each cost model at its own rounded fit, on the same rows and weights.
    oec, oem, ot = round_sig(old[0]), round_sig(old[1]), round(old[2] * 1e6) * 1e-6
    _, omse = objective(split, oec, oem, peak, bw, fixed_t=ot)
    e_old = errs(split, [predict(r, oec, oem, peak, bw) + ot for r in split])
    print("\nBefore / after c5cfed1, each at its own rounded fit: before (norms split over tp) "
          "%.2g / %.2g / %d us, weighted RMS %.1f%%; after (replicated per rank) %.2g / %.2g / "
          "%d us, weighted RMS %.1f%%. Each cell: median |err| / p90 |err| / max |err| / "
          "median signed err, in %%:\n" % (oec, oem, round(ot * 1e6), 100 * math.sqrt(omse),
                                            ecr, emr, round(tr * 1e6), 100 * math.sqrt(mse_r)))
    print("| rows | n | before | after |")
    print("|---|---:|---:|---:|")
    ranges = ["T <= 64 (weight-bound)", "64 < T < 1024", "T >= 1024 (compute-bound)"]
    keys = [("all", lambda r: True)]
    keys += [("TP%d" % tp, (lambda tp: lambda r: r.tp == tp)(tp))
             for tp in sorted({r.tp for r in rows})]
    keys += [(rg, (lambda rg: lambda r: token_range(r.tokens) == rg)(rg)) for rg in ranges]
    for name, sel in keys:
        cells = []
        for rs, e in ((split, e_old), (rows, e_now)):
            sub = [x for r, x in zip(rs, e) if sel(r)]
            n, med, p90, mx, sgn = summary(sub)
            cells.append("%.1f / %.1f / %.1f / %+.1f" % (med, p90, mx, sgn))
        print("| %s | %d | %s |" % (name, n, " | ".join(cells)))

    # Where the model misses: norm/add kernels replicated on every TP rank.
    print("\nTP replication check (%s at its largest T): Vidur's two norms + add (medians) "
          "vs hetsim's two norms + two residual adds per rank at the catalog values.\n"
          % VIDUR[dev][0][1])
    print("| model | T | tp | measured norms+add (us) | hetsim norms+residual (us) |")
    print("|---|---:|---:|---:|---:|")
    for folder, model in VIDUR[dev][:1]:
        path = os.path.join(args.data, "vidur", "compute", dev, folder, "mlp.csv")
        with open(path) as f:
            vr = list(csv.DictReader(f))
        tmax = max(int(r["num_tokens"]) for r in vr)
        for tp in (1, 2, 4, 8):
            sel = [r for r in vr if int(r["num_tokens"]) == tmax and
                   int(r["num_tensor_parallel_workers"]) == tp]
            meas = statistics.median(
                sum(float(r["time_stats.%s.median" % o]) for o in
                    ("input_layernorm", "post_attention_layernorm", "add")) for r in sel)
            ops = hetsim_ops(args, model, hw, tp, "prefill", prompts=[tmax])[(1, tmax, 0)]
            pred = sum(max(f / (ecr * peak), b / (emr * bw)) for f, b in
                       layer_terms(ops, tp, {"attn_norm", "mlp_norm", "residual"}))
            print("| %s | %d | %d | %.1f | %.1f |" % (model, tmax, tp, meas * 1e3, pred * 1e6))
    return {"peak": peak, "bw": bw, "ec": ec, "em": em, "t": t, "ecr": ecr, "emr": emr,
            "tr": tr}


# --------------------------------------------------------------------------- step 2: attention

def read_aic(path):
    with open(path) as f:
        return list(csv.DictReader(f))


def attention_rows(args, dev, kind, kvdtype):
    """Rows of an AIConfigurator attention table mapped to hetsim's attention operator.

    kind 'decode': context = kv_len_tokens + 1 (the cached tokens plus the new one).
    kind 'prefill': batch_size prompts of prompt_len_tokens, causal."""
    gen, ctx = AIC_FILES[dev]
    path = os.path.join(args.data, gen if kind == "decode" else ctx)
    if not os.path.exists(path):
        die("missing data file " + path)
    data = read_aic(path)
    kv = "fp8" if kvdtype == "fp8" else None
    rows = []
    for model, h, hkv in ATTN_MODELS:
        for tp in ATTN_TPS:
            hh, hk = h // tp, hkv // tp
            sel = [r for r in data if int(r["num_heads"]) == hh and
                   int(r["num_key_value_heads"]) == hk and r["kv_cache_dtype"] == kvdtype and
                   int(r["head_dim"]) == 128]
            if not sel:
                continue
            meas = {}
            if kind == "decode":
                for r in sel:
                    k = (int(r["batch_size"]), int(r["kv_len_tokens"]))
                    meas.setdefault(k, []).append(float(r["latency_ms"]) * 1e-3)
                batches = sorted({k[0] for k in meas})
                ctxs = sorted({k[1] + 1 for k in meas})
                ops = hetsim_ops(args, model, "h100-sxm", tp, "decode", contexts=ctxs,
                                 batches=batches, kv=kv)
                for (b, l), v in sorted(meas.items()):
                    terms = layer_terms(ops[(b, 0, l + 1)], tp, {"attn_decode"})
                    rows.append(Row(statistics.median(v), terms, model, tp, b * l,
                                    {"batch": b, "len": l}))
            else:
                for r in sel:
                    k = (int(r["batch_size"]), int(r["prompt_len_tokens"]))
                    meas.setdefault(k, []).append(float(r["latency_ms"]) * 1e-3)
                batches = sorted({k[0] for k in meas})
                lens = sorted({k[1] for k in meas})
                ops = hetsim_ops(args, model, "h100-sxm", tp, "prefill", prompts=lens,
                                 batches=batches, kv=kv)
                for (b, l), v in sorted(meas.items()):
                    terms = layer_terms(ops[(b, l, 0)], tp, {"attn_prefill"})
                    rows.append(Row(statistics.median(v), terms, model, tp, b * l,
                                    {"batch": b, "len": l}))
    return rows


def len_bucket(n):
    if n < 256:
        return "KV/prompt < 256"
    if n < 4095:
        return "256 - 4094"
    if n < 32767:
        return "4095 - 32766"
    return ">= 32767"


LEN_ORDER = ["KV/prompt < 256", "256 - 4094", "4095 - 32766", ">= 32767"]


def batch_bucket(b):
    if b <= 4:
        return "batch 1 - 4"
    if b <= 64:
        return "batch 8 - 64"
    return "batch 128 - 2048"


BATCH_ORDER = ["batch 1 - 4", "batch 8 - 64", "batch 128 - 2048"]


def attn_tables(rows, ec, em, t, peak, bw, label):
    preds = [predict(r, ec, em, peak, bw) + t for r in rows]
    e = errs(rows, preds)
    keys = ["%s, %s" % (lb, bb) for lb in LEN_ORDER for bb in BATCH_ORDER]
    table("%s, by length and batch:" % label,
          grouped(rows, e, lambda r: "%s, %s" % (len_bucket(r.extra["len"]),
                                                 batch_bucket(r.extra["batch"])), keys),
          "length, batch")
    return e


def step2(args, cal):
    h = cal["h100"]
    ec, em = h["ecr"], h["emr"]
    print("\n## Attention cross-check (AIConfigurator vLLM 0.19 flash-attn tables)\n")
    print("Prediction = hetsim's attn_decode / attn_prefill operator (per layer, per GPU) "
          "with the H100-fitted eta_c = %.2g, eta_m = %.2g and each device's catalog peak and "
          "bandwidth. Rows: head_dim 128, per-GPU heads of llama-3-8b (32/8) and llama-3-70b "
          "(64/8) at TP 1, 2, 4, 8 (q and kv heads divided by tp); decode context = "
          "kv_len_tokens + 1. Not fitted into the catalog efficiencies." % (ec, em))
    out = {}
    for dev in ("h100", "h200", "b200"):
        peak, bw = hardware_params(args.catalog, HARDWARE[dev])
        for kvd in ("bfloat16", "fp8"):
            rows = attention_rows(args, dev, "decode", kvd)
            if not rows:
                continue
            prepare(rows, peak, bw, 0.0)
            print("\n### %s decode attention, %s KV (%d rows; catalog BW %.2f TB/s)"
                  % (dev.upper(), kvd, len(rows), bw / 1e12))
            small = [r.m for r in rows if r.extra["batch"] == 1 and r.extra["len"] <= 63]
            floor = round(statistics.median(small) * 1e6) * 1e-6
            t_ls, mse = objective(rows, ec, em, peak, bw)
            print("\nSmallest kernels (batch 1, KV <= 63): median %.1f us (%.1f - %.1f); the "
                  "least-squares additive floor over all rows would be %.1f us. Floor used "
                  "below: %.0f us." % (1e6 * statistics.median(small), 1e6 * min(small),
                                       1e6 * max(small), t_ls * 1e6, floor * 1e6))
            attn_tables(rows, ec, em, floor, peak, bw,
                        "Errors, roofline + %.0f us floor" % (floor * 1e6))
            # Bandwidth-bound rows: KV read per GPU >= 256 MB.
            bb = [r for r in rows if sum(b for _, b in r.terms) >= 256e6]
            print("\nBandwidth-bound rows (>= 256 MB read per GPU): achieved fraction of "
                  "the catalog bandwidth (KV + q/o bytes / measured time):\n")
            print("| kv heads per GPU | n | median | min | max |")
            print("|---|---:|---:|---:|---:|")
            allach = []
            for hk in sorted({r.tp for r in bb}):
                sel = [r for r in bb if r.tp == hk]
                ach = [sum(b for _, b in r.terms) / r.m / bw for r in sel]
                allach += ach
                print("| %d (%s) | %d | %.2f | %.2f | %.2f |"
                      % (8 // hk, "TP%d" % hk, len(ach), statistics.median(ach), min(ach),
                         max(ach)))
            if allach:
                print("| all | %d | %.2f | %.2f | %.2f |" % (len(allach),
                      statistics.median(allach), min(allach), max(allach)))
            out[(dev, "decode", kvd)] = (floor, statistics.median(allach) if allach else None)

        rows = attention_rows(args, dev, "prefill", "bfloat16")
        prepare(rows, peak, bw, 0.0)
        print("\n### %s prefill attention, bf16 (%d rows; catalog bf16 peak %.0f TFLOP/s)"
              % (dev.upper(), len(rows), peak / 1e12))
        small = [r.m for r in rows if r.extra["batch"] == 1 and r.extra["len"] <= 16]
        floor = round(statistics.median(small) * 1e6) * 1e-6
        print("\nSmallest kernels (batch 1, prompt <= 16): median %.1f us." %
              (1e6 * statistics.median(small)))
        cb = [r for r in rows if sum(f for f, _ in r.terms) >= 1e11]
        ach = [sum(f for f, _ in r.terms) / r.m / peak for r in cb]
        if ach:
            print("Compute-bound rows (>= 1e11 causal FLOPs per GPU, %d rows): achieved "
                  "fraction of the bf16 peak median %.2f, min %.2f, max %.2f."
                  % (len(ach), statistics.median(ach), min(ach), max(ach)))
        if ach and max(ach) > 1.0:
            print("\n**Not usable:** %d of %d compute-bound rows imply more than the bf16 "
                  "peak (up to %.1fx), so this table cannot be causal bf16 attention as "
                  "labelled; no errors are reported for it." % (
                      sum(1 for a in ach if a > 1.0), len(ach), max(ach)))
            continue
        attn_tables(rows, ec, em, floor, peak, bw,
                    "Errors, roofline + %.0f us floor" % (floor * 1e6))
        out[(dev, "prefill")] = (floor, statistics.median(ach) if ach else None)
    return out


def gemm_check(args, cal):
    """vLLM 0.19 bf16 GEMMs on H100 against hetsim's GEMM operator formula."""
    h = cal["h100"]
    ec, em = h["ecr"], h["emr"]
    peak, bw = hardware_params(args.catalog, HARDWARE["h100"])
    path = os.path.join(args.data, "aiconfigurator", "vllm0.19.0_gemm_perf.csv")
    if not os.path.exists(path):
        die("missing data file " + path)
    meas = {}
    with open(path) as f:
        for r in csv.DictReader(f):
            m, n, k = int(r["m"]), int(r["n"]), int(r["k"])
            if r["gemm_dtype"] != "bfloat16" or n < 1024 or k < 1024 or m > 16384:
                continue
            meas.setdefault((m, n, k), []).append(float(r["latency_ms"]) * 1e-3)
    rows = []
    for (m, n, k), v in sorted(meas.items()):
        # hetsim's gemm(): 2*T*ic*oc FLOPs; weight ic*oc + activations T*(ic+oc), 2 B each.
        rows.append(Row(statistics.median(v), [(2.0 * m * n * k, 2.0 * (k * n + m * (k + n)))],
                        "gemm", 1, m, {"n": n, "k": k}))
    prepare(rows, peak, bw, 0.0)
    print("\n## GEMM cross-check (AIConfigurator vLLM 0.19 bf16 GEMMs, H100)\n")
    print("%d shapes with n, k >= 1024 and m <= 16384 (m = tokens). Prediction = hetsim's GEMM "
          "operator (2mnk FLOPs; (kn + m(k+n)) x 2 B) with the catalog eta_c %.2g, eta_m %.2g "
          "and no floor. A check on a newer kernel stack than Vidur's; not fitted into the "
          "catalog." % (len(rows), ec, em))
    e = errs(rows, [predict(r, ec, em, peak, bw) for r in rows])
    rng = ["m <= 16", "17 <= m <= 128", "129 <= m <= 1024", "m > 1024"]

    def mb(r):
        return rng[0] if r.tokens <= 16 else rng[1] if r.tokens <= 128 else \
            rng[2] if r.tokens <= 1024 else rng[3]
    table("Errors by m:", grouped(rows, e, mb, rng), "m")
    big_c = [r for r in rows if r.terms[0][0] >= 1e12]
    ach = [r.terms[0][0] / r.m / peak for r in big_c]
    big_m = [r for r in rows if r.tokens <= 16 and r.terms[0][1] >= 64e6]
    achm = [r.terms[0][1] / r.m / bw for r in big_m]
    print("\nGEMMs >= 1 TFLOP (%d): achieved fraction of the bf16 peak median %.2f, p90 %.2f, "
          "max %.2f. GEMMs with m <= 16 reading >= 64 MB (%d): achieved fraction of the "
          "bandwidth median %.2f, max %.2f." % (len(ach), statistics.median(ach), pct(ach, 90),
                                                max(ach), len(achm), statistics.median(achm),
                                                max(achm)))
    vec, vem, vt, vmse, vedge = fit(rows, peak, bw, full=args.full_grid)
    print("A fit on these GEMMs alone (unweighted, additive floor): eta_c %.2f, eta_m %.2f, "
          "floor %.1f us, RMS relative error %.1f%%%s." % (vec, vem, vt * 1e6,
                                                           100 * math.sqrt(vmse),
                                                           " (grid edge)" if vedge else ""))


# --------------------------------------------------------------------------- step 3: consistency

def step3(args, cal):
    print("\n## Consistency: hetsim's own step time with the rounded values\n")
    tmp = tempfile.mkdtemp(prefix="hetsim-cal-")
    try:
        for sub in ("models", "hardware", "links"):
            shutil.copytree(os.path.join(args.catalog, sub), os.path.join(tmp, sub))
        print("| hardware | model, tp | T | hetsim time_s (ms) | script (ms) | diff |")
        print("|---|---|---:|---:|---:|---:|")
        worst = 0.0
        for dev, c in sorted(cal.items()):
            hw = HARDWARE[dev]
            path = os.path.join(tmp, "hardware", hw + ".yaml")
            with open(path) as f:
                text = f.read()
            step_s = 3e-6
            text = re.sub(r"(?m)^(  compute:\s*)[^\s#]+", r"\g<1>%.2g" % c["ecr"], text)
            text = re.sub(r"(?m)^(  memory:\s*)[^\s#]+", r"\g<1>%.2g" % c["emr"], text)
            text = re.sub(r"(?m)^(  step:\s*)[^\s#]+", r"\g<1>3us", text)
            text = re.sub(r"(?m)^(  layer:\s*)[^\s#]+", r"\g<1>%dus" % c["layer_us"], text)
            with open(path, "w") as f:
                f.write(text)
            env = dict(os.environ, HETSIM_CATALOG=tmp)
            lbw, lat = link_params(tmp, hw)
            toks = [1, 512, 4096]
            # TP > 1 exercises the replicated norms / residual adds (and the all-reduces).
            for model, tp in (("llama-2-7b", 1), ("llama-2-7b", 8), ("llama-2-70b", 4)):
                mp = model_params(args.catalog, model)
                layers = mp["layers"]
                got = hetsim_points(args, model, hw, tp, "prefill", toks, env)
                ops = hetsim_ops(args, model, hw, tp, "prefill", prompts=toks, env=env)
                for t in toks:
                    # Instance totals / tp = one rank's work (split and replicated ops alike).
                    mine = sum(max(f / tp / (c["ecr"] * c["peak"]),
                                   b / tp / (c["emr"] * c["bw"]))
                               for (_, _, f, b) in ops[(1, t, 0)])
                    mine += step_s + layers * c["layer_us"] * 1e-6
                    if tp > 1:  # two ring all-reduces of T * hidden * 2 B per layer
                        steps = 2.0 * (tp - 1)
                        mine += 2 * layers * (steps * lat +
                                              steps / tp * t * mp["hidden"] * 2.0 / lbw)
                    d = got[t] / mine - 1.0
                    worst = max(worst, abs(d))
                    print("| %s | %s TP%d | %d | %.4f | %.4f | %+.2e |"
                          % (hw, model, tp, t, got[t] * 1e3, mine * 1e3, d))
        print("\nLargest difference %.1e (the script reproduces hetsim's roofline)." % worst)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


# --------------------------------------------------------------------------- main

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", default=os.path.join(REPO, "..", "shared", "data"))
    ap.add_argument("--hetsim", default=os.path.join(REPO, "build", "hetsim"))
    ap.add_argument("--catalog", default=os.environ.get("HETSIM_CATALOG") or
                    os.path.join(REPO, "configs"))
    ap.add_argument("--device", choices=["h100", "a100", "all"], default="all")
    ap.add_argument("--full-grid", action="store_true",
                    help="scan every 0.01 pair of (eta_c, eta_m) (slow)")
    ap.add_argument("--no-attention", action="store_true",
                    help="skip the AIConfigurator attention cross-check")
    args = ap.parse_args()
    args.data = os.path.abspath(args.data)
    if not os.path.isdir(os.path.join(args.data, "vidur", "compute")):
        die("shared data not found at %s (expected vidur/compute/ and aiconfigurator/ "
            "inside); pass --data DIR pointing at shared/data" % args.data)
    if not (os.path.isfile(args.hetsim) and os.access(args.hetsim, os.X_OK)):
        die("hetsim binary not found at %s; run `make build/hetsim` or pass --hetsim PATH"
            % args.hetsim)
    for sub in ("models", "hardware", "links"):
        if not os.path.isdir(os.path.join(args.catalog, sub)):
            die("catalog %s lacks %s/" % (args.catalog, sub))

    print("# hetsim calibration on measured kernel data\n")
    print("data: `%s`; hetsim: `%s`; catalog: `%s`." % (args.data, args.hetsim, args.catalog))
    devs = ["h100", "a100"] if args.device == "all" else [args.device]
    cal = {}
    for dev in devs:
        cal[dev] = step1(args, dev)
    floor_us = 0
    if "h100" in cal and not args.no_attention:
        att = step2(args, cal)
        gemm_check(args, cal)
        floor_us = round(att[("h100", "decode", "bfloat16")][0] * 1e6)
    print("\n## Values for the catalog\n")
    print("overhead.layer = the fitted non-attention t_layer (rounded to 1 us) + the H100 "
          "decode-attention floor (%d us; AIConfigurator batch 1, KV <= 63; A100 borrows it, "
          "there is no A100 attention table). overhead.step stays 3 us (not calibrated: "
          "the kernel data has no per-step cost).\n" % floor_us)
    print("| hardware | efficiency.compute | efficiency.memory | overhead.layer | "
          "overhead.step |")
    print("|---|---:|---:|---:|---:|")
    for dev, c in cal.items():
        c["layer_us"] = round(c["tr"] * 1e6) + floor_us
        print("| %s | %.2g | %.2g | %d us (%d + %d) | 3 us |" % (
            HARDWARE[dev], c["ecr"], c["emr"], c["layer_us"], round(c["tr"] * 1e6), floor_us))
    step3(args, cal)


if __name__ == "__main__":
    main()
