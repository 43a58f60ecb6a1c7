#!/bin/sh
# t_report.sh -- 'hetsim report': two runs of tests/data/run/tiny.yaml
# side by side (table, csv, json), --run by id, NAME and NAME/VARIANT,
# 'hetsim oicf --db' invocations left out, a run that is not 'done'
# flagged, no -wal/-shm file left behind, and the errors (missing file, foreign file, unknown run, bad
# usage: exit 2).  Run by tests/cli/run.sh from the repository root with
# $HETSIM set.
set -u
: "${HETSIM:?HETSIM must name the hetsim binary}"
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
tiny=tests/data/run/tiny.yaml
db=$tmp/r.db

fail() {
    echo "t_report: $*"
    [ -s "$tmp/out" ] && sed 's/^/  stdout: /' "$tmp/out"
    [ -s "$tmp/err" ] && sed 's/^/  stderr: /' "$tmp/err"
    exit 1
}

expect() {
    want=$1
    shift
    "$@" >"$tmp/out" 2>"$tmp/err"
    got=$?
    [ "$got" -eq "$want" ] || fail "exit $got (want $want): $*"
}

expect 0 "$HETSIM" run "$tiny" -o "$db" --quiet
expect 0 "$HETSIM" run "$tiny" -o "$db" --quiet \
    --set workload.0.synthetic.requests=100
expect 0 "$HETSIM" run tests/data/run/variants.yaml -o "$db" --quiet \
    --variant two --set workload.0.synthetic.requests=50
expect 0 "$HETSIM" oicf --model llama-3-8b --hardware h100-sxm --db "$db"

# ---- table: one column per run, oicf invocations left out ----------------
expect 0 "$HETSIM" report "$db"
# The report leaves no -wal or -shm file next to the database.
for f in "$db-wal" "$db-shm"; do
    [ ! -e "$f" ] || fail "report left $f behind"
done
grep -q '^ *run 1  *run 2  *run 3 *$' "$tmp/out" || fail "table header"
grep -q 'run 4' "$tmp/out" && fail "the oicf invocation is shown"
grep -q '^name  *tiny  *tiny  *tiny-variants *$' "$tmp/out" || fail "names"
grep -q '^variant  *-  *-  *two *$' "$tmp/out" || fail "variants"
grep -q '^status  *done  *done  *done *$' "$tmp/out" || fail "statuses"
grep -q '^requests arrived  *300  *100  *50 *$' "$tmp/out" ||
    fail "requests arrived"
for row in 'requests done' 'throughput (tok/s)' 'TTFT p99 (ms)' \
    'TPOT p90 (ms)' 'goodput (req/s)' 'SLO attainment (%)' 'mean OI' \
    'capacity-bound (%)' 'energy (kWh)' 'cost (USD)' 'tokens per USD' \
    'wall time (s)' 'sim time (s)'; do
    grep -q "^$row" "$tmp/out" || fail "no row '$row'"
done
grep -q '^note:' "$tmp/out" && fail "a note with every run done"

# ---- csv and json --------------------------------------------------------
expect 0 "$HETSIM" report "$db" --format csv
head -n 1 "$tmp/out" | grep -q '^run_id,name,variant,status,' ||
    fail "csv header"
head -n 1 "$tmp/out" | grep -q ',throughput_tok_s,' || fail "csv columns"
[ "$(wc -l <"$tmp/out")" -eq 4 ] || fail "csv: want a header and 3 rows"
grep -q '^2,tiny,,done,' "$tmp/out" || fail "csv row of run 2"
expect 0 "$HETSIM" report "$db" --format=json
[ "$(head -c 1 "$tmp/out")" = "[" ] || fail "json: not an array"
[ "$(grep -c '"run_id": ' "$tmp/out")" -eq 3 ] || fail "json: want 3 runs"
grep -q '"run_id": 3, "name": "tiny-variants", "variant": "two"' \
    "$tmp/out" || fail "json object of run 3"
if command -v python3 >/dev/null 2>&1; then
    python3 -c 'import json,sys; assert len(json.load(sys.stdin)) == 3' \
        <"$tmp/out" || fail "json does not parse"
fi

# ---- --run ---------------------------------------------------------------
expect 0 "$HETSIM" report "$db" --run 1
grep -q '^ *run 1 *$' "$tmp/out" || fail "--run 1"
expect 0 "$HETSIM" report "$db" --run tiny --format csv
[ "$(sed -n 2p "$tmp/out" | cut -d, -f1)" = 2 ] ||
    fail "--run NAME: want the latest base run (2)"
expect 0 "$HETSIM" report "$db" --run tiny-variants/two --format csv
[ "$(sed -n 2p "$tmp/out" | cut -d, -f1)" = 3 ] || fail "--run NAME/VARIANT"
expect 2 "$HETSIM" report "$db" --run nope
grep -q "no run 'nope'" "$tmp/err" || fail "unknown run message"
expect 2 "$HETSIM" report "$db" --run 99

# ---- a run that is not 'done' is flagged ---------------------------------
sqlite3 "$db" "UPDATE runs SET status = 'interrupted' WHERE run_id = 2" ||
    fail "sqlite3"
expect 0 "$HETSIM" report "$db"
grep -q '^status  *done  *interrupted  *done *$' "$tmp/out" ||
    fail "status of an interrupted run"
grep -q "^note: run 2 is 'interrupted'" "$tmp/out" || fail "no note"

# ---- errors --------------------------------------------------------------
expect 2 "$HETSIM" report "$tmp/missing.db"
grep -q 'missing.db: error: no such file' "$tmp/err" || fail "missing DB"
[ ! -e "$tmp/missing.db" ] || fail "report created the file"
echo "not a database" >"$tmp/text.db"
expect 2 "$HETSIM" report "$tmp/text.db"
expect 2 "$HETSIM" report
expect 2 "$HETSIM" report "$db" --format xml
expect 2 "$HETSIM" report "$db" --bogus
exit 0
