#!/bin/sh
# run.sh -- the golden test: runs every scenario of tests/golden/ (all its
# variants, fixed seeds) with 'hetsim run' into a fresh database and
# compares a hash of each run's rows, table by table, with
# tests/golden/expected.txt.
#
#   sh tests/golden/run.sh HETSIM [--update] [SCENARIO...]
#
# SCENARIO names (mono, split, ...) restrict the run to those files (the
# sanitizer build runs three).  --update rewrites the expected lines of
# the scenarios run, for a commit that changes behaviour on purpose (its
# message says why).
#
# Rows are hashed in a canonical order (each table's key columns), so a
# change in the order in which rows are written does not count, a change
# in any value does.  REAL columns are printed with 17 significant
# digits ('%!.17g'), enough to tell any two doubles apart.  The runs
# table contributes its deterministic columns (name, variant, seed,
# sim_s, events, status), not wall-clock ones.
#
# The hashes depend on the C library's and GSL's floating-point results:
# they hold for the Debian release CI uses (scripts/install-deps.sh).
set -u
HETSIM=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
shift
update=0
if [ "${1:-}" = "--update" ]; then
    update=1
    shift
fi
cd "$(dirname "$0")/../.."
dir=tests/golden
expected=$dir/expected.txt
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

if [ $# -gt 0 ]; then
    names="$*"
else
    names=$(for f in $dir/*.yaml; do basename "$f" .yaml; done)
fi

# table|ORDER BY columns, for every table whose rows are compared.
TABLES="runs|run_id
requests|run_id, request_id
steps|run_id, instance, start_s, end_s
transfers|run_id, transfer_id
sessions|run_id, source, session_id
instances|run_id, instance
timeseries|run_id, instance, t_s
metrics|run_id, scope, name"

# The SELECT of table $1 ordered by $2, every REAL at full precision.
select_of() {
    cols=$(sqlite3 "$db" "SELECT group_concat(CASE WHEN type = 'REAL'
        THEN printf('printf(''%%!.17g'', %s)', name) ELSE name END, ', ')
        FROM pragma_table_info('$1')
        WHERE '$1' != 'runs' OR name IN
            ('run_id', 'name', 'variant', 'seed', 'sim_s', 'events',
             'status')")
    echo "SELECT $cols FROM $1 ORDER BY $2"
}

fail=0
: >"$tmp/actual"
for name in $names; do
    db=$tmp/$name.db
    if ! "$HETSIM" run "$dir/$name.yaml" -o "$db" --quiet >"$tmp/out" 2>&1
    then
        echo "golden: $name: hetsim run failed:"
        sed 's/^/    /' "$tmp/out"
        fail=1
        continue
    fi
    runs=$(sqlite3 "$db" "SELECT run_id || ':' ||
        name || '/' || ifnull(variant, '-') FROM runs ORDER BY run_id")
    for run in $runs; do
        id=${run%%:*}
        label=${run#*:}
        echo "$TABLES" | while IFS='|' read -r table order; do
            q=$(select_of "$table" "$order")
            rows=$(sqlite3 "$db" "SELECT count(*) FROM $table
                WHERE run_id = $id")
            sum=$(sqlite3 -csv "$db" "SELECT * FROM ($q) WHERE run_id = $id" |
                sha256sum | cut -c1-16)
            echo "$name $label $table $rows $sum"
        done >>"$tmp/actual"
    done
done

if [ "$update" -eq 1 ]; then
    # Keep the lines of the scenarios not run, replace the others.
    : >"$tmp/new"
    if [ -f "$expected" ]; then
        for name in $names; do
            echo "$name"
        done >"$tmp/names"
        awk 'NR == FNR { run[$1] = 1; next } !($1 in run)' \
            "$tmp/names" "$expected" >"$tmp/new"
    fi
    cat "$tmp/actual" >>"$tmp/new"
    sort -k1,1 -s "$tmp/new" >"$expected"
    echo "golden: $expected updated ($(wc -l <"$tmp/actual") lines)"
    exit $fail
fi

# Compare the lines of the scenarios that ran.
for name in $names; do
    grep "^$name " "$expected"
done >"$tmp/want"
if ! diff "$tmp/want" "$tmp/actual" >"$tmp/diff"; then
    echo "golden: rows differ from $expected (< expected, > now):"
    sed 's/^/    /' "$tmp/diff"
    fail=1
fi
n=$(wc -l <"$tmp/actual")
if [ "$fail" -eq 0 ]; then
    echo "golden: $n tables identical"
else
    echo "golden: FAILED"
fi
exit $fail
