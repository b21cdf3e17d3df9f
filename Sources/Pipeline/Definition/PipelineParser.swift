import Foundation
import Yams

/// Reads a pipeline file into a `PipelineDefinition`, rejecting anything it does not know
/// with the file, line and column of the offending node and what was expected there.
///
/// The parser is strict on purpose: a misspelt key (`promt:`) silently ignored would send
/// requests the user did not mean to pay for.
public struct PipelineParser: Sendable {
    public init() {}

    static let topLevelKeys: Set<String> = ["name", "description", "model", "inputs", "steps"]
    static let requestKeys: Set<String> = [
        "prompt", "system", "model", "max_tokens", "temperature", "json_schema",
    ]
    static func allowedKeys(for kind: StepDefinition.Kind) -> Set<String> {
        let common: Set<String> = ["name", kind.rawValue]
        switch kind {
        case .images: return common.union(["recursive"])
        case .document: return common
        case .chunk: return common.union(["size", "overlap"])
        case .map: return common.union(requestKeys).union(["batch", "image_limit"])
        case .reduce: return common.union(requestKeys)
        case .write: return common.union(["to", "format"])
        }
    }

    /// Parses pipeline text.
    /// - Parameters:
    ///   - text: the YAML.
    ///   - file: the name used in error locations.
    /// - Throws: `PipelineError` with code `.invalidPipeline` and a location.
    public func parse(_ text: String, file: String) throws -> PipelineDefinition {
        let root: Node?
        do {
            try YAMLLimits.check(text, file: file)
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw Self.translate(error, file: file)
        } catch {
            throw PipelineError(.invalidPipeline, "\(file): not valid YAML: \(error)")
        }
        guard let root else {
            throw PipelineError(
                .invalidPipeline, "the file is empty; expected a mapping with `steps:`",
                at: SourceLocation(file: file, line: 1, column: 1))
        }
        var reader = NodeReader(file: file, text: text)
        return try reader.pipeline(root)
    }

    /// Reads and parses a pipeline file.
    public func parse(contentsOf path: String) throws -> PipelineDefinition {
        try parse(Self.text(ofFile: path), file: path)
    }

    /// The text of a pipeline file: a regular file of at most 1 MiB of UTF-8.
    /// - Throws: `.invalidPipeline` with the file's position: 1:1 for what is not a regular
    ///   file (a directory, a FIFO, a device) or is too large; the line and column of the first
    ///   byte that is not UTF-8, with its byte offset.
    public static func text(ofFile path: String) throws -> String {
        let start = SourceLocation(file: path, line: 1, column: 1)
        let bytes: [UInt8]
        do {
            bytes = try PipelineFile.read(path, limit: YAMLLimits.maximumFileBytes)
        } catch {
            throw PipelineError(.invalidPipeline, error.message, at: start)
        }
        if let wide = PipelineFile.wideEncoding(bytes) {
            throw PipelineError(
                .invalidPipeline,
                "the file is \(wide) (from its byte order mark); pipeline files must be UTF-8 (convert it, e.g. `iconv -f \(wide) -t UTF-8`)",
                at: start)
        }
        if let offset = PipelineFile.firstInvalidUTF8(bytes) {
            let valid = String(decoding: bytes[..<offset], as: UTF8.self)
            let line = valid.count(where: { $0 == "\n" }) + 1
            let lastLine = valid.split(separator: "\n", omittingEmptySubsequences: false).last
            let column = (lastLine?.unicodeScalars.count ?? 0) + 1
            let byte = String(bytes[offset], radix: 16, uppercase: true)
            throw PipelineError(
                .invalidPipeline,
                "byte 0x\(byte) at byte offset \(offset) is not UTF-8; pipeline files must be UTF-8 (convert it, e.g. `iconv -f LATIN1 -t UTF-8`)",
                at: SourceLocation(file: path, line: line, column: column))
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    static func translate(_ error: YamlError, file: String) -> PipelineError {
        func at(_ mark: Mark) -> SourceLocation {
            SourceLocation(file: file, line: mark.line, column: mark.column)
        }
        switch error {
        case .scanner(let context, let problem, let mark, _),
            .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            let detail = context.map { "\($0.text) (from \($0.mark)): " } ?? ""
            return PipelineError(.invalidPipeline, "YAML syntax: \(detail)\(problem)", at: at(mark))
        case .duplicatedKeysInMapping(let duplicates, let context):
            return PipelineError(
                .invalidPipeline,
                "duplicate key \(duplicates.map { "`\($0)`" }.joined(separator: ", ")) in one mapping; each key may appear once",
                at: at(context.mark))
        case .reader(let problem, let offset, _, let yaml):
            var location = SourceLocation(file: file, line: 1, column: 1)
            if let offset {
                let prefix = yaml.prefix(offset)
                location.line = prefix.count(where: { $0 == "\n" }) + 1
                location.column = (prefix.split(separator: "\n", omittingEmptySubsequences: false).last?.unicodeScalars.count ?? 0) + 1
            }
            return PipelineError(.invalidPipeline, "unreadable text: \(problem)", at: location)
        default:
            return PipelineError(.invalidPipeline, "\(file): YAML error: \(error)")
        }
    }
}

/// Walks the YAML node tree; every failure carries the node's position.
private struct NodeReader {
    let file: String
    let text: String

    func location(_ node: Node) -> SourceLocation {
        let mark = node.mark
        return SourceLocation(file: file, line: mark?.line ?? 1, column: mark?.column ?? 1)
    }

    func fail(_ node: Node, _ message: String) -> PipelineError {
        PipelineError(.invalidPipeline, message, at: location(node))
    }

    func kindName(_ node: Node) -> String {
        switch node {
        case .scalar(let scalar) where scalar.tag.rawValue == Tag.Name.null.rawValue: "nothing (null)"
        case .scalar: "a scalar"
        case .mapping: "a mapping"
        case .sequence: "a list"
        case .alias: "an alias"
        }
    }

    func mapping(_ node: Node, expected: String) throws -> [(key: String, keyNode: Node, value: Node)] {
        guard case .mapping(let mapping) = node else {
            throw fail(node, "expected \(expected), found \(kindName(node))")
        }
        return try mapping.map { pair in
            guard case .scalar(let key) = pair.key else {
                throw fail(pair.key, "expected a plain key, found \(kindName(pair.key))")
            }
            return (key.string, pair.key, pair.value)
        }
    }

    func string(_ node: Node, _ what: String) throws -> Located<String> {
        guard case .scalar(let scalar) = node, scalar.tag.rawValue != Tag.Name.null.rawValue else {
            throw fail(node, "expected \(what) (text), found \(kindName(node))")
        }
        return Located(scalar.string, at: location(node))
    }

    func nonEmptyString(_ node: Node, _ what: String) throws -> Located<String> {
        let value = try string(node, what)
        if value.value.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            throw fail(node, "expected \(what), found an empty string")
        }
        return value
    }

    func integer(_ node: Node, _ what: String, in range: ClosedRange<Int>) throws -> Located<Int> {
        guard case .scalar(let scalar) = node, let value = Int(scalar.string.trimmingCharacters(in: .whitespaces)) else {
            throw fail(node, "expected \(what): a whole number from \(range.lowerBound) to \(range.upperBound), found \(describe(node))")
        }
        guard range.contains(value) else {
            throw fail(node, "\(what) must be from \(range.lowerBound) to \(range.upperBound), found \(value)")
        }
        return Located(value, at: location(node))
    }

    func describe(_ node: Node) -> String {
        if case .scalar(let scalar) = node { return "`\(scalar.string)`" }
        return kindName(node)
    }

    func bool(_ node: Node, _ what: String) throws -> Bool {
        guard let value = node.bool else {
            throw fail(node, "expected \(what): true or false, found \(describe(node))")
        }
        return value
    }

    mutating func pipeline(_ root: Node) throws -> PipelineDefinition {
        let pairs = try mapping(root, expected: "a mapping with `steps:` (and optionally `name`, `description`, `model`, `inputs`)")
        var definition = PipelineDefinition(file: file, sourceText: text, inputs: [], steps: [])
        var stepsNode: Node?
        for (key, keyNode, value) in pairs {
            switch key {
            case "name": definition.name = try string(value, "the pipeline's name").value
            case "description": definition.description = try string(value, "a description").value
            case "model": definition.model = try nonEmptyString(value, "a model id such as `meta-llama/llama-4-maverick:free`")
            case "inputs": definition.inputs = try inputs(value)
            case "steps": stepsNode = value
            default:
                throw fail(keyNode, "unknown key `\(key)`; expected one of \(PipelineParser.topLevelKeys.sorted().map { "`\($0)`" }.joined(separator: ", "))\(suggestion(key, PipelineParser.topLevelKeys))")
            }
        }
        guard let stepsNode else {
            throw fail(root, "missing `steps:`; expected a list of named steps")
        }
        guard case .sequence(let sequence) = stepsNode else {
            throw fail(stepsNode, "`steps` must be a list of steps (`- name: …`), found \(kindName(stepsNode))")
        }
        if sequence.isEmpty {
            throw fail(stepsNode, "`steps` is empty; expected at least one step")
        }
        var seen: [String: SourceLocation] = [:]
        for node in sequence {
            let step = try step(node)
            if let first = seen[step.name] {
                throw PipelineError(
                    .invalidPipeline,
                    "duplicate step name `\(step.name)` (first defined at line \(first.line)); step names must be unique",
                    at: step.location)
            }
            seen[step.name] = step.location
            definition.steps.append(step)
        }
        return definition
    }

    func inputs(_ node: Node) throws -> [InputDefinition] {
        if case .scalar(let scalar) = node, scalar.tag.rawValue == Tag.Name.null.rawValue { return [] }
        let pairs = try mapping(node, expected: "a mapping of input names to default values")
        return try pairs.map { key, keyNode, value in
            guard Self.isIdentifier(key) else {
                throw fail(keyNode, "input name `\(key)` is not usable in templates; expected letters, digits and `_`, starting with a letter")
            }
            var input = InputDefinition(name: key, location: location(keyNode))
            switch value {
            case .scalar(let scalar):
                input.defaultValue = scalar.tag.rawValue == Tag.Name.null.rawValue ? nil : scalar.string
            case .mapping:
                for (field, fieldNode, fieldValue) in try mapping(value, expected: "a mapping") {
                    switch field {
                    case "default": input.defaultValue = try string(fieldValue, "a default value").value
                    case "description": input.description = try string(fieldValue, "a description").value
                    default:
                        throw fail(fieldNode, "unknown key `\(field)` in input `\(key)`; expected `default` or `description`")
                    }
                }
            default:
                throw fail(value, "input `\(key)` must be a default value or a mapping with `default` and `description`, found \(kindName(value))")
            }
            return input
        }
    }

    static func isIdentifier(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, CharacterSet.letters.contains(first) else { return false }
        return name.unicodeScalars.allSatisfy { CharacterSet.alphanumerics.contains($0) || $0 == "_" || $0 == "-" }
    }

    func suggestion(_ key: String, _ candidates: Set<String>) -> String {
        var best: (name: String, distance: Int)?
        for candidate in candidates.sorted() {
            let distance = editDistance(key, candidate)
            if distance < (best?.distance ?? Int.max) { best = (candidate, distance) }
        }
        guard let best, best.distance <= 2 else { return "" }
        return " (did you mean `\(best.name)`?)"
    }

    func step(_ node: Node) throws -> StepDefinition {
        let pairs = try mapping(node, expected: "a step: a mapping with `name:` and one of `images`, `document`, `chunk`, `map`, `reduce`, `write`")
        let kindPairs = pairs.filter { StepDefinition.Kind(rawValue: $0.key) != nil }
        guard let kindPair = kindPairs.first else {
            let kinds = StepDefinition.Kind.allCases.map(\.rawValue)
            // A key no step kind knows is most likely the kind, misspelt or invented: name it.
            let known = StepDefinition.Kind.allCases.reduce(into: Set<String>()) {
                $0.formUnion(PipelineParser.allowedKeys(for: $1))
            }
            if let unknown = pairs.first(where: { !known.contains($0.key) }) {
                throw fail(unknown.keyNode, "unknown step kind `\(unknown.key)`; expected one of \(kinds.map { "`\($0)`" }.joined(separator: ", "))\(suggestion(unknown.key, Set(kinds)))")
            }
            throw fail(node, "step has no kind; expected one of \(kinds.map { "`\($0)`" }.joined(separator: ", "))")
        }
        if kindPairs.count > 1 {
            throw fail(kindPairs[1].keyNode, "step has two kinds (`\(kindPair.key)` and `\(kindPairs[1].key)`); a step does one thing")
        }
        guard let kind = StepDefinition.Kind(rawValue: kindPair.key) else {
            throw fail(kindPair.keyNode, "unknown step kind")
        }
        guard let nameNode = pairs.first(where: { $0.key == "name" })?.value else {
            throw fail(node, "`\(kind.rawValue)` step has no `name:`; every step needs a unique name")
        }
        let name = try nonEmptyString(nameNode, "a step name").value
        guard Self.isIdentifier(name) else {
            throw fail(nameNode, "step name `\(name)` is not usable in templates; expected letters, digits, `_` or `-`, starting with a letter")
        }
        let argumentWhat: String = switch kind {
        case .images: "a folder or glob of images"
        case .document: "the path of a text document"
        default: "the name of an earlier step"
        }
        var step = StepDefinition(
            name: name, kind: kind, location: location(node),
            argument: try nonEmptyString(kindPair.value, argumentWhat))
        let allowed = PipelineParser.allowedKeys(for: kind)
        for (key, keyNode, value) in pairs {
            guard allowed.contains(key) else {
                throw fail(keyNode, "unknown key `\(key)` in `\(kind.rawValue)` step `\(name)`; expected one of \(allowed.subtracting(["name", kind.rawValue]).sorted().map { "`\($0)`" }.joined(separator: ", "))\(suggestion(key, allowed))")
            }
            switch key {
            case "recursive": step.recursive = try bool(value, "`recursive`")
            case "size":
                if case .scalar(let scalar) = value, scalar.string == "auto" {
                    step.chunkTokens = nil
                } else {
                    step.chunkTokens = try integer(value, "`size` (tokens per chunk, or `auto`)", in: 64...10_000_000)
                }
            case "overlap": step.overlapTokens = try integer(value, "`overlap` (tokens)", in: 0...100_000).value
            case "prompt": step.prompt = try nonEmptyString(value, "a prompt template")
            case "system": step.system = try nonEmptyString(value, "a system prompt template")
            case "model": step.model = try nonEmptyString(value, "a model id")
            case "max_tokens": step.maxTokens = try integer(value, "`max_tokens`", in: 1...1_000_000)
            case "temperature":
                guard case .scalar(let scalar) = value, let number = Double(scalar.string), (0...2).contains(number) else {
                    throw fail(value, "expected `temperature`: a number from 0 to 2, found \(describe(value))")
                }
                step.temperature = Located(number, at: location(value))
            case "json_schema": step.jsonSchema = try jsonSchema(value)
            case "batch":
                if case .scalar(let scalar) = value, scalar.string == "auto" {
                    step.batch = Located(.auto, at: location(value))
                } else if case .scalar(let scalar) = value, scalar.string.contains("{{") {
                    step.batch = Located(.template(scalar.string), at: location(value))
                } else {
                    let number = try integer(value, "`batch` (items per request, or `auto`)", in: 1...RequestLimits.maxBatchItems)
                    step.batch = Located(.fixed(number.value), at: number.location)
                }
            case "image_limit": step.imageLimit = try integer(value, "`image_limit` (images per request)", in: 1...RequestLimits.maxImagesPerRequest)
            case "to": step.to = try string(value, "an output file path (`-` for standard output, empty for none)")
            case "format": step.format = try nonEmptyString(value, "a format: jsonl, csv, md, html or text")
            default: break
            }
        }
        if let format = step.format, !format.value.contains("{{"), ResultFormat(rawValue: format.value) == nil {
            throw PipelineError(.invalidPipeline, "unknown format `\(format.value)`; expected jsonl, csv, md, html or text", at: format.location)
        }
        if (kind == .map || kind == .reduce) && step.prompt == nil {
            throw fail(node, "`\(kind.rawValue)` step `\(name)` has no `prompt:`; expected a Mustache template for each request")
        }
        return step
    }

    func jsonSchema(_ node: Node) throws -> Located<String> {
        guard case .mapping = node else {
            throw fail(node, "expected `json_schema` to be a mapping (a JSON schema object), found \(kindName(node))")
        }
        let object = try jsonValue(node)
        guard JSONSerialization.isValidJSONObject(object),
            let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]),
            let text = String(data: data, encoding: .utf8)
        else {
            throw fail(node, "`json_schema` cannot be written as JSON; expected plain mappings, lists, strings, numbers and booleans")
        }
        return Located(text, at: location(node))
    }

    /// The node as JSON-ready values. Not Yams's `node.any`: it force-unwraps every mapping
    /// key as a string and traps on a key that is a mapping or a list (found by fuzzing).
    func jsonValue(_ node: Node) throws -> Any {
        switch node {
        case .scalar(let scalar):
            switch scalar.tag.rawValue {
            case Tag.Name.null.rawValue: return NSNull()
            case Tag.Name.bool.rawValue: return node.bool.map { $0 as Any } ?? scalar.string
            case Tag.Name.int.rawValue: return node.int.map { $0 as Any } ?? scalar.string
            case Tag.Name.float.rawValue: return node.float.map { $0 as Any } ?? scalar.string
            default: return scalar.string
            }
        case .mapping(let mapping):
            var object: [String: Any] = [:]
            for pair in mapping {
                guard case .scalar(let key) = pair.key else {
                    throw fail(pair.key, "`json_schema` keys must be text, found \(kindName(pair.key))")
                }
                object[key.string] = try jsonValue(pair.value)
            }
            return object
        case .sequence(let sequence):
            return try sequence.map { try jsonValue($0) }
        case .alias:
            throw fail(node, "`json_schema` cannot be written as JSON; expected plain mappings, lists, strings, numbers and booleans")
        }
    }
}

/// Levenshtein distance, for "did you mean" hints on misspelt keys.
func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var previous = Array(0...b.count)
    for i in 1...a.count {
        var current = [i] + Array(repeating: 0, count: b.count)
        for j in 1...b.count {
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        previous = current
    }
    return previous[b.count]
}
