#!/bin/sh
# run.sh -- scenarios run by the debug build (make DEBUG=1), which checks
# the serving invariants after every event (sim/serve/srv_check.c: the
# instances' I1-I5 and prefix caches, the pool policies' shares, the
# cluster's conservation S1-S2 and capacity S3):
#
#   sh tests/debug/run.sh build/debug/hetsim SCENARIO.yaml...
#
# Each scenario, base and every variant, must run to the end (exit 0) with
# every run 'done'; a violated invariant fails its run ("serving
# invariant violated", what broke on stderr) and this script.  'make
# check' runs it over small scenarios, 'make check-debug' over every
# golden scenario (and the bundled examples, through tests/examples/).
set -u
HETSIM=$1
shift
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
bad=0
n=0
for sc in "$@"; do
    n=$((n + 1))
    "$HETSIM" run "$sc" -o "$tmp/$n.db" --quiet >"$tmp/out" 2>&1
    rc=$?
    st=$(sqlite3 "$tmp/$n.db" \
        "SELECT group_concat(status, ' ') FROM runs WHERE status != 'done'" \
        2>/dev/null)
    if [ "$rc" -ne 0 ] || [ -n "$st" ]; then
        echo "debug: $sc: exit $rc, runs not done: '${st}'"
        sed 's/^/    /' "$tmp/out" | head -10
        bad=$((bad + 1))
    fi
done
if [ "$bad" -ne 0 ]; then
    echo "debug: $bad of $n scenarios FAILED"
    exit 1
fi
echo "debug: $n scenarios, every invariant held after every event"
