# lib.sh -- sourced by every tests/cli/t_*.sh (run from the repository
# root): a fresh scratch directory $tmp, removed on exit; 'failed', 0
# until fail() is called; fail MESSAGE... prints the message and marks
# the test failed (the test ends with 'exit $failed').
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
failed=0

fail() {
    echo "$*"
    failed=1
}
