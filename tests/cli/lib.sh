# lib.sh -- sourced by every tests/cli/t_*.sh (run from the repository
# root): a fresh scratch directory $tmp, removed on exit; 'failed', 0
# until fail() is called; fail MESSAGE... prints the message and marks
# the test failed (the test ends with 'exit $failed'); die MESSAGE...
# ends the test failed at once, with the last expect's output; expect
# WANT CMD... runs CMD and dies unless it exits WANT; start_long_run
# (below) starts a long run in the background.
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
failed=0

fail() {
    echo "$*"
    failed=1
}

# die MESSAGE...: print the message (after the test's name), then the
# stdout (its first 20 lines) and stderr of the last expect ($tmp/out,
# $tmp/err), and end the test failed.
die() {
    echo "$(basename "$0" .sh): $*"
    [ -s "$tmp/out" ] && sed 's/^/  stdout: /' "$tmp/out" | head -20
    [ -s "$tmp/err" ] && sed 's/^/  stderr: /' "$tmp/err"
    exit 1
}

# expect WANT CMD...: run CMD, its stdout to $tmp/out and its stderr to
# $tmp/err; die unless it exits WANT.
expect() {
    want=$1
    shift
    "$@" >"$tmp/out" 2>"$tmp/err"
    got=$?
    [ "$got" -eq "$want" ] || die "exit $got (want $want): $*"
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
