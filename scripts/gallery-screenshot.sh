#!/usr/bin/env bash
# Captions samples/images against the local emulator, writes the HTML gallery, and
# screenshots it in headless Chromium at a phone's width and a desktop's, so a person can
# check that every image shows with its caption (and errors in place).
# Usage: scripts/gallery-screenshot.sh [OUT_DIR]   (default .build/gallery; needs a debug
# build: swift build --product peruse && swift build --product openrouter-emulator)
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(realpath -m "${1:-.build/gallery}")
bin=${PERUSE_BIN:-.build/debug}
mkdir -p "$out"
rm -f "$out/gallery.html" "$out"/gallery-*.png "$out/store.sqlite"*

"$bin/openrouter-emulator" --port 0 > "$out/emulator.out" 2>&1 &
emulator=$!
trap 'kill $emulator 2>/dev/null || true' EXIT
for _ in $(seq 100); do grep -q '^listening on ' "$out/emulator.out" && break; sleep 0.1; done
base=$(sed -n 's/^listening on //p' "$out/emulator.out")
[[ -n "$base" ]] || { echo "gallery-screenshot: the emulator did not start" >&2; cat "$out/emulator.out" >&2; exit 1; }

# One broken file beside the samples shows how an error looks in place.
work=$(mktemp -d)
trap 'kill $emulator 2>/dev/null || true; rm -rf "$work"' EXIT
cp samples/images/* "$work/"
printf 'not a picture' > "$work/zz-broken.jpg"
status=0
OPENROUTER_API_KEY=sk-or-v1-emulator "$bin/peruse" caption "$work" --out "$out/gallery.html" \
    --base-url "$base" --store "$out/store.sqlite" || status=$?
[[ $status -eq 1 ]] || { echo "gallery-screenshot: expected exit 1 (one broken file), got $status" >&2; exit 1; }

for size in phone:412,2400 desktop:1280,1100; do
    name=${size%%:*}
    chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --force-device-scale-factor=1 \
        --window-size="${size#*:}" --screenshot="$out/gallery-$name.png" "file://$out/gallery.html" >/dev/null 2>&1
    [[ -s "$out/gallery-$name.png" ]] || { echo "gallery-screenshot: no screenshot for $name" >&2; exit 1; }
done
images=$(grep -o '<img src="data:image/' "$out/gallery.html" | wc -l)
errors=$(grep -c 'class="error"' "$out/gallery.html" || true)
echo "gallery: $out/gallery.html ($images images, $errors error in place); screenshots: $out/gallery-phone.png, $out/gallery-desktop.png"
