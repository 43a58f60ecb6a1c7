#!/bin/sh
# t_sweep.sh -- 'hetsim sweep' and 'hetsim merge' on a 16-point sweep of
# a tiny scenario (tests/data/sweep/grid.yaml): the points and their
# sweep_points rows, report's parameter rows and columns, identical
# result rows with -j 1, -j 3 and --shard 1/2 + 2/2 merged, --resume,
# duplicates reported by merge, and the errors (a bad value located in
# the sweep file, zip lists of different lengths, a missing shard, bad
# usage: exit 2, nothing created).  Run by tests/cli/run.sh from the
# repository root with $HETSIM set.
set -u
: "${HETSIM:?HETSIM must name the hetsim binary}"
. tests/cli/lib.sh
. tests/cli/sweep_lib.sh
grid=tests/data/sweep/grid.yaml

runs() { sqlite3 "$1" "SELECT count(*) FROM runs WHERE status = 'done'"; }

# ---- -j 1, -j 3, shards merged: the same rows ------------------------------
"$HETSIM" sweep "$grid" -o "$tmp/j1.db" -j 1 >"$tmp/out" 2>"$tmp/err" ||
    fail "sweep -j 1: exit $?: $(cat "$tmp/err")"
grep -q '^sweep: 16 point(s) run (16 done, 0 not), 0 skipped' "$tmp/out" ||
    fail "sweep -j 1 summary: $(cat "$tmp/out")"
[ "$(runs "$tmp/j1.db")" = 16 ] || fail "-j 1: $(runs "$tmp/j1.db") runs"
[ "$(sqlite3 "$tmp/j1.db" "SELECT count(*) FROM sweep_points")" = 64 ] ||
    fail "sweep_points rows"
# Point 1: the first value of every PATH, the first seed.
[ "$(sqlite3 "$tmp/j1.db" "SELECT group_concat(path || '=' || value, ' ')
    FROM (SELECT path, value FROM sweep_points WHERE run_id = 1 ORDER BY
    rowid)")" = "workload.0.synthetic.arrival.rate=10/s cluster.instances.0.count=1 cluster.instances.0.tp=1 cluster.instances.0.max_batch=32" ] ||
    fail "point 1's parameters"
[ "$(sqlite3 "$tmp/j1.db" "SELECT seed FROM runs WHERE run_id IN (1, 2)
    ORDER BY run_id" | tr '\n' ' ')" = "1 2 " ] || fail "seeds innermost"
# The last point: the last value of every grid PATH and zip step.
[ "$(sqlite3 "$tmp/j1.db" "SELECT group_concat(value, ' ') FROM (SELECT
    value FROM sweep_points WHERE run_id = 16 ORDER BY rowid)")" = \
    "40/s 2 2 64" ] ||
    fail "point 16's parameters"
"$HETSIM" sweep "$grid" -o "$tmp/j3.db" -j 3 -q 2>"$tmp/err" ||
    fail "sweep -j 3: exit $?: $(cat "$tmp/err")"
ls "$tmp" | grep -q parts && fail "-j 3 left its parts directory"
"$HETSIM" sweep "$grid" -o "$tmp/s1.db" --shard 1/2 -q || fail "shard 1/2"
"$HETSIM" sweep "$grid" -o "$tmp/s2.db" --shard 2/2 -j 2 -q || fail "shard 2/2"
[ "$(runs "$tmp/s1.db")" = 8 ] || fail "shard 1/2 has $(runs "$tmp/s1.db") runs"
"$HETSIM" merge "$tmp/m.db" "$tmp/s1.db" "$tmp/s2.db" >"$tmp/out" 2>"$tmp/err" ||
    fail "merge: exit $?: $(cat "$tmp/err")"
grep -q '^merge: 16 run(s) from 2 file(s) into .*; 0 duplicate' "$tmp/out" ||
    fail "merge summary: $(cat "$tmp/out")"
[ "$(sqlite3 "$tmp/m.db" "SELECT group_concat(run_id) FROM runs")" = \
    "$(seq -s, 1 16)" ] || fail "merged runs are not renumbered 1..16"
sweep_rows "$tmp/j1.db" >"$tmp/rows1"
[ "$(wc -l <"$tmp/rows1")" -gt 1000 ] || fail "too few rows compared"
for f in j3 m; do
    sweep_rows "$tmp/$f.db" >"$tmp/rows-$f"
    cmp -s "$tmp/rows1" "$tmp/rows-$f" ||
        fail "$f.db rows differ from -j 1: $(diff "$tmp/rows1" "$tmp/rows-$f" | head -5)"
done

# ---- report: a row (table) or column (csv, json) per PATH -----------------
"$HETSIM" report "$tmp/j1.db" >"$tmp/out" || fail "report"
grep -q '^cluster.instances.0.tp  *1  *1  *2  *2 ' "$tmp/out" ||
    fail "report: no tp row"
"$HETSIM" report "$tmp/j1.db" --format csv >"$tmp/out" || fail "report csv"
head -1 "$tmp/out" | grep -q ',started_at,workload.0.synthetic.arrival.rate,cluster.instances.0.count,cluster.instances.0.tp,cluster.instances.0.max_batch,requests_arrived,' ||
    fail "csv header: $(head -1 "$tmp/out")"
sed -n 2p "$tmp/out" | grep -q '^1,tiny-sweep,,done,1,[^,]*,10/s,1,1,32,40,' ||
    fail "csv row 1: $(sed -n 2p "$tmp/out")"
"$HETSIM" report "$tmp/j1.db" --format json | grep -q '"cluster.instances.0.count": "2"' ||
    fail "json parameter"

# ---- --resume: only the points not done -----------------------------------
"$HETSIM" sweep "$grid" -o "$tmp/r.db" --shard 2/2 -q || fail "resume set-up"
"$HETSIM" sweep "$grid" -o "$tmp/r.db" --resume -j 2 >"$tmp/out" ||
    fail "sweep --resume"
grep -q '^sweep: 8 point(s) run (8 done, 0 not), 8 skipped' "$tmp/out" ||
    fail "resume summary: $(cat "$tmp/out")"
sweep_rows "$tmp/r.db" >"$tmp/rows-r"
cmp -s "$tmp/rows1" "$tmp/rows-r" || fail "resumed rows differ from -j 1"
"$HETSIM" sweep "$grid" -o "$tmp/r.db" --resume >"$tmp/out" ||
    fail "sweep --resume when all done"
grep -q '^sweep: 0 point(s) run (0 done, 0 not), 16 skipped' "$tmp/out" ||
    fail "resume when done: $(cat "$tmp/out")"

# ---- merge: a duplicate point is kept and reported ------------------------
"$HETSIM" merge "$tmp/m.db" "$tmp/s1.db" >"$tmp/out" 2>"$tmp/err" ||
    fail "merge of duplicates: exit $?"
grep -q '; 8 duplicate point(s)' "$tmp/out" || fail "duplicates not counted"
grep -q 's1.db: warning: run 1 is a duplicate point: run 1 of the output' "$tmp/err" ||
    fail "duplicate warning: $(head -2 "$tmp/err")"
[ "$(runs "$tmp/m.db")" = 24 ] || fail "merge dropped runs"

# ---- errors: exit 2, located, nothing created -----------------------------
cat >"$tmp/bad.yaml" <<YAML
scenario: $PWD/tests/data/sweep/tiny.yaml
grid:
  workload.0.synthetic.arrival.rate: [10/s, fast]
  cluster.instances.0.count: [1, 0]
YAML
"$HETSIM" sweep "$tmp/bad.yaml" -o "$tmp/bad.db" 2>"$tmp/err"
[ $? -eq 2 ] || fail "bad value: exit not 2"
grep -q "bad.yaml:3:45: error: workload.0.synthetic.arrival.rate: expected a rate" "$tmp/err" ||
    fail "bad rate not located: $(cat "$tmp/err")"
grep -q "bad.yaml:4:34: error: cluster.instances.0.count: expected an integer >= 1, found '0'" "$tmp/err" ||
    fail "bad count not located: $(cat "$tmp/err")"
[ -e "$tmp/bad.db" ] && fail "a bad sweep created its database"
cat >"$tmp/zip.yaml" <<YAML
scenario: $PWD/tests/data/sweep/tiny.yaml
zip:
  cluster.instances.0.tp: [1, 2]
  cluster.instances.0.max_batch: [32]
seeds: [1, -1]
YAML
"$HETSIM" sweep "$tmp/zip.yaml" -o "$tmp/bad.db" 2>"$tmp/err"
[ $? -eq 2 ] || fail "zip: exit not 2"
grep -q "zip.yaml:4:3: error: cluster.instances.0.max_batch: zip lists advance together: expected 2 values" "$tmp/err" ||
    fail "zip lengths: $(cat "$tmp/err")"
grep -q "zip.yaml:5:12: error: seeds.1: expected an integer >= 0" "$tmp/err" ||
    fail "bad seed: $(cat "$tmp/err")"
"$HETSIM" merge "$tmp/new.db" "$tmp/s1.db" "$tmp/missing.db" 2>"$tmp/err"
[ $? -eq 2 ] || fail "merge of a missing shard: exit not 2"
[ -e "$tmp/new.db" ] && fail "a failed merge created its output"
"$HETSIM" sweep "$grid" --shard 3/2 2>/dev/null
[ $? -eq 2 ] || fail "--shard 3/2: exit not 2"
"$HETSIM" sweep "$grid" -j 0 2>/dev/null
[ $? -eq 2 ] || fail "-j 0: exit not 2"
"$HETSIM" merge "$tmp/new.db" 2>/dev/null
[ $? -eq 2 ] || fail "merge without shards: exit not 2"
exit $failed
