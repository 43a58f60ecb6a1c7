#!/bin/sh
# t_engine.sh -- engine profiles (docs/engines.md) change exactly what
# they say: host time per iteration is added to every step (or hides
# behind it when overlapped), a decode-only batch is padded to the next
# CUDA-graph size, and the KV capacity follows the memory share.  Bad
# profiles are located errors, exit 2.  Run by tests/cli/run.sh from the
# repository root with $HETSIM set to the binary.
unset HETSIM_CATALOG
. tests/cli/lib.sh

sc=tests/data/engine/decode.yaml
run() { # DB [SET]: run $sc into DB, with one --set override
    if [ $# -gt 1 ]; then
        "$HETSIM" run "$sc" -o "$tmp/$1" --quiet --set "$2" >"$tmp/out" 2>&1
    else
        "$HETSIM" run "$sc" -o "$tmp/$1" --quiet >"$tmp/out" 2>&1
    fi || fail "run $1: exit status $?: $(cat "$tmp/out")"
}
q() { sqlite3 "$tmp/$1" "$2"; }

# engine none written or not: the same rows (the ideal model).
run base.db
run none.db engine=none
a=$(q base.db "SELECT group_concat(end_s - start_s) FROM steps")
b=$(q none.db "SELECT group_concat(end_s - start_s) FROM steps")
[ "$a" = "$b" ] || fail "engine none differs from no engine"

# Requests arriving at the same instant join the same iteration: the
# three closed-loop users' first requests (t = 0) are prefilled in one
# step, and the three that finish together come back into one step.
first=$(q base.db "SELECT batch_size || ':' || prefill_tokens FROM steps
                   ORDER BY start_s LIMIT 1")
[ "$first" = "3:300" ] || fail "first step (batch:prefill tokens) $first, expected 3:300"
n=$(q base.db "SELECT count(*) FROM steps WHERE prefill_tokens > 0")
[ "$n" = 2 ] || fail "$n prefilling steps, expected 2 (t = 0 and the second wave)"

# warmup: 3 -- the source's first three requests are in the rows
# (warmup = 1) and in no latency metric: the mean TTFT is the mean over
# the other three rows, exactly.
run wu.db workload.0.warmup=3
w=$(q wu.db "SELECT group_concat(request_id || ':' || warmup) FROM
             (SELECT * FROM requests ORDER BY request_id)")
[ "$w" = "0:1,1:1,2:1,3:0,4:0,5:0" ] || fail "requests.warmup: $w"
d=$(q wu.db "SELECT abs((SELECT value FROM metrics WHERE scope = 'run'
               AND name = 'ttft_mean_s') -
             (SELECT avg(ttft_s) FROM requests WHERE NOT warmup)) < 1e-12,
             (SELECT value FROM metrics WHERE scope = 'run'
               AND name = 'window_requests')")
[ "$d" = "1|3.0" ] || fail "ttft_mean_s / window_requests with warm-up: $d"

# Host time 1 ms + 10 us per sequence, not overlapped: every step is
# exactly that much longer (step times are whole nanoseconds).
run host.db 'engine={profile: none, host: {step: 1ms, per_seq: 10us}}'
bad=$(sqlite3 "$tmp/host.db" "ATTACH '$tmp/base.db' AS b;
    SELECT count(*) FROM (SELECT row_number() OVER (ORDER BY start_s) i,
        end_s - start_s d, batch_size n FROM steps) h
    JOIN (SELECT row_number() OVER (ORDER BY start_s) i,
        end_s - start_s d FROM b.steps) o USING (i)
    WHERE abs(h.d - o.d - (1e-3 + 1e-5 * h.n)) > 2e-9")
[ "$bad" = 0 ] || fail "$bad steps are not longer by 1 ms + 10 us x batch"
n=$(q host.db "SELECT count(*) FROM steps")
[ "$n" -gt 50 ] || fail "only $n steps: the case is not there"

# Overlapped host time of 1 s hides every GPU step: each takes 1 s.
run ovl.db 'engine={profile: none, host: {step: 1s, overlap: true}}'
bad=$(q ovl.db "SELECT count(*) FROM steps WHERE abs(end_s - start_s - 1) > 2e-9")
[ "$bad" = 0 ] || fail "$bad overlapped steps do not take the 1 s host time"

# CUDA graphs [4]: decode-only steps of 3 run as 4 (more FLOPs, the
# same KV read); prefill steps are not padded.
run g4.db 'engine={profile: none, cuda_graphs: [4]}'
run g3.db 'engine={profile: none, cuda_graphs: [3]}'
pad=$(sqlite3 "$tmp/g4.db" "ATTACH '$tmp/g3.db' AS b;
    SELECT count(*), sum(p.flops > o.flops) FROM
      (SELECT row_number() OVER (ORDER BY start_s) i, flops, phase FROM steps) p
    JOIN (SELECT row_number() OVER (ORDER BY start_s) i, flops FROM b.steps) o
    USING (i) WHERE p.phase = 'decode'")
[ "${pad%|*}" -gt 0 ] && [ "${pad%|*}" = "${pad#*|}" ] ||
    fail "padded decode steps (count|more flops): $pad"
same=$(sqlite3 "$tmp/g4.db" "ATTACH '$tmp/g3.db' AS b;
    SELECT count(*) FROM
      (SELECT row_number() OVER (ORDER BY start_s) i, flops, phase FROM steps) p
    JOIN (SELECT row_number() OVER (ORDER BY start_s) i, flops FROM b.steps) o
    USING (i) WHERE p.phase != 'decode' AND p.flops != o.flops")
[ "$same" = 0 ] || fail "$same prefill steps were padded"

# Memory: a share of all memory (M f - W - S) or of what is free
# ((M - W - S) f).  With f = 1 the two agree; 0.9 and 0.8 of all memory
# differ by 0.1 x 81559 MiB (the h100-sxm entry's nvidia-smi total), to one
# 16-token block (131072 B).
kv() {
    run "$1.db" "engine={profile: none, memory: {fraction: $2, of: $3}}"
    q "$1.db" "SELECT value FROM metrics WHERE name = 'kv_capacity_bytes'
               AND scope = 'e'"
}
t1=$(kv t1 1 total)
f1=$(kv f1 1 free)
t9=$(kv t9 0.9 total)
t8=$(kv t8 0.8 total)
[ "$t1" = "$f1" ] || fail "fraction 1: of total $t1, of free $f1"
awk -v a="$t9" -v b="$t8" 'BEGIN {
    d = a - b - 0.1 * 81559 * 2^20; exit !(d < 131072 && d > -131072) }' ||
    fail "0.9 and 0.8 of memory: $t9 - $t8 is not 0.1 x 81559 MiB"

# A catalog profile loads and its batch limits apply where the group
# writes none (vllm: max_batch_tokens 8192; the group's max_batch 3 wins).
run vllm.db engine=vllm
m=$(q vllm.db "SELECT max(batch_size) FROM steps")
[ "$m" = 3 ] || fail "the group's max_batch 3 lost to the profile: $m"

# Bad profiles: located, exit 2.
bad_set() { # PATTERN SET
    "$HETSIM" check "$sc" --set "$2" >"$tmp/out" 2>&1
    rc=$?
    [ "$rc" = 2 ] || fail "--set $2: exit status $rc, expected 2"
    grep -q "$1" "$tmp/out" || fail "--set $2: no '$1' in: $(cat "$tmp/out")"
}
bad_set "^--set:1:8: error: engine: unknown engine profile 'vlm'" engine=vlm
bad_set "must ascend: 2 after 4" 'engine={profile: vllm, cuda_graphs: [4, 2]}'
bad_set "unknown key 'stp'" 'engine={profile: vllm, host: {stp: 1ms}}'
bad_set "missing required key 'profile'" 'engine={host: {step: 1ms}}'
bad_set "expected one of total, free" 'engine={profile: none, memory: {of: all}}'
bad_set "decode-only\|chunked or prefill-first" \
    'engine={profile: none, scheduler: decode-only}'

exit $failed
