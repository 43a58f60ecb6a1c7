#!/bin/sh
# t_trace.sh -- 'hetsim trace DB': the trace-event JSON of a split run
# (tests/data/run/split.yaml: instances, a KV link, requests with a
# transfer) parsed back (python3's json module when installed; one event
# per line otherwise) with its slices counted against the rows of the
# database; --run, --from/--to, --max-events, -o -; and the errors
# (missing or foreign file, unknown run, bad values: exit 2, no file).
set -u
: "${HETSIM:?HETSIM must name the hetsim binary}"
. tests/cli/lib.sh
db=$tmp/r.db

q() { sqlite3 "$db" "$1"; }

expect 0 "$HETSIM" run tests/data/run/tiny.yaml -o "$db" --quiet
expect 0 "$HETSIM" run tests/data/run/split.yaml -o "$db" --quiet

# ---- the latest run by default; slices match the rows -----------------------
expect 0 "$HETSIM" trace "$db" -o "$tmp/t.json"
steps=$(q "SELECT count(*) FROM steps WHERE run_id = 2")
xfers=$(q "SELECT count(*) FROM transfers WHERE run_id = 2")
reqs=$(q "SELECT count(*) FROM requests WHERE run_id = 2")
kv=$(q "SELECT count(*) FROM requests WHERE run_id = 2 AND kv_transfer_s > 0")
ts=$(q "SELECT count(*) FROM timeseries WHERE run_id = 2")
[ "$steps" -gt 0 ] && [ "$xfers" -gt 0 ] && [ "$kv" -gt 0 ] ||
    die "the split run has no steps, transfers or KV hand-offs"
grep -q "^wrote $tmp/t.json: $steps steps, $xfers transfers, $reqs requests, $((3 * ts)) counter samples" \
    "$tmp/out" || die "summary line"
count() { grep -c "$1" "$tmp/t.json"; }
[ "$(count '"ph":"X"')" -eq "$steps" ] || die "step slices"
[ "$(count '"ph":"b","cat":"transfer"')" -eq "$xfers" ] || die "transfer slices"
[ "$(count '"ph":"b","cat":"request","name":"request"')" -eq "$reqs" ] ||
    die "request slices"
[ "$(count '"ph":"b","cat":"request","name":"transfer"')" -eq "$kv" ] ||
    die "request transfer parts"
[ "$(count '"ph":"C"')" -eq $((3 * ts)) ] || die "counters"
grep -q '"name":"process_name".*"args":{"name":"link fabric"}' "$tmp/t.json" ||
    die "no link process"
grep -q '"args":{"name":"instance prefill.0"}' "$tmp/t.json" ||
    die "no instance process"
if command -v python3 >/dev/null 2>&1; then
    python3 - "$tmp/t.json" "$steps" "$xfers" "$reqs" <<'PY' || die "python3: JSON"
import json, sys
d = json.load(open(sys.argv[1]))
ev = d["traceEvents"]
x = sum(1 for e in ev if e["ph"] == "X")
t = sum(1 for e in ev if e["ph"] == "b" and e["cat"] == "transfer")
r = sum(1 for e in ev if e["ph"] == "b" and e["name"] == "request")
b = sum(1 for e in ev if e["ph"] == "b")
n = sum(1 for e in ev if e["ph"] == "e")
assert (x, t, r) == tuple(map(int, sys.argv[2:5])), (x, t, r)
assert b == n, (b, n)
assert all(e["dur"] >= 0 for e in ev if e["ph"] == "X")
PY
fi

# ---- --run, a window, a limit, stdout ---------------------------------------
expect 0 "$HETSIM" trace "$db" --run tiny -o "$tmp/t1.json"
[ "$(grep -c '"ph":"X"' "$tmp/t1.json")" -eq \
    "$(q "SELECT count(*) FROM steps WHERE run_id = 1")" ] || die "--run tiny"
expect 0 "$HETSIM" trace "$db" --run 2 --from 10 --to 20 -o "$tmp/w.json"
[ "$(grep -c '"ph":"X"' "$tmp/w.json")" -eq \
    "$(q "SELECT count(*) FROM steps WHERE run_id = 2 AND end_s >= 10 AND start_s <= 20")" ] ||
    die "--from/--to steps"
expect 0 "$HETSIM" trace "$db" --max-events 100 -o "$tmp/m.json"
grep -q '(100 events, stopped by --max-events)' "$tmp/out" || die "--max-events"
[ "$(tail -n 1 "$tmp/m.json")" = ']}' ] || die "--max-events: not closed"
expect 0 "$HETSIM" trace "$db" --max-events 5 -o -
head -n 1 "$tmp/out" | grep -q '^{"displayTimeUnit":"ms","traceEvents":\[$' ||
    die "-o -: no JSON on stdout"

# ---- errors ---------------------------------------------------------------------
expect 2 "$HETSIM" trace "$tmp/none.db" -o "$tmp/e.json"
grep -q 'no such file' "$tmp/err" || die "missing file"
echo "text" >"$tmp/text.db"
expect 2 "$HETSIM" trace "$tmp/text.db" -o "$tmp/e.json"
expect 2 "$HETSIM" trace "$db" --run 9 -o "$tmp/e.json"
grep -q "no run '9'" "$tmp/err" || die "unknown run"
expect 2 "$HETSIM" trace "$db" --from x -o "$tmp/e.json"
expect 2 "$HETSIM" trace "$db" --from 5 --to 1 -o "$tmp/e.json"
expect 2 "$HETSIM" trace "$db" --max-events 0 -o "$tmp/e.json"
expect 2 "$HETSIM" trace
[ ! -e "$tmp/e.json" ] || die "an error left e.json"
ls "$tmp" | grep -q 'tmp[0-9]' && die "a temporary file was left behind"
exit 0
