#!/bin/sh
# run.sh -- the abuse catalogue (issue 16): bad inputs and misuse, each
# with the exit status it must end with and a pattern its output must
# match, and after each, checks that nothing was left half-written and no
# run looks done when it is not.
#
#   sh tests/abuse/run.sh build/hetsim [NAME...]      (make check)
#
# The cases are in tests/abuse/cases.sh, one 'abuse' line each:
#
#   abuse NAME EXIT 'PATTERN' 'COMMAND' ['SETUP']
#
# SETUP (optional) prepares files in $T and must succeed; COMMAND is then
# run by sh from the repository root, stdout and stderr together matched
# against PATTERN (grep -E, one match anywhere), its exit status against
# EXIT.  Both see $H (the hetsim binary), $T (a fresh empty directory per
# case), $S (tests/abuse/small.yaml, a scenario that runs in a fraction
# of a second), $Q (configs/examples/quickstart.yaml) and the helpers
# below ('both' runs 'check' and 'run' and says whether they agree;
# 'trace FORMAT' does so with $S's workload replaced by the trace $T/t).
# Every hetsim call ($H) is bounded by 'timeout 60' where timeout(1)
# exists (exit 124 then, which no case expects).
# ABUSE_VERBOSE=1 prints every case's output.
#
# After every case, whatever it did:
#   - no SQLite journal, WAL or shared-memory file (-journal, -wal, -shm)
#     and no *.tmp is left in $T: every writer has ended;
#   - every results database in $T passes 'PRAGMA integrity_check' and
#     has no more runs with status 'running' than before the command (its
#     writer is gone);
#   - a command refused as bad input (EXIT 2) left no new database file,
#     and a command that failed (EXIT not 0) added no run unless one of
#     the runs it added is not 'done': a refused input writes nothing,
#     and a failure never looks complete.
set -u
HETSIM=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
shift
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
top=$(mktemp -d) || exit 1
trap 'rm -rf "$top"' EXIT
TO=
command -v timeout >/dev/null 2>&1 && TO="timeout 60"
# $H is the binary behind 'timeout 60' (unquoted in the cases: the
# repository's paths have no spaces).
export H="${TO:+$TO }$HETSIM" S="$ROOT/tests/abuse/small.yaml" \
    Q="$ROOT/configs/examples/quickstart.yaml"
unset HETSIM_CATALOG
only="$*"
n=0
bad=0
names=""

# "TOTAL DONE RUNNING": the runs of database $1, or "-" when it is not a
# results database (no runs table, or not SQLite at all).
runs_of() {
    sqlite3 -separator ' ' "$1" "SELECT count(*), \
        count(*) FILTER (WHERE status = 'done'), \
        count(*) FILTER (WHERE status = 'running') FROM runs" \
        2>/dev/null || echo -
}

check_leftovers() { # NAME EXIT
    for f in "$T"/*-journal "$T"/*-wal "$T"/*-shm "$T"/*.tmp; do
        [ -e "$f" ] && problem "$1: left ${f#"$T"/} behind"
    done
    for db in "$T"/*.db; do
        [ -f "$db" ] || continue
        b=$(basename "$db")
        before=$(sed -n "s/^$b //p" "$T.before" 2>/dev/null)
        if [ "$2" -eq 2 ] && [ -z "$before" ]; then
            problem "$1: refused input (exit 2) but left a new database $b"
            continue
        fi
        [ "$before" = "-" ] && continue # not ours to check
        [ -z "$before" ] && before="0 0 0"
        ic=$(sqlite3 "$db" "PRAGMA integrity_check" 2>&1)
        [ "$ic" = ok ] || problem "$1: $b: integrity_check says '$ic'"
        after=$(runs_of "$db")
        if [ "$after" = "-" ]; then
            problem "$1: $b: no longer a results database"
            continue
        fi
        # shellcheck disable=SC2086
        set -- "$1" "$2" $after $before
        [ "$5" -gt "$8" ] && problem "$1: $b: $(($5 - $8)) run(s) left 'running'"
        new=$(($3 - $6))
        if [ "$2" -ne 0 ] && [ "$new" -gt 0 ] && [ "$(($4 - $7))" -eq "$new" ]; then
            problem "$1: failed (exit $2) but its $new new run(s) say 'done'"
        fi
    done
}

problem() {
    echo "abuse: $*"
    bad=$((bad + 1))
}

# both ARGS...: 'check ARGS' and 'run ARGS -o $T/both.db'; prints both
# outputs and exits with their common status, or 99 when they differ.
both() {
    $H check "$@" 2>&1
    c=$?
    $H run "$@" -o "$T/both.db" --quiet 2>&1
    r=$?
    if [ "$c" -ne "$r" ]; then
        echo "both: check exits $c, run exits $r"
        return 99
    fi
    return "$c"
}

# trace FORMAT [PATH]: 'both' on $S with its workload replaced by one
# trace of FORMAT at PATH (default $T/t).
trace() {
    both "$S" --set "workload.0={name: t, trace: {format: $1, path: ${2:-$T/t}}}"
}

abuse() { # NAME EXIT PATTERN COMMAND [SETUP]
    if [ -n "$only" ]; then
        case " $only " in *" $1 "*) ;; *) return 0 ;; esac
    fi
    case " $names " in *" $1 "*) problem "duplicate case name $1" ;; esac
    names="$names $1"
    n=$((n + 1))
    T="$top/$n"
    mkdir -p "$T"
    export T
    if [ -n "${5:-}" ] && ! (eval "$5") >"$top/setup.out" 2>&1; then
        problem "$1: setup failed: $(head -3 "$top/setup.out")"
        return 0
    fi
    : >"$T.before"
    for db in "$T"/*.db; do
        [ -f "$db" ] && echo "$(basename "$db") $(runs_of "$db")" >>"$T.before"
    done
    out=$(eval "$4" 2>&1)
    rc=$?
    [ -n "${ABUSE_VERBOSE:-}" ] && printf '== %s (exit %s)\n%s\n' "$1" "$rc" "$out"
    if [ "$rc" -ne "$2" ]; then
        problem "$1: exit status $rc, want $2"
        echo "$out" | head -5 | sed 's/^/    /'
    elif ! printf '%s\n' "$out" | grep -Eq -- "$3"; then
        problem "$1: output does not match /$3/:"
        echo "$out" | head -5 | sed 's/^/    /'
    fi
    check_leftovers "$1" "$2"
}

. tests/abuse/cases.sh

if [ "$n" -lt 60 ] && [ -z "$only" ]; then
    problem "only $n cases: the catalogue promises at least 60"
fi
if [ "$bad" -ne 0 ]; then
    echo "abuse: $bad problem(s) in $n cases"
    exit 1
fi
echo "abuse: $n cases passed"
