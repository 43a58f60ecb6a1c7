#!/bin/sh
# t_report.sh -- 'hetsim report': two runs of tests/data/run/tiny.yaml
# side by side (table, csv, json), --run by id, NAME and NAME/VARIANT,
# --run repeated, several databases side by side, the rows of split
# pools and the KV link,
# 'hetsim oicf --db' invocations left out, a run that is not 'done'
# flagged, no -wal/-shm file left behind, and the errors (missing file, foreign file, unknown run, bad
# usage: exit 2).  Run by tests/cli/run.sh from the repository root with
# $HETSIM set.
set -u
: "${HETSIM:?HETSIM must name the hetsim binary}"
. tests/cli/lib.sh
tiny=tests/data/run/tiny.yaml
db=$tmp/r.db

# A failed check ends the test (lib.sh: die, expect).
fail() { die "$@"; }

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

# ---- several runs of one database, in the order asked ---------------------
expect 0 "$HETSIM" report "$db" --run tiny-variants/two --run 1 --format csv
[ "$(cut -d, -f1 "$tmp/out" | tr '\n' ' ')" = "run_id 3 1 " ] ||
    fail "--run twice: want runs 3 then 1"
expect 0 "$HETSIM" report "$db" --run 2 --run=1
grep -q '^ *run 2  *run 1 *$' "$tmp/out" || fail "--run twice, table"

# ---- several databases side by side, each run named by its file ----------
db2=$tmp/split.db
expect 0 "$HETSIM" run tests/data/run/split.yaml -o "$db2" --quiet \
    --set workload.0.trace.max_requests=200
expect 0 "$HETSIM" report "$db" "$db2" --run 1
grep -q "^file  *$db  *$db  *$db  *$db2 *\$" "$tmp/out" || fail "file row"
grep -q '^ *run 1  *run 2  *run 3  *run 1 *$' "$tmp/out" ||
    fail "a --run after a DB selects in that DB only"
expect 0 "$HETSIM" report --run 1 "$db" "$db2" --format csv
head -n 1 "$tmp/out" | grep -q '^file,run_id,name,' || fail "csv: file column"
[ "$(cut -d, -f1,2,3 "$tmp/out" | sed 1d | tr '\n' ' ')" = \
    "$db,1,tiny $db2,1,split " ] || fail "a --run before every DB: run 1 of each"
expect 0 "$HETSIM" report "$db" "$db2" --format json
grep -q "\"file\": \"$db2\", \"run_id\": 1, \"name\": \"split\"" \
    "$tmp/out" || fail "json: file key"
expect 2 "$HETSIM" report "$db" "$db2" --run tiny
grep -q "no run 'tiny'" "$tmp/err" || fail "unknown run in the second DB"
[ -s "$tmp/out" ] && fail "output printed on an error"
expect 2 "$HETSIM" report "$db" "$tmp/missing.db"
for f in "$db2-wal" "$db2-shm"; do
    [ ! -e "$f" ] || fail "report left $f behind"
done

# ---- split pools, the KV link and memory pools have their rows -----------
expect 0 "$HETSIM" report "$db2" "$db" --run 1
for row in 'prefill pool: busy (%)' 'decode pool: busy (%)' \
    'decode pool: tokens per USD' 'prefill pool: fallback decodes' \
    'link fabric: moved (GB)' 'link fabric: utilisation (%)' \
    'link fabric: transfers'; do
    grep -q "^$row  *[0-9][0-9.e+-]*  *- *\$" "$tmp/out" ||
        fail "row '$row' (a number for split, '-' for tiny)"
done
bytes=$(sqlite3 "$db2" "SELECT value FROM metrics WHERE scope = 'fabric'
                        AND name = 'bytes'") || fail "sqlite3"
expect 0 "$HETSIM" report "$db2" --format csv
[ "$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "fabric.bytes")
         c = i } NR == 2 { print $c }' "$tmp/out")" = "${bytes%.0}" ] ||
    fail "csv fabric.bytes is not the link's bytes metric ($bytes)"
expect 0 "$HETSIM" report "$db2" --format json
grep -q '"decode.busy_frac": [0-9]' "$tmp/out" || fail "json decode.busy_frac"

# ---- a run that is not 'done' is flagged ---------------------------------
sqlite3 "$db" "UPDATE runs SET status = 'interrupted' WHERE run_id = 2" ||
    fail "sqlite3"
expect 3 "$HETSIM" report "$db"
grep -q '^status  *done  *interrupted  *done *$' "$tmp/out" ||
    fail "status of an interrupted run"
grep -q "^note: run 2 is 'interrupted'" "$tmp/out" || fail "no note"
grep -q "1 run shown is not done .*exit status 3" "$tmp/err" ||
    fail "no word on stderr of exit status 3: $(cat "$tmp/err")"
expect 0 "$HETSIM" report "$db" --allow-incomplete
grep -q "^note: run 2 is 'interrupted'" "$tmp/out" ||
    fail "no note with --allow-incomplete"
expect 0 "$HETSIM" report "$db" --run 1 --run 3
expect 3 "$HETSIM" report "$db2" "$db"
grep -q "^note: $db run 2 is 'interrupted'" "$tmp/out" ||
    fail "the note names the file with several databases"

# ---- shares never round up to 100% ---------------------------------------
cp "$db" "$tmp/share.db"
sqlite3 "$tmp/share.db" "UPDATE metrics SET value = 0.99985 WHERE run_id = 1
    AND scope = 'run' AND name = 'slo_attainment'"
"$HETSIM" report "$tmp/share.db" --run 1 >"$tmp/out" 2>"$tmp/err" ||
    fail "report of the edited copy failed"
grep -q '^SLO attainment (%)  *99\.9$' "$tmp/out" ||
    fail "99.985% within the SLO shows as $(grep '^SLO attainment' "$tmp/out")"

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
