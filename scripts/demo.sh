#!/bin/sh
# demo.sh -- the bundled example that 'make demo' runs: the OI/CF table
# of the paper's four workload rows (docs/oicf.md explains it).
# Usage: scripts/demo.sh path/to/hetsim
set -e
hetsim=${1:-build/hetsim}
echo "hetsim oicf --scenario configs/examples/paper-oicf.yaml"
"$hetsim" oicf --scenario configs/examples/paper-oicf.yaml
