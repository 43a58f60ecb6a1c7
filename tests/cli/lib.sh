# lib.sh -- sourced by every tests/cli/t_*.sh (run from the repository
# root): a fresh scratch directory $tmp, removed on exit; 'failed', 0
# until fail() is called; fail MESSAGE... prints the message and marks
# the test failed (the test ends with 'exit $failed'); start_long_run
# (below) starts a long run in the background.
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
failed=0

fail() {
    echo "$*"
    failed=1
}

# start_long_run DB: start 'hetsim run' of the 1M-request benchmark into
# DB in the background (stderr to $tmp/err), set $pid, and return once
# its runs row 1 says 'running' (fail after 60 s).
start_long_run() {
    "$HETSIM" run configs/bench/azure-1m.yaml -o "$1" --quiet 2>"$tmp/err" &
    pid=$!
    i=0
    st=
    while [ "$i" -lt 600 ]; do
        st=$(sqlite3 "$1" "SELECT status FROM runs WHERE run_id = 1" 2>/dev/null)
        [ "$st" = running ] && break
        sleep 0.1
        i=$((i + 1))
    done
    [ "$st" = running ] || fail "the run never started (status '$st')"
}
