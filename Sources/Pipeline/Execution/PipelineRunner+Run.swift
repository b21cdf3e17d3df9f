import Crypto
import Foundation
import TextChunking

/// Stops sending once the endpoint is clearly unreachable, so a dead server costs one
/// round of retries, not one per item.
actor ReachabilityCircuit {
    private(set) var successes = 0
    private(set) var unreachable = 0
    /// The first reason given for a failure that stops the run (key refused, no credits,
    /// endpoint unreachable …): what the summary and the rows not sent say.
    private(set) var reason: String?
    let threshold: Int

    init(threshold: Int) { self.threshold = threshold }

    var isOpen: Bool { successes == 0 && unreachable >= threshold }
    func succeeded() { successes += 1 }
    func failedUnreachable(_ why: String) {
        unreachable += 1
        if reason == nil { reason = why }
    }
}

/// Sums what happened to each item.
actor ReportBuilder {
    var report: RunReport
    init(_ report: RunReport) { self.report = report }

    func add(_ item: StepItem, sent: Bool, cached: Bool, answer: ModelAnswer?) {
        report.items += 1
        if !item.ok {
            report.failed += 1
            report.failures.append("\(item.path.isEmpty ? item.key : item.path): \(item.error ?? "failed")")
        }
        if sent { report.sent += 1 }
        if cached { report.cached += 1 }
        if let answer, sent {
            report.promptTokens += answer.promptTokens
            report.completionTokens += answer.completionTokens
            report.cost += answer.cost ?? 0
        }
    }

    func fail(_ what: String, _ error: String) {
        report.failed += 1
        report.failures.append("\(what): \(error)")
    }

    func kept(_ path: String) { report.kept.append(path) }

    func wrote(_ path: String?, output: String) {
        if let path { report.written.append(path) } else { report.standardOutput += output }
    }

    func finish(unreachable: Bool, reason: String?) -> RunReport {
        report.unreachable = unreachable
        report.stopReason = reason
        return report
    }
}

/// Marks the error of an `images` or `document` step that found nothing to work on, so a
/// plan can show it (0 requests) instead of failing.
struct EmptyInput: Error, Sendable, CustomStringConvertible {
    var description: String { "nothing to send" }
}

extension PipelineRunner {
    /// Runs every step, resuming this run if it was interrupted.
    /// - Returns: counts, failures and what was written.
    /// - Throws: `PipelineError` for problems that stop the whole run (bad inputs, store).
    public func run() async throws -> RunReport {
        guard let chat = environment.chat else {
            throw PipelineError(.unreachable, "no model endpoint configured for a live run")
        }
        guard let store = environment.store else {
            throw PipelineError(.store, "a live run needs a run store")
        }
        let resumed = try await store.beginRun(id: runID, pipeline: definition.file, inputs: inputsJSON)
        let builder = ReportBuilder(RunReport(runID: runID, resumed: resumed))
        let circuit = ReachabilityCircuit(threshold: max(2, options.concurrency))
        var outputs: [String: [StepItem]] = [:]
        var results: [String: String] = [:]
        for step in steps {
            let source = step.definition.source.flatMap { outputs[$0] } ?? []
            switch step.definition.kind {
            case .images:
                outputs[step.name] = try await listImages(step)
            case .document:
                outputs[step.name] = try [loadDocument(step)]
            case .chunk:
                outputs[step.name] = try chunk(step, documents: source)
            case .map:
                let units = try mapUnits(step, source: source, builder: builder)
                outputs[step.name] = try await perform(units, step: step, chat: chat, store: store, results: results, builder: builder, circuit: circuit)
            case .reduce:
                let final = try await reduce(step, source: source, chat: chat, store: store, results: results, builder: builder, circuit: circuit)
                outputs[step.name] = final.map { [$0] } ?? []
                if let text = final?.text { results[step.name] = text }
            case .write:
                // When the endpoint could not be reached at all, an earlier result file is
                // worth more than a file of failed rows.
                let (succeeded, unreachable) = (await circuit.successes, await circuit.unreachable)
                let nothingRan = succeeded == 0 && unreachable > 0
                try await write(
                    step, items: outputs[step.definition.source ?? ""] ?? [], store: store, builder: builder,
                    keepExisting: nothingRan)
            }
        }
        await environment.progress?.finishLine()
        let successes = await circuit.successes
        let unreachableCount = await circuit.unreachable
        let unreachable = successes == 0 && unreachableCount > 0
        let stopReason = await circuit.reason
        let report = await builder.finish(unreachable: unreachable, reason: stopReason)
        try await store.finishRun(id: runID, status: report.failed == 0 ? "done" : "partial")
        return report
    }

    // MARK: Sources

    func listImages(_ step: ResolvedStep) async throws -> [StepItem] {
        let paths: [String]
        do {
            let listing = try environment.images.listWithNotes(step.argument, recursive: step.definition.recursive)
            paths = listing.paths
            for note in listing.notes { await environment.progress?.note(note) }
        } catch let error as PipelineError {
            throw error
        } catch {
            throw PipelineError(.invalidInput, "step `\(step.name)`: cannot list images in \(step.argument): \(error)")
        }
        // Nothing to send is a failure the user must hear about, not one request for nothing.
        if paths.isEmpty {
            throw PipelineError(.itemFailed, "no images in \(step.argument)", cause: EmptyInput())
        }
        return paths.enumerated().map { index, path in
            let name = (path as NSString).lastPathComponent
            return StepItem(
                key: path, order: index, path: path, name: name, fields: ["index": String(index + 1)],
                images: [ImageRef(path: path, name: name, index: index + 1)], stamp: fileStamp(path))
        }
    }

    func loadDocument(_ step: ResolvedStep) throws -> StepItem {
        let text: String
        do {
            text = try environment.text.load(step.argument)
        } catch let error as PipelineError {
            throw error
        } catch {
            throw PipelineError(.invalidInput, "step `\(step.name)`: cannot read \(step.argument): \(error)")
        }
        if text.allSatisfy(\.isWhitespace) {
            throw PipelineError(
                .itemFailed, "\(step.argument): the document is empty\(text.isEmpty ? "" : " (only white space)")",
                cause: EmptyInput())
        }
        return StepItem(
            key: step.argument, order: 0, path: step.argument, name: (step.argument as NSString).lastPathComponent,
            text: text, stamp: Self.digest(text))
    }

    /// Chunks sized so that the chunk, the consumer's rendered prompt and its answer fit
    /// the consumer's model context (`size: auto`), or to the declared size.
    func chunk(_ step: ResolvedStep, documents: [StepItem]) throws -> [StepItem] {
        var items: [StepItem] = []
        for document in documents {
            guard let text = document.text else { continue }
            let budget = try chunkBudget(step, document: document)
            let chunks: [DocumentChunk]
            do {
                chunks = try environment.text.chunks(of: text, maxTokens: budget, overlap: step.definition.overlapTokens)
            } catch {
                throw PipelineError(.invalidInput, "step `\(step.name)`: cannot split \(document.path): \(error)")
            }
            for (index, chunk) in chunks.enumerated() {
                items.append(StepItem(
                    key: "\(document.key)#\(index + 1)", order: items.count, path: document.path, name: document.name,
                    text: chunk.text,
                    fields: [
                        "index": String(index + 1), "count": String(chunks.count),
                        "start_line": String(chunk.startLine), "end_line": String(chunk.endLine),
                    ],
                    stamp: Self.digest(chunk.text)))
            }
        }
        return items
    }

    func chunkBudget(_ step: ResolvedStep, document: StepItem) throws -> Int {
        if let size = step.definition.chunkTokens?.value { return size }
        var budget = Int.max
        for consumer in consumers(of: step.name) {
            var context = StepItem(
                key: "", order: 0, path: document.path, name: document.name, text: "",
                fields: ["index": "1", "count": "1", "start_line": "1", "end_line": "1"], stamp: ""
            ).templateContext(total: 1)
            context.merge(inputs) { a, _ in a }
            // The prompt rendered around an empty chunk, plus a few tokens of chat markers.
            let promptTokens = environment.text.tokens(in: (consumer.prompt?.render(context) ?? "") + (consumer.system?.render(context) ?? "")) + RequestLimits.messageOverheadTokens
            do {
                let size = try ChunkBudget(
                    contextTokens: consumer.facts.contextLength, promptTokens: promptTokens, maxOutputTokens: consumer.maxTokens
                ).chunkTokens()
                budget = min(budget, size)
            } catch {
                throw PipelineError(.invalidInput, "step `\(step.name)` for `\(consumer.name)` (\(consumer.model)): \(error)")
            }
        }
        return budget == .max ? RequestLimits.unsizedChunkTokens : budget
    }

    static func digest(_ text: String) -> String {
        SHA256.hash(data: Data(text.utf8)).prefix(12).map { String(format: "%02x", $0) }.joined()
    }
}
