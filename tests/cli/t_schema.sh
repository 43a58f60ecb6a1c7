#!/bin/sh
# t_schema.sh -- docs/schema.md agrees with the result schema: the lines
# between its "BEGIN generated" and "END generated" markers are exactly
# what 'hetsim schema-doc' prints from include/hetsim/records.h (fix with
# 'make schema-doc'), and the command is not listed in the usage.
# Run by tests/cli/run.sh from the repository root with $HETSIM set.
set -u
: "${HETSIM:?HETSIM must name the hetsim binary}"
. tests/cli/lib.sh
doc=docs/schema.md

fail() {
    echo "t_schema: $*"
    exit 1
}

"$HETSIM" schema-doc >"$tmp/gen.md" || fail "hetsim schema-doc failed"
[ "$(grep -c '^<!-- BEGIN generated' "$doc")" = 1 ] &&
    [ "$(grep -c '^<!-- END generated' "$doc")" = 1 ] ||
    fail "$doc needs one BEGIN generated and one END generated marker"
sed -n '/^<!-- BEGIN generated/,/^<!-- END generated/p' "$doc" |
    sed '1d;$d' >"$tmp/doc.md"
if ! diff -u "$tmp/doc.md" "$tmp/gen.md" >"$tmp/diff"; then
    sed 's/^/    /' "$tmp/diff"
    fail "$doc differs from include/hetsim/records.h: run 'make schema-doc'"
fi
for t in runs requests steps instances transfers metrics timeseries \
    sessions oicf; do
    grep -q "^### \`$t\` — " "$tmp/gen.md" || fail "no table '$t'"
done
grep -q '^| `ttft_p90_s` | s | run | ' "$tmp/gen.md" || fail "no metric names"
"$HETSIM" --help | grep -q schema-doc && fail "schema-doc is listed"
"$HETSIM" schema-doc extra >/dev/null 2>&1
[ $? -eq 2 ] || fail "schema-doc with an argument: want exit 2"
exit 0
