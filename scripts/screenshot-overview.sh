#!/bin/sh
# Renders the HTML overview of samples/postfix.log with headless Chromium
# and saves it as docs/overview.png (the picture in the README).
# Needs `chromium` (Debian package `chromium`); run from the repository.
set -eu
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cargo run -q -- analyze -q --tz UTC -o "$work" --report overview --format html samples/postfix.log
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars \
    --screenshot="$work/overview.png" --window-size=1000,2000 "file://$work/overview.html"
mkdir -p docs
cp "$work/overview.png" docs/overview.png
echo "wrote docs/overview.png"
