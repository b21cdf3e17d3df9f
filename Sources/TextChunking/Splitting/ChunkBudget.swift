/// How many tokens of a document fit in one request:
/// `context − rendered prompt around the chunk − reserved answer (max_tokens) − margin`.
///
/// The context comes from the model registry (262,144 for Llama 4 Maverick free, 131,072
/// for Nemotron Ultra, 163,840 for MAI-DS-R1); the prompt is the template rendered with an
/// empty chunk, counted with the same counter as the chunks.
///
/// ```swift
/// let budget = ChunkBudget(contextTokens: 262_144, promptTokens: 350, maxOutputTokens: 4_096)
/// let size = try budget.chunkTokens()   // 262_144 − 350 − 4_096 − 4_096 = 253_602
/// ```
public struct ChunkBudget: Sendable, Hashable {
    /// The model's context window in tokens.
    public var contextTokens: Int
    /// Tokens of everything sent besides the chunk: system and user template text, chat
    /// format markers (a few per message).
    public var promptTokens: Int
    /// Tokens reserved for the answer (`max_tokens` of the request).
    public var maxOutputTokens: Int
    /// Tokens kept free for what no counter sees exactly: a provider's own chat template,
    /// tokenizer differences between hosts.
    public var safetyMarginTokens: Int

    /// The default margin: 1/64 of the context (4,096 for 256K), at least 256 tokens.
    public static func defaultMargin(contextTokens: Int) -> Int { max(256, contextTokens / 64) }

    /// A budget; the margin defaults to `defaultMargin(contextTokens:)`.
    public init(contextTokens: Int, promptTokens: Int, maxOutputTokens: Int, safetyMarginTokens: Int? = nil) {
        self.contextTokens = contextTokens
        self.promptTokens = promptTokens
        self.maxOutputTokens = maxOutputTokens
        self.safetyMarginTokens = safetyMarginTokens ?? Self.defaultMargin(contextTokens: contextTokens)
    }

    /// The most tokens a chunk may have.
    /// - Throws: `TextChunkingError.budgetTooSmall` when prompt, answer and margin leave
    ///   fewer than `minimum` tokens, saying which number to change.
    public func chunkTokens(minimum: Int = 64) throws -> Int {
        let available = contextTokens - promptTokens - maxOutputTokens - safetyMarginTokens
        guard available >= minimum else {
            throw TextChunkingError(
                .budgetTooSmall,
                "context \(contextTokens) − prompt \(promptTokens) − max_tokens \(maxOutputTokens) − margin \(safetyMarginTokens) leaves \(available) tokens for the document, fewer than \(minimum); shorten the prompt or lower max_tokens")
        }
        return available
    }
}
