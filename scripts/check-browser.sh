#!/bin/sh
# check-browser.sh -- 'make check-browser': render the HTML report of two
# small runs (tests/data/run/tiny.yaml) with headless Chromium and check
# that the picture is not blank (its PNG is over 4 times the size of a
# blank page's at the same size) and that the page asked for nothing
# outside itself: no URL in Chromium's network log but Chromium's own
# background requests (Google hosts), and no src=/href= in the page but
# links inside it.  Skipped (exit 0) when chromium is not installed
# ('sh scripts/install-deps.sh --browser' installs it).
# Usage: scripts/check-browser.sh path/to/hetsim
set -eu
hetsim=${1:-build/hetsim}
browser=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$browser" ]; then
    echo "check-browser: chromium not installed: skipped" \
        "(sh scripts/install-deps.sh --browser)"
    exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() {
    echo "check-browser: FAILED: $*"
    exit 1
}

"$hetsim" run tests/data/run/tiny.yaml -o "$tmp/r.db" --quiet
"$hetsim" run tests/data/run/tiny.yaml -o "$tmp/r.db" --quiet \
    --set cluster.instances.0.count=2
"$hetsim" report "$tmp/r.db" --html -o "$tmp/page.html" >/dev/null
printf '<!DOCTYPE html><html><body></body></html>\n' >"$tmp/blank.html"

# Chromium as root needs --no-sandbox; the other flags keep it from
# fetching anything of its own.
render() { # render PAGE PNG NETLOG
    "$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars \
        --disable-background-networking --disable-component-update \
        --disable-sync --no-first-run --disable-default-apps \
        --disable-extensions --window-size=1280,4000 \
        --virtual-time-budget=5000 --log-net-log="$3" \
        --screenshot="$2" "file://$1" >"$tmp/chromium.log" 2>&1 ||
        fail "chromium failed: $(tail -n 3 "$tmp/chromium.log")"
    [ -s "$2" ] || fail "no screenshot of $1"
}
render "$tmp/page.html" "$tmp/page.png" "$tmp/page-net.json"
render "$tmp/blank.html" "$tmp/blank.png" "$tmp/blank-net.json"

page=$(wc -c <"$tmp/page.png")
blank=$(wc -c <"$tmp/blank.png")
[ "$page" -gt $((4 * blank)) ] ||
    fail "the page renders blank ($page bytes of PNG, a blank page $blank)"
outside=$(grep -o '"url":"[^"]*"' "$tmp/page-net.json" | sort -u |
    grep -v -e 'google\.com/' -e 'googleapis\.com/' -e 'gvt1\.com/' || true)
[ -z "$outside" ] || fail "the page requested: $outside"
if grep -q -i -e 'src=' -e 'href="[^#]' -e '<link' -e '<script' \
    "$tmp/page.html"; then
    fail "the page names a resource outside itself"
fi
echo "check-browser: ok (the report renders: $page bytes of PNG, a blank" \
    "page $blank; nothing loaded from outside the page)"
