#!/bin/sh
# t_interrupt.sh -- SIGINT during 'hetsim run': the run is marked
# 'interrupted' (never 'done') with runs.message saying by which signal
# and when, the process exits 1, the rows written so far stay, and a
# later run in the same file is unaffected (its message NULL).
# Run by tests/cli/run.sh from the repository root with $HETSIM set.
set -u
: "${HETSIM:?HETSIM must name the hetsim binary}"
. tests/cli/lib.sh
db=$tmp/i.db

fail() {
    echo "t_interrupt: $*"
    exit 1
}

# A run long enough to be interrupted: the 1M-request benchmark.
start_long_run "$db" # returns once it has started writing
sleep 0.5
kill -INT "$pid"
wait "$pid"
rc=$?
[ "$rc" -eq 1 ] || fail "exit status $rc after SIGINT, want 1"
grep -q interrupted "$tmp/err" || fail "no 'interrupted' on stderr"
st=$(sqlite3 "$db" "SELECT status FROM runs WHERE run_id = 1")
[ "$st" = interrupted ] || fail "status '$st', want interrupted"
msg=$(sqlite3 "$db" "SELECT message FROM runs WHERE run_id = 1")
case $msg in
"interrupted by SIGINT at t="*" s (simulated); the rows written until then are kept") ;;
*) fail "runs.message '$msg'" ;;
esac
n=$(sqlite3 "$db" "SELECT count(*) FROM requests WHERE run_id = 1")
[ "$n" -lt 1000000 ] || fail "$n request rows: the run was not cut short"

# A second run in the same file finishes and leaves the first as it was.
"$HETSIM" run tests/data/run/tiny.yaml -o "$db" --quiet 2>"$tmp/err" ||
    fail "second run failed"
st=$(sqlite3 "$db" "SELECT group_concat(status) FROM runs ORDER BY run_id")
[ "$st" = "interrupted,done" ] || fail "statuses '$st'"
[ "$(sqlite3 "$db" "SELECT message IS NULL FROM runs WHERE run_id = 2")" = 1 ] ||
    fail "a done run has a message"
n2=$(sqlite3 "$db" "SELECT count(*) FROM requests WHERE run_id = 1")
[ "$n2" -eq "$n" ] || fail "run 1 changed: $n2 rows, was $n"

# report says so, with the message, under the table.
"$HETSIM" report "$db" >"$tmp/out" 2>&1
rc=$?
[ "$rc" -eq 3 ] || fail "report of an interrupted run: exit status $rc, want 3"
grep -q "^note: run 1 is 'interrupted'" "$tmp/out" || fail "no note for run 1"
grep -q "^      interrupted by SIGINT at t=" "$tmp/out" ||
    fail "report does not show runs.message: $(cat "$tmp/out")"
exit 0
