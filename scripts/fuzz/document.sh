#!/usr/bin/env bash
# Fuzzes document loading (TextDocument: BOM, UTF-8, UTF-16/32, NUL, lossy repair) and the
# splitter's line handling under libFuzzer with AddressSanitizer (see docs/tokens.md).
# The harness (Fuzz/Document) is compiled with Sources/TextChunking alone, outside the main
# package, so nothing else is instrumented. Seeds: ../shared/corpus/text (first 4 KiB of
# each file) and UTF-16/UTF-32 copies of a few of them.
# Usage: scripts/fuzz/document.sh [SECONDS=600] [extra libFuzzer flags...]
set -euo pipefail
# ld.gold warns about every AddressSanitizer helper symbol; the warnings are harmless.
quiet() { grep -v "Cannot export local symbol" >&2 || true; }
cd "$(dirname "$0")/../.."
seconds=${1:-600}
shift || true
out=.build-fuzz/document
mkdir -p "$out/corpus" "$out/artifacts"
sources=$(find Sources/TextChunking Fuzz/Document -name '*.swift' | sort)
# Rebuilt only when a source is newer than the fuzzer (a build takes minutes).
if [[ ! -x "$out/fuzz-document" ]] || [[ -n $(find $sources -newer "$out/fuzz-document") ]]; then
    swiftc -O -g -sanitize=fuzzer,address -parse-as-library -module-name FuzzDocument $sources \
        -o "$out/fuzz-document" 2>&1 | quiet
fi
seeds="$out/seeds"
if [[ ! -d "$seeds" ]]; then
    mkdir -p "$seeds"
    if [[ -d ../shared/corpus/text ]]; then
        find ../shared/corpus/text -type f -name '*.*' ! -name '*.tsv' | sort | while read -r f; do
            name=$(basename "$f")
            head -c 4096 "$f" > "$seeds/$name"
        done
        for f in "$seeds"/emacs-HELLO.txt "$seeds"/nodejs-fs.md "$seeds"/he-hebrew-dasher.txt; do
            [[ -f "$f" ]] || continue
            for enc in UTF-16LE UTF-16BE UTF-32LE UTF-32BE; do
                # iconv's UTF-16/32 with an explicit byte order writes no BOM: add one.
                case $enc in
                    UTF-16LE) bom='\xff\xfe' ;; UTF-16BE) bom='\xfe\xff' ;;
                    UTF-32LE) bom='\xff\xfe\x00\x00' ;; UTF-32BE) bom='\x00\x00\xfe\xff' ;;
                esac
                { printf "$bom"; head -c 4096 "$f" | iconv -f UTF-8 -t "$enc" -c 2>/dev/null; } > "$seeds/$(basename "$f").$enc" || true
            done
        done
    fi
    printf '\xef\xbb\xbfBOM\r\nline\n' > "$seeds/bom-crlf.txt"
fi
echo "fuzzing for ${seconds}s; log in $out/fuzz.log" >&2
nice "$out/fuzz-document" "$out/corpus" "$seeds" -max_len=4096 -max_total_time="$seconds" \
    -artifact_prefix="$out/artifacts/" -print_final_stats=1 "$@" 2>&1 | tee "$out/fuzz.log" | grep -E 'DONE|ERROR|crash|stat::' >&2
