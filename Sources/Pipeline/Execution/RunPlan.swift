import Foundation
import TextChunking

/// What a run would do, computed with all local work done (images decoded and downscaled,
/// documents chunked, prompts rendered) and nothing sent.
public struct RunPlan: Sendable, CustomStringConvertible {
    public struct Step: Sendable {
        public var name: String
        public var kind: StepDefinition.Kind
        public var model: String?
        public var context: Int?
        public var items = 0
        public var requests = 0
        public var imagesPerRequest: ClosedRange<Int>?
        /// Prompt tokens per request (text and images), smallest to largest.
        public var promptTokens: ClosedRange<Int>?
        public var maxTokens: Int?
        public var rounds: Int?
        public var estimatedCost: Double?
        /// Items that cannot be sent, `path: reason`.
        public var problems: [String] = []
        public var detail: String?
    }

    public var pipeline: String
    public var steps: [Step]
    public var totalRequests: Int { steps.reduce(0) { $0 + $1.requests } }
    /// Upper bound in USD (every answer as long as `max_tokens`); nil when prices are unknown.
    public var estimatedCost: Double? {
        let costs = steps.filter { $0.requests > 0 }.map(\.estimatedCost)
        return costs.contains { $0 == nil } ? nil : costs.compactMap { $0 }.reduce(0, +)
    }
    public var problemCount: Int { steps.reduce(0) { $0 + $1.problems.count } }
    /// Set when an `images` or `document` step found nothing ("no images in FOLDER", "FILE:
    /// the document is empty"): nothing would be sent, and the run fails with this message.
    public var nothingToDo: String?

    public var description: String {
        var lines = ["Plan for \(pipeline):"]
        let width = max(4, steps.map(\.name.count).max() ?? 4)
        for step in steps {
            let head = "  " + step.name.padding(toLength: width, withPad: " ", startingAt: 0) + "  "
                + step.kind.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0) + " "
            var text: String
            switch step.kind {
            case .images: text = "\(step.items) file\(step.items == 1 ? "" : "s")"
            case .document, .chunk: text = step.detail ?? "\(step.items) item\(step.items == 1 ? "" : "s")"
            case .write: text = step.detail ?? ""
            case .map, .reduce:
                text = "\(step.requests) request\(step.requests == 1 ? "" : "s")"
                if let rounds = step.rounds { text += " in \(rounds) round\(rounds == 1 ? "" : "s")" }
                if let images = step.imagesPerRequest {
                    text += images.lowerBound == images.upperBound ? ", \(images.lowerBound) image\(images.upperBound == 1 ? "" : "s") each" : ", \(images.lowerBound)–\(images.upperBound) images each"
                }
                if let model = step.model { text += " to \(model)" }
                if let tokens = step.promptTokens, let context = step.context {
                    let range = tokens.lowerBound == tokens.upperBound ? Self.count(tokens.upperBound) : "\(Self.count(tokens.lowerBound))–\(Self.count(tokens.upperBound))"
                    text += "\n  " + String(repeating: " ", count: width + 11) + "prompt \(range) tokens + up to \(Self.count(step.maxTokens ?? 0)) answer, of a \(Self.count(context))-token context"
                }
                if let cost = step.estimatedCost { text += String(format: "; at most $%.4f", cost) }
            }
            lines.append(head + text)
            for problem in step.problems.prefix(20) {
                lines.append("  " + String(repeating: " ", count: width + 11) + "cannot send \(problem)")
            }
            if step.problems.count > 20 {
                lines.append("  " + String(repeating: " ", count: width + 11) + "… and \(step.problems.count - 20) more")
            }
        }
        var total = "Total: \(totalRequests) request\(totalRequests == 1 ? "" : "s")"
        if let cost = estimatedCost { total += String(format: ", estimated cost at most $%.4f", cost) } else { total += ", cost unknown (no prices for this model)" }
        if problemCount > 0 { total += ", \(problemCount) item\(problemCount == 1 ? "" : "s") cannot be sent" }
        lines.append(total)
        if let nothingToDo { lines.append("Nothing to send: \(nothingToDo)") }
        return lines.joined(separator: "\n")
    }

    static func count(_ value: Int) -> String {
        let formatter = NumberFormatter()
        formatter.numberStyle = .decimal
        formatter.groupingSeparator = ","
        return formatter.string(from: NSNumber(value: value)) ?? String(value)
    }
}

extension PipelineRunner {
    /// Does all local work and returns the plan; sends nothing, needs no key or network.
    public func plan() async throws -> RunPlan {
        var plan = RunPlan(pipeline: definition.name.map { "\($0) (\(definition.file))" } ?? definition.file, steps: [])
        var outputs: [String: [StepItem]] = [:]
        /// Estimated answer tokens of each step's items, for reduce planning.
        var answerTokens: [String: [Int]] = [:]
        for step in steps {
            var entry = RunPlan.Step(name: step.name, kind: step.definition.kind)
            let source = step.definition.source.flatMap { outputs[$0] } ?? []
            switch step.definition.kind {
            case .images:
                let items: [StepItem]
                do { items = try await listImages(step) } catch let error as PipelineError where error.cause is EmptyInput {
                    plan.steps.append(entry)
                    plan.nothingToDo = error.message
                    return plan
                }
                outputs[step.name] = items
                entry.items = items.count
            case .document:
                let item: StepItem
                do { item = try loadDocument(step) } catch let error as PipelineError where error.cause is EmptyInput {
                    plan.steps.append(entry)
                    plan.nothingToDo = error.message
                    return plan
                }
                outputs[step.name] = [item]
                entry.items = 1
                entry.detail = "\(item.path): \(RunPlan.count(environment.text.tokens(in: item.text ?? ""))) tokens"
            case .chunk:
                let items = try chunk(step, documents: source)
                outputs[step.name] = items
                entry.items = items.count
                let sizes = items.map { environment.text.tokens(in: $0.text ?? "") }
                entry.detail = "\(items.count) chunk\(items.count == 1 ? "" : "s")" + (sizes.isEmpty ? "" : " of \(RunPlan.count(sizes.min() ?? 0))–\(RunPlan.count(sizes.max() ?? 0)) tokens")
            case .map:
                let units = try mapUnits(step, source: source, builder: nil)
                entry.model = step.model
                entry.context = step.facts.contextLength
                entry.maxTokens = step.maxTokens
                entry.items = units.count
                let measured = await measure(units, step: step)
                var tokens: [Int] = []
                var images: [Int] = []
                var items: [StepItem] = []
                for (unit, result) in zip(units, measured) {
                    switch result {
                    case .success(let count):
                        tokens.append(count)
                        images.append(unit.images.count)
                        items.append(unit)
                        if count + step.maxTokens > step.facts.contextLength {
                            entry.problems.append("\(unit.path): needs \(count + step.maxTokens) tokens, more than the context")
                        }
                    case .failure(let message):
                        entry.problems.append("\(unit.path.isEmpty ? unit.key : unit.path): \(message)")
                    }
                }
                entry.requests = tokens.count
                if let low = tokens.min(), let high = tokens.max() { entry.promptTokens = low...high }
                if let low = images.min(), let high = images.max(), high > 0 { entry.imagesPerRequest = low...high }
                entry.estimatedCost = cost(prompt: tokens.reduce(0, +), completion: step.maxTokens * tokens.count, facts: step.facts)
                outputs[step.name] = items
                answerTokens[step.name] = Array(repeating: step.maxTokens, count: items.count)
            case .reduce:
                entry.model = step.model
                entry.context = step.facts.contextLength
                entry.maxTokens = step.maxTokens
                let parts = answerTokens[step.definition.source ?? ""] ?? source.map { environment.text.tokens(in: $0.text ?? "") }
                var requests = 0, rounds = 0, promptTotal = 0, largest = 0, smallest = Int.max
                do {
                    let (planner, overhead) = try reducePlanner(step, results: [:])
                    let tree = try planner.plan(partTokens: parts)
                    rounds = tree.rounds.count
                    requests = tree.requestCount
                    for group in tree.rounds.joined() {
                        promptTotal += group.inputTokens + overhead
                        largest = max(largest, group.inputTokens + overhead)
                        smallest = min(smallest, group.inputTokens + overhead)
                    }
                } catch let error as PipelineError {
                    entry.problems.append(error.message)
                }
                entry.requests = requests
                entry.rounds = rounds
                entry.items = 1
                if requests > 0 { entry.promptTokens = min(smallest, largest)...largest }
                entry.estimatedCost = cost(prompt: promptTotal, completion: step.maxTokens * requests, facts: step.facts)
                outputs[step.name] = [StepItem(key: "final", order: 0, path: "", name: step.name, text: "", stamp: "")]
                answerTokens[step.name] = [step.maxTokens]
            case .write:
                let to = step.to == nil || step.to == "-" ? "standard output" : step.to ?? ""
                let format = step.format ?? step.to.flatMap(ResultFormat.inferred(fromPath:)) ?? .jsonl
                entry.detail = step.to?.isEmpty == true ? "off (no file given)" : "\(source.count) row\(source.count == 1 ? "" : "s") to \(to) (\(format.rawValue))"
            }
            plan.steps.append(entry)
        }
        return plan
    }

    func cost(prompt: Int, completion: Int, facts: ModelFacts) -> Double? {
        guard let input = facts.promptPrice, let output = facts.completionPrice else { return nil }
        return Double(prompt) * input + Double(completion) * output
    }

    enum Measured: Sendable { case success(Int), failure(String) }

    /// Builds every request (decoding and downscaling its images) on all cores and counts
    /// its prompt tokens.
    func measure(_ units: [StepItem], step: ResolvedStep) async -> [Measured] {
        let workers = max(1, ProcessInfo.processInfo.activeProcessorCount)
        var results = Array(repeating: Measured.failure("not measured"), count: units.count)
        await withTaskGroup(of: (Int, Measured).self) { group in
            var next = 0
            func launch() {
                let index = next
                let unit = units[index]
                next += 1
                group.addTask {
                    if !unit.ok { return (index, .failure(unit.error ?? "failed")) }
                    do {
                        let (request, imageTokens) = try self.request(for: unit, step: step, total: units.count, results: [:])
                        let text = request.messages.flatMap(\.parts).compactMap { if case .text(let t) = $0 { t } else { nil } }.joined(separator: "\n")
                        return (index, .success(self.environment.text.tokens(in: text) + imageTokens))
                    } catch {
                        return (index, .failure(PipelineRunner.reason(error)))
                    }
                }
            }
            while next < units.count && next < workers { launch() }
            while let (index, result) = await group.next() {
                results[index] = result
                if next < units.count { launch() }
            }
        }
        return results
    }
}
