#!/bin/sh
# run.sh -- every bundled example (configs/examples/*.yaml), scaled down
# where a full run would take minutes, run with two seeds; on each run
# the results must keep the promises a user reads first:
#
#   conservation   done + dropped + unfinished = arrived (metrics), and
#                  the requests table holds one row per arrived request
#                  with the same counts by status;
#   monotonicity   p50 <= p90 <= p99 of TTFT, TPOT and E2E (metrics);
#   exactness      each percentile equals the nearest-rank percentile
#                  computed by SQL over the run's request rows (the
#                  metric's definition: docs/schema.md);
#   misses         SLO attainment is at most done / arrived (a dropped
#                  or unfinished request is a miss).
#
# Latency percentiles and SLO attainment are windowed (docs/schema.md):
# with a 'window' they count the requests that arrived inside it, from
# window_from_s for window_s; the checks compare them over those rows.
#
#   sh tests/examples/run.sh HETSIM
#
# An oicf scenario file (one with 'points:') is answered with
# 'hetsim oicf --scenario' and its points stored; the check is that it
# succeeds and stores every point.
set -u
HETSIM=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
fails=0
runs=0

fail() {
    echo "examples: $*" >&2
    fails=$((fails + 1))
}

# The --set options that scale example NAME down (agent sessions span
# simulated weeks; the scaled runs keep every variant and policy).
scale_of() {
    case "$1" in
    agents) echo "--set workload.0.agent.sessions=15" ;;
    optical-pool) echo "--set workload.0.agent.sessions=8" ;;
    *) echo "" ;;
    esac
}

sql() {
    sqlite3 -batch -noheader "$1" "$2"
}

metric() { # DB RUN NAME
    sql "$1" "SELECT quote(value) FROM metrics WHERE run_id = $2
              AND scope = 'run' AND name = '$3'"
}

# The SQL condition that a request row arrived inside run RUN's
# measurement window ([0, sim_s] without 'window').
in_window() { # DB RUN
    from=$(metric "$1" "$2" window_from_s)
    len=$(metric "$1" "$2" window_s)
    echo "arrival_s >= $from AND arrival_s < $from + $len + 1e-9"
}

# Nearest rank: the ceil(q * n)-th smallest of the window's finished
# requests' values (1-based), NULL when there are none.
exact_pct() { # DB RUN COLUMN Q
    sql "$1" "WITH v AS (SELECT $3 AS x FROM requests WHERE run_id = $2
                          AND status = 'done' AND $3 IS NOT NULL
                          AND $(in_window "$1" "$2")),
                   n AS (SELECT count(*) AS n FROM v)
              SELECT quote((SELECT x FROM v ORDER BY x
                            LIMIT 1 OFFSET (SELECT max(0,
                              CAST(ceil($4 * n) AS INTEGER) - 1) FROM n)))"
}

check_conservation() { # DB RUN LABEL
    arrived=$(metric "$1" "$2" requests_arrived)
    done_=$(metric "$1" "$2" requests_done)
    dropped=$(metric "$1" "$2" requests_dropped)
    unfinished=$(metric "$1" "$2" requests_unfinished)
    rows=$(sql "$1" "SELECT count(*) FROM requests WHERE run_id = $2")
    by_status=$(sql "$1" "SELECT
        sum(status = 'done') || ' ' || sum(status = 'dropped') || ' ' ||
        sum(status = 'unfinished') FROM requests WHERE run_id = $2")
    ok=$(awk -v a="$arrived" -v d="$done_" -v x="$dropped" -v u="$unfinished" \
        -v r="$rows" 'BEGIN { print (a == d + x + u && a == r) ? 1 : 0 }')
    [ "$ok" = 1 ] || fail "$3: arrived $arrived != done $done_ + dropped" \
        "$dropped + unfinished $unfinished, or != $rows rows"
    want=$(awk -v d="$done_" -v x="$dropped" -v u="$unfinished" \
        'BEGIN { printf "%d %d %d", d, x, u }')
    [ "$by_status" = "$want" ] ||
        fail "$3: rows by status ($by_status) != metrics ($want)"
    att=$(metric "$1" "$2" slo_attainment)
    w=$(in_window "$1" "$2")
    wdone=$(sql "$1" "SELECT count(*) FROM requests WHERE run_id = $2
                      AND status = 'done' AND $w")
    warrived=$(sql "$1" "SELECT count(*) FROM requests WHERE run_id = $2
                         AND $w")
    wreq=$(metric "$1" "$2" window_requests)
    ok=$(awk -v w="$wreq" -v a="$warrived" 'BEGIN { print (w == a) ? 1 : 0 }')
    [ "$ok" = 1 ] ||
        fail "$3: window_requests $wreq, $warrived rows arrived in the window"
    ok=$(awk -v s="$att" -v d="$wdone" -v a="$warrived" \
        'BEGIN { print (s == "NULL" || s * a <= d + 1e-9) ? 1 : 0 }')
    [ "$ok" = 1 ] ||
        fail "$3: SLO attainment $att above done $wdone / $warrived in the window"
}

check_percentiles() { # DB RUN LABEL
    for m in ttft tpot e2e; do
        p50=$(metric "$1" "$2" "${m}_p50_s")
        p90=$(metric "$1" "$2" "${m}_p90_s")
        p99=$(metric "$1" "$2" "${m}_p99_s")
        [ "$p50" = NULL ] && continue
        ok=$(awk -v a="$p50" -v b="$p90" -v c="$p99" \
            'BEGIN { print (a <= b && b <= c) ? 1 : 0 }')
        [ "$ok" = 1 ] || fail "$3: $m p50 $p50, p90 $p90, p99 $p99 not ordered"
        for q in 50:0.5 90:0.9 99:0.99; do
            got=$(metric "$1" "$2" "${m}_p${q%%:*}_s")
            want=$(exact_pct "$1" "$2" "${m}_s" "${q#*:}")
            [ "$got" = "$want" ] ||
                fail "$3: ${m}_p${q%%:*}_s is $got, nearest rank over rows $want"
        done
    done
}

check_db() { # DB LABEL
    for run in $(sql "$1" "SELECT run_id FROM runs ORDER BY run_id"); do
        label="$2 run $run ($(sql "$1" "SELECT coalesce(variant, '-')
                                         FROM runs WHERE run_id = $run"))"
        status=$(sql "$1" "SELECT status FROM runs WHERE run_id = $run")
        [ "$status" = done ] || fail "$label: status $status"
        check_conservation "$1" "$run" "$label"
        check_percentiles "$1" "$run" "$label"
        runs=$((runs + 1))
    done
}

for f in configs/examples/*.yaml; do
    name=$(basename "$f" .yaml)
    if grep -q '^points:' "$f"; then
        db=$tmp/$name.db
        if "$HETSIM" oicf --scenario "$f" --db "$db" >/dev/null 2>"$tmp/err"; then
            n=$(sql "$db" "SELECT count(*) FROM oicf")
            want=$(grep -c '{label:' "$f")
            [ "$n" = "$want" ] || fail "$name: $n oicf rows, $want points"
        else
            fail "$name: oicf failed: $(cat "$tmp/err")"
        fi
        continue
    fi
    for seed in 1 2; do
        db=$tmp/$name-$seed.db
        # shellcheck disable=SC2046 # the scale options are words
        if ! "$HETSIM" run "$f" -o "$db" --seed "$seed" --quiet \
            $(scale_of "$name") >/dev/null 2>"$tmp/err"; then
            fail "$name seed $seed: run failed: $(cat "$tmp/err")"
            continue
        fi
        check_db "$db" "$name seed $seed"
    done
done
if [ "$fails" -gt 0 ]; then
    echo "examples: $fails failure(s)" >&2
    exit 1
fi
echo "examples: $runs runs conserve requests; percentiles ordered and exact"
