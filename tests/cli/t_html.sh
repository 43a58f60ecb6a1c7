#!/bin/sh
# t_html.sh -- 'hetsim report DB --html': one self-contained page (no
# script, no stylesheet, image or font from elsewhere: every plot an
# inline SVG), with the text report, the views, the instances, the OI/CF
# summary, each run's scenario and the SQL under each table; --run
# selects; -o names the file; and the errors (missing or foreign file,
# unknown run, --html with two DBs, -o without --html: exit 2, no file).
# Needs gnuplot (scripts/install-deps.sh).
set -u
: "${HETSIM:?HETSIM must name the hetsim binary}"
. tests/cli/lib.sh
db=$tmp/r.db

expect 0 "$HETSIM" run tests/data/run/tiny.yaml -o "$db" --quiet
expect 0 "$HETSIM" run tests/data/run/tiny.yaml -o "$db" --quiet \
    --set cluster.instances.0.count=2
page=$tmp/page.html
expect 0 "$HETSIM" report "$db" --html -o "$page"
grep -q "^wrote $page\$" "$tmp/out" || die "no 'wrote' line"
# self-contained: nothing fetched, nothing run
grep -qi '<script\|<link\|<img\|<iframe\|src=\|@import\|url(' "$page" &&
    die "the page loads or runs something"
grep -q 'href="[^#]' "$page" && die "a link out of the page"
[ "$(grep -c '<svg' "$page")" -eq 6 ] || die "6 plots expected (2 runs)"
for h in 'Runs side by side' 'Summary (view run_summary)' \
    'Latency percentiles (view latency_percentiles)' 'Instances' \
    'OI/CF summary of the steps' 'Plot: oicf' 'Plot: roofline' 'Plot: cdf' \
    'Plot: timeline' 'Plot: sweep' 'Plot: pareto' 'Scenarios'; do
    grep -q "<h2>$h</h2>" "$page" || die "no section '$h'"
done
grep -q 'SELECT \* FROM latency_percentiles WHERE run_id IN (1, 2)' "$page" ||
    die "the SQL of a table"
# every SQL shown gives the table above it: check one against sqlite3
sqlite3 "$db" "SELECT count(*) FROM instances WHERE run_id IN (1, 2)" |
    grep -q '^3$' || die "instances rows"
[ "$(sed -n '/<h2>Instances<\/h2>/,/<\/table>/p' "$page" | grep -c '^<tr><td>')" -eq 3 ] ||
    die "the instances table has not 3 rows"
grep -q 'requests arrived' "$page" || die "no text report"
grep -q 'name: tiny' "$page" || die "no scenario text"

# --run: one run, so no sweep or pareto
expect 0 "$HETSIM" report "$db" --run 2 --html -o "$tmp/one.html"
[ "$(grep -c '<svg' "$tmp/one.html")" -eq 4 ] || die "--run 2: 4 plots"
grep -q 'WHERE run_id IN (2)' "$tmp/one.html" || die "--run 2: SQL"
# default file name
(cd "$tmp" && "$HETSIM" report r.db --html >/dev/null 2>&1) || die "default"
[ -s "$tmp/report.html" ] || die "no report.html by default"

# errors
expect 2 "$HETSIM" report "$tmp/none.db" --html -o "$tmp/e.html"
echo text >"$tmp/text.db"
expect 2 "$HETSIM" report "$tmp/text.db" --html -o "$tmp/e.html"
expect 2 "$HETSIM" report "$db" --run 7 --html -o "$tmp/e.html"
expect 2 "$HETSIM" report "$db" "$db" --html -o "$tmp/e.html"
expect 2 "$HETSIM" report "$db" -o "$tmp/e.html"
[ ! -e "$tmp/e.html" ] || die "an error left e.html"
ls "$tmp" | grep -q 'tmp[0-9]' && die "a temporary file was left behind"
exit 0
