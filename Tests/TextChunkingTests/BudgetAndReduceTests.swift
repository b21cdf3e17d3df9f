import Testing

@testable import TextChunking

@Suite("Budget arithmetic and reduce planning")
struct BudgetAndReduceTests {
    @Test("chunk size = context − prompt − max_tokens − margin", arguments: [
        (262_144, 4_096), (131_072, 2_048), (163_840, 2_560),
    ])
    func budget(context: Int, margin: Int) throws {
        let budget = ChunkBudget(contextTokens: context, promptTokens: 500, maxOutputTokens: 8_000)
        #expect(budget.safetyMarginTokens == margin)
        #expect(try budget.chunkTokens() == context - 500 - 8_000 - margin)
    }

    @Test("a budget with no room is an error that names the numbers")
    func tooSmall() {
        let budget = ChunkBudget(contextTokens: 8_192, promptTokens: 3_000, maxOutputTokens: 5_000)
        #expect {
            _ = try budget.chunkTokens()
        } throws: { error in
            let e = error as? TextChunkingError
            return e?.code == .budgetTooSmall && e?.message.contains("max_tokens 5000") == true
        }
    }

    @Test("reduce tree: every request fits, every part is used once, one final request",
          arguments: [1, 2, 7, 100, 1_000, 25_000])
    func tree(parts: Int) throws {
        let planner = try ReducePlanner(inputTokens: 20_000, separatorTokens: 5, maxOutputTokens: 2_000)
        let sizes = (0..<parts).map { 100 + ($0 * 7919) % 1_900 }
        let plan = try planner.plan(partTokens: sizes)
        #expect(plan.rounds.last?.count == 1)
        var count = parts
        var roundSizes = sizes
        for round in plan.rounds {
            // Groups cover 0..<count in order, without gaps or repeats.
            #expect(round.first?.parts.lowerBound == 0)
            #expect(round.last?.parts.upperBound == count)
            for (a, b) in zip(round, round.dropFirst()) { #expect(a.parts.upperBound == b.parts.lowerBound) }
            for group in round {
                let tokens = group.parts.reduce(0) { $0 + roundSizes[$1] + 5 }
                #expect(tokens == group.inputTokens)
                #expect(tokens <= 20_000)
            }
            count = round.count
            roundSizes = Array(repeating: 2_000, count: count)
        }
        if parts > 1 { #expect(plan.rounds.count >= 2 || plan.rounds[0].count == 1) }
    }

    @Test("a part that cannot fit, and a planner that could never converge, are errors")
    func errors() throws {
        let planner = try ReducePlanner(inputTokens: 10_000, maxOutputTokens: 1_000)
        #expect { _ = try planner.groups(partTokens: [10, 10_001, 10]) } throws: { error in
            let e = error as? TextChunkingError
            return e?.code == .partTooLarge && e?.message.contains("part 2") == true
        }
        #expect(throws: TextChunkingError.self) { _ = try ReducePlanner(inputTokens: 3_000, maxOutputTokens: 2_000) }
    }
}
