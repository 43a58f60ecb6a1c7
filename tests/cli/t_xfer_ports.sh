#!/bin/sh
# t_xfer_ports.sh -- a split-mode KV hand-off moves over one link per GPU
# at the link's efficiency: 8,000 tokens of Llama-3.1-70B KV (bf16: 80
# layers x 8 KV heads x 128 x 2 x 2 B = 327,680 B per token, 2.62 GB)
# from TP8 to TP8 over InfiniBand NDR takes 3 us + 2.62 GB / (8 x 50 GB/s
# x 0.72) = 9.104 ms -- not 2.62 GB / 50 GB/s = 52 ms over one port.
# Run by tests/cli/run.sh from the repository root with $HETSIM set.
unset HETSIM_CATALOG
. tests/cli/lib.sh

"$HETSIM" run tests/data/run/split-tp8.yaml -o "$tmp/r.db" --quiet \
    >"$tmp/out" 2>&1 || fail "run: exit status $?: $(cat "$tmp/out")"
got=$(sqlite3 "$tmp/r.db" "SELECT bytes, end_s - start_s FROM transfers
                           WHERE kind = 'kv_pd'")
echo "$got" | awk -F'|' '{
    want_b = 8000 * 327680; want_t = 3e-6 + want_b / (8 * 50e9 * 0.72)
    exit !(NR == 1 && $1 == want_b && $2 - want_t < 2e-9 && want_t - $2 < 2e-9)
}' || fail "kv_pd transfer (bytes|seconds): '$got', expected 2621440000|0.009104"
exit $failed
