#!/bin/sh
# t_help.sh -- help and the man page (issue 17, "the first hour"): every
# command listed by 'hetsim --help' answers '--help', '-h' and 'hetsim
# help COMMAND' alike (exit 0, "usage: hetsim COMMAND" first, one line
# per option), every option its help lists is one its parser knows, a bad
# option is refused with the usage (exit 2), and docs/hetsim.1 is what
# 'hetsim man' prints (regenerate with 'make man').
# Run by tests/cli/run.sh from the repository root with $HETSIM set.
set -u
: "${HETSIM:?HETSIM must name the hetsim binary}"
. tests/cli/lib.sh

"$HETSIM" --help >"$tmp/top" || fail "hetsim --help: exit $?"
cmds=$(awk '/^commands:/ { on = 1; next } on && /^  [a-z]/ { print $1 }
            on && /^$/ { on = 0 }' "$tmp/top")
[ "$(echo $cmds)" = "run check oicf report plot trace sweep merge search list calibrate help" ] ||
    fail "commands listed: $(echo $cmds)"
"$HETSIM" >/dev/null 2>&1
[ $? -eq 2 ] || fail "no command: want exit 2"

for c in $cmds; do
    "$HETSIM" "$c" --help >"$tmp/help" 2>"$tmp/err" || fail "$c --help: exit $?"
    [ -s "$tmp/err" ] && fail "$c --help: stderr: $(cat "$tmp/err")"
    "$HETSIM" "$c" -h >"$tmp/h" || fail "$c -h: exit $?"
    "$HETSIM" help "$c" >"$tmp/hc" || fail "help $c: exit $?"
    cmp -s "$tmp/help" "$tmp/h" || fail "$c: -h differs from --help"
    cmp -s "$tmp/help" "$tmp/hc" || fail "$c: help $c differs from --help"
    head -1 "$tmp/help" | grep -q "^usage: hetsim $c" ||
        fail "$c --help: first line $(head -1 "$tmp/help")"
    grep -q '^  --help, -h  ' "$tmp/help" || fail "$c --help: no --help line"
done
"$HETSIM" help nope >/dev/null 2>&1
[ $? -eq 2 ] || fail "help nope: want exit 2"

# Every option of the help is known to the parser: given alone (with a
# value when it takes one), it may fail for other reasons, never as an
# unknown option.
for c in run check oicf report plot trace sweep search; do
    "$HETSIM" "$c" --help |
        awk '/^options:/ { on = 1; next } on && $1 != "--help," {
                 sub(/,$/, "", $1); v = ($2 ~ /^[A-Z]/) ? $2 : ""
                 print $1, v }' >"$tmp/opts"
    [ -s "$tmp/opts" ] || fail "$c: no options in its help"
    while read -r opt val; do
        "$HETSIM" "$c" "$opt" ${val:+x} </dev/null >/dev/null 2>"$tmp/err"
        grep -q "unknown option" "$tmp/err" &&
            fail "$c: option $opt of its help is unknown to its parser"
    done <"$tmp/opts"
    "$HETSIM" "$c" --no-such-option >/dev/null 2>"$tmp/err"
    [ $? -eq 2 ] || fail "$c --no-such-option: want exit 2"
    grep -q "^usage: hetsim $c" "$tmp/err" ||
        fail "$c --no-such-option: no usage line: $(cat "$tmp/err")"
done
grep -q "^  --beyond-context " "$tmp/help" 2>/dev/null ||
    "$HETSIM" oicf --help | grep -q "^  --beyond-context " ||
    fail "oicf --help lists no --beyond-context"

# The man page is generated from the same table.
"$HETSIM" man >"$tmp/man" || fail "hetsim man: exit $?"
cmp -s "$tmp/man" docs/hetsim.1 ||
    fail "docs/hetsim.1 differs from 'hetsim man' (run make man): $(diff docs/hetsim.1 "$tmp/man" | head -5)"
for c in $cmds; do
    grep -q "^\.SS \"hetsim $c" docs/hetsim.1 || fail "hetsim.1: no section for $c"
done
grep -q '^\.B \\-\\-beyond\\-context$' docs/hetsim.1 ||
    fail "hetsim.1: no --beyond-context"
if command -v groff >/dev/null 2>&1; then
    groff -man -Tutf8 -ww docs/hetsim.1 >/dev/null 2>"$tmp/groff"
    [ -s "$tmp/groff" ] && fail "groff warns: $(head -3 "$tmp/groff")"
fi
# docs/ is self-contained: no page points at the team's shared folder for
# a design contract (data sources under shared/data are cited, not linked).
grep -n '\.\./shared/docs\|shared/docs/' README.md docs/*.md |
    grep -v '^docs/costmodel-reference.md:[0-9]*:.*(shared/docs/costmodel-reference.md), kept here' \
    >"$tmp/shared" && fail "docs point outside the repository: $(cat "$tmp/shared")"
exit $failed
