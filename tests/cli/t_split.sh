#!/bin/sh
# t_split.sh -- split mode hands a request's KV to its decode instance
# only after the prefill step that produced its first token has ended.
# Regression: a prefill step that completed a single-token request
# retired it and started the instance's next step in the middle of the
# hand-off loop, so the next step's prefills were handed off (their KV
# transfer started) before that step ended -- 98 of 400 requests in
# tests/data/run/split-handoff.yaml.  Run by tests/cli/run.sh from the
# repository root with $HETSIM set to the binary.
unset HETSIM_CATALOG
. tests/cli/lib.sh

"$HETSIM" run tests/data/run/split-handoff.yaml -o "$tmp/r.db" --quiet \
    >"$tmp/out" 2>&1 || fail "run: exit status $?: $(cat "$tmp/out")"
early=$(sqlite3 "$tmp/r.db" "SELECT count(*) FROM transfers t
    JOIN requests r USING (run_id, request_id)
    WHERE t.kind = 'kv_pd' AND t.start_s < r.first_token_s")
[ "$early" = 0 ] || fail "$early KV transfers start before their prefill ended"
# The case is there: single-token requests, and transfers to check.
n=$(sqlite3 "$tmp/r.db" "SELECT sum(output_tokens = 1) > 50 AND
    (SELECT count(*) FROM transfers) > 200 FROM requests")
[ "$n" = 1 ] || fail "the scenario no longer exercises the case"
exit $failed
