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
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
fail() { echo "browser-test: FAILED: $*" >&2; exit 1; }

# check_page HTML SCREENSHOT HEIGHT MIN_SPACETIME MIN_HASSE MIN_CHARTS
check_page() {
  local html=$1 screenshot=$2 height=$3 min_spacetime=$4 min_hasse=$5 min_charts=$6
  local name dir
  name=$(basename "$html" .html)
  dir="$out/$name"
  mkdir -p "$dir"

  # 1. Nothing external in the file itself.
  if grep -Eq '<script|<link|<img|<iframe|@import|src=' "$html"; then
    fail "$name loads external resources: $(grep -Eo '<script|<link|<img|<iframe|@import|src=[^ >]*' "$html" | head -3)"
  fi
  if grep -Eo 'href="[^"]*"' "$html" | grep -Ev '^href="#' | grep -q .; then
    fail "$name links outside itself: $(grep -Eo 'href="[^"]*"' "$html" | grep -Ev '^href="#' | head -3)"
  fi
  if grep -Eo 'url\([^)]*\)' "$html" | grep -Ev '^url\(#' | grep -q .; then
    fail "$name's styles reference external files"
  fi
  if grep -Eo 'https?://[^" )<]*' "$html" | grep -Ev '^http://www\.w3\.org/(2000/svg|1999/xlink)$' | grep -q .; then
    fail "$name mentions URLs: $(grep -Eo 'https?://[^" )<]*' "$html" | grep -Ev 'www\.w3\.org' | head -3)"
  fi

  # 2. Open it in Chromium with every host unresolvable. The screenshot is of the page itself;
  #    the DOM is dumped from a copy with a probe script (the report has no scripts of its own)
  #    that records every resource the page requested and every load error.
  local flags=(
    --headless --no-sandbox --disable-gpu --no-first-run --disable-background-networking
    --disable-component-update --disable-sync --user-data-dir="$profile"
    --host-resolver-rules="MAP * ~NOTFOUND" --hide-scrollbars --virtual-time-budget=5000
  )
  chromium "${flags[@]}" --window-size=1280,"$height" --screenshot="$screenshot" "file://$html" \
    >"$dir/screenshot.log" 2>&1 || fail "chromium could not take a screenshot (see $dir/screenshot.log)"
  [ -s "$screenshot" ] || fail "no screenshot written for $name"

  cat >"$dir/probe.html" <<'PROBE'
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
  grep -q '^<head>$' "$html" || fail "$name has no <head> line to put the probe in"
  sed '/^<head>$/r '"$dir/probe.html" "$html" >"$dir/probed.html"
  chromium "${flags[@]}" --dump-dom "file://$dir/probed.html" >"$dir/dom.html" 2>"$dir/dom.log" \
    || fail "chromium could not load $name (see $dir/dom.log)"
  grep -q 'data-failed=""' "$dir/dom.html" \
    || fail "something failed to load in $name: $(grep -o 'data-failed="[^"]*"' "$dir/dom.html" || echo 'the probe did not run')"
  grep -q 'data-resources=""' "$dir/dom.html" \
    || fail "$name requested resources: $(grep -o 'data-resources="[^"]*"' "$dir/dom.html")"

  # 3. The drawings are in the rendered DOM.
  count() { { grep -o "$1" "$dir/dom.html" || true; } | wc -l; }
  local svgs spacetime hasse charts
  svgs=$(count '<svg')
  spacetime=$(count 'aria-label="space-time diagram')
  hasse=$(count 'aria-label="Hasse diagram')
  charts=$(count '<figure><svg')
  [ "$spacetime" -ge "$min_spacetime" ] || fail "$name: expected $min_spacetime space-time diagrams in the DOM, found $spacetime"
  [ "$hasse" -ge "$min_hasse" ] || fail "$name: expected $min_hasse Hasse diagrams in the DOM, found $hasse"
  [ "$charts" -ge "$min_charts" ] || fail "$name: expected $min_charts charts in the DOM, found $charts"
  [ "$(count '<polygon')" -ge 1 ] || fail "$name: expected message arrows in the DOM"
  echo "browser-test: $name ok: $svgs SVG drawings ($spacetime space-time, $hasse Hasse, $charts charts), nothing external; screenshot $screenshot"
  DOM="$dir/dom.html"
}

# The example report: every kind of drawing, from a fixture.
cargo run -q -p crdt-reports --example render_example -- "$out" >/dev/null
check_page "$out/report.html" "$root/docs/images/report-example.png" 3300 2 1 2
grep -q '>×2<' "$DOM" || fail "the duplicated message is not marked"

# A real report: the harness running schedules against a broken CRDT of the gallery (a counter
# sized for two replicas, run on three). It must find the bug (exit 1), and the page must show
# the finding's space-time diagram; its screenshot is the one the README shows.
set +e
cargo run -q -p crdt-cli -- check broken/two-slot-counter --no-laws --replicas 3 --measure \
  --replay-dir "$out/replays" --report html --out "$out/real-finding.html" \
  >"$out/real-finding.log" 2>&1
status=$?
set -e
[ "$status" -eq 1 ] || fail "crdt-harness should report the finding with exit 1, got $status (see $out/real-finding.log)"
check_page "$out/real-finding.html" "$root/docs/images/report-real-finding.png" 1500 1 0 2
grep -q 'convergence' "$DOM" || fail "the real report does not name the broken property"
