#!/bin/sh
# t_search.sh -- 'hetsim search': on a 12-candidate space
# (tests/data/sweep/small.yaml) its pick equals the pick of an
# exhaustive 'hetsim sweep' of the same space (exhaustive.yaml), with
# fewer points simulated, the same with -j 1 and -j 3, and with objective
# energy (energy.yaml: its bound decides candidates and stays below
# their simulated J per token); on a 24-candidate
# space with a model too large for one device (search.yaml) capacity
# and roofline bounds decide candidates without simulating them; the
# csv and json rows; --rate-max; a search nothing meets (exit 1); bad
# input (exit 2).  Run by tests/cli/run.sh from the repository root
# with $HETSIM set.
set -u
: "${HETSIM:?HETSIM must name the hetsim binary}"
. tests/cli/lib.sh
d=tests/data/sweep

# ---- the search's pick is the exhaustive sweep's --------------------------
"$HETSIM" sweep "$d/exhaustive.yaml" -o "$tmp/ex.db" -j 1 -q ||
    fail "exhaustive sweep"
# Feasible: every slo_met is 1; objective: cost per hour of the window;
# ties to the lower point (run_id: -j 1 runs the points in order).
want=$(sqlite3 "$tmp/ex.db" "SELECT (SELECT group_concat(value, ',') FROM
    (SELECT value FROM sweep_points p WHERE p.run_id = r.run_id AND path !=
    'slo' ORDER BY rowid)) FROM runs r WHERE r.status = 'done' AND NOT
    EXISTS (SELECT 1 FROM metrics m WHERE m.run_id = r.run_id AND m.name =
    'slo_met' AND m.value != 1) ORDER BY round((SELECT value FROM metrics m
    WHERE m.run_id = r.run_id AND m.scope = 'run' AND m.name = 'cost_usd')
    * 3600 / (SELECT value FROM metrics m WHERE m.run_id = r.run_id AND
    m.scope = 'run' AND m.name = 'window_s'), 6), r.run_id LIMIT 1")
[ -n "$want" ] || fail "the exhaustive sweep found nothing feasible"
for j in 1 3; do
    "$HETSIM" search "$d/small.yaml" -o "$tmp/s$j.db" -j $j --format csv \
        >"$tmp/out$j" 2>"$tmp/err" || fail "search -j $j: exit $?: $(cat "$tmp/err")"
    got=$(sed -n 2p "$tmp/out$j" | cut -d, -f1-4)
    [ "$got" = "$want,1" ] || fail "search -j $j picks '$got', the sweep '$want'"
    sims=$(sqlite3 "$tmp/s$j.db" "SELECT count(*) FROM runs")
    [ "$sims" -lt 12 ] || fail "search -j $j simulated all $sims points"
    # Every row not simulated says why; simulated rows are runs.
    awk -F, 'NR > 1 && $10 == 0 && $14 !~ /^(objective|capacity|roofline):/ {
        bad = 1 } END { exit bad }' "$tmp/out$j" ||
        fail "-j $j: a candidate decided without a reason"
done
head -1 "$tmp/out1" | grep -q '^hardware.h100.catalog,cluster.instances.0.count,cluster.instances.0.tp,feasible,usd_per_hour,ttft_p99_s,tpot_p99_s,throughput_tok_s,rate_max_req_s,simulated,pareto,run_id,candidate,reason$' ||
    fail "csv header: $(head -1 "$tmp/out1")"
# Feasible rows first, then by objective.
awk -F, 'NR > 1 { if ($4 == 1 && seen0) bad = 1; if ($4 == 0) seen0 = 1 }
    END { exit bad }' "$tmp/out1" || fail "a feasible row after an infeasible one"

# ---- split clusters: P:D ratio and device mix -------------------------------
"$HETSIM" search "$d/split-search.yaml" -o "$tmp/sp.db" -j 2 --format csv \
    >"$tmp/out" 2>"$tmp/err" || fail "split search: exit $?: $(cat "$tmp/err")"
got=$(sed -n 2p "$tmp/out" | cut -d, -f1-5)
sed 's/^objective: cost/grid:\n  slo: [{ttft_p99: 200ms, tpot_p99: 15ms}]/;
     s/^space:$//; s/^scenario: .*/scenario: split.yaml/' \
    "$d/split-search.yaml" >"$d/.split-ex.yaml"
"$HETSIM" sweep "$d/.split-ex.yaml" -o "$tmp/spx.db" -j 1 -q
rc=$?
rm -f "$d/.split-ex.yaml"
[ $rc -eq 0 ] || fail "split exhaustive sweep: exit $rc"
want=$(sqlite3 "$tmp/spx.db" "SELECT (SELECT group_concat(value, ',') FROM
    (SELECT value FROM sweep_points p WHERE p.run_id = r.run_id AND path !=
    'slo' ORDER BY rowid)) FROM runs r WHERE r.status = 'done' AND NOT
    EXISTS (SELECT 1 FROM metrics m WHERE m.run_id = r.run_id AND m.name =
    'slo_met' AND m.value != 1) ORDER BY round((SELECT value FROM metrics m
    WHERE m.run_id = r.run_id AND m.scope = 'run' AND m.name = 'cost_usd')
    * 3600 / (SELECT value FROM metrics m WHERE m.run_id = r.run_id AND
    m.scope = 'run' AND m.name = 'window_s'), 6), r.run_id LIMIT 1")
[ -n "$want" ] && [ "$got" = "$want,1" ] ||
    fail "split search picks '$got', the sweep '$want'"
[ "$(sqlite3 "$tmp/sp.db" "SELECT count(*) FROM runs")" -lt 36 ] ||
    fail "split search simulated every point"

# ---- bounds: capacity and roofline decide without simulating --------------
"$HETSIM" search "$d/search.yaml" -o "$tmp/b.db" -j 2 >"$tmp/out" 2>"$tmp/err" ||
    fail "search.yaml: exit $?: $(cat "$tmp/err")"
grep -q "capacity: cluster: instance 'mono': model 'llama-3-70b' (141.1 GB of weights) leaves no room for KV" "$tmp/out" ||
    fail "no capacity pruning"
grep -q 'roofline: no step that gives a token takes less than .*, above tpot_p99 = 0.012 s' "$tmp/out" ||
    fail "no roofline pruning"
grep -q '^simulated: [0-9]* of 24 points (24 candidates x 1 seeds)' "$tmp/out" ||
    fail "no count of the points simulated"
[ "$(grep -c 'llama-3-70b .* 1  *[0-9-]*  *[0-9]*  *[a-z]' "$tmp/out")" = 0 ] ||
    fail "a 70B candidate was simulated"
"$HETSIM" search "$d/search.yaml" -o "$tmp/b.db" --format json >"$tmp/out" ||
    fail "json"
grep -q '^  {"model": "llama-3-8b", "hardware.h100.catalog": "[a-z0-9-]*", "cluster.instances.0.count": "[12]", "cluster.instances.0.tp": "[12]", "feasible": 1, "usd_per_hour": [0-9.]*, ' "$tmp/out" ||
    fail "json row: $(sed -n 2p "$tmp/out")"

# ---- --rate-max: a rate per candidate, ranked by goodput per dollar ------
"$HETSIM" search "$d/small.yaml" -o "$tmp/r.db" --rate-max --format csv \
    >"$tmp/out" 2>"$tmp/err" || fail "--rate-max: exit $?: $(cat "$tmp/err")"
head -1 "$tmp/out" | grep -q ',feasible,goodput_per_usd,' || fail "rate header"
sed -n 2p "$tmp/out" | awk -F, '$4 != 1 || $9 <= 0 { exit 1 }' ||
    fail "rate: first row $(sed -n 2p "$tmp/out")"
[ "$(sqlite3 "$tmp/r.db" "SELECT count(DISTINCT value) FROM sweep_points
    WHERE path = 'workload.0.synthetic.arrival.rate'")" -gt 2 ] ||
    fail "rate: no bisection"

# ---- objectives energy and devices -----------------------------------------
for obj in energy devices; do
    sed "s/^objective: cost/objective: $obj/; s|^scenario: .*|scenario: $PWD/$d/tiny.yaml|" \
        "$d/small.yaml" >"$tmp/$obj.yaml"
    "$HETSIM" search "$tmp/$obj.yaml" -o "$tmp/$obj.db" --format csv \
        >"$tmp/out" 2>"$tmp/err" || fail "$obj: exit $?: $(cat "$tmp/err")"
    sed -n 2p "$tmp/out" | grep -q '^[^,]*,[12],[12],1,' ||
        fail "$obj: first row not feasible: $(sed -n 2p "$tmp/out")"
done
head -1 "$tmp/out" | grep -q ',feasible,devices,' || fail "devices header"
[ "$(sed -n 2p "$tmp/out" | cut -d, -f5)" = 1 ] || fail "devices: best is not 1 device"

# ---- energy: the bound prunes, the pick is the exhaustive sweep's ---------
# energy.yaml's space as a sweep, with its SLO; the sweep's pick in SQL:
# among done runs meeting every SLO key, the least J per output token
# (1 / tokens_per_j), ties to the lower point.
sed 's/^objective: energy/grid:\n  slo: [{ttft_p99: 150ms, tpot_p99: 12ms}]/;
     s/^space:$//; /^slo:/d' "$d/energy.yaml" >"$d/.energy-ex.yaml"
"$HETSIM" sweep "$d/.energy-ex.yaml" -o "$tmp/enx.db" -j 1 -q
rc=$?
rm -f "$d/.energy-ex.yaml"
[ $rc -eq 0 ] || fail "energy exhaustive sweep: exit $rc"
jpt="(SELECT 1.0 / value FROM metrics m WHERE m.run_id = r.run_id AND
    m.scope = 'run' AND m.name = 'tokens_per_j')"
point="(SELECT group_concat(value, ',') FROM (SELECT value FROM sweep_points p
    WHERE p.run_id = r.run_id AND path != 'slo' ORDER BY rowid))"
want=$(sqlite3 "$tmp/enx.db" "SELECT $point FROM runs r WHERE r.status =
    'done' AND NOT EXISTS (SELECT 1 FROM metrics m WHERE m.run_id = r.run_id
    AND m.name = 'slo_met' AND m.value != 1) ORDER BY $jpt, r.run_id LIMIT 1")
"$HETSIM" search "$d/energy.yaml" -o "$tmp/en.db" -j 2 --format csv \
    >"$tmp/out" 2>"$tmp/err" || fail "energy search: exit $?: $(cat "$tmp/err")"
got=$(sed -n 2p "$tmp/out" | cut -d, -f1-4)
[ -n "$want" ] && [ "$got" = "$want,1" ] ||
    fail "energy search picks '$got', the sweep '$want'"
[ "$(sqlite3 "$tmp/en.db" "SELECT count(*) FROM runs")" -lt 18 ] ||
    fail "energy: the bound decided nothing"
# Every candidate the bound decided: its J per token in the sweep is at
# least the bound (the bound is safe), and above the best's.
grep -c ',objective: energy at least ' "$tmp/out" >/dev/null ||
    fail "energy: no candidate decided by its bound"
awk -F, 'NR > 1 && $NF ~ /^objective: energy at least / {
    split($NF, w, " "); print $1 "," $2 "," $3, w[5] }' "$tmp/out" |
while read -r pt lb; do
    actual=$(sqlite3 "$tmp/enx.db" "SELECT $jpt FROM runs r WHERE $point = '$pt'")
    awk -v a="$actual" -v b="$lb" 'BEGIN { exit !(a != "" && a + 0 >= b + 0) }' ||
        { echo "energy bound $lb above the run's $actual at $pt"; exit 1; }
done || fail "energy: a bound above the simulated J per token"

# ---- nothing feasible: exit 1; bad input: exit 2 --------------------------
sed 's/ttft_p99: 150ms/ttft_p99: 1ms/' "$d/small.yaml" >"$d/.none.yaml"
"$HETSIM" search "$d/.none.yaml" -o "$tmp/n.db" >"$tmp/out" 2>&1
rc=$?
rm -f "$d/.none.yaml"
[ $rc -eq 1 ] || fail "nothing feasible: exit $rc"
grep -q '^best: none of the 12 candidates meets the SLO' "$tmp/out" ||
    fail "nothing feasible: $(tail -2 "$tmp/out")"
cat >"$tmp/bad.yaml" <<YAML
scenario: $PWD/$d/tiny.yaml
objective: speed
space:
  cluster.instances.0.tp: [1, 2]
YAML
"$HETSIM" search "$tmp/bad.yaml" -o "$tmp/x.db" 2>"$tmp/err"
[ $? -eq 2 ] || fail "bad objective: exit not 2"
grep -q 'bad.yaml:2:12: error: objective: ' "$tmp/err" || fail "objective: $(cat "$tmp/err")"
sed 's/speed/cost/; s/\[1, 2\]/[1, two]/' "$tmp/bad.yaml" >"$tmp/bad2.yaml"
"$HETSIM" search "$tmp/bad2.yaml" -o "$tmp/x.db" 2>"$tmp/err"
[ $? -eq 2 ] || fail "bad value: exit not 2"
grep -q "bad2.yaml:4:31: error: cluster.instances.0.tp: expected an integer" "$tmp/err" ||
    fail "bad value: $(cat "$tmp/err")"
[ -e "$tmp/x.db" ] && fail "a bad search created its database"
sed "/^rate_max:/d; s|^scenario: .*|scenario: $PWD/$d/tiny.yaml|" \
    "$d/small.yaml" >"$tmp/norate.yaml"
"$HETSIM" search "$tmp/norate.yaml" --rate-max -o "$tmp/x.db" 2>/dev/null
[ $? -eq 2 ] || fail "--rate-max without rate_max: exit not 2"
exit $failed
