#!/bin/sh
# t_xfer.sh -- every modelled transfer is recorded: on the pool and split
# golden scenarios the transfers rows add up exactly to the metrics --
# the memory pool's offloaded_bytes, fetched_bytes and streamed_bytes
# (offload, fetch, stream rows) and each KV link's bytes (kv_pd rows) --
# and offloads and streams are one row per interval of the time series,
# or one for the run without one; 'report' shows the memory pools.  Run by tests/cli/run.sh from the
# repository root with $HETSIM set.
set -u
: "${HETSIM:?HETSIM must name the hetsim binary}"
. tests/cli/lib.sh

fail() {
    echo "t_xfer: $*"
    exit 1
}

q() {
    sqlite3 "$1" "$2" || fail "sqlite3: $2"
}

"$HETSIM" run tests/golden/pool.yaml -o "$tmp/pool.db" --quiet ||
    fail "pool.yaml did not run"
"$HETSIM" run tests/golden/split.yaml -o "$tmp/split.db" --quiet ||
    fail "split.yaml did not run"
"$HETSIM" run tests/golden/pool.yaml -o "$tmp/whole.db" --quiet \
    --variant offload-cxl --set output.timeseries_interval=0s ||
    fail "pool.yaml without a time series did not run"

# Runs where a kind's rows do not add up to its metric (one memory pool
# per run: the metric summed over scopes is that pool's).
mismatch() { # DB KIND METRIC
    q "$1" "SELECT count(*) FROM runs r WHERE
        (SELECT coalesce(sum(bytes), 0) FROM transfers t
          WHERE t.run_id = r.run_id AND t.kind = '$2') IS NOT
        (SELECT coalesce(sum(value), 0) FROM metrics m
          WHERE m.run_id = r.run_id AND m.name = '$3')"
}
rows() { # DB KIND [RUN]
    q "$1" "SELECT count(*) FROM transfers WHERE kind = '$2'
            AND run_id = coalesce(${3:-NULL}, run_id)"
}

for db in "$tmp/pool.db" "$tmp/whole.db"; do
    for km in offload:offloaded_bytes fetch:fetched_bytes \
        stream:streamed_bytes; do
        n=$(mismatch "$db" "${km%%:*}" "${km#*:}")
        [ "$n" = 0 ] || fail "$db: ${km%%:*} rows != ${km#*:} in $n runs"
    done
done
# Not vacuous: the offload variant (run 4) offloads and fetches, the
# pool-resident ones (2, 3) stream, the base run (1) moves nothing.
[ "$(rows "$tmp/pool.db" offload 4)" -gt 0 ] || fail "no offload rows"
[ "$(rows "$tmp/pool.db" fetch 4)" -gt 0 ] || fail "no fetch rows"
[ "$(rows "$tmp/pool.db" stream 2)" -gt 0 ] || fail "no stream rows"
[ "$(rows "$tmp/pool.db" stream 3)" -gt 0 ] || fail "no stream rows (cxl)"
[ "$(q "$tmp/pool.db" "SELECT count(*) FROM transfers WHERE run_id = 1")" \
    = 0 ] || fail "the hbm-only run has transfers"
[ "$(q "$tmp/pool.db" "SELECT group_concat(DISTINCT link) FROM transfers
      WHERE run_id = 2")" = optical ] || fail "stream rows' link"

# One offload row per 10 s interval at most, on its boundaries.
[ "$(q "$tmp/pool.db" "SELECT count(*) FROM transfers
      WHERE kind IN ('offload', 'stream') AND (request_id IS NOT NULL
        OR start_s != 10 * CAST(start_s / 10 AS INTEGER)
        OR end_s - start_s > 10)")" = 0 ] || fail "interval rows"
[ "$(q "$tmp/pool.db" "SELECT count(*) FROM (SELECT 1 FROM transfers
      WHERE kind = 'offload' GROUP BY run_id, start_s HAVING count(*) > 1)")" \
    = 0 ] || fail "two offload rows in one interval"
# Without a time series: one row for the whole run.
[ "$(rows "$tmp/whole.db" offload)" = 1 ] || fail "offload rows: want 1"
[ "$(q "$tmp/whole.db" "SELECT start_s = 0 AND end_s = r.sim_s FROM transfers
      JOIN runs r USING (run_id) WHERE kind = 'offload'")" = 1 ] ||
    fail "the whole-run offload row's span"

# 'report' shows the memory pools' figures.
"$HETSIM" report "$tmp/pool.db" >"$tmp/out" || fail "report"
for row in 'memory pool optical-pool: streamed (GB)' \
    'memory pool cxl-pool: offloaded (GB)' \
    'memory pool cxl-pool: fetched (GB)' \
    'memory pool cxl-pool: utilisation (%)'; do
    grep -q "^$row " "$tmp/out" || fail "report: no row '$row'"
done

# Split: each KV link's bytes metric is the sum of its kv_pd rows.
n=$(q "$tmp/split.db" "SELECT count(*) FROM metrics m WHERE m.name = 'bytes'
      AND m.value IS NOT (SELECT sum(bytes) FROM transfers t
        WHERE t.run_id = m.run_id AND t.link = m.scope
          AND t.kind = 'kv_pd')")
[ "$n" = 0 ] || fail "kv_pd rows != the link's bytes in $n runs"
[ "$(q "$tmp/split.db" "SELECT count(*) FROM metrics WHERE name = 'bytes'")" \
    -gt 0 ] || fail "no link bytes metric"
exit 0
