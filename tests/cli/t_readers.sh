#!/bin/sh
# t_readers.sh -- trace readers refuse what they cannot represent (issue
# 16, items 3, 4 and 7): Azure times outside 1677-09-21 .. 2262-04-11 or
# arrivals 2^63 ns apart, a Mooncake line with more hash ids than its
# prompt has 512-token blocks (2^23 of them used to abort the run), and
# lines over 16 MiB (they used to be buffered whole; /dev/zero grew until
# allocation failed).  Each is an error located at file:line:col with exit
# status 2, from 'check' (which scans every trace) and from 'run' alike.
# Big inputs are generated here into $tmp.  Run by tests/cli/run.sh from
# the repository root with $HETSIM set to the binary.
unset HETSIM_CATALOG
. tests/cli/lib.sh

# scenario FORMAT PATH: a one-trace scenario in $tmp/s.yaml.
scenario() {
    cat >"$tmp/s.yaml" <<YAML
name: readers
model: llama-3-8b
hardware:
  h100: {catalog: h100-sxm}
cluster:
  instances: [{name: mono, device: h100, count: 1, tp: 1}]
workload:
  - {name: t, trace: {format: $1, path: $2}}
output: {steps: none, timeseries_interval: 0s}
YAML
}

# expect WANT: 'check' and 'run' of $tmp/s.yaml both exit 2 with exactly
# the one line WANT on stderr ($T stands for $tmp).
expect() {
    printf '%s\n' "$1" >"$tmp/want"
    for cmd in check run; do
        rm -f "$tmp/o.db"
        if [ "$cmd" = run ]; then
            "$HETSIM" run "$tmp/s.yaml" -o "$tmp/o.db" >/dev/null 2>"$tmp/err"
        else
            "$HETSIM" check "$tmp/s.yaml" >/dev/null 2>"$tmp/err"
        fi
        rc=$?
        [ "$rc" -eq 2 ] || fail "$cmd: $1: exit status $rc, want 2"
        sed "s|$tmp|\$T|g" "$tmp/err" >"$tmp/got"
        cmp -s "$tmp/got" "$tmp/want" || {
            fail "$cmd: stderr differs (- want, + got):"
            diff "$tmp/want" "$tmp/got"
        }
    done
}

H='TIMESTAMP,ContextTokens,GeneratedTokens'
R='expected a time from 1677-09-21 00:12:44 to 2262-04-11 23:47:16.854775807'

# Item 3: a year past 2262 read as a time going backwards, one before 1678
# likewise; times 584 years apart gave wrong arrivals with exit 0.
scenario azure az.csv
printf '%s\n2023-11-16 18:15:46,10,1\n2263-01-01 00:00:00,10,1\n' "$H" \
    >"$tmp/az.csv"
expect "\$T/az.csv:3:1: error: column 'TIMESTAMP': $R, found '2263-01-01 00:00:00'"
printf '%s\n0999-01-01 00:00:00,10,1\n' "$H" >"$tmp/az.csv"
expect "\$T/az.csv:2:1: error: column 'TIMESTAMP': $R, found '0999-01-01 00:00:00'"
printf '%s\n1700-01-01 00:00:00,10,1\n2200-01-01 00:00:00,10,1\n' "$H" \
    >"$tmp/az.csv"
expect "\$T/az.csv:3:1: error: column 'TIMESTAMP': expected at most 10 years after the first record's TIMESTAMP, found '2200-01-01 00:00:00'"

# Item 4: more hash ids than blocks; 2^23 + 1 ids (the aborting case) no
# longer fit a line at all.
scenario mooncake mc.jsonl
printf '{"timestamp": 0, "input_length": 100, "output_length": 1, "hash_ids": [7, 8]}\n' \
    >"$tmp/mc.jsonl"
expect "\$T/mc.jsonl:1:71: error: key 'hash_ids': 2 ids for an input_length of 100 tokens, expected at most 1 (one per 512 tokens)"
awk 'BEGIN { printf "{\"timestamp\": 0, \"input_length\": 5000000000, "
             printf "\"output_length\": 1, \"hash_ids\": [0"
             for (i = 0; i < 8388608; i++) printf ",1"
             print "]}" }' >"$tmp/mc.jsonl"
expect "\$T/mc.jsonl:1:16777217: error: line longer than 16 MiB (the limit of a trace line)"

# Item 7: a 17 MB line, and /dev/zero (one NUL, not a growing buffer).
scenario azure az.csv
{ printf '%s\n' "$H"; head -c 17000000 /dev/zero | tr '\0' 7; } >"$tmp/az.csv"
expect "\$T/az.csv:2:16777217: error: line longer than 16 MiB (the limit of a trace line)"
scenario azure /dev/zero
expect "/dev/zero:1:1: error: NUL byte in the line"

exit $failed
