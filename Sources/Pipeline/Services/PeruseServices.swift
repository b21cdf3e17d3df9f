import Foundation
import OpenRouter

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
    public static func make(baseURL: String, apiKey: String?, tokenizerPath: String?, concurrency: Int) async throws -> PeruseServices {
        let text = try ChunkingTextSource(tokenizerPath: tokenizerPath)
        guard let apiKey else {
            let known = SeedModels.builtIn.map(ModelFacts.init)
            return PeruseServices(chat: nil, client: nil, text: text, models: known)
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
        return PeruseServices(chat: OpenRouterChatService(client: client), client: client, text: text, models: models)
    }

    private init(chat: (any ChatService)?, client: OpenRouterClient?, text: any TextSource, models: [ModelFacts]) {
        self.chat = chat
        self.client = client
        self.images = IngestImageSource()
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
