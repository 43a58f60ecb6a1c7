#!/bin/sh
# regress.sh -- every input that once made a fuzz harness fail
# (tests/fuzz/regress/NAME/*), replayed through the normal binary:
#
#   sh tests/fuzz/regress.sh build/hetsim           (make check)
#
# NAME is the harness the input came from, which says how it is fed:
#   units     a quantity: 'check tests/fuzz/regress/trace.yaml' with
#             --set slo.ttft_p90=INPUT (a time) and --set
#             hardware.h100.mem_bandwidth=INPUT (a bandwidth)
#   scenario  'check FILE'
#   set       'check configs/examples/quickstart.yaml' with one --set per
#             line of the file
#   trace_F   a trace of format F: 'check' and 'run' of trace.yaml with the
#             trace's format and path set
# Each must end with exit status 0 or 2 (never a crash, 1 or a hang:
# 'timeout 60' where timeout(1) exists), an exit 2 must say "error:", and
# for traces 'check' and 'run' must agree: a trace 'check' accepts runs to
# the end (exit 0, status 'done'), one it refuses 'run' refuses too (exit
# 2, no run row left).  Add a case by copying the input the harness saved
# (build/fuzz/crashes/NAME-*) into tests/fuzz/regress/NAME/ under a name
# that says what it was.
set -u
HETSIM=$1
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
R=tests/fuzz/regress
n=0
bad=0
TO=
command -v timeout >/dev/null 2>&1 && TO="timeout 60"

fail() {
    echo "fuzz-regress: $*"
    bad=$((bad + 1))
}

# ok CASE RC: RC is 0, or 2 with "error:" in $tmp/err.
ok() {
    case $2 in
    0) ;;
    2) grep -q 'error:' "$tmp/err" || fail "$1: exit 2 without an error" ;;
    *) fail "$1: exit status $2"; sed 's/^/    /' "$tmp/err" | head -5 ;;
    esac
}

for f in "$R"/units/*; do
    [ -f "$f" ] || continue
    q=$(cat "$f")
    for key in slo.ttft_p90 hardware.h100.mem_bandwidth; do
        $TO "$HETSIM" check "$R/trace.yaml" --set "$key=$q" \
            --set workload.0.trace.path=../../../traces/azure_code.csv \
            --set workload.0.trace.format=azure >/dev/null 2>"$tmp/err"
        ok "$f ($key)" $?
    done
    n=$((n + 1))
done

for f in "$R"/scenario/*; do
    [ -f "$f" ] || continue
    $TO "$HETSIM" check "$f" >/dev/null 2>"$tmp/err"
    ok "$f" $?
    n=$((n + 1))
done

for f in "$R"/set/*; do
    [ -f "$f" ] || continue
    set --
    while IFS= read -r line || [ -n "$line" ]; do
        set -- "$@" --set "$line"
    done <"$f"
    $TO "$HETSIM" check configs/examples/quickstart.yaml "$@" \
        >/dev/null 2>"$tmp/err"
    ok "$f" $?
    n=$((n + 1))
done

for d in "$R"/trace_*; do
    [ -d "$d" ] || continue
    fmt=${d##*/trace_}
    for f in "$d"/*; do
        [ -f "$f" ] || continue
        abs=$(cd "$(dirname "$f")" && pwd)/$(basename "$f")
        set -- --set "workload.0.trace.format=$fmt" \
            --set "workload.0.trace.path=$abs"
        $TO "$HETSIM" check "$R/trace.yaml" "$@" >/dev/null 2>"$tmp/err"
        crc=$?
        ok "$f (check)" $crc
        rm -f "$tmp/o.db"
        $TO "$HETSIM" run "$R/trace.yaml" "$@" -o "$tmp/o.db" --quiet \
            >/dev/null 2>"$tmp/err"
        rrc=$?
        ok "$f (run)" $rrc
        [ "$crc" -eq "$rrc" ] ||
            fail "$f: check exits $crc, run exits $rrc"
        if [ "$rrc" -eq 0 ]; then
            st=$(sqlite3 "$tmp/o.db" "SELECT group_concat(status) FROM runs")
            [ "$st" = done ] || fail "$f: run status '$st', want 'done'"
        elif [ -f "$tmp/o.db" ]; then
            c=$(sqlite3 "$tmp/o.db" "SELECT count(*) FROM runs" 2>/dev/null)
            [ "${c:-0}" -eq 0 ] || fail "$f: a refused run left $c run rows"
        fi
        n=$((n + 1))
    done
done

if [ "$bad" -ne 0 ]; then
    echo "fuzz-regress: $bad of the checks on $n cases FAILED"
    exit 1
fi
echo "fuzz-regress: $n cases passed"
