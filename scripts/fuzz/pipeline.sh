#!/usr/bin/env bash
# Fuzzes the pipeline file parser under libFuzzer with AddressSanitizer: UTF-8 check, YAML
# limits (aliases, nesting), Yams/libyaml parse, the parser's checks, validation and
# Mustache template parsing and rendering (see docs/pipeline.md).
# The harness (Fuzz/Pipeline) is compiled with the Definition and Templates sources of the
# Pipeline module, Yams (libyaml included) and swift-mustache, outside the main package, so
# only these are instrumented (not NIO, GRDB, …). Their sources come from the main
# package's checkouts (`swift package resolve`). Seeds: pipelines/*.yaml, a few hostile
# files, and Fuzz/Pipeline/Seeds (the inputs of every crash found so far, kept as regressions).
# Usage: scripts/fuzz/pipeline.sh [SECONDS=600] [extra libFuzzer flags...]
set -euo pipefail
# ld.gold warns about every AddressSanitizer helper symbol; the warnings are harmless.
quiet() { grep -v "Cannot export local symbol" >&2 || true; }
cd "$(dirname "$0")/../.."
seconds=${1:-600}
shift || true
out=.build-fuzz/pipeline
mkdir -p "$out/corpus" "$out/artifacts" "$out/lib"
[[ -d .build/checkouts/Yams && -d .build/checkouts/swift-mustache ]] || swift package resolve
yams=.build/checkouts/Yams/Sources
mustache=.build/checkouts/swift-mustache/Sources/Mustache
flags=(-O -g -sanitize=fuzzer,address -parse-as-library)
if [[ ! -f "$out/lib/libYams.a" ]]; then
    for c in "$yams"/CYaml/src/*.c; do
        clang -O1 -g -fsanitize=fuzzer-no-link,address -DYAML_DECLARE_STATIC -I "$yams/CYaml/include" \
            -c "$c" -o "$out/lib/cyaml-$(basename "$c" .c).o"
    done
    swiftc "${flags[@]}" -D SWIFT_PACKAGE -module-name Yams -emit-library -static -emit-module -emit-module-path "$out/lib/Yams.swiftmodule" \
        -Xcc -DYAML_DECLARE_STATIC -Xcc -fmodule-map-file="$yams/CYaml/include/module.modulemap" -I "$yams/CYaml/include" \
        "$yams"/Yams/*.swift -o "$out/lib/libYams.a"
fi
if [[ ! -f "$out/lib/libMustache.a" ]]; then
    swiftc "${flags[@]}" -module-name Mustache -emit-library -static -emit-module \
        -emit-module-path "$out/lib/Mustache.swiftmodule" "$mustache"/*.swift -o "$out/lib/libMustache.a"
fi
sources="Sources/Pipeline/Definition/*.swift Sources/Pipeline/Templates/*.swift Sources/Pipeline/PipelineError.swift Fuzz/Pipeline/Harness.swift"
# Rebuilt only when a source is newer than the fuzzer (a build takes minutes).
if [[ ! -x "$out/fuzz-pipeline" ]] || [[ -n $(find $sources -newer "$out/fuzz-pipeline") ]]; then
    swiftc "${flags[@]}" -swift-version 6 -module-name FuzzPipeline -I "$out/lib" \
        -Xcc -DYAML_DECLARE_STATIC -Xcc -fmodule-map-file="$yams/CYaml/include/module.modulemap" -I "$yams/CYaml/include" \
        $sources "$out"/lib/cyaml-*.o "$out/lib/libYams.a" "$out/lib/libMustache.a" -o "$out/fuzz-pipeline" 2>&1 | quiet
fi
seeds="$out/seeds"
if [[ ! -d "$seeds" ]]; then
    mkdir -p "$seeds"
    cp pipelines/*.yaml "$seeds/"
    cat > "$seeds/aliases.yaml" <<'YAML'
inputs: &i {folder: ".", prompt: "Describe {{image.path}}"}
steps:
  - &s {name: photos, images: "{{folder}}", recursive: false}
  - name: captions
    map: photos
    prompt: |
      {{#answers}}{{text}}{{/answers}} {{prompt}}
    batch: auto
    json_schema: {type: object, properties: {a: {type: string}}}
  - {name: out, write: captions, to: "-", format: csv}
YAML
    printf 'steps:\n  - name: a\n    document: "caf\xe9.txt"\n' > "$seeds/latin1.yaml"
fi
echo "fuzzing for ${seconds}s; log in $out/fuzz.log" >&2
nice "$out/fuzz-pipeline" "$out/corpus" "$seeds" Fuzz/Pipeline/Seeds -max_len=4096 -max_total_time="$seconds" \
    -artifact_prefix="$out/artifacts/" -print_final_stats=1 "$@" 2>&1 | tee "$out/fuzz.log" | grep -E 'DONE|ERROR|crash|stat::' >&2
