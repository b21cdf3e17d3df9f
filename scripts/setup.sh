#!/usr/bin/env bash
# Installs what building Peruse needs on Debian/Ubuntu (idempotent, quiet when done already).
# Usage: scripts/setup.sh [--test] [--bench]  (--test: what the tests use; --bench: the references
# the benchmarks compare against, e.g. libvips-tools)
set -euo pipefail
# poppler-utils reads PDFs (run as child processes, never linked); util-linux's prlimit bounds them.
want=(libpng-dev libjpeg62-turbo-dev pkg-config libsqlite3-dev poppler-utils util-linux)
if [[ " $* " == *" --test "* ]]; then
    # cjpeg/jpegtran and ImageMagick rewrite real photos into every JPEG form for the tests;
    # chromium screenshots the HTML gallery; libvips-tools is the speed reference.
    want+=(libjpeg-turbo-progs imagemagick chromium)
fi
[[ " $* " == *" --bench "* ]] && want+=(libvips-tools hyperfine)
missing=()
for p in "${want[@]}"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p"); done
if ((${#missing[@]})); then
    sudo_cmd=""; [[ $(id -u) -ne 0 ]] && sudo_cmd="sudo"
    echo "setup: installing ${missing[*]}" >&2
    $sudo_cmd apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
fi
if [[ " $* " == *" --test "* || " $* " == *" --bench "* ]]; then
    # Reference implementations the tests compare against: tiktoken (token counts), Pillow
    # (pixels, Lanczos; numpy for its reference arrays), the OpenRouter SDK + jsonschema (request conformance), openai (benchmark).
    py_missing=()
    for spec in tiktoken:tiktoken PIL:pillow openrouter:openrouter jsonschema:jsonschema openai:openai numpy:numpy; do
        python3 -c "import ${spec%%:*}" 2>/dev/null || py_missing+=("${spec##*:}")
    done
    if ((${#py_missing[@]})); then
        echo "setup: pip installing ${py_missing[*]}" >&2
        python3 -m pip install -q "${py_missing[@]}" >&2
    fi
fi
