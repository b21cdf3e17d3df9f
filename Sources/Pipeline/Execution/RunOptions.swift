import Foundation
import OpenRouter

/// How to run a pipeline: the common command-line options.
public struct RunOptions: Sendable {
    /// `--model`: replaces the pipeline's default model (a step's own `model:` still wins).
    public var model: String?
    /// The model when neither the command line nor the pipeline names one.
    public var fallbackModel: String = SeedModels.maverick
    /// Requests in flight at once.
    public var concurrency: Int = 4
    /// `--no-cache` sets this to false: a fresh run that reads nothing from the cache.
    public var useCache: Bool = true
    /// Longest image side sent (ImageIngest's default when nil).
    public var maxSide: Int?
    /// `--set NAME=VALUE` values.
    public var inputs: [String: String] = [:]
    /// Completion tokens reserved when a step sets no `max_tokens`.
    public var defaultMaxTokens: Int = 1024

    public init() {}
}

/// The services a run uses. `chat` is nil for a dry run.
public struct RunEnvironment: Sendable {
    public var chat: (any ChatService)?
    public var images: any ImageSource
    public var text: any TextSource
    /// Model facts (context, modalities, prices); nil for unknown models.
    public var facts: @Sendable (String) -> ModelFacts?
    public var store: RunStore?
    public var progress: RunProgress?

    public init(
        chat: (any ChatService)?, images: any ImageSource, text: any TextSource,
        facts: @escaping @Sendable (String) -> ModelFacts?, store: RunStore?, progress: RunProgress? = nil
    ) {
        self.chat = chat
        self.images = images
        self.text = text
        self.facts = facts
        self.store = store
        self.progress = progress
    }
}

/// A step with its inputs substituted and its model known.
struct ResolvedStep: Sendable {
    var definition: StepDefinition
    var argument: String
    var model: String
    var facts: ModelFacts
    var maxTokens: Int
    var prompt: PromptTemplate?
    var system: PromptTemplate?
    var batch: BatchSize?
    var imageLimit: Int
    var to: String?
    var format: ResultFormat?

    var name: String { definition.name }
}

extension PipelineDefinition {
    /// Merges `--set` values with the declared defaults.
    /// - Throws: `.invalidInput` for an unknown name or a required input left out.
    public func resolveInputs(_ given: [String: String]) throws -> [String: String] {
        let declared = Set(inputs.map(\.name))
        for name in given.keys.sorted() where !declared.contains(name) {
            let list = inputs.map(\.name).sorted().map { "`\($0)`" }.joined(separator: ", ")
            throw PipelineError(.invalidInput, "unknown input `\(name)` for \(file); it takes \(list.isEmpty ? "no inputs" : list)")
        }
        var values: [String: String] = [:]
        for input in inputs {
            if let value = given[input.name] ?? input.defaultValue {
                values[input.name] = value
            } else {
                throw PipelineError(
                    .invalidInput,
                    "input `\(input.name)` has no default; give it with --set \(input.name)=VALUE\(input.description.map { " (\($0))" } ?? "")",
                    at: input.location)
            }
        }
        return values
    }
}

/// Renders a field that may use inputs (`"{{folder}}"`).
func renderInputs(_ value: Located<String>, _ inputs: [String: String]) throws -> String {
    guard value.value.contains("{{") else { return value.value }
    do {
        return try PromptTemplate(value.value).render(inputs)
    } catch let error as PipelineError {
        throw PipelineError(.invalidPipeline, error.message, at: value.location)
    }
}
