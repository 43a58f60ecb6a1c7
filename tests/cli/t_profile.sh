#!/bin/sh
# t_profile.sh -- rate profiles from the command line (docs/scenario.md,
# "Load that changes"): a constant process through a points profile
# arrives where the integral says, exactly (arrival k at L^-1(k / rate));
# a diurnal trace and agent source run; a profile that cannot be is a
# located error, exit 2, in 'check' and in 'run'.  Run by
# tests/cli/run.sh from the repository root with $HETSIM set.
set -u
: "${HETSIM:?HETSIM must name the hetsim binary}"
. tests/cli/lib.sh

base() { # base ARRIVAL-FLOW-MAP > file
    cat <<EOF
name: prof
seed: 1
model: llama-3-8b
hardware: {h100: {catalog: h100-sxm}}
cluster: {mode: monolithic, instances: [{name: a, device: h100, count: 2}]}
workload:
  - name: s
    synthetic:
      arrival: $1
      requests: 105
      prompt: {dist: fixed, value: 100}
      output: {dist: fixed, value: 10}
output: {steps: none, timeseries_interval: 0s}
EOF
}

# f = 1 + 0.2 t up to 10 s, then 3: L(t) = t + 0.1 t^2, so the 46th
# arrival (k = 45, L = 11.25) is at (-1 + sqrt(5.5)) / 0.2 = 6.7260394 s
# and the 105th (L = 26) at 12 s.
base "{process: constant, rate: 4/s, profile: {points: [[0s, 1], [10s, 3]]}}" \
    >"$tmp/c.yaml"
"$HETSIM" run "$tmp/c.yaml" -o "$tmp/c.db" -q >/dev/null 2>"$tmp/err" ||
    fail "constant with a profile: $(cat "$tmp/err")"
got=$(sqlite3 "$tmp/c.db" "SELECT printf('%.9f', arrival_s) FROM requests WHERE request_id IN (45, 104) ORDER BY request_id" | tr '\n' ' ')
[ "$got" = "6.726039400 12.000000000 " ] ||
    fail "arrivals 45 and 104 at '$got', want 6.726039400 12.000000000"

# Without a profile the same scenario is as it always was: 4/s.
base "{process: constant, rate: 4/s}" >"$tmp/n.yaml"
"$HETSIM" run "$tmp/n.yaml" -o "$tmp/n.db" -q >/dev/null 2>&1 ||
    fail "constant without a profile"
got=$(sqlite3 "$tmp/n.db" "SELECT arrival_s FROM requests WHERE request_id = 104")
[ "$got" = 26.0 ] || fail "no profile: arrival 104 at '$got', want 26.0"

# A diurnal day squeezed into 10 min on the bundled Azure trace, and an
# agent source, both run to 'done'.
cat >"$tmp/d.yaml" <<EOF
name: day
seed: 1
model: llama-3-8b
hardware: {h100: {catalog: h100-sxm}}
cluster: {mode: monolithic, instances: [{name: a, device: h100, count: 4}]}
workload:
  - name: t
    trace: {path: $PWD/traces/azure_conv.csv, format: azure, max_requests: 300,
            profile: {shape: diurnal, period: 10min, peak: 2, trough: 0.5}}
  - name: g
    agent: {preset: chat, session_rate: 0.5/s, sessions: 20,
            profile: {points: [[0s, 0.2], [60s, 1]]}}
output: {steps: none, timeseries_interval: 0s}
EOF
"$HETSIM" run "$tmp/d.yaml" -o "$tmp/d.db" -q >/dev/null 2>"$tmp/err" ||
    fail "diurnal trace and agent profile: $(cat "$tmp/err")"
[ "$(sqlite3 "$tmp/d.db" "SELECT status FROM runs")" = done ] ||
    fail "the profiled run is not done"

# Profiles that cannot be: located, exit 2, in check and in run.
bad() { # bad NAME ARRIVAL PATTERN
    base "$2" >"$tmp/b.yaml"
    for cmd in check run; do
        if [ $cmd = run ]; then
            "$HETSIM" run "$tmp/b.yaml" -o "$tmp/b.db" -q >/dev/null 2>"$tmp/err"
        else
            "$HETSIM" check "$tmp/b.yaml" >/dev/null 2>"$tmp/err"
        fi
        rc=$?
        [ "$rc" -eq 2 ] || fail "$1 ($cmd): exit $rc, want 2"
        grep -q "$3" "$tmp/err" || fail "$1 ($cmd): $(cat "$tmp/err")"
    done
    [ ! -e "$tmp/b.db" ] || fail "$1: a database was left"
}
bad backwards "{process: poisson, rate: 4/s, profile: {points: [[0s, 1], [10s, 2], [5s, 1]]}}" \
    "b.yaml:9:.*expected a time after the previous point's (10 s), found '5s'"
bad last-zero "{process: poisson, rate: 4/s, profile: {points: [[0s, 1], [10s, 0]]}}" \
    "b.yaml:9:.*expected a last factor > 0"
bad both "{process: poisson, rate: 4/s, profile: {shape: diurnal, points: [[0s, 1]]}}" \
    "b.yaml:9:.*expected either 'shape' or 'points', found both"
bad peak "{process: poisson, rate: 4/s, profile: {shape: diurnal, period: 1h, peak: 0.5, trough: 1}}" \
    "b.yaml:9:.*expected a factor >= trough (1), found '0.5'"
bad closed "{process: closed, concurrency: 4, profile: {shape: diurnal, period: 1h, peak: 2, trough: 1}}" \
    "b.yaml:9:.*'profile' does not apply to process 'closed'"
bad negative "{process: poisson, rate: 4/s, profile: {points: [[0s, -1], [10s, 1]]}}" \
    "b.yaml:9:.*points.0.1: expected a number between 0 and"
exit $failed
