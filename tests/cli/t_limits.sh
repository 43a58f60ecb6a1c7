#!/bin/sh
# t_limits.sh -- absurd hardware values (issue 16 item 5) are refused
# before anything runs, with their location and exit 2, by 'check' and
# 'run' alike: a quantity whose unit overflows it (1e308 TB/s), a hex
# float, and a memory bandwidth so low (1 B/s) that one step would take
# centuries (it used to overflow simulated time and abort the engine); and
# an arrival rate too low for its requests to fit in simulated time.
# Run by tests/cli/run.sh from the repository root with $HETSIM set.
set -u
: "${HETSIM:?HETSIM must name the hetsim binary}"
. tests/cli/lib.sh

# The quickstart with device key 'h100' given the override $1.
scenario() {
    sed "s|h100: {catalog: h100-sxm}|h100: {catalog: h100-sxm, $1}|" \
        configs/examples/quickstart.yaml |
        sed "s|\.\./\.\./traces/|$PWD/traces/|" >"$tmp/s.yaml"
}

refused() { # OVERRIDE PATTERN
    scenario "$1"
    for cmd in check run; do
        if [ $cmd = run ]; then
            "$HETSIM" run "$tmp/s.yaml" -o "$tmp/r.db" >/dev/null 2>"$tmp/err"
        else
            "$HETSIM" check "$tmp/s.yaml" >/dev/null 2>"$tmp/err"
        fi
        rc=$?
        [ "$rc" -eq 2 ] || fail "$cmd with $1: exit status $rc, want 2"
        grep -q "s.yaml:[0-9]*:[0-9]*: error: .*$2" "$tmp/err" ||
            fail "$cmd with $1: message $(cat "$tmp/err")"
        [ ! -e "$tmp/r.db" ] || fail "$cmd with $1 wrote a database"
    done
}

refused "mem_bandwidth: 1e308TB/s" "mem_bandwidth: expected a bandwidth .* found '1e308TB/s'"
refused "mem_bandwidth: 0x1p40B/s" "mem_bandwidth: expected a bandwidth .* found '0x1p40B/s'"
refused "mem_bandwidth: 1B/s" "one prefill step of 8192 tokens would take"

# A rate so low that the requests cannot arrive within simulated time
# (1e-300/s used to end the source after one request, status done).
for cmd in check run; do
    "$HETSIM" $cmd tests/data/run/tiny.yaml \
        --set 'workload.0.synthetic.arrival.rate=1e-300/s' \
        $([ $cmd = run ] && echo "-o $tmp/rate.db") >/dev/null 2>"$tmp/err"
    rc=$?
    [ "$rc" -eq 2 ] || fail "$cmd with rate 1e-300/s: exit status $rc, want 2"
    grep -q "tiny.yaml:[0-9]*:[0-9]*: error: 300 requests at 1e-300/s would arrive over" \
        "$tmp/err" || fail "$cmd with rate 1e-300/s: $(cat "$tmp/err")"
done
[ ! -e "$tmp/rate.db" ] || fail "run with rate 1e-300/s wrote a database"
exit $failed
