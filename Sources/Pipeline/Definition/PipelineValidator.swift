import Foundation

/// What the validator and planner need to know about a model.
public struct ModelFacts: Sendable, Equatable {
    public var id: String
    /// Context window in tokens.
    public var contextLength: Int
    /// Whether the model accepts image parts; `nil` when unknown.
    public var acceptsImages: Bool?
    /// USD per prompt token and per completion token; `nil` when unknown.
    public var promptPrice: Double?
    public var completionPrice: Double?
    /// The provider's cap on output tokens, if known.
    public var maxCompletionTokens: Int?

    public init(
        id: String, contextLength: Int, acceptsImages: Bool?, promptPrice: Double? = nil,
        completionPrice: Double? = nil, maxCompletionTokens: Int? = nil
    ) {
        self.id = id
        self.contextLength = contextLength
        self.acceptsImages = acceptsImages
        self.promptPrice = promptPrice
        self.completionPrice = completionPrice
        self.maxCompletionTokens = maxCompletionTokens
    }
}

/// Checks a parsed pipeline before anything runs: step references, cycles, the kinds each
/// step can read, template variables no step or input provides, and image steps sent to a
/// model that cannot take images. The first problem is thrown with its file position.
public struct PipelineValidator: Sendable {
    /// Model used by steps that name none and have no pipeline default.
    public var defaultModel: String
    /// Looks up a model's facts; returns `nil` for unknown models (not checked).
    public var facts: @Sendable (String) -> ModelFacts?

    public init(defaultModel: String, facts: @escaping @Sendable (String) -> ModelFacts?) {
        self.defaultModel = defaultModel
        self.facts = facts
    }

    /// Validates the whole definition.
    /// - Returns: the steps in an order where each comes after the step it reads.
    @discardableResult
    public func validate(_ pipeline: PipelineDefinition) throws -> [StepDefinition] {
        let inputNames = pipeline.inputs.map(\.name)
        let byName = Dictionary(pipeline.steps.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        for input in pipeline.inputs where byName[input.name] != nil {
            throw PipelineError(.invalidPipeline, "input `\(input.name)` has the same name as a step; template names must be unique", at: input.location)
        }
        // References.
        for step in pipeline.steps {
            guard let source = step.source else { continue }
            guard let target = byName[source] else {
                let names = pipeline.steps.map(\.name).filter { $0 != step.name }
                let hint = names.min { editDistance(source, $0) < editDistance(source, $1) }
                    .flatMap { editDistance(source, $0) <= 2 ? " (did you mean `\($0)`?)" : nil } ?? ""
                throw PipelineError(
                    .invalidPipeline,
                    "step `\(step.name)` reads `\(source)`, but no step has that name; expected one of \(names.map { "`\($0)`" }.joined(separator: ", "))\(hint)",
                    at: step.argument.location)
            }
            if target.name == step.name {
                throw PipelineError(.invalidPipeline, "step `\(step.name)` reads itself; a step reads an earlier step", at: step.argument.location)
            }
        }
        let order = try topologicalOrder(pipeline.steps, byName: byName)
        // What each step can read.
        for step in order {
            guard let source = step.source, let target = byName[source] else { continue }
            let allowed: Set<StepDefinition.Kind> = switch step.kind {
            case .chunk: [.document]
            case .map: [.images, .document, .chunk, .map, .reduce]
            case .reduce: [.chunk, .map, .reduce]
            case .write: [.map, .reduce]
            case .images, .document: []
            }
            if !allowed.contains(target.kind) {
                throw PipelineError(
                    .invalidPipeline,
                    "`\(step.kind.rawValue)` step `\(step.name)` cannot read `\(target.kind.rawValue)` step `\(target.name)`; it reads \(allowed.map { "`\($0.rawValue)`" }.sorted().joined(separator: " or ")) steps",
                    at: step.argument.location)
            }
            if step.batch != nil && target.kind != .images {
                throw PipelineError(.invalidPipeline, "`batch` groups images; step `\(step.name)` reads `\(target.kind.rawValue)` step `\(target.name)`, not an `images` step", at: step.batch?.location ?? step.location)
            }
        }
        // Templates.
        let inputScope = TemplateScope.values(inputNames)
        for step in order {
            try checkInputTemplate(step.argument, scope: inputScope, in: pipeline)
            for value in [step.to, step.format, step.model].compactMap({ $0 }) {
                try checkInputTemplate(value, scope: inputScope, in: pipeline)
            }
            if let batch = step.batch, case .template(let text) = batch.value {
                try checkInputTemplate(Located(text, at: batch.location), scope: inputScope, in: pipeline)
            }
            let scope = inputScope.merging(earlierResults(of: step, byName: byName)).merging(Self.promptScope(for: step, byName: byName))
            for template in [step.prompt, step.system].compactMap({ $0 }) {
                try check(template, scope: scope, step: step, in: pipeline)
            }
        }
        if let model = pipeline.model { try checkInputTemplate(model, scope: inputScope, in: pipeline) }
        // Images to a text-only model.
        for step in order where step.kind == .map {
            guard let source = step.source, byName[source]?.kind == .images else { continue }
            let model = step.model ?? pipeline.model
            let id = model?.value ?? defaultModel
            guard !id.contains("{{"), let facts = facts(id), facts.acceptsImages == false else { continue }
            throw PipelineError(
                .invalidPipeline,
                "step `\(step.name)` sends images to `\(id)`, which takes text only; choose a model that accepts images (for example `meta-llama/llama-4-maverick:free`)",
                at: model?.location ?? step.location)
        }
        return order
    }

    /// The fields a map/reduce prompt can use, by what the step reads.
    static func promptScope(for step: StepDefinition, byName: [String: StepDefinition]) -> TemplateScope {
        guard let source = step.source, let target = byName[source] else { return TemplateScope() }
        switch step.kind {
        case .reduce:
            return TemplateScope([
                "answers": .list(.values(["text", "label", "index"])),
                "count": .value, "round": .value, "final": .value, "path": .value, "name": .value,
            ])
        case .map:
            if step.batch != nil {
                return TemplateScope([
                    "images": .list(.values(["path", "name", "index"])),
                    "count": .value, "index": .value, "total": .value,
                ])
            }
            return TemplateScope.values(itemFields(of: target, byName: byName) + ["total"])
        default:
            return TemplateScope()
        }
    }

    /// The fields of the items a step produces.
    static func itemFields(of step: StepDefinition, byName: [String: StepDefinition]) -> [String] {
        switch step.kind {
        case .images: return ["path", "name", "index"]
        case .document: return ["path", "name", "text"]
        case .chunk: return ["path", "name", "text", "index", "count", "start_line", "end_line"]
        case .map:
            if step.batch != nil { return ["text", "index", "count", "images"] }
            guard let source = step.source, let target = byName[source] else { return ["text"] }
            return Array(Set(itemFields(of: target, byName: byName) + ["text"]))
        case .reduce: return ["text"]
        case .write: return []
        }
    }

    /// Reduce steps this step depends on (directly or not): their single answer is a
    /// template variable named after the step.
    func earlierResults(of step: StepDefinition, byName: [String: StepDefinition]) -> TemplateScope {
        var names: [String] = []
        var current = step.source.flatMap { byName[$0] }
        var guardCount = 0
        while let ancestor = current, guardCount < byName.count {
            if ancestor.kind == .reduce { names.append(ancestor.name) }
            current = ancestor.source.flatMap { byName[$0] }
            guardCount += 1
        }
        return .values(names)
    }

    func topologicalOrder(_ steps: [StepDefinition], byName: [String: StepDefinition]) throws -> [StepDefinition] {
        var state: [String: Int] = [:]  // 1 visiting, 2 done
        var order: [StepDefinition] = []
        func visit(_ step: StepDefinition, path: [String]) throws {
            if state[step.name] == 2 { return }
            if state[step.name] == 1 {
                let cycle = (path.drop { $0 != step.name } + [step.name]).joined(separator: " → ")
                throw PipelineError(.invalidPipeline, "steps form a cycle (\(cycle)); each step must read an earlier one", at: step.argument.location)
            }
            state[step.name] = 1
            if let source = step.source, let target = byName[source] {
                try visit(target, path: path + [step.name])
            }
            state[step.name] = 2
            order.append(step)
        }
        for step in steps { try visit(step, path: []) }
        return order
    }

    func checkInputTemplate(_ value: Located<String>, scope: TemplateScope, in pipeline: PipelineDefinition) throws {
        guard value.value.contains("{{") else { return }
        let template: PromptTemplate
        do { template = try PromptTemplate(checking: value.value) } catch {
            throw PipelineError(
                .invalidPipeline, error.message, at: Self.locate(error, in: value, text: pipeline.sourceText))
        }
        if let (tag, available) = scope.firstUnknown(in: template.tags) {
            throw PipelineError(
                .invalidPipeline,
                "`\(tag.raw)` uses `\(tag.name)`, which is not an input; this field can use only inputs: \(available.map { "`\($0)`" }.joined(separator: ", "))",
                at: Self.locate(tag, in: value, text: pipeline.sourceText))
        }
    }

    func check(_ value: Located<String>, scope: TemplateScope, step: StepDefinition, in pipeline: PipelineDefinition) throws {
        let template: PromptTemplate
        do { template = try PromptTemplate(checking: value.value) } catch {
            throw PipelineError(
                .invalidPipeline, "in step `\(step.name)`: \(error.message)",
                at: Self.locate(error, in: value, text: pipeline.sourceText))
        }
        guard let (tag, available) = scope.firstUnknown(in: template.tags) else { return }
        let message = tag.kind == .partial
            ? "`\(tag.raw)` is a partial; pipelines have no partials, expected a variable such as `{{text}}`"
            : "`\(tag.raw)` in step `\(step.name)` uses `\(tag.name)`, which no input or step provides; available here: \(available.map { "`\($0)`" }.joined(separator: ", "))"
        throw PipelineError(.invalidPipeline, message, at: Self.locate(tag, in: value, text: pipeline.sourceText))
    }

    /// Where a template problem is in the file: at its tag when it names one, else at the
    /// start of the value.
    static func locate(_ problem: TemplateProblem, in value: Located<String>, text: String) -> SourceLocation {
        problem.tag.map { locate($0, in: value, text: text) } ?? value.location
    }

    /// Finds the tag's position in the file: the n-th occurrence of its text after the
    /// scalar's start (works for plain, quoted and block scalars alike).
    static func locate(_ tag: PromptTemplate.Tag, in value: Located<String>, text: String) -> SourceLocation {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        var remaining = tag.occurrence
        var lineIndex = value.location.line - 1
        var startColumn = value.location.column - 1
        while lineIndex < lines.count {
            let line = Array(lines[lineIndex].unicodeScalars)
            let needle = Array(tag.raw.unicodeScalars)
            var column = startColumn
            while column + needle.count <= line.count {
                if Array(line[column..<column + needle.count]) == needle {
                    if remaining == 0 {
                        return SourceLocation(file: value.location.file, line: lineIndex + 1, column: column + 1)
                    }
                    remaining -= 1
                }
                column += 1
            }
            lineIndex += 1
            startColumn = 0
        }
        return value.location
    }
}
