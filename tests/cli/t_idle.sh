#!/bin/sh
# t_idle.sh -- idle spans cost nothing and absurd gaps are refused
# (issue 16): a two-line hetsim trace 30 days apart writes 8 time-series
# rows (two instances, sampled at 0 s, 1 s, 30 d and 30 d + 1 s), not one
# per second of the gap; arrivals more than 10 years after the first
# record's and session tool waits over 10 years in all are errors at
# their line and column (exit 2), in 'check' as in 'run'.
# Run by tests/cli/run.sh from the repository root with $HETSIM set.
set -u
: "${HETSIM:?HETSIM must name the hetsim binary}"
. tests/cli/lib.sh

D=tests/data/idle

# ---- a 30-day gap: eight rows, at the times the sampler's grid gives -----
# (every run bounded in time where timeout(1) exists: the 30-day gap used
# to write 2.6 M rows per instance, the 100-year one never ended)
limit=
command -v timeout >/dev/null 2>&1 && limit="timeout 30"
$limit "$HETSIM" run "$D/idle.yaml" -o "$tmp/gap.db" --quiet \
    2>"$tmp/err" || fail "30-day gap: run failed: $(cat "$tmp/err")"
got=$(sqlite3 "$tmp/gap.db" "SELECT group_concat(t_s || ':' || n, ' ')
    FROM (SELECT t_s, count(*) AS n FROM timeseries GROUP BY t_s
          ORDER BY t_s)")
[ "$got" = "0.0:2 1.0:2 2592000.0:2 2592001.0:2" ] ||
    fail "30-day gap: timeseries rows at '$(echo "$got" | cut -c1-120)'"
got=$(sqlite3 "$tmp/gap.db" "SELECT count(*) FROM requests
    WHERE status = 'done'")
[ "$got" = 2 ] || fail "30-day gap: $got requests done, expected 2"

# ---- absurd gaps: located errors, exit 2, from run and check -------------
expect_bad() { # NAME WHERE PATTERN -- ARGS...: exit 2, WHERE: PATTERN
    name=$1 where=$2 pattern=$3
    shift 4
    for cmd in check run; do
        if [ $cmd = run ]; then
            set -- "$@" -o "$tmp/bad.db" --quiet
        fi
        $limit "$HETSIM" $cmd "$D/idle.yaml" "$@" >"$tmp/out" 2>"$tmp/err"
        rc=$?
        [ $rc = 2 ] || fail "$name: $cmd exit $rc, expected 2"
        grep -q "^$D/$where: error: .*$pattern" "$tmp/err" ||
            fail "$name: $cmd: no '$where: ... $pattern' in: $(cat "$tmp/err")"
    done
}
sessions() { # FILE: the --set of a sessions trace source
    echo "workload=[{name: s, trace: {format: sessions, path: $1}}]"
}
expect_bad "100-year gap" "gap_100y.csv:3:1" \
    "column 'arrival_s': expected at most 10 years .*found '3155760000'" -- \
    --set workload.0.trace.path=gap_100y.csv
expect_bad "huge tool wait" "wait_huge.csv:2:14" \
    "column 'tool_wait_after_ms': expected at most 10 years" -- \
    --set "$(sessions wait_huge.csv)"
expect_bad "tool waits adding up" "waits_sum.csv:3:14" \
    "waits together, found '200000000000'" -- \
    --set "$(sessions waits_sum.csv)"
expect_bad "sessions arrival" "arrival_far.csv:3:3" \
    "column 'arrival_time': expected at most 10 years" -- \
    --set "$(sessions arrival_far.csv)"

exit $failed
