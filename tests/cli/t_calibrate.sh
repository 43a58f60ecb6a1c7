#!/bin/sh
# t_calibrate.sh -- 'hetsim calibrate' on the kernel excerpt of
# tests/data/kernels (never the shared data): it writes a calibration
# file that a catalog entry can name and that the cost model then uses;
# a broken calibration file, a missing data folder, a malformed table
# row and an unknown device are errors with exit 2 (located where there
# is a file).  Run by tests/cli/run.sh from the repository root with
# $HETSIM set to the binary.
unset HETSIM_CATALOG
. tests/cli/lib.sh

mkdir -p "$tmp/out"
"$HETSIM" calibrate --data tests/data/kernels --device h100-sxm \
    --out "$tmp/out" >"$tmp/stdout" 2>"$tmp/err"
rc=$?
[ "$rc" -eq 0 ] || fail "calibrate: exit $rc: $(cat "$tmp/err")"
f="$tmp/out/h100-sxm.yaml"
[ -f "$f" ] || fail "calibrate: no $f"
grep -q '^name: h100-sxm$' "$f" || fail "calibrate: no name line in $f"
for k in gemm attn_prefill attn_decode moe elementwise; do
    grep -q "^  $k:\$" "$f" || fail "calibrate: class $k not in $f"
    grep -q "^  $k  *[0-9]" "$tmp/stdout" ||
        fail "calibrate: no residual line for $k: $(cat "$tmp/stdout")"
done
grep -q '^  allreduce 8 GPUs: ' "$tmp/stdout" ||
    fail "calibrate: no all-reduce line"
ls -a "$tmp/out" | grep -q tmp && fail "calibrate: temporary file left"

# The same data and options give the same bytes.
mkdir -p "$tmp/out2"
"$HETSIM" calibrate --data tests/data/kernels --device h100-sxm \
    --out "$tmp/out2" >/dev/null 2>&1
cmp -s "$f" "$tmp/out2/h100-sxm.yaml" || fail "calibrate: not deterministic"

# A catalog whose h100-sxm names the file: the cost model uses it (the
# step time moves), and 'calibration: none' gives the scalar roofline.
mkdir -p "$tmp/cat"
cp -r configs/models configs/hardware configs/links "$tmp/cat/"
mkdir -p "$tmp/cat/calibration"
cp "$f" "$tmp/cat/calibration/h100-sxm.yaml"
oicf() {
    HETSIM_CATALOG="$tmp/cat" "$HETSIM" oicf --model llama-3-8b \
        --hardware "$1" --batch 8 --context 2048 --format csv
}
oicf h100-sxm >"$tmp/cal" 2>"$tmp/err" ||
    fail "oicf with the calibration: exit $?: $(cat "$tmp/err")"
sed -i 's/^calibration: h100-sxm$/calibration: none/' \
    "$tmp/cat/hardware/h100-sxm.yaml"
oicf h100-sxm >"$tmp/none" 2>"$tmp/err" ||
    fail "oicf without the calibration: exit $?: $(cat "$tmp/err")"
cmp -s "$tmp/cal" "$tmp/none" && fail "oicf: the calibration changed nothing"

# A broken calibration file: located error, exit 2.
sed -i 's/^calibration: none$/calibration: h100-sxm/' \
    "$tmp/cat/hardware/h100-sxm.yaml"
sed -i '0,/eff_compute: .*/s//eff_compute: fast/' \
    "$tmp/cat/calibration/h100-sxm.yaml"
oicf h100-sxm >/dev/null 2>"$tmp/err"
rc=$?
[ "$rc" -eq 2 ] || fail "broken calibration: exit $rc, want 2"
grep -q "calibration/h100-sxm.yaml:[0-9]*:[0-9]*: error: curves.gemm.eff_compute: " \
    "$tmp/err" || fail "broken calibration: $(cat "$tmp/err")"

# A calibration file that does not exist, named by a scenario.
cat >"$tmp/sc.yaml" <<'YAML'
name: t
model: llama-3-8b
hardware: {h100: {catalog: h100-sxm, calibration: nosuch}}
cluster: {instances: [{name: a, device: h100, count: 1}]}
workload:
  - {name: w, synthetic: {arrival: {process: constant, rate: 1/s},
     requests: 2, prompt: {dist: fixed, value: 16},
     output: {dist: fixed, value: 2}}}
YAML
"$HETSIM" check "$tmp/sc.yaml" >/dev/null 2>"$tmp/err"
rc=$?
[ "$rc" -eq 2 ] || fail "missing calibration: exit $rc, want 2"
grep -q "sc.yaml:3:.*nosuch.yaml" "$tmp/err" ||
    fail "missing calibration: $(cat "$tmp/err")"

# No tables, a malformed row, an unknown device: exit 2.
"$HETSIM" calibrate --data "$tmp/nothing" --out "$tmp/out" >/dev/null \
    2>"$tmp/err"
[ $? -eq 2 ] || fail "calibrate without data: want exit 2"
grep -q "no kernel table found" "$tmp/err" ||
    fail "calibrate without data: $(cat "$tmp/err")"
mkdir -p "$tmp/bad/aiconfigurator"
head -5 tests/data/kernels/aiconfigurator/vllm0.19.0_gemm_perf.csv \
    >"$tmp/bad/aiconfigurator/vllm0.19.0_gemm_perf.csv"
echo 'bfloat16,64,64' >>"$tmp/bad/aiconfigurator/vllm0.19.0_gemm_perf.csv"
"$HETSIM" calibrate --data "$tmp/bad" --device h100-sxm --out "$tmp/out" \
    >/dev/null 2>"$tmp/err"
[ $? -eq 2 ] || fail "calibrate, bad row: want exit 2"
grep -q "vllm0.19.0_gemm_perf.csv:6:1: error: expected 5 cells" "$tmp/err" ||
    fail "calibrate, bad row: $(cat "$tmp/err")"
"$HETSIM" calibrate --device tpu-v9 >/dev/null 2>"$tmp/err"
[ $? -eq 2 ] || fail "calibrate, unknown device: want exit 2"

exit $failed
