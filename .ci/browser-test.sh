#!/usr/bin/env bash
# Browser test of the HTML report: renders the example report (it contains law failures and
# harness findings), opens it in headless Chromium with networking blocked, keeps a screenshot
# in docs/images/report-example.png, and checks that
#   - the file references nothing outside itself (no src=, no external href or url(), no
#     http(s) URL other than XML namespaces);
#   - in Chromium it requested no resource at all, and no load failed;
#   - the rendered DOM holds the drawings: space-time diagrams, the Hasse diagram, the charts.
# Installs Debian's chromium when it is missing (needs root, as in CI).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

if ! command -v chromium >/dev/null 2>&1; then
  echo "browser-test: installing chromium"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq chromium >/dev/null
fi

out="$root/target/crdt-reports/browser-test"
rm -rf "$out"
mkdir -p "$out"
cargo run -q -p crdt-reports --example render_example -- "$out" >/dev/null
html="$out/report.html"
screenshot="$root/docs/images/report-example.png"

fail() { echo "browser-test: FAILED: $*" >&2; exit 1; }

# 1. Nothing external in the file itself.
if grep -Eq '<script|<link|<img|<iframe|@import|src=' "$html"; then
  fail "the page loads external resources: $(grep -Eo '<script|<link|<img|<iframe|@import|src=[^ >]*' "$html" | head -3)"
fi
if grep -Eo 'href="[^"]*"' "$html" | grep -Ev '^href="#' | grep -q .; then
  fail "the page links outside itself: $(grep -Eo 'href="[^"]*"' "$html" | grep -Ev '^href="#' | head -3)"
fi
if grep -Eo 'url\([^)]*\)' "$html" | grep -Ev '^url\(#' | grep -q .; then
  fail "the page's styles reference external files"
fi
if grep -Eo 'https?://[^" )<]*' "$html" | grep -Ev '^http://www\.w3\.org/(2000/svg|1999/xlink)$' | grep -q .; then
  fail "the page mentions URLs: $(grep -Eo 'https?://[^" )<]*' "$html" | grep -Ev 'www\.w3\.org' | head -3)"
fi

# 2. Open it in Chromium with every host unresolvable. The screenshot is of the page itself;
#    the DOM is dumped from a copy with a probe script (the report has no scripts of its own)
#    that records every resource the page requested and every load error.
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
flags=(
  --headless --no-sandbox --disable-gpu --no-first-run --disable-background-networking
  --disable-component-update --disable-sync --user-data-dir="$profile"
  --host-resolver-rules="MAP * ~NOTFOUND" --hide-scrollbars --virtual-time-budget=5000
)
chromium "${flags[@]}" --window-size=1280,3300 --screenshot="$screenshot" "file://$html" \
  >"$out/screenshot.log" 2>&1 || fail "chromium could not take a screenshot (see $out/screenshot.log)"
[ -s "$screenshot" ] || fail "no screenshot written"

cat >"$out/probe.html" <<'PROBE'
<script>
var failed = [];
addEventListener("error", function (e) { failed.push((e.target && (e.target.src || e.target.href)) || String(e.message)); }, true);
addEventListener("load", function () {
  var html = document.documentElement;
  html.setAttribute("data-failed", failed.join(" "));
  html.setAttribute("data-resources", performance.getEntriesByType("resource").map(function (r) { return r.name; }).join(" "));
});
</script>
PROBE
grep -q '^<head>$' "$html" || fail "no <head> line to put the probe in"
sed '/^<head>$/r '"$out/probe.html" "$html" >"$out/probed.html"
chromium "${flags[@]}" --dump-dom "file://$out/probed.html" >"$out/dom.html" 2>"$out/dom.log" \
  || fail "chromium could not load the page (see $out/dom.log)"
grep -q 'data-failed=""' "$out/dom.html" \
  || fail "something failed to load: $(grep -o 'data-failed="[^"]*"' "$out/dom.html" || echo 'the probe did not run')"
grep -q 'data-resources=""' "$out/dom.html" \
  || fail "the page requested resources: $(grep -o 'data-resources="[^"]*"' "$out/dom.html")"

# 3. The drawings are in the rendered DOM.
count() { grep -o "$1" "$out/dom.html" | wc -l; }
svgs=$(count '<svg')
spacetime=$(count 'aria-label="space-time diagram')
hasse=$(count 'aria-label="Hasse diagram')
charts=$(count '<figure><svg')
[ "$spacetime" -ge 2 ] || fail "expected 2 space-time diagrams in the DOM, found $spacetime"
[ "$hasse" -ge 1 ] || fail "expected a Hasse diagram in the DOM, found $hasse"
[ "$charts" -ge 2 ] || fail "expected 2 charts in the DOM, found $charts"
[ "$(count '<polygon')" -ge 3 ] || fail "expected message arrows in the DOM"
grep -q '>×2<' "$out/dom.html" || fail "the duplicated message is not marked"

echo "browser-test: ok: $svgs SVG drawings ($spacetime space-time, $hasse Hasse, $charts charts), nothing external; screenshot $screenshot"
