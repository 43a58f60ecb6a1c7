#!/bin/sh
# t_oicf.sh -- 'hetsim oicf': the CSV contract (header and column order),
# values that follow the formulas, one row per requested point, JSON,
# --db rows, the points file, and bad usage (exit 2).
# Run by tests/cli/run.sh from the repository root with $HETSIM set.
set -u
: "${HETSIM:?HETSIM must name the hetsim binary}"
. tests/cli/lib.sh

fail() {
    echo "t_oicf: $*"
    exit 1
}

want="model,hardware,phase,batch,prompt_tokens,context_tokens,tp,flops,weight_bytes,kv_bytes,act_bytes,bytes,oi,ridge_oi,cf_bytes,time_s,bound"
"$HETSIM" oicf --model llama-3-8b --hardware h100-sxm --phase decode \
    --context 4096,65536 --batch 1,8 --beyond-context --format csv \
    >"$tmp/out" ||
    fail "csv run failed"
head -1 "$tmp/out" | grep -q "^$want" || fail "header: $(head -1 "$tmp/out")"
[ "$(wc -l <"$tmp/out")" -eq 5 ] || fail "want 4 rows and a header"

# Decode, batch 1, context 4096, bf16: KV bytes = 32 layers x 4097 tokens x
# 2 x 8 heads x 128 x 2 B (read 4096, write 1); bytes = weight+kv+act;
# oi = flops/bytes; ridge = 989.4e12 / 3.35e12.
awk -F, 'NR == 2 {
    kv = 32 * 4097 * 2 * 8 * 128 * 2
    if ($10 != kv) { print "kv_bytes " $10 " != " kv; exit 1 }
    if ($12 != $9 + $10 + $11) { print "bytes is not the sum"; exit 1 }
    d = $13 - $8 / $12; if (d < 0) d = -d
    if (d > 1e-9 * $13) { print "oi != flops/bytes"; exit 1 }
    d = $14 - 989.4e12 / 3.35e12; if (d < 0) d = -d
    if (d > 1e-9) { print "ridge " $14; exit 1 }
    if ($17 != "bandwidth") { print "bound " $17; exit 1 }
}' "$tmp/out" || fail "values"

# 64 sequences of 64k context in bf16 cannot fit one H100: capacity.
"$HETSIM" oicf --model llama-3-8b --hardware h100-sxm --context 65536 \
    --batch 64 --beyond-context --format csv | awk -F, 'NR == 2 && $17 != "capacity" {
    print "bound " $17; exit 1 }' || fail "capacity"

"$HETSIM" oicf --model llama-3-8b --hardware h100-sxm --format json \
    >"$tmp/json" || fail "json"
grep -q '"oi": ' "$tmp/json" || fail "json has no oi"

"$HETSIM" oicf --scenario configs/examples/paper-oicf.yaml \
    --db "$tmp/o.db" >/dev/null || fail "points file"
n=$(sqlite3 "$tmp/o.db" "SELECT count(*) FROM oicf")
[ "$n" -eq 9 ] || fail "$n oicf rows, want 9"
st=$(sqlite3 "$tmp/o.db" "SELECT status FROM runs")
[ "$st" = done ] || fail "run status '$st'"

"$HETSIM" oicf --model nope --hardware h100-sxm >/dev/null 2>"$tmp/err"
[ $? -eq 2 ] || fail "unknown model: want exit 2"
"$HETSIM" oicf --model llama-3-8b --hardware h100-sxm --batch x \
    >/dev/null 2>"$tmp/err"
[ $? -eq 2 ] || fail "bad batch: want exit 2"
printf 'points:\n  - {model: llama-3-8b, hardware: h100-sxm, batch: 0}\n' \
    >"$tmp/p.yaml"
"$HETSIM" oicf --scenario "$tmp/p.yaml" >/dev/null 2>"$tmp/err"
[ $? -eq 2 ] || fail "bad points file: want exit 2"
grep -q "p.yaml:2:.*batch" "$tmp/err" || fail "no located error: $(cat "$tmp/err")"
# max_context (issue 17 item 6): llama-3-8b holds 8192 tokens.  A decode
# at context 8192 and a prefill of 8000 after 192 cached are inside it; one
# token more is refused (exit 2, naming the limit and the way past it),
# unless --beyond-context; the same per point in a points file.
"$HETSIM" oicf --model llama-3-8b --hardware h100-sxm --context 8192 \
    >/dev/null || fail "context 8192 refused"
"$HETSIM" oicf --model llama-3-8b --hardware h100-sxm --phase prefill \
    --prompt 8000 --context 192 >/dev/null || fail "prefill 8000+192 refused"
"$HETSIM" oicf --model llama-3-8b --hardware h100-sxm --context 8193 \
    >"$tmp/out" 2>"$tmp/err"
[ $? -eq 2 ] || fail "context 8193: want exit 2"
[ -s "$tmp/out" ] && fail "context 8193: printed a table"
grep -q "8193 tokens of context exceed llama-3-8b's max_context 8192; pass --beyond-context" \
    "$tmp/err" || fail "context 8193: message: $(cat "$tmp/err")"
"$HETSIM" oicf --model llama-3-8b --hardware h100-sxm --phase prefill \
    --prompt 8000 --context 193 >/dev/null 2>&1
[ $? -eq 2 ] || fail "prefill 8000+193: want exit 2"
"$HETSIM" oicf --model llama-3-8b --hardware h100-sxm --context 1000000 \
    >/dev/null 2>&1
[ $? -eq 2 ] || fail "context 1000000: want exit 2"
"$HETSIM" oicf --model llama-3-8b --hardware h100-sxm --context 1000000 \
    --beyond-context --format csv >"$tmp/out" || fail "--beyond-context"
[ "$(awk -F, 'NR == 2 { print $6 }' "$tmp/out")" = 1000000 ] ||
    fail "--beyond-context: context column"
cat >"$tmp/p.yaml" <<'END'
points:
  - {model: llama-3-8b, hardware: h100-sxm, context: 8192}
  - {model: llama-3-8b, hardware: h100-sxm, context: 9000}
  - {model: llama-3-8b, hardware: h100-sxm, context: 9000, beyond_context: true}
END
"$HETSIM" oicf --scenario "$tmp/p.yaml" >/dev/null 2>"$tmp/err"
[ $? -eq 2 ] || fail "points file past max_context: want exit 2"
[ "$(wc -l <"$tmp/err")" -eq 1 ] || fail "want one error: $(cat "$tmp/err")"
grep -q "p.yaml:3:5: error: context: 9000 tokens" "$tmp/err" ||
    fail "points file: located error: $(cat "$tmp/err")"

# A model file instead of a catalog name: the same numbers as the entry
# (the file is a copy of it under another name), named by its 'name'.
sed 's/^name: llama-3-8b/name: my-8b/' configs/models/llama-3-8b.yaml \
    >"$tmp/my-8b.yaml"
"$HETSIM" oicf --model llama-3-8b --hardware h100-sxm --format csv |
    cut -d, -f2- >"$tmp/cat.csv"
"$HETSIM" oicf --model "$tmp/my-8b.yaml" --hardware h100-sxm --format csv \
    >"$tmp/file.csv" || fail "model file"
[ "$(awk -F, 'NR == 2 { print $1 }' "$tmp/file.csv")" = my-8b ] ||
    fail "model file: name column"
cut -d, -f2- "$tmp/file.csv" | cmp -s - "$tmp/cat.csv" ||
    fail "model file: values differ from the catalog entry"
printf 'points:\n  - {model: my-8b.yaml, hardware: h100-sxm}\n' \
    >"$tmp/pf.yaml"
"$HETSIM" oicf --scenario "$tmp/pf.yaml" --format csv >/dev/null ||
    fail "model file relative to the points file"
printf 'name: x\nlayers: 2\n' >"$tmp/bad-model.yaml"
"$HETSIM" oicf --model "$tmp/bad-model.yaml" --hardware h100-sxm \
    >/dev/null 2>"$tmp/err"
[ $? -eq 2 ] || fail "bad model file: want exit 2"
grep -q "bad-model.yaml:1:1: error" "$tmp/err" ||
    fail "bad model file: $(cat "$tmp/err")"

# --precision fp8 is W8A8: GEMMs at the fp8 peak, attention at bf16
# (columns gemm_format, attn_format, peak_flops); nvfp4 runs at B200's
# fp4 peak and falls back to fp8 on an H100 (the 'peak' column says so).
"$HETSIM" oicf --model llama-3-8b --hardware h100-sxm --precision fp8 \
    --format csv >"$tmp/p8" || fail "--precision fp8"
[ "$(awk -F, 'NR == 2 { print $26 "," $27 "," $28 }' "$tmp/p8")" = \
    "fp8,bf16,1978900000000000" ] || fail "--precision fp8: $(cat "$tmp/p8")"
"$HETSIM" oicf --model llama-3-8b --hardware b200 --precision nvfp4 \
    --format csv | awk -F, 'NR == 2 { print $26 }' | grep -qx nvfp4 ||
    fail "--precision nvfp4 on b200"
"$HETSIM" oicf --model llama-3-8b --hardware h100-sxm --precision nvfp4 |
    awk 'NR == 2 { print $9 }' | grep -qx fp8 ||
    fail "--precision nvfp4 on h100: want the fp8 peak"
"$HETSIM" oicf --model llama-3-8b --hardware h100-sxm --precision fp6 \
    2>"$tmp/err" >/dev/null
[ $? -eq 2 ] || fail "--precision fp6: want exit 2"

# Several hardware: one line per point, the hardware side by side, each
# with the time the single-hardware table gives.
"$HETSIM" oicf --model llama-3-8b --hardware h100-sxm,h200 --batch 1,8 \
    >"$tmp/side" || fail "side by side"
[ "$(wc -l <"$tmp/side")" -eq 4 ] || fail "side by side: want 2 header lines and 2 rows"
t1=$("$HETSIM" oicf --model llama-3-8b --hardware h200 --batch 8 |
    awk 'NR == 2 { print $16 }')
awk -F'|' 'NR == 4 { print $3 }' "$tmp/side" | grep -q " $t1 " ||
    fail "side by side: h200 time is not $t1: $(cat "$tmp/side")"

# Why a point is bound: its OI against the ridge the efficiencies give.
"$HETSIM" oicf --model llama-3-8b --hardware h100-sxm --format csv |
    awk -F, 'NR == 2 {
    e = $14 * $22 / $23; d = $24 - e; if (d < 0) d = -d
    if (d > 1e-9 * e) { print "eff_ridge_oi " $24 " != " e; exit 1 }
    if ($13 >= $24 || $25 != 0) { print "decode b1 not memory-bound"; exit 1 }
}' || fail "why columns"
"$HETSIM" oicf --model llama-3-8b --hardware h100-sxm --batch 64 |
    grep -q "bandwidth OI 21.94 < 218 = ridge 295.3 x 0.62/0.84" ||
    fail "why text: $("$HETSIM" oicf --model llama-3-8b --hardware h100-sxm --batch 64)"
exit 0
