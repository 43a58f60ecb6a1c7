#!/bin/sh
# t_sweep_stop.sh -- SIGINT during 'hetsim sweep', in this process (-j 1)
# and with workers (-j 2): exit 1, "interrupted ... --resume" on
# stderr, the running points' runs 'interrupted' (never 'done', so
# --resume would run them again), no run log or parts directory left.
# The points are the 1M-request benchmark (two seeds), long enough to be
# interrupted.  Run by tests/cli/run.sh from the repository root with
# $HETSIM set.
set -u
: "${HETSIM:?HETSIM must name the hetsim binary}"
. tests/cli/lib.sh
printf 'scenario: %s/configs/bench/azure-1m.yaml\nseeds: [1, 2]\n' "$PWD" \
    >"$tmp/long.yaml"

# wait_for CMD...: until CMD succeeds (at most 60 s).
wait_for() {
    i=0
    while [ "$i" -lt 600 ] && ! "$@" 2>/dev/null; do
        sleep 0.1
        i=$((i + 1))
    done
}

running() {
    [ "$(sqlite3 "$tmp/a.db" "SELECT status FROM runs WHERE run_id = 1")" = running ]
}
parts() { ls "$tmp" | grep -q '^b.db.parts.' && ls "$tmp"/b.db.parts.*/p*.log; }

# ---- -j 1 ------------------------------------------------------------------
"$HETSIM" sweep "$tmp/long.yaml" -o "$tmp/a.db" -j 1 -q 2>"$tmp/err" &
pid=$!
wait_for running
kill -INT "$pid"
wait "$pid"
[ $? -eq 1 ] || fail "-j 1: exit status not 1 after SIGINT"
grep -q 'interrupted (run it again with --resume' "$tmp/err" ||
    fail "-j 1: stderr $(cat "$tmp/err")"
[ "$(sqlite3 "$tmp/a.db" "SELECT group_concat(status) FROM runs")" = interrupted ] ||
    fail "-j 1: statuses $(sqlite3 "$tmp/a.db" "SELECT group_concat(status) FROM runs")"

# ---- -j 2 ------------------------------------------------------------------
"$HETSIM" sweep "$tmp/long.yaml" -o "$tmp/b.db" -j 2 -q 2>"$tmp/err" &
pid=$!
wait_for parts >/dev/null
sleep 0.5
kill -INT "$pid"
wait "$pid"
[ $? -eq 1 ] || fail "-j 2: exit status not 1 after SIGINT"
st=$(sqlite3 "$tmp/b.db" "SELECT group_concat(status) FROM runs")
[ "$st" = interrupted,interrupted ] || fail "-j 2: statuses '$st'"
ls "$tmp" | grep -q parts && fail "-j 2: the parts directory is left"
exit $failed
