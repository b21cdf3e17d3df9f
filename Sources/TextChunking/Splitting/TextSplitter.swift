/// Splits a document into chunks that each fit a token budget, cutting at the largest
/// structure available: Markdown headings, then blank lines, line ends, sentence ends,
/// words, and, for a single enormous word or a line of CJK without spaces, tokens.
///
/// The document is pre-tokenized and counted once. Chunks are whole runs of pre-tokens, so a
/// chunk's count is the sum of its pre-tokens' counts and equals the count of its text
/// (exactly, with `LlamaTokenizer`). Memory beyond the document is one chunk's worth of
/// pre-tokens, so a 100 MB file splits in constant extra space.
///
/// How a cut is chosen: the chunk grows until the next pre-token would not fit; among the
/// places to cut in the part of it that is at least `minimumFill` of the budget, the largest
/// structure wins, and the latest place among equals. (Without a floor, a heading a few
/// tokens in would make a tiny chunk.) With overlap, each chunk begins with up to
/// `overlapTokens` tokens from the end of the previous one, starting at the largest
/// structure in that window; chunk + overlap still fit the budget.
///
/// ```swift
/// let splitter = try TextSplitter(counter: tokenizer, chunkTokens: budget.chunkTokens, overlapTokens: 200)
/// for chunk in splitter.split(document) { print(chunk.lineRange, chunk.tokens) }
/// ```
public struct TextSplitter: Sendable {
    /// Counts tokens (exact or estimated).
    public let counter: any TokenCounter
    /// The most tokens a chunk may have, overlap included.
    public let chunkTokens: Int
    /// Tokens of the previous chunk to repeat at the start of the next (0 for none).
    public let overlapTokens: Int
    /// The fraction of the budget a chunk fills before a larger structure may win over a
    /// later, smaller one.
    public let minimumFill: Double

    /// - Throws: `TextChunkingError.invalidArgument` when `chunkTokens` < 8 or the overlap
    ///   is more than half of it.
    public init(
        counter: any TokenCounter, chunkTokens: Int, overlapTokens: Int = 0, minimumFill: Double = 0.5
    ) throws {
        guard chunkTokens >= 8 else {
            throw TextChunkingError(
                .invalidArgument, "chunk size \(chunkTokens) tokens is too small (at least 8)")
        }
        guard overlapTokens >= 0, overlapTokens <= chunkTokens / 2 else {
            throw TextChunkingError(
                .invalidArgument,
                "overlap \(overlapTokens) tokens must be between 0 and half the chunk size (\(chunkTokens / 2))")
        }
        self.counter = counter
        self.chunkTokens = chunkTokens
        self.overlapTokens = overlapTokens
        self.minimumFill = min(max(minimumFill, 0), 1)
    }

    /// All chunks of `document`.
    public func split(_ document: TextDocument) -> [TextChunk] {
        var chunks: [TextChunk] = []
        split(document) { chunks.append($0) }
        return chunks
    }

    /// Calls `body` with each chunk in order, holding only one chunk's worth of state.
    public func split(_ document: TextDocument, _ body: (TextChunk) -> Void) {
        withoutActuallyEscaping(body) { emit in
            document.utf8.withUnsafeBufferPointer { bytes in
                var run = SplitRun(splitter: self, document: document, bytes: bytes, emit: emit)
                counter.forEachPiece(utf8: bytes) { range, tokens in
                    run.push(range.lowerBound, range.upperBound, tokens)
                }
                run.finish()
            }
        }
    }
}
