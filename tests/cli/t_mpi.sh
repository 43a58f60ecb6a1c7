#!/bin/sh
# t_mpi.sh -- 'mpirun -np 2 hetsim-mpi sweep': the 16 points of
# tests/data/sweep/grid.yaml split over two ranks leave one database
# whose result rows equal 'hetsim sweep -j 1''s; --resume after a shard;
# a bad sweep file exits 2 on every rank and creates nothing.
# 'mpirun -np 2 hetsim-mpi search': the rows printed and the database
# equal 'hetsim search -j 1''s (one seed and two; a split space; an
# energy search); a bad search file exits 2 and creates nothing.  Open MPI
# is pinned to shared memory and TCP-free transports so it runs in a
# container (OMPI_MCA_*), and allowed to run as root (CI).  Skipped when
# hetsim-mpi was not built (no mpicc) or mpirun is missing.  Run by
# tests/cli/run.sh from the repository root with $HETSIM set.
set -u
: "${HETSIM:?HETSIM must name the hetsim binary}"
. tests/cli/lib.sh
. tests/cli/sweep_lib.sh
MPI=$(dirname "$HETSIM")/hetsim-mpi
if [ ! -x "$MPI" ] || ! command -v mpirun >/dev/null 2>&1; then
    echo "t_mpi: skipped (no hetsim-mpi or mpirun)"
    exit 0
fi
export OMPI_MCA_pml=ob1 OMPI_MCA_btl=self,vader
export OMPI_MCA_btl_vader_single_copy_mechanism=none
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
# Sanitizer build: Open MPI's own allocations at exit are not ours
# (tests/lsan-openmpi.supp).  For the suppressions to see whose they are,
# Open MPI keeps its plugins loaded (no dlclose, else their frames are
# "<unknown module>") and leaks are traced with full unwinding.
export LSAN_OPTIONS="suppressions=$PWD/tests/lsan-openmpi.supp:print_suppressions=0"
export OMPI_MCA_mca_base_component_disable_dlclose=1
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}fast_unwind_on_malloc=0"
export TMPDIR="$tmp"
grid=tests/data/sweep/grid.yaml
mpi() { mpirun --oversubscribe -np 2 "$MPI" "$@"; }

"$HETSIM" sweep "$grid" -o "$tmp/j1.db" -j 1 -q || fail "sweep -j 1"
mpi sweep "$grid" -o "$tmp/mpi.db" >"$tmp/out" 2>"$tmp/err" ||
    fail "mpirun: exit $?: $(cat "$tmp/err")"
grep -q '^sweep: 16 point(s) run on 2 ranks (16 done, 0 not), 0 skipped' "$tmp/out" ||
    fail "summary: $(cat "$tmp/out")"
sweep_rows "$tmp/j1.db" >"$tmp/rows1"
sweep_rows "$tmp/mpi.db" >"$tmp/rows-mpi"
[ "$(wc -l <"$tmp/rows1")" -gt 1000 ] || fail "too few rows compared"
cmp -s "$tmp/rows1" "$tmp/rows-mpi" ||
    fail "mpirun rows differ from -j 1: $(diff "$tmp/rows1" "$tmp/rows-mpi" | head -5)"
ls "$tmp" | grep -q '^hetsim-mpi\.' && fail "a rank left its directory"

# ---- --resume --------------------------------------------------------------
"$HETSIM" sweep "$grid" -o "$tmp/r.db" --shard 1/2 -q || fail "shard 1/2"
mpi sweep "$grid" -o "$tmp/r.db" --resume >"$tmp/out" 2>"$tmp/err" ||
    fail "mpirun --resume: exit $?: $(cat "$tmp/err")"
grep -q '^sweep: 8 point(s) run on 2 ranks (8 done, 0 not), 8 skipped' "$tmp/out" ||
    fail "resume summary: $(cat "$tmp/out")"
sweep_rows "$tmp/r.db" >"$tmp/rows-r"
cmp -s "$tmp/rows1" "$tmp/rows-r" || fail "resumed rows differ from -j 1"

# ---- a bad sweep: exit 2 everywhere, one report, nothing created ---------
printf 'scenario: %s\ngrid:\n  cluster.instances.0.count: [1, 0]\n' \
    "$PWD/tests/data/sweep/tiny.yaml" >"$tmp/bad.yaml"
mpi sweep "$tmp/bad.yaml" -o "$tmp/bad.db" >"$tmp/out" 2>"$tmp/err"
[ $? -eq 2 ] || fail "bad sweep: exit not 2"
[ "$(grep -c 'bad.yaml:3:34: error: cluster.instances.0.count' "$tmp/err")" = 1 ] ||
    fail "bad sweep: $(cat "$tmp/err")"
[ -e "$tmp/bad.db" ] && fail "a bad sweep created its database"

# ---- search: the rows and the database of 'hetsim search -j 1' ------------
d=$PWD/tests/data/sweep
sed "s|^scenario: .*|scenario: $d/tiny.yaml|; \$a seeds: [1, 2]" \
    "$d/small.yaml" >"$tmp/seeds.yaml"
sed "s|^scenario: .*|scenario: $d/tiny.yaml|; s/^objective: cost/objective: energy/" \
    "$d/small.yaml" >"$tmp/energy.yaml"
for f in "$d/small.yaml" "$tmp/seeds.yaml" "$d/split-search.yaml" \
    "$tmp/energy.yaml"; do
    n=$(basename "$f" .yaml)
    "$HETSIM" search "$f" -o "$tmp/s1-$n.db" -j 1 --format csv >"$tmp/s1-$n" ||
        fail "search -j 1 $n: exit $?"
    mpi search "$f" -o "$tmp/sm-$n.db" --format csv >"$tmp/sm-$n" \
        2>"$tmp/err" || fail "mpirun search $n: exit $?: $(cat "$tmp/err")"
    [ "$(wc -l <"$tmp/sm-$n")" -gt 10 ] || fail "$n: too few rows"
    cmp -s "$tmp/s1-$n" "$tmp/sm-$n" ||
        fail "$n: mpirun search rows differ from -j 1: $(diff "$tmp/s1-$n" "$tmp/sm-$n" | head -5)"
    sweep_rows "$tmp/s1-$n.db" >"$tmp/rows1"
    sweep_rows "$tmp/sm-$n.db" >"$tmp/rows-mpi"
    cmp -s "$tmp/rows1" "$tmp/rows-mpi" ||
        fail "$n: mpirun search database differs from -j 1's"
done
[ "$(sqlite3 "$tmp/sm-seeds.db" "SELECT count(DISTINCT seed) FROM runs")" = 2 ] ||
    fail "seeds: not two seeds run"
mpi search "$d/small.yaml" -o "$tmp/t.db" >"$tmp/out" 2>"$tmp/err" ||
    fail "mpirun search table: exit $?"
grep -q '^best: candidate 5 (run 4)$' "$tmp/out" || fail "table: $(tail -2 "$tmp/out")"
ls "$tmp" | grep -q '^hetsim-mpi\.' && fail "a search rank left its directory"
sed 's/objective: cost/objective: money/' "$d/small.yaml" >"$d/.bad-search.yaml"
mpi search "$d/.bad-search.yaml" -o "$tmp/bs.db" >"$tmp/out" 2>"$tmp/err"
rc=$?
rm -f "$d/.bad-search.yaml"
[ $rc -eq 2 ] || fail "bad search: exit $rc, not 2"
[ "$(grep -c 'error: .*objective' "$tmp/err")" = 1 ] ||
    fail "bad search: $(cat "$tmp/err")"
[ -e "$tmp/bs.db" ] && fail "a bad search created its database"
mpi search "$d/small.yaml" --rate-max >"$tmp/out" 2>"$tmp/err"
[ $? -eq 2 ] || fail "search --rate-max under MPI: not a usage error"
exit $failed
