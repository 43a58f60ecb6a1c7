#!/bin/sh
# t_plausible.sh -- plausibility warnings (issue 16 item 5): a hardware,
# link or memory-pool quantity outside its documented physical range
# (docs/scenario.md, "Plausible ranges"; sim/io/io_plaus.c) is a warning
# located at its entry, from 'check' and 'run' alike, and the scenario
# still runs (exit 0); every bundled catalog entry and example is
# inside every range (no warning).  Run by tests/cli/run.sh from the
# repository root with $HETSIM set.
unset HETSIM_CATALOG
. tests/cli/lib.sh
S=tests/abuse/small.yaml

# no_warning WHAT ARGS...: 'check ARGS' exits 0 and warns about nothing.
no_warning() {
    what=$1
    shift
    "$HETSIM" check "$@" >/dev/null 2>"$tmp/err" ||
        fail "$what: check failed: $(head -3 "$tmp/err")"
    grep -q 'warning:' "$tmp/err" && fail "$what: $(grep warning: "$tmp/err")"
}

for f in configs/examples/*.yaml configs/bench/*.yaml; do
    grep -q '^points:' "$f" && continue # an oicf file, not a scenario
    no_warning "$f" "$f"
done
for f in configs/hardware/*.yaml; do
    n=$(basename "$f" .yaml)
    no_warning "hardware $n" "$S" --set "hardware.h100={catalog: $n}"
done
for f in configs/links/*.yaml; do
    n=$(basename "$f" .yaml)
    no_warning "link $n" "$S" --set "links.l={catalog: $n}"
done

# warns CMD WANT ARGS...: CMD ('check' or 'run') exits 0 with the one
# warning line WANT on stderr.
warns() {
    cmd=$1
    want=$2
    shift 2
    rm -f "$tmp/o.db"
    if [ "$cmd" = run ]; then
        "$HETSIM" run "$@" -o "$tmp/o.db" --quiet >/dev/null 2>"$tmp/err"
    else
        "$HETSIM" check "$@" >/dev/null 2>"$tmp/err"
    fi
    rc=$?
    [ "$rc" -eq 0 ] || fail "$cmd $*: exit status $rc, want 0"
    printf '%s\n' "$want" >"$tmp/want"
    cmp -s "$tmp/err" "$tmp/want" || {
        fail "$cmd $*: stderr differs (- want, + got):"
        diff "$tmp/want" "$tmp/err"
    }
}

R='(docs/scenario.md, Plausible ranges)'
for cmd in check run; do
    warns $cmd "$S:8:9: warning: hardware.h100.mem_bandwidth: 3.35e+09 B/s is outside the plausible range [1e+10, 1e+17] B/s: a unit off by a factor of 1000? $R" \
        "$S" --set hardware.h100.mem_bandwidth=3.35GB/s
done
warns check "$S:8:9: warning: hardware.h100.mem_capacity: 2e+14 B is outside the plausible range [1e+09, 1e+14] B: a unit off by a factor of 1000? $R" \
    "$S" --set hardware.h100.mem_capacity=200TB
warns check "--set:1:11: warning: links.l.latency: 2 s is outside the plausible range [0, 0.01] s: a unit off by a factor of 1000? $R" \
    "$S" --set "links={l: {bandwidth: 1TB/s, latency: 2s, energy_per_bit: 5pJ}}"
warns run "$S:8:9: warning: hardware.h100.power: 7e+06 W is outside the plausible range [1, 100000] W: a unit off by a factor of 1000? $R" \
    "$S" --set hardware.h100.power=7MW
exit $failed
