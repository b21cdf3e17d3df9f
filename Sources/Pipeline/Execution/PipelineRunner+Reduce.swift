import Foundation

extension PipelineRunner {
    /// Groups answers so each group's rendered prompt plus `max_tokens` fits the context.
    /// `tokens` measures text; the result keeps input order.
    func packAnswers(_ answers: [StepItem.Answer], step: ResolvedStep, round: Int, results: [String: String]) throws -> [[StepItem.Answer]] {
        let root = rootArgument(of: step)
        let base = StepItem(key: "", order: 0, path: root, name: (root as NSString).lastPathComponent, fields: ["round": String(round)], stamp: "", answers: [])
        let overhead = environment.text.tokens(in: renderPrompt(step, context: base.templateContext(total: 0), results: results))
            + (step.system.map { environment.text.tokens(in: $0.render(inputs)) } ?? 0)
        // 64 tokens for chat markers; 5% margin for the token estimate.
        let room = Int(Double(step.facts.contextLength - step.maxTokens - overhead - 64) * 0.95)
        var groups: [[StepItem.Answer]] = []
        var current: [StepItem.Answer] = []
        var used = 0
        for answer in answers {
            // The label line and separators the template adds around each answer.
            let cost = environment.text.tokens(in: answer.text) + environment.text.tokens(in: answer.label) + 12
            if cost > room {
                throw PipelineError(
                    .itemFailed,
                    "step `\(step.name)`: the answer for \(answer.label) (about \(cost) tokens) does not fit one request of \(step.model) (room for \(max(0, room))); lower the earlier step's `max_tokens`")
            }
            if !current.isEmpty && used + cost > room {
                groups.append(current)
                current = []
                used = 0
            }
            current.append(answer)
            used += cost
        }
        if !current.isEmpty { groups.append(current) }
        return groups
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
                groups = try packAnswers(answers, step: step, round: round, results: results)
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
                try store.pruneItems(run: runID, step: step.name, keeping: keys)
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
