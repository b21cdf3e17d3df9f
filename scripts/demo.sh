#!/usr/bin/env bash
# The main job on the bundled samples, from a fresh clone: installs the system libraries,
# builds `peruse`, and captions samples/images into out/ (JSONL + an HTML gallery).
# Without OPENROUTER_API_KEY it does all the local work and prints the plan instead (dry run).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
echo "demo: building peruse (first build compiles the dependencies: a few minutes)" >&2
swift build --product peruse 2>&1 | grep -E "error|warning: unre|Compiling peruse|Build complete" >&2 || true
bin="$(swift build --show-bin-path)/peruse"
[[ -x "$bin" ]] || { echo "demo: build failed; run 'swift build' to see why" >&2; exit 1; }
mkdir -p out
"$bin" caption samples/images --out out/captions.jsonl "$@"
status=$?
if [[ -n "${OPENROUTER_API_KEY:-}" ]]; then
    # The second run is answered from the run store's cache: no request is sent again.
    "$bin" caption samples/images --out out/gallery.html --format html "$@"
    echo "demo: captions in out/captions.jsonl, gallery in out/gallery.html" >&2
fi
exit $status
