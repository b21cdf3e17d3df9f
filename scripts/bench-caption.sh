#!/usr/bin/env bash
# The caption overhead benchmark (issue 5, done-when 7): a release build captions N small
# images (the samples downscaled to at most 640 px) against the emulator answering after a
# fixed delay, at a given concurrency, and reports the wall time against N × delay / C.
# Usage: scripts/bench-caption.sh [IMAGES=1000] [CONCURRENCY=8] [LATENCY_MS=200]
set -euo pipefail
cd "$(dirname "$0")/.."
images=${1:-1000}
concurrency=${2:-8}
latency=${3:-200}
swift build -c release --product peruse >&2
swift build -c release --product openrouter-emulator >&2
out=$(mktemp -d)
.build/release/openrouter-emulator --port 0 --latency-ms "$latency" > "$out/emulator.out" 2>&1 &
emulator=$!
trap 'kill $emulator 2>/dev/null || true; rm -rf "$out"' EXIT
for _ in $(seq 100); do grep -q '^listening on ' "$out/emulator.out" && break; sleep 0.1; done
base=$(sed -n 's/^listening on //p' "$out/emulator.out")
.build/release/peruse bench caption --base-url "$base" --latency-ms "$latency" --images "$images" \
    --concurrency "$concurrency" --side 640
