import Crypto
import Foundation

/// Runs (or plans) a validated pipeline.
///
/// ```swift
/// let definition = try PipelineParser().parse(contentsOf: "pipelines/caption-images.yaml")
/// let runner = try await PipelineRunner(definition: definition, options: options, environment: environment)
/// print(try await runner.plan())            // --dry-run
/// let report = try await runner.run()       // live
/// ```
public struct PipelineRunner: Sendable {
    public let definition: PipelineDefinition
    public let options: RunOptions
    public let environment: RunEnvironment
    let steps: [ResolvedStep]
    let inputs: [String: String]
    /// Identifies this run in the store: same pipeline, inputs and model → same run, so a
    /// second invocation resumes it.
    public let runID: String

    /// Validates the pipeline and resolves its inputs.
    /// - Throws: `PipelineError` (`.invalidPipeline`/`.invalidInput`) before anything is sent.
    public init(definition: PipelineDefinition, options: RunOptions, environment: RunEnvironment) async throws {
        self.definition = definition
        self.options = options
        self.environment = environment
        var pipeline = definition
        if let model = options.model {
            pipeline.model = Located(model, at: SourceLocation(file: "--model", line: 1, column: 1))
        }
        let validator = PipelineValidator(defaultModel: options.fallbackModel, facts: environment.facts)
        let order = try validator.validate(pipeline)
        let inputs = try pipeline.resolveInputs(options.inputs)
        self.inputs = inputs
        self.steps = try order.map { step in
            let modelText = step.model ?? pipeline.model
            let model = try modelText.map { try renderInputs($0, inputs) } ?? options.fallbackModel
            let facts = environment.facts(model) ?? ModelFacts(id: model, contextLength: RequestLimits.assumedContextTokens, acceptsImages: nil)
            var batch = step.batch?.value
            if case .template(let text)? = batch, let located = step.batch {
                let value = try renderInputs(Located(text, at: located.location), inputs).trimmingCharacters(in: .whitespaces)
                if value == "auto" || value.isEmpty {
                    batch = .auto
                } else if let number = Int(value), (1...RequestLimits.maxBatchItems).contains(number) {
                    batch = .fixed(number)
                } else {
                    throw PipelineError(.invalidInput, "`batch` is `\(value)`; expected a whole number from 1 to 1000 or `auto`", at: located.location)
                }
            }
            var format: ResultFormat?
            if let text = step.format {
                let value = try renderInputs(text, inputs)
                guard let parsed = ResultFormat(rawValue: value) else {
                    throw PipelineError(.invalidInput, "unknown format `\(value)`; expected \(ResultFormat.allCases.map(\.rawValue).joined(separator: ", "))", at: text.location)
                }
                format = parsed
            }
            return ResolvedStep(
                definition: step, argument: try renderInputs(step.argument, inputs), model: model, facts: facts,
                maxTokens: step.maxTokens?.value ?? options.defaultMaxTokens,
                prompt: try step.prompt.map { try PromptTemplate($0.value) },
                system: try step.system.map { try PromptTemplate($0.value) },
                batch: batch, imageLimit: step.imageLimit?.value ?? 5,
                to: try step.to.map { try renderInputs($0, inputs) }, format: format)
        }
        for step in steps where step.definition.kind == .map {
            if case .fixed(let n)? = step.batch, n > RequestLimits.maxImagesPerRequest {
                throw PipelineError(
                    .invalidInput,
                    "step `\(step.name)` puts \(n) images in a request; the API takes at most \(RequestLimits.maxImagesPerRequest) images per request",
                    at: step.definition.batch?.location ?? step.definition.location)
            }
        }
        var hasher = SHA256()
        hasher.update(data: Data(definition.sourceText.utf8))
        for (key, value) in inputs.sorted(by: { $0.key < $1.key }) { hasher.update(data: Data("\0\(key)=\(value)".utf8)) }
        hasher.update(data: Data("\0model=\(options.model ?? "")\0side=\(options.maxSide ?? 0)\0max=\(options.defaultMaxTokens)".utf8))
        var id = hasher.finalize().prefix(8).map { String(format: "%02x", $0) }.joined()
        if !options.useCache {
            // `--no-cache` is a fresh run of its own, which reads no answer it did not get
            // itself; the same command with `--no-cache` again resumes that fresh run until
            // it finishes (killed or interrupted runs stay `running` in the store).
            let prefix = id + "-fresh-"
            if let unfinished = try await environment.store?.unfinishedRun(prefix: prefix) {
                id = unfinished
            } else {
                id = prefix + UUID().uuidString.prefix(8).lowercased()
            }
        }
        self.runID = id
    }

    func step(named name: String) -> ResolvedStep? { steps.first { $0.name == name } }

    /// The steps that read `name`.
    func consumers(of name: String) -> [ResolvedStep] { steps.filter { $0.definition.source == name } }

    /// The inputs as JSON, recorded with the run.
    var inputsJSON: String {
        (try? JSONSerialization.data(withJSONObject: inputs, options: [.sortedKeys])).flatMap { String(data: $0, encoding: .utf8) } ?? "{}"
    }
}

/// What a run did.
public struct RunReport: Sendable {
    public var runID: String
    public var resumed: Bool
    public var items = 0
    public var failed = 0
    /// Requests actually sent (not answered from the cache or the ledger).
    public var sent = 0
    public var cached = 0
    public var promptTokens = 0
    public var completionTokens = 0
    public var cost = 0.0
    /// True when the endpoint could not be reached and nothing succeeded.
    public var unreachable = false
    /// Why nothing could run (key refused, no credits, endpoint unreachable …), when it stopped.
    public var stopReason: String?
    /// The failures, `path: reason`.
    public var failures: [String] = []
    /// Files written by `write` steps.
    public var written: [String] = []
    /// Result files left as they were because nothing could run (no row succeeded).
    public var kept: [String] = []
    /// The text a `write` step sent to standard output.
    public var standardOutput = ""

    /// 0 all done, 1 some items failed, 3 nothing could run (README, "Exit codes").
    public var exitCode: Int32 {
        if unreachable { return 3 }
        return failed > 0 ? 1 : 0
    }
}
