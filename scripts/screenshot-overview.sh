#!/bin/sh
# Renders the HTML overview of the second day of samples/two-days.log
# (with the change against the first day, and the senders) with headless
# Chromium and saves it as docs/overview.png (the picture in the README).
# Needs `chromium` (Debian package `chromium`); run from the repository.
set -eu
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cargo run -q -- analyze -q --tz UTC --since 2026-11-05 --until 2026-11-06 -o "$work" \
    --report overview --report senders samples/two-days.log
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars \
    --screenshot="$work/overview.png" --window-size=1000,3200 "file://$work/overview.html"
mkdir -p docs
cp "$work/overview.png" docs/overview.png
echo "wrote docs/overview.png"
