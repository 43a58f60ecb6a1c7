#!/bin/sh
# t_parallel.sh -- instance parallelism beyond tp (docs/scenario.md,
# "Parallelism"): a DeepSeek-R1 split scenario with attention DP and EP
# runs and its instances rows carry pp / dp / ep / moe_tp; GPUs per
# instance are tp x pp x dp (energy counts 8 GPUs for the DP8 decode
# instance); an ep x moe_tp that is not tp x dp is a located error, exit
# status 2, and no results file is left behind.
# Run by tests/cli/run.sh from the repository root with $HETSIM set.
unset HETSIM_CATALOG
. tests/cli/lib.sh

sc=tests/data/run/dsr1-dp-ep.yaml
"$HETSIM" run "$sc" -o "$tmp/r.db" --quiet >"$tmp/out" 2>&1 ||
    fail "run: exit status $?: $(cat "$tmp/out")"
got=$(sqlite3 "$tmp/r.db" "SELECT instance, tp, pp, dp, ep, moe_tp
                           FROM instances ORDER BY instance")
want="decode.0|1|1|8|8|1
prefill.0|8|1|1|8|1"
[ "$got" = "$want" ] || fail "instances rows: '$got', expected '$want'"

# The same layout written in a file: ep 8 x moe_tp 2 over tp 1 x dp 8.
sed 's/decode: {device: gpu, count: 1, tp: 1, dp: 8, ep: 8,/decode: {device: gpu, count: 1, tp: 1, dp: 8, ep: 8, moe_tp: 2,/' \
    "$sc" >"$tmp/bad.yaml"
grep -q 'moe_tp: 2' "$tmp/bad.yaml" || fail "sed did not apply"
"$HETSIM" run "$tmp/bad.yaml" -o "$tmp/bad.db" --quiet >"$tmp/out" 2>&1
rc=$?
[ "$rc" -eq 2 ] || fail "bad ep x moe_tp: exit status $rc, expected 2"
line=$(grep -n 'moe_tp: 2' "$tmp/bad.yaml" | cut -d: -f1)
grep -q "bad.yaml:$line:[0-9]*: error: cluster.decode.moe_tp: ep x moe_tp must equal tp x dp" "$tmp/out" ||
    fail "no located error at line $line: $(cat "$tmp/out")"
[ ! -e "$tmp/bad.db" ] || fail "a results file was left behind"

# ep must divide tp x dp when moe_tp is left to its default.
"$HETSIM" check "$sc" --set cluster.prefill.ep=3 >"$tmp/out" 2>&1
rc=$?
[ "$rc" -eq 2 ] || fail "ep 3 over tp 8: exit status $rc, expected 2"
grep -q "cluster.prefill.ep: ep 3 must divide tp x dp = 8" "$tmp/out" ||
    fail "ep 3: $(cat "$tmp/out")"
exit $failed
