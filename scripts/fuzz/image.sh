#!/usr/bin/env bash
# Fuzzes the image shim (Sources/CImageCodecs: libpng and libjpeg-turbo behind setjmp) with
# libFuzzer and AddressSanitizer, seeded from every PNG and JPEG in ../shared/corpus.
#
#   scripts/fuzz/image.sh [-max_total_time=600] [more libFuzzer flags...]
#
# Builds .build-fuzz/image/fuzz_image with the Swift toolchain's clang (it ships libFuzzer),
# copies the seeds into .build-fuzz/image/seeds, grows .build-fuzz/image/corpus, and writes
# any crashing input as .build-fuzz/image/crash-*. libpng and libjpeg are the system's
# (not instrumented): ASan checks the shim's own memory use and what it hands them.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
corpus_root="${PERUSE_CORPUS:-$root/../shared/corpus}"
out="$root/.build-fuzz/image"
clang="${CLANG:-}"
if [ -z "$clang" ]; then
    for candidate in /opt/swift/usr/bin/clang "$(dirname "$(command -v swift 2>/dev/null || echo /)")/clang" clang; do
        if command -v "$candidate" >/dev/null 2>&1; then clang="$candidate"; break; fi
    done
fi
[ -n "$clang" ] || { echo "image.sh: no clang with libFuzzer found (set CLANG=...)" >&2; exit 2; }
mkdir -p "$out/seeds" "$out/corpus"

# shellcheck disable=SC2046
"$clang" -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
    -I "$root/Sources/CImageCodecs/include" -I "$root/Sources/CImageCodecs" \
    $(pkg-config --cflags libpng libjpeg) \
    "$root/Fuzz/image/fuzz_image.c" "$root"/Sources/CImageCodecs/*.c \
    $(pkg-config --libs libpng libjpeg) -o "$out/fuzz_image"

if [ -d "$corpus_root" ]; then
    # The corpus's folders as they are (libFuzzer reads seed folders recursively), in one
    # pass. Files up to 256 KB: larger ones add decode time, not code paths.
    (cd "$corpus_root" && find . -type f \( -iname '*.png' -o -iname '*.jpg' -o -iname '*.jpeg' \) -size -256k -print0 |
        tar --null -T - -cf -) | tar -xf - -C "$out/seeds"
else
    echo "image.sh: no corpus at $corpus_root; starting from an empty corpus" >&2
fi
echo "image.sh: $(find "$out/seeds" -type f | wc -l) seed files" >&2

cd "$out"
# -rss_limit_mb: a decode is capped at 1 megapixel by the harness, far below this.
exec "$out/fuzz_image" -rss_limit_mb=2048 -timeout=30 -print_final_stats=1 "$@" "$out/corpus" "$out/seeds"
