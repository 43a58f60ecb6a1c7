#!/bin/sh
# t_check.sh -- 'hetsim check': valid scenarios print "ok" and exit 0;
# invalid ones list every problem on stderr, exactly as below, and exit
# 2.  Fixtures are tests/data/scenarios/*.yaml; catalog entries come from
# the test catalog tests/data/catalog.  Run by tests/cli/run.sh from the
# repository root with $HETSIM set to the binary.
HETSIM_CATALOG=tests/data/catalog
export HETSIM_CATALOG
D=tests/data/scenarios
. tests/cli/lib.sh

# expect STATUS STDOUT -- ARGS...: run 'hetsim check ARGS', compare the
# exit status, stdout (one line, or empty) and stderr (from $tmp/want).
expect() {
    want_rc=$1
    want_out=$2
    shift 3
    "$HETSIM" check "$@" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    if [ "$rc" -ne "$want_rc" ]; then
        echo "check $*: exit status $rc, want $want_rc"
        failed=1
    fi
    if [ -n "$want_out" ]; then
        printf '%s\n' "$want_out" >"$tmp/want_out"
    else
        : >"$tmp/want_out"
    fi
    if ! cmp -s "$tmp/out" "$tmp/want_out"; then
        echo "check $*: stdout differs:"
        diff "$tmp/want_out" "$tmp/out"
        failed=1
    fi
    if ! cmp -s "$tmp/err" "$tmp/want"; then
        echo "check $*: stderr differs (- want, + got):"
        diff "$tmp/want" "$tmp/err"
        failed=1
    fi
}

# ---- valid scenarios ----------------------------------------------------

: >"$tmp/want"
expect 0 ok -- "$D/good.yaml"
expect 0 ok -- "$D/minimal.yaml"
expect 0 ok -- "$D/good.yaml" --set cluster.prefill.count=2 \
    --set router.policy=random --set 'cluster.kv_pool={pool: kv-pool}'

# ---- many problems in one file, in file order ---------------------------

cat >"$tmp/want" <<'END'
tests/data/scenarios/bad_many.yaml:2:1: error: missing required key 'model'
tests/data/scenarios/bad_many.yaml:3:1: error: unknown key 'modle' (expected one of name, seed, model, precision, hardware, links, memory_pools, cluster, router, workload, slo, variants, output, window, engine)
tests/data/scenarios/bad_many.yaml:5:30: error: hardware.a.power: expected a power like '700W', found '700' (no unit)
tests/data/scenarios/bad_many.yaml:6:6: error: hardware.x: missing required key 'cost_per_hour'
tests/data/scenarios/bad_many.yaml:6:51: error: hardware.x.mem_capacity: expected a size in bytes like '80GB', found '96GQ' (unknown unit 'GQ')
tests/data/scenarios/bad_many.yaml:9:36: error: cluster.instances.0.device: unknown hardware 'h100' (defined: a, x)
tests/data/scenarios/bad_many.yaml:9:49: error: cluster.instances.0.count: expected an integer >= 1, found 'zero'
tests/data/scenarios/bad_many.yaml:13:41: error: workload.0.synthetic.arrival.rate: expected a rate like '5/s', found '5' (no unit)
tests/data/scenarios/bad_many.yaml:17:21: error: slo: unknown key 'ttft90' (expected ttft_pNN, tpot_pNN or e2e_pNN with NN from 50 to 99.9)
END
expect 2 "" -- "$D/bad_many.yaml"

# ---- mode rules, and problems that only a variant has -------------------

cat >"$tmp/want" <<'END'
tests/data/scenarios/bad_split.yaml:8:3: error: cluster: missing required key 'decode' (mode split)
tests/data/scenarios/bad_split.yaml:8:3: error: cluster: missing required key 'kv_transfer' (mode split)
tests/data/scenarios/bad_split.yaml:9:12: error: cluster.prefill: tp 2 needs a link, and device 'b' names no default link: set 'link'
tests/data/scenarios/bad_split.yaml:11:45: error: workload.0.trace.path: cannot read 'tests/data/scenarios/missing.csv': No such file or directory
tests/data/scenarios/bad_split.yaml:8:3: error: variant 'mono': cluster: missing required key 'instances' (mode monolithic)
tests/data/scenarios/bad_split.yaml:15:53: error: variant 'fixed': cluster.kv_transfer.link: unknown link 'none' (nothing is defined in 'links')
END
expect 2 "" -- "$D/bad_split.yaml"

# ---- what only a run found before (issue 17): no room for KV, a bad
# trace row, a wrong trace format, an empty trace; every trace is read
# once, each problem named by file, line and column ----------------------

cat >"$tmp/want" <<'END'
tests/data/scenarios/bad_run.yaml:7:10: warning: hardware.small.mem_capacity: 1e+06 B is outside the plausible range [1e+09, 1e+14] B: a unit off by a factor of 1000? (docs/scenario.md, Plausible ranges)
tests/data/scenarios/bad_run.yaml:9:15: error: cluster: instance 'mono': model 'tiny' (0.0 GB of weights) leaves no room for KV cache on 1 x small (0.0 GB usable)
tests/data/scenarios/bad_row.csv:3:33: error: column 'GeneratedTokens': expected a non-negative integer, found '1O9'
tests/data/scenarios/../traces/mooncake_small.jsonl:1:1: error: expected header 'TIMESTAMP,ContextTokens,GeneratedTokens', found '{"timestamp": 0, "input_length": 1024, "output_length": 7, "hash' (a JSON line: is the format mooncake?)
tests/data/scenarios/header_only.csv: error: the trace has no requests (hetsim format)
END
expect 2 "" -- "$D/bad_run.yaml"
# 'hetsim run' reports the same problems and creates nothing.
"$HETSIM" run "$D/bad_run.yaml" -o "$tmp/none.db" >"$tmp/out" 2>"$tmp/err"
rc=$?
if [ "$rc" -ne 2 ] || ! cmp -s "$tmp/err" "$tmp/want" || [ -e "$tmp/none.db" ]
then
    echo "run bad_run.yaml: exit $rc, want 2 with the same problems, no file:"
    diff "$tmp/want" "$tmp/err"
    failed=1
fi
# The variant fixes the memory: only the trace problems are left, and they
# are the base's, so they are not repeated under the variant.
: >"$tmp/want"
expect 0 ok -- "$D/bad_run.yaml" --set 'workload=[{name: s, trace: {format:
    hetsim, path: trace.csv}}]' --set hardware.small.mem_capacity=80GB

# ---- YAML syntax ----------------------------------------------------------

cat >"$tmp/want" <<'END'
tests/data/scenarios/bad_syntax.yaml:4:8: error: invalid YAML: did not find expected ',' or '}' (while parsing a flow mapping at line 3, column 6)
END
expect 2 "" -- "$D/bad_syntax.yaml"

# ---- --set: columns count in the whole PATH=VALUE argument; errors come in
# the order they were found (applying the overrides, then binding) -------

cat >"$tmp/want" <<'END'
--set:1:1: error: expected PATH=VALUE, found 'seed'
--set:1:9: error: cluster: unknown key 'kv_pol' (expected one of mode, instances, prefill, decode, kv_transfer, kv_pool, kv_retention, prefix_cache, block_size, mixed_fallback)
--set:1:23: error: cluster.prefill.count: expected an integer >= 1, found 'abc'
END
expect 2 "" -- "$D/good.yaml" --set cluster.prefill.count=abc \
    --set cluster.kv_pol.pool=x --set seed

# ---- files and usage --------------------------------------------------------

# A model from a HuggingFace config.json: ok, with the features the cost
# model leaves out as warnings (docs/catalogs.md); a file that cannot be read
# is an error at the key (here the --set value).
cat >"$tmp/want" <<'END'
tests/data/scenarios/../hf/openai--gpt-oss-120b_config.json:15:18: warning: layer_types: 18 of 36 layers use sliding-window attention (window 128 tokens); the cost model treats every layer as full attention, so KV size and attention cost are over-counted beyond the window
tests/data/scenarios/../hf/openai--gpt-oss-120b_config.json:62:26: warning: quantization_config: the checkpoint's quantization (mxfp4) is not read: formats come from the scenario's 'precision' section
END
expect 0 "ok" -- "$D/hf_model.yaml"

cat >"$tmp/want" <<'END'
--set:1:17: error: model.hf_config: cannot read 'tests/data/scenarios/nothere.json': No such file or directory
END
expect 2 "" -- "$D/hf_model.yaml" --set model.hf_config=nothere.json

cat >"$tmp/want" <<'END'
tests/data/scenarios/nothere.yaml: error: cannot read 'tests/data/scenarios/nothere.yaml': No such file or directory
END
expect 2 "" -- "$D/nothere.yaml"

cat >"$tmp/want" <<'END'
hetsim check: missing SCENARIO.yaml
usage: hetsim check SCENARIO.yaml [--set PATH=VALUE]
Try 'hetsim check --help'.
END
expect 2 "" --

cat >"$tmp/want" <<'END'
hetsim check: unknown option '--bogus'
usage: hetsim check SCENARIO.yaml [--set PATH=VALUE]
Try 'hetsim check --help'.
END
expect 2 "" -- "$D/good.yaml" --bogus

exit $failed
