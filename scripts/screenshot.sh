#!/bin/sh
# Renders a report's index.html to a PNG with headless Chromium (Debian
# package `chromium`), e.g.
#   scripts/screenshot.sh reports/predict/index.html docs/predict_report.png [WIDTHxHEIGHT]
# The page loads nothing from elsewhere, so no network is needed.
set -eu
if [ $# -lt 2 ]; then
    echo "usage: $0 INDEX.html OUT.png [WIDTHxHEIGHT]" >&2
    exit 2
fi
html=$1
out=$2
size=${3:-1200x2400}
w=${size%x*}
h=${size#*x}
browser=""
for b in chromium chromium-browser google-chrome; do
    if command -v "$b" >/dev/null 2>&1; then
        browser=$b
        break
    fi
done
if [ -z "$browser" ]; then
    echo "$0: no chromium found; install the Debian package: apt-get install chromium" >&2
    exit 1
fi
abs=$(cd "$(dirname "$html")" && pwd)/$(basename "$html")
"$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars \
    --window-size="$w,$h" --screenshot="$out" "file://$abs" >/dev/null 2>&1
test -s "$out"
echo "$out"
