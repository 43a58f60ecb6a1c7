#!/bin/sh
# t_stats.sh -- the run's statistics as stored: percentiles in 'metrics'
# equal the nearest-rank percentiles a SQL query takes over the requests
# rows (docs/schema.md), exactly; no output setting (time-series
# interval, step sampling) changes any metric or the span; 'report'
# shows each SLO key's slo_met; a window no request arrived in is warned
# about; and a bad 'window' is refused with its
# location (exit 2).
# Run by tests/cli/run.sh from the repository root with $HETSIM set.
set -u
: "${HETSIM:?HETSIM must name the hetsim binary}"
. tests/cli/lib.sh

fail() {
    echo "t_stats: $*"
    [ -s "$tmp/err" ] && sed 's/^/  stderr: /' "$tmp/err"
    exit 1
}

# ---- percentiles: metrics = nearest rank over the requests rows ----------
# Two runs: the tiny synthetic one and split mode on a trace (requests of
# one output token have no TPOT).
for sc in tiny split; do
    db=$tmp/$sc.db
    "$HETSIM" run "tests/data/run/$sc.yaml" -o "$db" --quiet 2>"$tmp/err" ||
        fail "run $sc"
    for lat in ttft tpot e2e; do
        for q in 50 90 99; do
            # the ceil(q n / 100)-th smallest, in integer arithmetic
            got=$(sqlite3 "$db" "
                WITH d AS (
                  SELECT ${lat}_s AS v,
                         row_number() OVER (ORDER BY ${lat}_s) AS k,
                         count(*) OVER () AS n
                  FROM requests
                  WHERE run_id = 1 AND status = 'done'
                    AND ${lat}_s IS NOT NULL)
                SELECT count(*) FROM d JOIN metrics m
                  ON m.run_id = 1 AND m.scope = 'run'
                 AND m.name = '${lat}_p${q}_s'
                WHERE d.k = (d.n * $q + 99) / 100 AND m.value = d.v")
            [ "$got" = 1 ] || fail "$sc: ${lat}_p${q}_s is not the nearest" \
                "rank of the requests rows"
        done
    done
done

# ---- report shows whether each SLO key is met ----------------------------
"$HETSIM" report "$tmp/tiny.db" >"$tmp/out" 2>"$tmp/err" || fail "report"
grep -q '^SLO met: ttft_p90 *yes$' "$tmp/out" || fail "report: no SLO row"
"$HETSIM" report "$tmp/tiny.db" --format csv >"$tmp/out" 2>"$tmp/err" ||
    fail "report csv"
head -1 "$tmp/out" | grep -q ',slo_met_ttft_p90,slo_met_tpot_p90$' ||
    fail "report csv: no slo_met columns"

# ---- no output setting moves a metric ------------------------------------
# timeseries_interval 0 s and 3600 s (the span used to be rounded up to
# it), every step or none: the same metrics table and runs.sim_s.
dump() { # DB: the metrics and the span, as text that keeps every bit
    sqlite3 "$1" "SELECT scope, name, quote(value) FROM metrics
                  WHERE run_id = 1 ORDER BY scope, name;
                  SELECT quote(sim_s) FROM runs WHERE run_id = 1"
}
first=
for ts in 0s 3600s; do
    for steps in all none; do
        db=$tmp/o_${ts}_$steps.db
        "$HETSIM" run tests/data/run/tiny.yaml -o "$db" --quiet \
            --set output.timeseries_interval=$ts \
            --set output.steps=$steps 2>"$tmp/err" ||
            fail "run with interval $ts, steps $steps"
        dump "$db" >"$tmp/m_${ts}_$steps"
        [ -n "$first" ] || first=$tmp/m_${ts}_$steps
        cmp -s "$first" "$tmp/m_${ts}_$steps" ||
            fail "interval $ts, steps $steps changed the metrics:" \
                "$(diff "$first" "$tmp/m_${ts}_$steps" | head -5)"
    done
done
[ "$(wc -l <"$first")" -gt 40 ] || fail "too few metrics compared"
span=$(sqlite3 "$tmp/o_3600s_all.db" "SELECT sim_s < 100 FROM runs")
[ "$span" = 1 ] || fail "sim_s rounded up to the interval"

# ---- a bad window --------------------------------------------------------
sed 's/^output:.*/window: {from: 10s, to: 5s}/' tests/data/run/tiny.yaml \
    >"$tmp/w.yaml"
"$HETSIM" run "$tmp/w.yaml" -o "$tmp/w.db" >/dev/null 2>"$tmp/err"
[ $? -eq 2 ] || fail "window from > to: want exit 2"
grep -q "w.yaml:[0-9]*:[0-9]*: error: window.to: must be after window.from" \
    "$tmp/err" || fail "window from > to: message"
[ ! -e "$tmp/w.db" ] || fail "a refused scenario wrote a database"

# ---- a window after the run: a warning, the run still done ---------------
"$HETSIM" run tests/data/run/tiny.yaml -o "$tmp/late.db" --quiet \
    --set 'window={from: 1000h}' >/dev/null 2>"$tmp/err" ||
    fail "a window after the run: exit status $?"
grep -q "warning: .*no request arrived inside the measurement window" \
    "$tmp/err" || fail "no warning for an empty window: $(cat "$tmp/err")"
exit 0
