#!/bin/sh
# t_route.sh -- issue 17, item 1: the prefix cache must not override the
# router.  The bundled Mooncake sample, cut to the 985 requests whose
# prompt and output fit Llama-3-8B's 8k context, on four H100s
# (tests/data/route/mooncake-8k.yaml).  Every request starts with hash
# block 0, so when affinity came before the router, least-loaded and
# round-robin sent all of them to one instance and TTFT p50 doubled.
# Now least-loaded and round-robin spread them over all four, and
# cache-aware is no slower than no cache at all (mean and p50 TTFT,
# exact nearest-rank over the request rows).
# Run by tests/cli/run.sh from the repository root with $HETSIM set.
set -u
: "${HETSIM:?HETSIM must name the hetsim binary}"
. tests/cli/lib.sh
db=$tmp/r.db

fail() {
    echo "t_route: $*"
    [ -s "$tmp/err" ] && sed 's/^/  stderr: /' "$tmp/err"
    exit 1
}

q() {
    sqlite3 "$db" "$1"
}

# The rows of traces/mooncake_conv_sample.jsonl with input + output
# <= 8192 tokens (the same filter is quoted in docs/serving.md).
awk '{
    i = $0; sub(/.*"input_length": */, "", i); sub(/[^0-9].*/, "", i)
    o = $0; sub(/.*"output_length": */, "", o); sub(/[^0-9].*/, "", o)
    if (i + o <= 8192) print
}' traces/mooncake_conv_sample.jsonl >"$tmp/m8k.jsonl"
[ "$(wc -l <"$tmp/m8k.jsonl" | tr -d ' ')" = 985 ] ||
    fail "the filtered trace has $(wc -l <"$tmp/m8k.jsonl") rows, want 985"

"$HETSIM" run tests/data/route/mooncake-8k.yaml -o "$db" --quiet \
    --set "workload.0.trace.path=$tmp/m8k.jsonl" >"$tmp/out" 2>"$tmp/err" ||
    fail "run failed"

run_of() { # VARIANT ('' for the base run): its run_id
    q "SELECT run_id FROM runs WHERE coalesce(variant, '') = '$1'"
}
base=$(run_of '')
nocache=$(run_of no-cache)
rr=$(run_of round-robin)
ca=$(run_of cache-aware)
[ -n "$base" ] && [ -n "$nocache" ] && [ -n "$rr" ] && [ -n "$ca" ] ||
    fail "want four runs: $(q 'SELECT run_id, variant FROM runs')"

for id in $base $nocache $rr $ca; do
    [ "$(q "SELECT count(*) FROM requests WHERE run_id = $id
            AND status = 'done'")" = 985 ] || fail "run $id: not all 985 done"
done

per_instance() { # RUN: "instance:count ..." in instance order
    q "SELECT group_concat(prefill_instance || ':' || n, ' ') FROM
       (SELECT prefill_instance, count(*) AS n FROM requests
        WHERE run_id = $1 GROUP BY 1 ORDER BY 1)"
}

# Round-robin: exactly in turn, whatever the cache holds.
[ "$(per_instance "$rr")" = "mono.0:247 mono.1:246 mono.2:246 mono.3:246" ] ||
    fail "round-robin with the cache on: $(per_instance "$rr")"
# Least-loaded and cache-aware: every instance takes at least an eighth.
for id in $base $ca; do
    [ "$(q "SELECT count(*) FROM (SELECT count(*) AS n FROM requests
            WHERE run_id = $id GROUP BY prefill_instance) WHERE n >= 123")" \
        = 4 ] || fail "run $id is not spread: $(per_instance "$id")"
done
# The cache is used: cache-aware finds prefixes.
[ "$(q "SELECT sum(cached_tokens) > 0 FROM requests WHERE run_id = $ca")" \
    = 1 ] || fail "cache-aware found nothing cached"

# TTFT mean and nearest-rank p50 of RUN, at full precision.
mean_of() {
    q "SELECT printf('%.17g', avg(ttft_s)) FROM requests WHERE run_id = $1"
}
p50_of() {
    q "SELECT printf('%.17g', ttft_s) FROM requests WHERE run_id = $1
       ORDER BY ttft_s LIMIT 1 OFFSET (SELECT (count(*) + 1) / 2 - 1
       FROM requests WHERE run_id = $1)"
}
not_above() { # A B: A <= B
    [ "$(q "SELECT $1 <= $2")" = 1 ]
}
not_above "$(mean_of "$ca")" "$(mean_of "$nocache")" ||
    fail "cache-aware TTFT mean $(mean_of "$ca") s > no cache $(mean_of "$nocache") s"
not_above "$(p50_of "$ca")" "$(p50_of "$nocache")" ||
    fail "cache-aware TTFT p50 $(p50_of "$ca") s > no cache $(p50_of "$nocache") s"
exit 0
