#!/bin/sh
# t_crash.sh -- a run killed outright (SIGKILL: nothing of hetsim runs
# after it) stays 'running' in its file, but never looks alive: 'report'
# says its writer is gone and the run died, and exits 3, even when the
# run's writer_host is another host's (the run's lock in DB-writers
# tells, not the pid); the database
# passes PRAGMA integrity_check; a later run into the same file works and
# marks the dead run 'failed', with a message saying it died, its rows
# deleted.  Run by tests/cli/run.sh from the repository root with
# $HETSIM set.
set -u
: "${HETSIM:?HETSIM must name the hetsim binary}"
. tests/cli/lib.sh
db=$tmp/k.db

fail() {
    echo "t_crash: $*"
    exit 1
}

start_long_run "$db"
[ "$(sqlite3 "$db" "SELECT writer_pid FROM runs WHERE run_id = 1")" = "$pid" ] ||
    fail "runs.writer_pid is not the writer's pid $pid"

# While it runs, report says it is being written (exit 3: not done).
"$HETSIM" report "$db" >"$tmp/out" 2>&1
rc=$?
[ "$rc" -eq 3 ] || fail "report of a live run: exit status $rc, want 3"
grep -q "^note: run 1 is 'running': still being written (its writer is alive)" \
    "$tmp/out" || fail "live run: $(grep note "$tmp/out")"
# As a reader on another host sees it: the pid means nothing there, the
# run's lock in the companion file k.db-writers still tells.
sqlite3 -cmd ".timeout 10000" "$db" \
    "UPDATE runs SET writer_host = 'elsewhere.invalid' WHERE run_id = 1" ||
    fail "cannot move the run to another host"
"$HETSIM" report "$db" >"$tmp/out" 2>&1
grep -q "^note: run 1 is 'running': still being written (its writer is alive)" \
    "$tmp/out" || fail "live run, other host: $(grep note "$tmp/out")"

sleep 0.5
kill -KILL "$pid"
wait "$pid" 2>/dev/null

"$HETSIM" report "$db" >"$tmp/out" 2>&1
rc=$?
[ "$rc" -eq 3 ] || fail "report of a dead run: exit status $rc, want 3"
grep -q "^note: run 1 is 'running': its writer is gone: the run died" \
    "$tmp/out" || fail "dead run not called dead: $(grep note "$tmp/out")"
[ "$(sqlite3 "$db" "PRAGMA integrity_check")" = ok ] ||
    fail "integrity_check: $(sqlite3 "$db" "PRAGMA integrity_check")"
# Without the companion file (a run written before run locks), another
# host's run cannot be told either way; report says so, still exit 3.
mv "$db-writers" "$tmp/w"
"$HETSIM" report "$db" >"$tmp/out" 2>&1
rc=$?
[ "$rc" -eq 3 ] || fail "report, no lock file: exit status $rc, want 3"
grep -q "^note: run 1 is 'running': still being written, or its writer on another host died" \
    "$tmp/out" || fail "no lock file: $(grep note "$tmp/out")"
mv "$tmp/w" "$db-writers"

# A later run into the file works, and closes the dead run's books.
"$HETSIM" run tests/data/run/tiny.yaml -o "$db" --quiet 2>"$tmp/err" ||
    fail "a run after the crash failed: $(cat "$tmp/err")"
got=$(sqlite3 "$db" "SELECT group_concat(status) FROM runs ORDER BY run_id")
[ "$got" = "failed,done" ] || fail "statuses '$got', want failed,done"
msg=$(sqlite3 "$db" "SELECT message FROM runs WHERE run_id = 1")
case $msg in
"died: its writer (pid $pid on elsewhere.invalid)"*) ;;
*) fail "runs.message of the dead run: '$msg'" ;;
esac
n=$(sqlite3 "$db" "SELECT count(*) FROM requests WHERE run_id = 1")
[ "$n" = 0 ] || fail "the dead run keeps $n request rows"
"$HETSIM" report "$db" --run 2 >/dev/null 2>&1 || fail "report of run 2: $?"
# The whole file still shows the dead run, now 'failed': never complete.
"$HETSIM" report "$db" >"$tmp/out" 2>&1
rc=$?
[ "$rc" -eq 3 ] || fail "report of both runs: exit status $rc, want 3"
grep -q "^note: run 1 is 'failed'" "$tmp/out" ||
    fail "the failed run has no note: $(grep note "$tmp/out")"
"$HETSIM" report "$db" --allow-incomplete >/dev/null 2>&1 ||
    fail "report --allow-incomplete: exit status $?, want 0"
# The HTML page says the same by its exit status (the page is written).
"$HETSIM" report "$db" --html -o "$tmp/p.html" >/dev/null 2>&1
rc=$?
[ "$rc" -eq 3 ] || fail "report --html with a dead run: exit status $rc, want 3"
[ -s "$tmp/p.html" ] || fail "report --html with a dead run: no page"
"$HETSIM" report "$db" --html -o "$tmp/q.html" --allow-incomplete \
    >/dev/null 2>&1 || fail "report --html --allow-incomplete: exit $?, want 0"
exit 0
