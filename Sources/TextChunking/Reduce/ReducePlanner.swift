/// Plans how to combine many partial answers (one per chunk) into one, when they do not all
/// fit one request: answers are grouped, in order, into requests that fit; each request's
/// answer becomes a part of the next round; rounds repeat until one request remains (a tree).
///
/// Parts after the first round are the answers of reduce requests, whose size is not known
/// in advance: the plan assumes each is `maxOutputTokens` long, the most it can be. A caller
/// that knows the real sizes after a round calls `groups(partTokens:)` again with them.
///
/// ```swift
/// let planner = try ReducePlanner(inputTokens: 100_000, separatorTokens: 4, maxOutputTokens: 2_000)
/// let plan = try planner.plan(partTokens: answers.map(counter.count))
/// // plan.rounds[0] groups the answers; plan.rounds.last has exactly one group.
/// ```
public struct ReducePlanner: Sendable {
    /// Tokens one reduce request can hold for the parts: context − rendered reduce prompt −
    /// max_tokens − margin (a `ChunkBudget`).
    public let inputTokens: Int
    /// Tokens added around each part (a separator or a heading such as `## Part 3`).
    public let separatorTokens: Int
    /// `max_tokens` of a reduce request: the largest a reduce answer can be.
    public let maxOutputTokens: Int

    /// - Throws: `TextChunkingError.budgetTooSmall` when a request cannot hold two full-size
    ///   answers, since then rounds would never shrink.
    public init(inputTokens: Int, separatorTokens: Int = 0, maxOutputTokens: Int) throws {
        guard maxOutputTokens > 0, separatorTokens >= 0 else {
            throw TextChunkingError(.invalidArgument, "max_tokens must be positive and the separator non-negative")
        }
        guard inputTokens >= 2 * (maxOutputTokens + separatorTokens) else {
            throw TextChunkingError(
                .budgetTooSmall,
                "a reduce request holds \(inputTokens) tokens of answers, fewer than two answers of max_tokens \(maxOutputTokens); lower max_tokens or use a model with a larger context")
        }
        self.inputTokens = inputTokens
        self.separatorTokens = separatorTokens
        self.maxOutputTokens = maxOutputTokens
    }

    /// One round: consecutive parts grouped greedily so each group fits one request.
    /// - Throws: `TextChunkingError.partTooLarge` naming the part that alone does not fit.
    public func groups(partTokens: [Int]) throws -> [ReduceGroup] {
        var groups: [ReduceGroup] = []
        var start = 0
        var sum = 0
        for (index, tokens) in partTokens.enumerated() {
            let cost = tokens + separatorTokens
            guard cost <= inputTokens else {
                throw TextChunkingError(
                    .partTooLarge,
                    "part \(index + 1) has \(tokens) tokens, more than one reduce request holds (\(inputTokens - separatorTokens)); lower max_tokens of the map step")
            }
            if sum + cost > inputTokens {
                groups.append(ReduceGroup(parts: start..<index, inputTokens: sum))
                start = index
                sum = 0
            }
            sum += cost
        }
        if start < partTokens.count || partTokens.isEmpty {
            groups.append(ReduceGroup(parts: start..<partTokens.count, inputTokens: sum))
        }
        return groups
    }

    /// The whole tree, rounds from the leaves to the single final request.
    public func plan(partTokens: [Int]) throws -> ReducePlan {
        var rounds: [[ReduceGroup]] = []
        var parts = partTokens
        repeat {
            let round = try groups(partTokens: parts)
            rounds.append(round)
            parts = Array(repeating: maxOutputTokens, count: round.count)
        } while parts.count > 1
        return ReducePlan(rounds: rounds)
    }
}

/// Consecutive parts of one round that go into one reduce request.
public struct ReduceGroup: Sendable, Hashable {
    /// Indices of the parts (answers of the previous round, or the chunks' answers).
    public var parts: Range<Int>
    /// Tokens of those parts, separators included.
    public var inputTokens: Int
}

/// The rounds of a reduce: `rounds[0]` groups the map answers, each later round groups the
/// answers of the round before, and the last round has one request.
public struct ReducePlan: Sendable, Hashable {
    public var rounds: [[ReduceGroup]]
    /// Total number of reduce requests.
    public var requestCount: Int { rounds.reduce(0) { $0 + $1.count } }
}
