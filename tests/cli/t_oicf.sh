#!/bin/sh
# t_oicf.sh -- 'hetsim oicf': the CSV contract (header and column order),
# values that follow the formulas, one row per requested point, JSON,
# --db rows, the points file, and bad usage (exit 2).
# Run by tests/cli/run.sh from the repository root with $HETSIM set.
set -u
: "${HETSIM:?HETSIM must name the hetsim binary}"
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

fail() {
    echo "t_oicf: $*"
    exit 1
}

want="model,hardware,phase,batch,prompt_tokens,context_tokens,tp,flops,weight_bytes,kv_bytes,act_bytes,bytes,oi,ridge_oi,cf_bytes,time_s,bound"
"$HETSIM" oicf --model llama-3-8b --hardware h100-sxm --phase decode \
    --context 4096,65536 --batch 1,8 --format csv >"$tmp/out" ||
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
    --batch 64 --format csv | awk -F, 'NR == 2 && $17 != "capacity" {
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
exit 0
