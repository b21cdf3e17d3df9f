import Foundation
import OpenRouter

/// How input files are read: the options the CLI's hints name.
public struct InputOptions: Sendable {
    /// Accept images whose data ends early (the missing part grey).
    public var allowTruncated = false
    /// Refuse images whose header declares more pixels than this.
    public var maxPixels = 100_000_000
    /// Replace invalid UTF-8 and NUL bytes in documents with U+FFFD.
    public var lossy = false

    public init() {}
}

/// The production services of a run: images through `ImageIngest`, text through
/// `TextChunking`, requests and model facts through `OpenRouter`.
public final class PeruseServices: Sendable {
    public let chat: (any ChatService)?
    public let images: any ImageSource
    public let text: any TextSource
    public let facts: @Sendable (String) -> ModelFacts?
    private let client: OpenRouterClient?

    /// The registry's built-in facts (the seed models), for checks made before any connection.
    public static let builtInFacts: @Sendable (String) -> ModelFacts? = { id in
        SeedModels.builtIn.first { $0.id == id }.map(ModelFacts.init)
    }

    /// Builds the services.
    /// - Parameters:
    ///   - baseURL: the OpenAI-compatible endpoint.
    ///   - apiKey: nil for a dry run: no client is made and nothing touches the network;
    ///     model facts are the registry's built-in ones.
    ///   - tokenizerPath: `--tokenizer`, for exact token counts.
    ///   - concurrency: requests in flight at once.
    ///   - inputs: how images and documents are read (`--allow-truncated`, `--max-pixels`, `--lossy`).
    public static func make(
        baseURL: String, apiKey: String?, tokenizerPath: String?, concurrency: Int, inputs: InputOptions = InputOptions()
    ) async throws -> PeruseServices {
        let text = try ChunkingTextSource(tokenizerPath: tokenizerPath, lossy: inputs.lossy)
        let images = IngestImageSource(maxPixels: inputs.maxPixels, allowTruncated: inputs.allowTruncated)
        guard let apiKey else {
            let known = SeedModels.builtIn.map(ModelFacts.init)
            return PeruseServices(chat: nil, client: nil, images: images, text: text, models: known)
        }
        var configuration = OpenRouterConfiguration(
            baseURL: baseURL, apiKey: apiKey, maxConcurrency: concurrency,
            modelCacheDirectory: OpenRouterConfiguration.userCacheDirectory(environment: ProcessInfo.processInfo.environment))
        if !configuration.isOpenRouter {
            // A local server (Ollama, vLLM, the emulator) has no per-minute quota to respect.
            configuration.requestsPerMinute = 1_000_000
        }
        let client = OpenRouterClient(configuration: configuration)
        let catalog = await client.models()
        let models = catalog.models.map(ModelFacts.init) + SeedModels.builtIn.map(ModelFacts.init)
        return PeruseServices(
            chat: OpenRouterChatService(client: client), client: client, images: images, text: text, models: models)
    }

    private init(
        chat: (any ChatService)?, client: OpenRouterClient?, images: any ImageSource, text: any TextSource,
        models: [ModelFacts]
    ) {
        self.chat = chat
        self.client = client
        self.images = images
        self.text = text
        var byID: [String: ModelFacts] = [:]
        for model in models where byID[model.id] == nil { byID[model.id] = model }
        self.facts = { [byID] id in byID[id] }
    }

    /// Closes the HTTP client's connections (required once per client).
    public func shutdown() async {
        try? await client?.shutdown()
    }
}
