#!/bin/sh
# t_mpi.sh -- 'mpirun -np 2 hetsim-mpi sweep': the 16 points of
# tests/data/sweep/grid.yaml split over two ranks leave one database
# whose result rows equal 'hetsim sweep -j 1''s; --resume after a shard;
# a bad sweep file exits 2 on every rank and creates nothing.  Open MPI
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
exit $failed
