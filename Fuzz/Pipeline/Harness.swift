// libFuzzer harness for pipeline files: compiled together with Sources/Pipeline/Definition,
// Sources/Pipeline/Templates and PipelineError.swift, Yams (with libyaml) and swift-mustache
// by scripts/fuzz/pipeline.sh (see docs/pipeline.md, "Fuzzing").
//
// Each input is a pipeline file's bytes: the UTF-8 check, YAML limits and parse, validation
// against a model that takes images and one that does not, and every template parsed and
// rendered. Any error must be a `PipelineError` with a location inside the file.

import Foundation

private let facts: @Sendable (String) -> ModelFacts? = { id in
    ModelFacts(id: id, contextLength: id.contains("small") ? 4_096 : 262_144, acceptsImages: !id.contains("text"))
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPipeline(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    if PipelineFile.wideEncoding(bytes) != nil { return 0 }
    if let offset = PipelineFile.firstInvalidUTF8(bytes) {
        check(offset < bytes.count, "invalid byte past the end")
        return 0
    }
    let text = String(decoding: bytes, as: UTF8.self)
    let lineCount = yamlLines(text)
    do {
        let definition = try PipelineParser().parse(text, file: "fuzz.yaml")
        for model in ["vision", "text-only", "small"] {
            _ = try? PipelineValidator(defaultModel: model, facts: facts).validate(definition)
        }
        for step in definition.steps {
            for value in [step.prompt, step.system].compactMap({ $0 }) {
                if let template = try? PromptTemplate(value.value) {
                    _ = template.render(["text": "x", "answers": [["text": "y"]], "image": ["path": "a.png"]])
                }
            }
        }
    } catch let error as PipelineError {
        check(error.code == .invalidPipeline, "unexpected code \(error.code)")
        if let location = error.location {
            check(location.line >= 1 && location.line <= lineCount + 1, "line \(location.line) outside the file")
            check(location.column >= 1, "column \(location.column)")
        }
    } catch {
        check(false, "not a PipelineError: \(error)")
    }
    return 0
}

/// Lines as libyaml counts them: CR, LF, CRLF (once), NEL, LS and PS all end a line (YAML
/// 1.1), so a file of lone CRs has many lines though it has no LF.
private func yamlLines(_ text: String) -> Int {
    var lines = 1
    var previousCR = false
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\n": if !previousCR { lines += 1 }
        case "\r", "\u{85}", "\u{2028}", "\u{2029}": lines += 1
        default: break
        }
        previousCR = scalar == "\r"
    }
    return lines
}

/// A failed invariant is a crash, which libFuzzer reports with the input.
private func check(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String) {
    if !condition() { fatalError("invariant: \(message())") }
}
