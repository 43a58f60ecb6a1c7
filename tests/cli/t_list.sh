#!/bin/sh
# t_list.sh -- 'hetsim list': the shipped catalogs and presets list and
# exit 0; 'list presets' shows the four presets of configs/presets; a
# broken preset is reported with its file:line:col and exit 2; a bad kind
# is a usage error (exit 2).  Run by tests/cli/run.sh from the repository
# root with $HETSIM set to the binary.
unset HETSIM_CATALOG
. tests/cli/lib.sh

for kind in models hardware links presets; do
    "$HETSIM" list "$kind" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    [ "$rc" -eq 0 ] || fail "list $kind: exit status $rc, want 0"
    [ -s "$tmp/err" ] && fail "list $kind: unexpected stderr: $(cat "$tmp/err")"
    [ "$(head -c 5 "$tmp/out")" = "name " ] ||
        fail "list $kind: no header line"
done

# The four presets, one row each, in name order, after the header.
"$HETSIM" list presets >"$tmp/out" 2>&1
cut -d' ' -f1 "$tmp/out" >"$tmp/names"
printf 'name\nchat\ncoding\ncomputer-use\nweb\n' >"$tmp/want"
cmp -s "$tmp/names" "$tmp/want" || {
    fail "list presets: rows differ (- want, + got):"
    diff "$tmp/want" "$tmp/names"
}
grep -q '^coding  *82\.5  *20800  *1181  *523  *0\.89  *18\.4s  *46\.7min  *272000$' \
    "$tmp/out" || fail "list presets: coding row: $(grep '^coding' "$tmp/out")"

# Another catalog: the test catalog has one made-up preset.
HETSIM_CATALOG=tests/data/catalog "$HETSIM" list presets >"$tmp/out" 2>&1 ||
    fail "list presets (test catalog): exit status $?"
[ "$(cut -d' ' -f1 "$tmp/out" | tr '\n' ' ')" = "name coding " ] ||
    fail "list presets (test catalog): $(cat "$tmp/out")"

# A catalog with a broken preset: every problem, with its location.
mkdir -p "$tmp/cat/models" "$tmp/cat/hardware" "$tmp/cat/links" \
    "$tmp/cat/presets"
cp tests/data/catalog/presets/coding.yaml "$tmp/cat/presets/"
printf 'name: broken\ncalls: {dist: fixed, value: 0}\n' \
    >"$tmp/cat/presets/broken.yaml"
HETSIM_CATALOG="$tmp/cat" "$HETSIM" list presets >"$tmp/out" 2>"$tmp/err"
rc=$?
[ "$rc" -eq 2 ] || fail "list presets (broken): exit status $rc, want 2"
[ -s "$tmp/out" ] && fail "list presets (broken): stdout not empty"
grep -q "^$tmp/cat/presets/broken.yaml:2:29: error: calls.value: expected a number >= 1, found '0'\$" \
    "$tmp/err" || fail "list presets (broken): stderr: $(cat "$tmp/err")"

# Usage errors.
for args in bogus "presets extra" ""; do
    # shellcheck disable=SC2086
    "$HETSIM" list $args >"$tmp/out" 2>"$tmp/err"
    rc=$?
    [ "$rc" -eq 2 ] || fail "list $args: exit status $rc, want 2"
    grep -q '^usage: hetsim list models|hardware|links|presets$' "$tmp/err" ||
        fail "list $args: no usage line on stderr"
done

exit $failed
