import Foundation
import TextChunking

/// Documents and token counts through `TextChunking`: the exact Llama 4 tokenizer when a
/// `tokenizer.model` is given, else its calibrated estimate; structure-aware splitting.
public struct ChunkingTextSource: TextSource {
    public let counter: any TokenCounter
    /// `--lossy`: invalid UTF-8 and NUL bytes become U+FFFD instead of failing the document.
    public var lossy = false

    public init(counter: any TokenCounter, lossy: Bool = false) {
        self.counter = counter
        self.lossy = lossy
    }

    /// The best counter for `--tokenizer PATH` (or `PERUSE_TOKENIZER`).
    public init(tokenizerPath: String?, lossy: Bool = false) throws {
        self.lossy = lossy
        do {
            counter = try TokenCounterResolver.resolve(tokenizerPath: tokenizerPath, environment: ProcessInfo.processInfo.environment)
        } catch {
            throw PipelineError(.invalidInput, "\(error)")
        }
    }

    public func load(_ path: String) throws -> String {
        try TextDocument(contentsOf: path, lossy: lossy).text
    }

    public func tokens(in text: String) -> Int { counter.count(text) }

    public func chunks(of text: String, maxTokens: Int, overlap: Int) throws -> [DocumentChunk] {
        let splitter = try TextSplitter(counter: counter, chunkTokens: maxTokens, overlapTokens: min(overlap, maxTokens / 2))
        return splitter.split(TextDocument(text: text)).map {
            DocumentChunk(text: $0.text, startLine: $0.lineRange.lowerBound, endLine: $0.lineRange.upperBound, tokens: $0.tokens)
        }
    }
}
