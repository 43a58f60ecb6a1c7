#!/bin/sh
# docs-img.sh -- 'make docs-img': draw the images of docs/plots.md into
# docs/img/ from the bundled examples, printing each command.  The
# databases are written to a scratch directory, so results/ is left
# alone; the commands in docs/plots.md are these, with results/ paths.
# Usage: scripts/docs-img.sh path/to/hetsim
set -eu
hetsim=${1:-build/hetsim}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
out=docs/img
mkdir -p "$out"

run() {
    echo "+ $*" >&2
    "$@"
}

run "$hetsim" run configs/examples/quickstart.yaml -o "$tmp/quickstart.db" -q
run "$hetsim" oicf --scenario configs/examples/paper-oicf.yaml \
    --db "$tmp/quickstart.db" >/dev/null
run "$hetsim" run configs/examples/mono-vs-split.yaml \
    -o "$tmp/mono-vs-split.db" -q

run "$hetsim" plot "$tmp/quickstart.db" oicf --run quickstart --run oicf \
    -o "$out/oicf.png"
run "$hetsim" plot "$tmp/quickstart.db" roofline --run quickstart \
    -o "$out/roofline.png"
run "$hetsim" plot "$tmp/mono-vs-split.db" cdf -o "$out/cdf.png"
run "$hetsim" plot "$tmp/mono-vs-split.db" timeline \
    --run mono-vs-split/split-2p6d -o "$out/timeline.png"
run "$hetsim" plot "$tmp/mono-vs-split.db" sweep --y ttft_p90_s \
    -o "$out/sweep-variants.png"
# a real sweep database: 8 rates x 3 instance counts
run "$hetsim" sweep configs/sweeps/capacity.yaml \
    -o "$tmp/capacity.db" -j 1 -q
run "$hetsim" plot "$tmp/capacity.db" sweep \
    --x workload.0.synthetic.arrival.rate --by cluster.instances.0.count \
    --y ttft_p99_s -o "$out/sweep.png"
run "$hetsim" plot "$tmp/capacity.db" pareto --x ttft_p99_s \
    --y tokens_per_usd -o "$out/pareto.png"
