#!/bin/sh
# demo.sh -- the bundled example that 'make demo' runs:
#  1. the OI/CF table of the paper's four workload rows (docs/oicf.md);
#  2. a serving simulation: the bundled Azure conversation trace replayed
#     on a small H100 cluster with Llama-3.1-8B, as two variants, into
#     results/quickstart.db (docs/getting-started.md);
#  3. one plot of it: the latency CDFs of the two runs (docs/plots.md).
# Usage: scripts/demo.sh path/to/hetsim
set -e
hetsim=${1:-build/hetsim}
echo "== hetsim oicf --scenario configs/examples/paper-oicf.yaml"
"$hetsim" oicf --scenario configs/examples/paper-oicf.yaml
echo
echo "== hetsim run configs/examples/quickstart.yaml"
rm -f results/quickstart.db results/quickstart.db-wal results/quickstart.db-shm
"$hetsim" run configs/examples/quickstart.yaml
echo
echo "== hetsim plot results/quickstart.db cdf -o results/quickstart-cdf.png"
"$hetsim" plot results/quickstart.db cdf -o results/quickstart-cdf.png
echo
echo "Query it: sqlite3 results/quickstart.db 'SELECT * FROM latency_percentiles'"
echo "The plot: results/quickstart-cdf.png (more kinds: docs/plots.md)"
