#!/bin/sh
# t_run.sh -- 'hetsim run': a tiny synthetic scenario into a fresh
# database (runs row 'done', one requests row per arrival, metrics, step
# sampling), a second run appended without touching the first, variants,
# overrides, the database path rules, and bad input (exit 2, no file).
# Run by tests/cli/run.sh from the repository root with $HETSIM set.
set -u
: "${HETSIM:?HETSIM must name the hetsim binary}"
root=$(pwd)
. tests/cli/lib.sh
tiny=tests/data/run/tiny.yaml
db=$tmp/r.db

# A failed check ends the test (lib.sh: die, expect).
fail() { die "$@"; }

q() {
    sqlite3 "$db" "$1"
}

metric() { # RUN NAME: a run-scope metric as an integer
    q "SELECT CAST(round(value) AS INTEGER) FROM metrics
       WHERE run_id = $1 AND scope = 'run' AND name = '$2'"
}

# ---- one run into a new file ---------------------------------------------
expect 0 "$HETSIM" run "$tiny" -o "$db"
[ "$(q 'SELECT count(*) FROM runs')" = 1 ] || fail "want one run"
[ "$(q 'SELECT run_id || status || name FROM runs')" = 1donetiny ] ||
    fail "run 1 is not 'done': $(q 'SELECT * FROM runs')"
[ "$(q "SELECT variant IS NULL AND seed = 7 AND wall_s >= 0 AND sim_s > 0
        AND events > 0 AND version IS NOT NULL AND started_at LIKE
        '____-__-__T__:__:__Z' AND scenario_path = '$tiny'
        AND scenario_yaml LIKE '# tiny.yaml%' FROM runs")" = 1 ] ||
    fail "runs row: $(q 'SELECT * FROM runs')"
arrived=$(metric 1 requests_arrived)
[ "$arrived" = 300 ] || fail "requests_arrived '$arrived', want 300"
[ "$(q 'SELECT count(*) FROM requests WHERE run_id = 1')" = "$arrived" ] ||
    fail "requests rows != arrived"
[ "$(q "SELECT count(*) FROM requests WHERE run_id = 1 AND status = 'done'")" \
    = "$(metric 1 requests_done)" ] || fail "done rows != requests_done"
for m in requests_arrived requests_done requests_dropped requests_unfinished \
    throughput_tok_s throughput_req_s ttft_p50_s ttft_p90_s ttft_p99_s \
    tpot_p50_s tpot_p90_s tpot_p99_s e2e_p50_s e2e_p90_s e2e_p99_s \
    goodput_req_s slo_attainment mean_oi capacity_bound_frac energy_j \
    cost_usd tokens_per_usd preemptions input_tokens output_tokens; do
    [ "$(q "SELECT count(*) FROM metrics WHERE run_id = 1 AND scope = 'run'
            AND name = '$m'")" = 1 ] || fail "metric '$m' missing"
done
[ "$(q 'SELECT count(*) > 0 FROM steps WHERE run_id = 1')" = 1 ] ||
    fail "no step rows with output.steps: all"
[ "$(q "SELECT count(*) FROM instances WHERE run_id = 1
        AND role = 'monolithic' AND tp = 1")" = 1 ] ||
    fail "instances: $(q 'SELECT * FROM instances')"
grep -q 'requests done' "$tmp/out" || fail "no summary table on stdout"
grep -q 'TTFT p99 (ms)' "$tmp/out" || fail "no TTFT row in the summary"
[ ! -s "$tmp/err" ] || fail "stderr not empty (not a terminal: no progress)"
before=$(q 'SELECT count(*), sum(e2e_s), max(finish_s) FROM requests
            WHERE run_id = 1')

# ---- a second run is appended; the first is untouched --------------------
expect 0 "$HETSIM" run "$tiny" -o "$db" --seed 11 --quiet
[ ! -s "$tmp/out" ] || fail "--quiet printed on stdout"
[ "$(q "SELECT group_concat(run_id || status, ' ') FROM runs")" = \
    "1done 2done" ] || fail "runs after the second: $(q 'SELECT * FROM runs')"
[ "$(q 'SELECT seed FROM runs WHERE run_id = 2')" = 11 ] || fail "--seed"
[ "$(q 'SELECT count(*), sum(e2e_s), max(finish_s) FROM requests
        WHERE run_id = 1')" = "$before" ] || fail "run 1 changed"

# ---- the same seed gives the same rows; so does --no-fast-forward ------------
cols="request_id, arrival_s, prompt_tokens, output_tokens, first_token_s,
      finish_s, status"
expect 0 "$HETSIM" run "$tiny" -o "$db" --quiet
expect 0 "$HETSIM" run "$tiny" -o "$db" --quiet --no-fast-forward
for r in 3 4; do
    [ "$(q "SELECT count(*) FROM (SELECT $cols FROM requests WHERE run_id = 1
            EXCEPT SELECT $cols FROM requests WHERE run_id = $r)")" = 0 ] ||
        fail "run $r (seed 7 again) differs from run 1"
done

# ---- --set changes the result --------------------------------------------
expect 0 "$HETSIM" run "$tiny" -o "$db" --quiet \
    --set workload.0.synthetic.requests=120 --set output.steps=none
[ "$(metric 5 requests_arrived)" = 120 ] || fail "--set requests=120 ignored"
[ "$(q 'SELECT count(*) FROM requests WHERE run_id = 5')" = 120 ] ||
    fail "--set: requests rows"
[ "$(q 'SELECT count(*) FROM steps WHERE run_id = 5')" = 0 ] ||
    fail "output.steps=none wrote steps"
q 'SELECT scenario_yaml FROM runs WHERE run_id = 5' |
    grep -q -- '--set workload.0.synthetic.requests=120' ||
    fail "overrides not recorded with the scenario text"

# ---- variants: base then each variant, in file order ---------------------
db=$tmp/v.db
expect 0 "$HETSIM" run tests/data/run/variants.yaml -o "$db"
[ "$(q "SELECT group_concat(run_id || ':' || coalesce(variant, '-') || ':' ||
        status, ' ') FROM runs")" = "1:-:done 2:two:done 3:small-batch:done" ] ||
    fail "variant runs: $(q 'SELECT run_id, variant, status FROM runs')"
[ "$(q 'SELECT count(*) FROM instances WHERE run_id = 2')" = 2 ] ||
    fail "variant 'two' did not get two instances"
grep -q 'run 1 *run 2 *run 3' "$tmp/out" || fail "no side-by-side table"
# output.steps: sampled, every 10th step of each instance
[ "$(q 'SELECT count(*) > 0 FROM steps WHERE run_id = 1')" = 1 ] ||
    fail "sampled: no step rows"
expect 0 "$HETSIM" run tests/data/run/variants.yaml -o "$db" --quiet \
    --set output.steps=all
for inst in $(q "SELECT instance FROM instances WHERE run_id = 1"); do
    all=$(q "SELECT count(*) FROM steps WHERE run_id = 4
             AND instance = '$inst'")
    some=$(q "SELECT count(*) FROM steps WHERE run_id = 1
              AND instance = '$inst'")
    [ "$some" -eq $(((all + 9) / 10)) ] ||
        fail "sampled $some steps of $all on $inst, want every 10th"
done
expect 0 "$HETSIM" run tests/data/run/variants.yaml -o "$db" --quiet \
    --variant small-batch
[ "$(q 'SELECT count(*) FROM runs')" = 7 ] || fail "--variant ran more"
[ "$(q 'SELECT variant FROM runs WHERE run_id = 7')" = small-batch ] ||
    fail "--variant small-batch"

# ---- max_context (issue 17): the Mooncake sample on an 8k model ------------
# Every request whose prompt + output exceed Llama-3-8B's 8192 tokens is
# dropped at arrival with reason max_context: exactly the trace rows over
# the limit (counted here from the file), and no other request dropped.
db=$tmp/ctx.db
over=$(awk '{ match($0, /"input_length": *[0-9]+/); i = substr($0, RSTART,
    RLENGTH); sub(/.*: */, "", i); match($0, /"output_length": *[0-9]+/);
    o = substr($0, RSTART, RLENGTH); sub(/.*: */, "", o);
    if (i + o > 8192) n++ } END { print n + 0 }' \
    traces/mooncake_conv_sample.jsonl)
[ "$over" -gt 0 ] || fail "no Mooncake row over 8192 tokens"
expect 0 "$HETSIM" run tests/data/run/context.yaml -o "$db" --quiet
[ "$(q "SELECT count(*) FROM requests WHERE run_id = 1
        AND drop_reason = 'max_context'")" = "$over" ] ||
    fail "max_context drops: $(q "SELECT count(*) FROM requests WHERE
          run_id = 1 AND drop_reason = 'max_context'"), want $over"
[ "$(q "SELECT count(*) FROM requests WHERE run_id = 1 AND (status = 'dropped')
        != (drop_reason = 'max_context' AND prompt_tokens + output_tokens
        > 8192 AND first_token_s IS NULL AND prefill_instance IS NULL)")" = 0 ] ||
    fail "a max_context drop that fits, or another drop"
[ "$(q "SELECT max(prompt_tokens + output_tokens) FROM requests
        WHERE run_id = 1 AND status = 'done'")" -le 8192 ] ||
    fail "a request over 8192 tokens was served"
# on_max_context: truncate serves them all, each at most 8192 tokens, the
# truncated ones exactly 8192 with their output kept and no cached prefix.
[ "$(q "SELECT count(*), max(prompt_tokens + output_tokens) FROM requests
        WHERE run_id = 2 AND status = 'done'")" = "2000|8192" ] ||
    fail "truncate: $(q "SELECT status, count(*) FROM requests
          WHERE run_id = 2 GROUP BY 1")"
[ "$(q "SELECT count(*) FROM requests AS t JOIN requests AS d
        ON d.request_id = t.request_id AND d.run_id = 1
        WHERE t.run_id = 2 AND d.drop_reason = 'max_context'
        AND t.prompt_tokens + t.output_tokens = 8192
        AND t.output_tokens = d.output_tokens AND t.cached_tokens = 0")" = \
    "$over" ] || fail "truncate: the over-long prompts are not cut to fit"
# Llama-3.1-8B (128k context) serves the whole sample.
[ "$(q "SELECT count(*) FROM requests WHERE run_id = 3
        AND status = 'done'")" = 2000 ] || fail "llama-3.1-8b dropped requests"

# ---- where the database goes ---------------------------------------------
mkdir "$tmp/cwd"
(cd "$tmp/cwd" && "$HETSIM" run "$root/$tiny" --quiet \
    --set workload.0.synthetic.requests=10) >"$tmp/out" 2>"$tmp/err" ||
    fail "default path: exit $?"
[ -f "$tmp/cwd/results/tiny.db" ] || fail "no results/tiny.db by default"
(cd "$tmp/cwd" && "$HETSIM" run "$root/$tiny" --quiet \
    --set workload.0.synthetic.requests=10 --set output.db=out/x.db) \
    >"$tmp/out" 2>"$tmp/err" || fail "output.db: exit $?"
[ -f "$tmp/cwd/out/x.db" ] || fail "output.db not used (relative to cwd)"

# ---- bad input: exit 2, every problem listed, no database created -----------
nodb=$tmp/none.db
expect 2 "$HETSIM" run tests/data/run/bad.yaml -o "$nodb"
[ "$(grep -c 'bad.yaml:[0-9]*:[0-9]*: error: ' "$tmp/err")" -eq 2 ] ||
    fail "bad.yaml: want both errors"
[ ! -e "$nodb" ] || fail "bad scenario created the database"
expect 2 "$HETSIM" run tests/data/run/bad_variant.yaml -o "$nodb"
grep -q "error: variant 'broken': " "$tmp/err" || fail "variant error"
[ ! -e "$nodb" ] || fail "bad variant created the database"
expect 2 "$HETSIM" run tests/data/run/missing_trace.yaml -o "$nodb"
grep -q 'no-such-trace.csv' "$tmp/err" || fail "missing trace not named"
[ ! -e "$nodb" ] || fail "missing trace created the database"
expect 2 "$HETSIM" run "$tiny" -o "$nodb" --variant nope
grep -q "unknown variant 'nope'" "$tmp/err" || fail "unknown variant"
[ ! -e "$nodb" ] || fail "unknown variant created the database"
expect 2 "$HETSIM" run "$tiny" -o "$nodb" --set cluster.instances.0.count=x
[ ! -e "$nodb" ] || fail "bad --set created the database"
expect 2 "$HETSIM" run "$tiny" -o "$nodb" --seed -3
expect 2 "$HETSIM" run "$tiny" -o "$nodb" --frobnicate
expect 2 "$HETSIM" run
expect 2 "$HETSIM" run "$tmp/no-such.yaml" -o "$nodb"
[ ! -e "$nodb" ] || fail "bad usage created the database"
echo "not a database" >"$tmp/text.db"
expect 2 "$HETSIM" run "$tiny" -o "$tmp/text.db"
[ "$(cat "$tmp/text.db")" = "not a database" ] || fail "foreign file touched"
exit 0
