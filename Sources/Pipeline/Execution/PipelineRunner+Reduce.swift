import Foundation
import TextChunking

extension PipelineRunner {
    /// Tokens around each answer in a reduce prompt (its label line and separators).
    static let answerFrameTokens = 12

    /// A planner for this reduce step: room for answers is the context minus the prompt
    /// rendered with no answers, `max_tokens` and a margin (`ChunkBudget`).
    func reducePlanner(_ step: ResolvedStep, results: [String: String]) throws -> (planner: ReducePlanner, promptTokens: Int) {
        let root = rootArgument(of: step)
        let base = StepItem(key: "", order: 0, path: root, name: (root as NSString).lastPathComponent, fields: ["round": "1"], stamp: "", answers: [])
        let overhead = environment.text.tokens(in: renderPrompt(step, context: base.templateContext(total: 0), results: results))
            + (step.system.map { environment.text.tokens(in: $0.render(inputs)) } ?? 0) + RequestLimits.messageOverheadTokens
        do {
            let room = try ChunkBudget(contextTokens: step.facts.contextLength, promptTokens: overhead, maxOutputTokens: step.maxTokens).chunkTokens()
            return (try ReducePlanner(inputTokens: room, separatorTokens: Self.answerFrameTokens, maxOutputTokens: step.maxTokens), overhead)
        } catch {
            throw PipelineError(.itemFailed, "step `\(step.name)` (\(step.model)): \(error)")
        }
    }

    /// Groups answers, in order, so each group's request fits the context.
    func packAnswers(_ answers: [StepItem.Answer], step: ResolvedStep, results: [String: String]) throws -> [[StepItem.Answer]] {
        let planner = try reducePlanner(step, results: results).planner
        let sizes = answers.map { environment.text.tokens(in: $0.text) + environment.text.tokens(in: $0.label) }
        do {
            return try planner.groups(partTokens: sizes).map { Array(answers[$0.parts]) }
        } catch {
            throw PipelineError(.itemFailed, "step `\(step.name)`: \(error)")
        }
    }

    /// Combines the answers of `source` into one, in rounds (a tree) while they do not fit
    /// one request. Returns the final item, or nil when there was nothing to combine or a
    /// round failed (the failures are in the report).
    func reduce(
        _ step: ResolvedStep, source: [StepItem], chat: any ChatService, store: RunStore, results: [String: String],
        builder: ReportBuilder, circuit: ReachabilityCircuit
    ) async throws -> StepItem? {
        var answers = source.filter(\.ok).enumerated().map { index, item in
            StepItem.Answer(text: item.text ?? "", label: item.label, index: index + 1)
        }
        let rootPath = rootArgument(of: step)
        guard !answers.isEmpty else {
            await builder.fail(step.name, "nothing to combine: every earlier item failed")
            return nil
        }
        var round = 1
        var keys: Set<String> = []
        while true {
            let groups: [[StepItem.Answer]]
            do {
                groups = try packAnswers(answers, step: step, results: results)
            } catch let error as PipelineError {
                await builder.fail(step.name, error.message)
                return nil
            }
            let final = groups.count == 1
            if !final && groups.count >= answers.count {
                await builder.fail(step.name, "answers are too long to combine two at a time within the context of \(step.model); lower the earlier step's `max_tokens`")
                return nil
            }
            let units = groups.enumerated().map { index, group in
                let key = "round-\(round)-\(index + 1)"
                keys.insert(key)
                return StepItem(
                    key: key, order: index, path: rootPath, name: (rootPath as NSString).lastPathComponent,
                    fields: ["round": String(round), "final": final ? "1" : "0"],
                    stamp: PipelineRunner.digest(group.map(\.text).joined(separator: "\u{1F}")), answers: group)
            }
            let done = try await perform(units, step: step, chat: chat, store: store, results: results, builder: builder, circuit: circuit, prune: false)
            if done.contains(where: { !$0.ok }) { return nil }
            if final { 
                try await store.pruneItems(run: runID, step: step.name, keeping: keys)
                return done.first
            }
            answers = done.enumerated().map { index, item in
                StepItem.Answer(text: item.text ?? "", label: "summary of parts \(groups[index].map(\.label).joined(separator: "; "))", index: index + 1)
            }
            round += 1
        }
    }

    /// The folder or document a step's data started from.
    func rootArgument(of step: ResolvedStep) -> String {
        var current: ResolvedStep? = step
        while let candidate = current {
            if candidate.definition.kind == .images || candidate.definition.kind == .document { return candidate.argument }
            current = candidate.definition.source.flatMap { self.step(named: $0) }
        }
        return ""
    }
}
