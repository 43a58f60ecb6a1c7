#!/bin/sh
# t_install.sh -- 'make install' (issue 17, "the first hour"): into a
# DESTDIR staging tree, with the binary under test, it puts the binary,
# the man page, the catalogs, presets and examples, and the traces they
# replay; the installed binary, run from outside the source tree with no
# $HETSIM_CATALOG, finds the installed catalogs, checks every installed
# example and runs the quickstart example to the end.
# Run by tests/cli/run.sh from the repository root with $HETSIM set (an
# absolute path); it builds nothing: the build of $HETSIM is installed.
set -u
: "${HETSIM:?HETSIM must name the hetsim binary}"
. tests/cli/lib.sh

build=$(dirname "$HETSIM")
san=0
case $build in */san) san=1 ;; esac
# The prefix the binary was built for, so that nothing is rebuilt.
datadir=$(sed -n 's/^#define HETSIM_DATADIR "\(.*\)"$/\1/p' \
    "$build/gen/hetsim_config.h")
prefix=${datadir%/share/hetsim}
[ -n "$prefix" ] && [ "$prefix" != "$datadir" ] ||
    { echo "t_install: no prefix in $build/gen/hetsim_config.h"; exit 1; }
root=$tmp/root
make -s --no-print-directory install DESTDIR="$root" PREFIX="$prefix" \
    BUILD="$build" SAN=$san HETSIM="$HETSIM" >"$tmp/make" 2>&1 ||
    { echo "t_install: make install failed: $(cat "$tmp/make")"; exit 1; }
top=$root$prefix
share=$top/share/hetsim
for f in bin/hetsim share/man/man1/hetsim.1 share/hetsim/configs/models/llama-3-8b.yaml \
    share/hetsim/configs/hardware/h100-sxm.yaml share/hetsim/configs/presets/coding.yaml \
    share/hetsim/traces/README.md; do
    [ -f "$top/$f" ] || fail "not installed: $f"
done
for f in configs/examples/*.yaml traces/*.csv traces/*.jsonl; do
    [ -f "$share/$f" ] || fail "not installed: $f"
    cmp -s "$f" "$share/$f" || fail "installed $f differs"
done
cmp -s docs/hetsim.1 "$top/share/man/man1/hetsim.1" || fail "man page differs"

# Outside the source tree, no catalog named: the installed one is found.
unset HETSIM_CATALOG
hs=$top/bin/hetsim
cd "$tmp" || exit 1
"$hs" list models >"$tmp/out" 2>&1 || fail "installed list models: $(cat "$tmp/out")"
grep -q '^llama-3-8b ' "$tmp/out" || fail "installed list models: no llama-3-8b"
for ex in "$share"/configs/examples/*.yaml; do
    case $ex in
    */paper-oicf.yaml)
        "$hs" oicf --scenario "$ex" >"$tmp/out" 2>&1 ||
            fail "installed $ex: $(cat "$tmp/out")" ;;
    *)
        "$hs" check "$ex" >"$tmp/out" 2>&1 ||
            fail "installed $ex does not check: $(cat "$tmp/out")" ;;
    esac
done
"$hs" run "$share/configs/examples/quickstart.yaml" --variant two-instances \
    -o "$tmp/q.db" --quiet >"$tmp/out" 2>&1 ||
    fail "installed quickstart: $(cat "$tmp/out")"
n=$(sqlite3 "$tmp/q.db" "SELECT count(*) FROM requests" 2>/dev/null)
[ "$n" = 19366 ] || fail "installed quickstart: $n request rows, want 19366"
exit $failed
