#!/bin/sh
# t_progress.sh -- 'hetsim run''s progress (issue 17, "the first hour"):
# without a terminal a line every $HETSIM_PROGRESS_INTERVAL seconds on
# stderr with the simulated time, the requests done of the expected
# count and an ETA, then a final line; nothing with --quiet; and the
# 'output.steps: all' warning, before the run, when the steps rows may
# pass 1 GB, saying how to sample, and not below it.
# Run by tests/cli/run.sh from the repository root with $HETSIM set.
set -u
: "${HETSIM:?HETSIM must name the hetsim binary}"
. tests/cli/lib.sh

# 2,000 requests in 400 simulated seconds: a few hundred ms of wall time.
cat >"$tmp/s.yaml" <<'END'
name: prog
model: tiny
hardware:
  a: {catalog: gpu-a}
cluster:
  instances: [{name: mono, device: a, count: 2}]
workload:
  - name: synth
    synthetic:
      arrival: {process: poisson, rate: 5/s}
      requests: 2000
      prompt: {dist: fixed, value: 100}
      output: {dist: fixed, value: 50}
output: {steps: all}
END
export HETSIM_CATALOG=tests/data/catalog
HETSIM_PROGRESS_INTERVAL=0.000001 "$HETSIM" run "$tmp/s.yaml" \
    -o "$tmp/a.db" >"$tmp/out" 2>"$tmp/err" || fail "run: exit $?"
grep -q '^\[prog\] sim [0-9.]* s  done [0-9]*/[0-9]* of ~2000  wall [0-9.]* s  ETA [0-9hms?]*$' \
    "$tmp/err" || fail "no progress line: $(head -3 "$tmp/err")"
tail -1 "$tmp/err" | grep -q 'done 2000/2000 of ~2000  wall [0-9.]* s  finished$' ||
    fail "last line: $(tail -1 "$tmp/err")"
grep -q warning "$tmp/err" && fail "steps warning below 1 GB"
"$HETSIM" run "$tmp/s.yaml" -o "$tmp/b.db" --quiet >"$tmp/out" 2>"$tmp/err" ||
    fail "quiet run: exit $?"
[ -s "$tmp/err" ] && fail "--quiet printed on stderr: $(head -3 "$tmp/err")"
[ -s "$tmp/out" ] && fail "--quiet printed on stdout"

# 20 million output tokens: up to 2.2 GB of steps rows.  The warning
# comes before the run (the database here is not one: the run fails).
echo "not a database" >"$tmp/bad.db"
"$HETSIM" run "$tmp/s.yaml" -o "$tmp/bad.db" --quiet \
    --set workload.0.synthetic.requests=100000 \
    --set workload.0.synthetic.output.value=200 >/dev/null 2>"$tmp/err"
grep -q "^hetsim run: warning: prog: output.steps: all writes a row per batch step: up to 2.2 GB for 100000 requests and 20000000 output tokens" \
    "$tmp/err" || fail "no steps warning: $(cat "$tmp/err")"
grep -q "Sample instead: --set output.steps=sampled" "$tmp/err" ||
    fail "the warning does not say how to sample"
exit $failed
