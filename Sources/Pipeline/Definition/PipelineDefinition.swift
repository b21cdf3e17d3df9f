import Foundation

/// A parsed pipeline file: declared inputs and named steps, each remembering where in the
/// file it came from so every later error can point at a line and column.
///
/// ```yaml
/// inputs:
///   folder: .
///   prompt: Describe this image in one sentence.
/// steps:
///   - name: photos
///     images: "{{folder}}"
///   - name: captions
///     map: photos
///     prompt: "{{prompt}}"
/// ```
public struct PipelineDefinition: Sendable {
    /// The file it was read from (as given), or `<string>`.
    public var file: String
    /// The file's text, to place errors found inside templates.
    public var sourceText: String
    public var name: String?
    public var description: String?
    /// The default model of every request step; a step's `model:` overrides it.
    public var model: Located<String>?
    /// Declared inputs in file order.
    public var inputs: [InputDefinition]
    /// Steps in file order.
    public var steps: [StepDefinition]

    /// The step named `name`, if any.
    public func step(named name: String) -> StepDefinition? {
        steps.first { $0.name == name }
    }
}

/// A value from the file with the place it was written.
public struct Located<Value: Sendable>: Sendable {
    public var value: Value
    public var location: SourceLocation

    public init(_ value: Value, at location: SourceLocation) {
        self.value = value
        self.location = location
    }
}

/// A declared input: `name: default` or `name: {default: …, description: …}`.
public struct InputDefinition: Sendable {
    public var name: String
    /// `nil` when the input is required (must be given with `--set`).
    public var defaultValue: String?
    public var description: String?
    public var location: SourceLocation
}

/// The output formats of a `write` step.
public enum ResultFormat: String, Sendable, CaseIterable {
    case jsonl, csv, md, html
    /// Only the answers' text, separated by blank lines (for a single combined answer).
    case text

    /// The format a file name implies (`.jsonl`, `.csv`, `.md`, `.html`), if any.
    public static func inferred(fromPath path: String) -> ResultFormat? {
        switch (path as NSString).pathExtension.lowercased() {
        case "jsonl", "json", "ndjson": .jsonl
        case "csv": .csv
        case "md", "markdown": .md
        case "html", "htm": .html
        case "txt", "text": .text
        default: nil
        }
    }
}

/// One step of a pipeline.
public struct StepDefinition: Sendable {
    public enum Kind: String, Sendable, CaseIterable {
        case images, document, chunk, map, reduce, write
    }

    public var name: String
    public var kind: Kind
    /// Where the step's mapping starts.
    public var location: SourceLocation
    /// The kind key's value: a glob or folder (`images`), a path (`document`), or the name
    /// of the step it reads (`chunk`, `map`, `reduce`, `write`).
    public var argument: Located<String>

    // images
    public var recursive: Bool = true
    // chunk
    /// Chunk size in tokens; `nil` means `auto` (context − prompt − output reserve).
    public var chunkTokens: Located<Int>?
    public var overlapTokens: Int = 0
    // map / reduce
    public var prompt: Located<String>?
    public var system: Located<String>?
    /// Items per request: `nil` for one item per request; `auto` packs as many images as
    /// fit the context and `imageLimit`.
    public var batch: Located<BatchSize>?
    /// At most this many images in one request (Meta tested 5; the API accepts up to 8).
    public var imageLimit: Located<Int>?
    public var model: Located<String>?
    public var maxTokens: Located<Int>?
    public var temperature: Located<Double>?
    /// A JSON schema the answer must follow (sent as `response_format`), as JSON text.
    public var jsonSchema: Located<String>?
    // write
    public var to: Located<String>?
    public var format: Located<String>?

    /// The step this one reads, for `chunk`, `map`, `reduce`, `write`.
    public var source: String? {
        switch kind {
        case .images, .document: nil
        case .chunk, .map, .reduce, .write: argument.value
        }
    }
}

/// How many items go in one request of a `map` step.
public enum BatchSize: Sendable, Equatable {
    case auto
    case fixed(Int)
    /// A template (`"{{batch}}"`) resolved once inputs are known.
    case template(String)
}
