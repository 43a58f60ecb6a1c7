#!/bin/sh
# check-arch.sh -- checks the shape of the code that docs/architecture.md
# promises, from the object files of a build:
#
#   1. no call circles: the graph "file A calls (or takes the address of)
#      a function or object defined in file B" over every sim/ source is
#      acyclic -- no file calls into a file that calls back into it,
#      directly or around a longer loop;
#   2. no upward calls: a module only uses modules below it, in the order
#      util, engine, cost, hw, workload, records, serve, io, app, cli;
#   3. no sim/ .c file is longer than 800 lines.
#
# Calls through function pointers (vtables, callbacks handed down at
# build time) are not edges: that is how a lower layer reaches a higher
# one without knowing it.
#
#   sh scripts/check-arch.sh [BUILD_DIR]     (default: build)
set -eu
build=${1:-build}
obj=$build/obj/sim
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
fail=0

# The rank of each module: a file may only use files of its own module or
# of a module with a lower rank.
rank() {
    case $1 in
    util) echo 0 ;; engine) echo 1 ;; cost) echo 2 ;; hw) echo 3 ;;
    workload) echo 4 ;; records) echo 5 ;; serve) echo 6 ;; io) echo 7 ;;
    app) echo 8 ;; cli) echo 9 ;; *) echo 99 ;;
    esac
}

# The objects of the current sources (a removed source's object may
# linger in the build directory).
objects=""
for c in sim/*/*.c; do
    o=$obj/${c#sim/}
    o=${o%.c}.o
    if [ ! -f "$o" ]; then
        echo "check-arch: $o missing (build first)" >&2
        exit 2
    fi
    objects="$objects $o"
done

# symbol -> defining file; file -> symbol it uses.
for o in $objects; do
    f=${o#"$obj"/}
    f=${f%.o}
    nm -g --defined-only "$o" | awk -v f="$f" 'NF == 3 { print $3, f }'
done | sort -k1,1 >"$tmp/defs"
for o in $objects; do
    f=${o#"$obj"/}
    f=${f%.o}
    nm -u "$o" | awk -v f="$f" '{ print $2, f }'
done | sort -k1,1 >"$tmp/uses"
join "$tmp/uses" "$tmp/defs" | awk '$2 != $3 { print $2, $3 }' |
    sort -u >"$tmp/edges"

# 1. Circles: tsort reports the loops it finds on stderr.
if ! tsort "$tmp/edges" >/dev/null 2>"$tmp/loops"; then
    echo "check-arch: call circles between files:"
    grep -v 'input contains a loop' "$tmp/loops" | sed 's/^tsort: /    /'
    fail=1
fi

# 2. Upward calls.
while read -r from to; do
    rf=$(rank "${from%%/*}")
    rt=$(rank "${to%%/*}")
    if [ "$rt" -gt "$rf" ]; then
        echo "check-arch: upward call: $from uses $to"
        fail=1
    fi
done <"$tmp/edges"

# 3. File length.
for c in sim/*/*.c; do
    n=$(wc -l <"$c")
    if [ "$n" -gt 800 ]; then
        echo "check-arch: $c has $n lines (at most 800)"
        fail=1
    fi
done

if [ "$fail" -eq 0 ]; then
    echo "check-arch: $(wc -l <"$tmp/edges") file dependencies, no circle," \
        "no upward call, no file over 800 lines"
fi
exit $fail
