#!/bin/sh
# t_list.sh -- 'hetsim list': the shipped catalogs and presets list and
# exit 0; 'list presets' shows the four presets of configs/presets; a
# broken preset is reported with its file:line:col and exit 2; a bad kind
# is a usage error (exit 2).  Run by tests/cli/run.sh from the repository
# root with $HETSIM set to the binary.
unset HETSIM_CATALOG
. tests/cli/lib.sh

for kind in models hardware links presets; do
    "$HETSIM" list "$kind" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    [ "$rc" -eq 0 ] || fail "list $kind: exit status $rc, want 0"
    [ -s "$tmp/err" ] && fail "list $kind: unexpected stderr: $(cat "$tmp/err")"
    [ "$(head -c 5 "$tmp/out")" = "name " ] ||
        fail "list $kind: no header line"
done

# The four presets, one row each, in name order, after the header.
"$HETSIM" list presets >"$tmp/out" 2>&1
cut -d' ' -f1 "$tmp/out" >"$tmp/names"
printf 'name\nchat\ncoding\ncomputer-use\nweb\n' >"$tmp/want"
cmp -s "$tmp/names" "$tmp/want" || {
    fail "list presets: rows differ (- want, + got):"
    diff "$tmp/want" "$tmp/names"
}
grep -q '^coding  *82\.5  *20800  *1181  *523  *0\.89  *18\.4s  *46\.7min  *272000$' \
    "$tmp/out" || fail "list presets: coding row: $(grep '^coding' "$tmp/out")"

# Another catalog: the test catalog has one made-up preset.
HETSIM_CATALOG=tests/data/catalog "$HETSIM" list presets >"$tmp/out" 2>&1 ||
    fail "list presets (test catalog): exit status $?"
[ "$(cut -d' ' -f1 "$tmp/out" | tr '\n' ' ')" = "name coding " ] ||
    fail "list presets (test catalog): $(cat "$tmp/out")"

# A catalog with a broken preset: every problem, with its location.
mkdir -p "$tmp/cat/models" "$tmp/cat/hardware" "$tmp/cat/links" \
    "$tmp/cat/presets"
cp tests/data/catalog/presets/coding.yaml "$tmp/cat/presets/"
printf 'name: broken\ncalls: {dist: fixed, value: 0}\n' \
    >"$tmp/cat/presets/broken.yaml"
HETSIM_CATALOG="$tmp/cat" "$HETSIM" list presets >"$tmp/out" 2>"$tmp/err"
rc=$?
[ "$rc" -eq 2 ] || fail "list presets (broken): exit status $rc, want 2"
[ -s "$tmp/out" ] && fail "list presets (broken): stdout not empty"
grep -q "^$tmp/cat/presets/broken.yaml:2:29: error: calls.value: expected a number >= 1, found '0'\$" \
    "$tmp/err" || fail "list presets (broken): stderr: $(cat "$tmp/err")"

# HuggingFace configs (tests/data/hf): rows as the catalog prints them,
# the published parameter counts (Llama-3.1-405B 405B; DeepSeek-V3 671B
# total, 37B active; Qwen3-235B-A22B 235B / 22B), and a warning, located,
# for each feature the cost model leaves out (gpt-oss: sliding window).
H=tests/data/hf
"$HETSIM" list models --from "$H/meta-llama--Meta-Llama-3.1-405B_config.json" \
    --from "$H/deepseek-ai--DeepSeek-V3_config.json" \
    --from "$H/Qwen--Qwen3-235B-A22B_config.json" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ "$rc" -eq 0 ] || fail "list models --from: exit status $rc: $(cat "$tmp/err")"
grep -q '^meta-llama--Meta-Llama-3.1-405B  *126  *16384 GQA 128/8  *-  *405.85  *405.85$' \
    "$tmp/out" || fail "list --from: 405B row: $(cat "$tmp/out")"
grep -q '^deepseek-ai--DeepSeek-V3  *61  *7168 MLA 128  *256 top-8 +1  *671.03  *37.55$' \
    "$tmp/out" || fail "list --from: DeepSeek-V3 row: $(cat "$tmp/out")"
grep -q '^Qwen--Qwen3-235B-A22B  *94  *4096 GQA 64/4  *128 top-8 +0  *235.09  *22.19$' \
    "$tmp/out" || fail "list --from: Qwen3-235B row: $(cat "$tmp/out")"
grep -q "^$H/deepseek-ai--DeepSeek-V3_config.json:33:31: warning: num_nextn_predict_layers: 1 multi-token-prediction layer(s) are not modelled" \
    "$tmp/err" || fail "list --from: no MTP warning: $(cat "$tmp/err")"
"$HETSIM" list models --from "$H/openai--gpt-oss-120b_config.json" \
    >"$tmp/out" 2>"$tmp/err" || fail "list --from gpt-oss: exit status $?"
grep -q "^$H/openai--gpt-oss-120b_config.json:15:18: warning: layer_types: 18 of 36 layers use sliding-window attention (window 128 tokens)" \
    "$tmp/err" || fail "list --from gpt-oss: no sliding-window warning: $(cat "$tmp/err")"

# A broken config.json: located errors, nothing listed, exit 2.
printf '{\n  "num_hidden_layers": "32",\n  "hidden_size": 4096\n}\n' >"$tmp/bad.json"
"$HETSIM" list models --from "$tmp/bad.json" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ "$rc" -eq 2 ] || fail "list --from bad: exit status $rc, want 2"
[ -s "$tmp/out" ] && fail "list --from bad: stdout not empty"
grep -q "^$tmp/bad.json:2:24: error: num_hidden_layers: expected an integer of at least 1, found '32'\$" \
    "$tmp/err" || fail "list --from bad: stderr: $(cat "$tmp/err")"
grep -q "^$tmp/bad.json:1:1: error: num_attention_heads: missing key (the cost model needs it)\$" \
    "$tmp/err" || fail "list --from bad: no missing-key error: $(cat "$tmp/err")"
printf '{"hidden_size": 4096,,}' >"$tmp/syntax.json"
"$HETSIM" list models --from "$tmp/syntax.json" >"$tmp/out" 2>"$tmp/err"
[ $? -eq 2 ] || fail "list --from syntax: exit status, want 2"
grep -q "^$tmp/syntax.json:1:[0-9]*: error: not valid JSON: " "$tmp/err" ||
    fail "list --from syntax: stderr: $(cat "$tmp/err")"
"$HETSIM" list hardware --from "$tmp/bad.json" >"$tmp/out" 2>"$tmp/err"
[ $? -eq 2 ] || fail "list hardware --from: exit status, want 2"

# Usage errors.
for args in bogus "presets extra" ""; do
    # shellcheck disable=SC2086
    "$HETSIM" list $args >"$tmp/out" 2>"$tmp/err"
    rc=$?
    [ "$rc" -eq 2 ] || fail "list $args: exit status $rc, want 2"
    grep -q "^usage: hetsim list models|hardware|links|presets \[--from FILE\]$" "$tmp/err" ||
        fail "list $args: no usage line on stderr"
done

exit $failed
