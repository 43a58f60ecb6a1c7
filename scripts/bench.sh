#!/bin/sh
# bench.sh -- the benchmarks: every binary built from tests/bench/*.c
# (the engine micro-benchmark), then the end-to-end serving benchmark
# configs/bench/azure-1m.yaml (1,000,000 requests, 64 instances) at two
# trace lengths, reporting simulated requests per wall-clock second and
# peak resident memory.  docs/performance.md records the figures.
# Usage: scripts/bench.sh BUILD_DIR   (make bench calls it)
set -e
dir=${1:-build}
for b in "$dir"/bench/*; do
    [ -x "$b" ] || continue
    echo "== $(basename "$b")"
    "$b"
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "== serve: configs/bench/azure-1m.yaml"
for n in 100000 1000000; do
    if [ -x /usr/bin/time ]; then
        /usr/bin/time -f "%e %M" -o "$tmp/time" "$dir/hetsim" run \
            configs/bench/azure-1m.yaml -o "$tmp/b$n.db" --quiet \
            --set workload.0.synthetic.requests=$n
        rss_kb=$(cut -d' ' -f2 "$tmp/time")
    else
        "$dir/hetsim" run configs/bench/azure-1m.yaml -o "$tmp/b$n.db" \
            --quiet --set workload.0.synthetic.requests=$n
        rss_kb="?"
    fi
    sqlite3 "$tmp/b$n.db" "SELECT printf('%d requests: wall %.2f s, ' ||
        '%.0f requests/s, sim %.0f s, %d events, peak RSS $rss_kb KB',
        (SELECT value FROM metrics m WHERE m.run_id = r.run_id
            AND scope = 'run' AND name = 'requests_done'),
        wall_s,
        (SELECT value FROM metrics m WHERE m.run_id = r.run_id
            AND scope = 'run' AND name = 'requests_done') / wall_s,
        sim_s, events) FROM runs r"
done
