#!/bin/sh
# bench.sh -- run every benchmark binary built from tests/bench/*.c.
# Usage: scripts/bench.sh BUILD_DIR   (make bench calls it)
# Figures are recorded by hand in docs/performance.md with the machine.
set -e
dir=${1:-build}
for b in "$dir"/bench/*; do
    [ -x "$b" ] || continue
    echo "== $(basename "$b")"
    "$b"
done
