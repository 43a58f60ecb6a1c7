#!/bin/sh
# run.sh -- command-line tests: runs every tests/cli/t_*.sh with the path
# of the hetsim binary in $HETSIM, from the repository root, and prints
# 'N passed' (and 'N FAILED' when some failed).  Each test script exits 0
# on success.
HETSIM=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
export HETSIM
pass=0
fail=0
for t in tests/cli/t_*.sh; do
    [ -e "$t" ] || continue
    out=$(sh "$t" 2>&1)
    if [ $? -eq 0 ]; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        echo "FAIL: $t"
        echo "$out" | sed 's/^/    /'
    fi
done
if [ "$fail" -eq 0 ]; then
    echo "cli: $pass passed"
else
    echo "cli: $pass passed, $fail FAILED"
fi
[ "$fail" -eq 0 ]
