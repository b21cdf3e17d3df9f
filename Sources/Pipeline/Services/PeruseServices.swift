import Foundation
import OpenRouter

/// The production services of a run: images through `ImageIngest`, text through
/// `TextChunking`, requests and model facts through `OpenRouter`.
public final class PeruseServices: Sendable {
    public let chat: (any ChatService)?
    public let images: any ImageSource
    public let text: any TextSource
    public let facts: @Sendable (String) -> ModelFacts?
    /// Where the model facts came from, for a plan to say: the endpoint's `/models`, the model
    /// cache, or the built-in facts (and why).
    public let factsSource: String
    private let client: OpenRouterClient?

    /// The registry's built-in facts (the seed models), for checks made before any connection.
    public static let builtInFacts: @Sendable (String) -> ModelFacts? = { id in
        SeedModels.builtIn.first { $0.id == id }.map(ModelFacts.init)
    }

    /// Builds the services.
    /// - Parameters:
    ///   - baseURL: the OpenAI-compatible endpoint.
    ///   - apiKey: the key; nil for a run without one (then nothing touches the network).
    ///   - tokenizerPath: `--tokenizer`, for exact token counts.
    ///   - concurrency: requests in flight at once.
    ///   - requestTimeout: the longest one attempt may wait for its answer.
    ///   - dryRun: plan only (default: when there is no key). The plan uses the same model facts
    ///     as a run: with a key, the endpoint's `/models` (or the model cache); without one, the
    ///     model cache, else the built-in facts. No chat service is made.
    public static func make(
        baseURL: String, apiKey: String?, tokenizerPath: String?, concurrency: Int, requestTimeout: Duration? = nil,
        dryRun: Bool? = nil
    ) async throws -> PeruseServices {
        let text = try ChunkingTextSource(tokenizerPath: tokenizerPath)
        let dry = dryRun ?? (apiKey == nil)
        var configuration = OpenRouterConfiguration(
            baseURL: baseURL, apiKey: apiKey, maxConcurrency: concurrency,
            modelCacheDirectory: OpenRouterConfiguration.userCacheDirectory(environment: ProcessInfo.processInfo.environment))
        if let requestTimeout {
            configuration.requestTimeout = requestTimeout
            configuration.readTimeout = min(configuration.readTimeout, requestTimeout)
        }
        if !configuration.isOpenRouter {
            // A local server (Ollama, vLLM, the emulator) has no per-minute quota to respect
            // until it says otherwise (a 429 with its limit slows the governor down to it).
            configuration.requestsPerMinute = 1_000_000
        }
        let builtIn = SeedModels.builtIn.map(ModelFacts.init)
        if dry && apiKey == nil {
            // No key: no network. The model cache of an earlier run, else the built-in facts.
            if let cached = ModelRegistry.cachedModels(configuration: configuration) {
                return PeruseServices(
                    chat: nil, client: nil, text: text, models: cached.map(ModelFacts.init) + builtIn,
                    factsSource: "model facts from the model cache of \(baseURL) (offline)")
            }
            return PeruseServices(
                chat: nil, client: nil, text: text, models: builtIn,
                factsSource: "built-in model facts (offline: no key, no model cache for \(baseURL))")
        }
        let client = OpenRouterClient(configuration: configuration)
        let catalog = await client.models()
        let models = catalog.models.map(ModelFacts.init) + builtIn
        let source: String
        switch catalog.source {
        case .endpoint: source = "model facts from \(baseURL)/models"
        case .diskCache: source = "model facts from the model cache of \(baseURL)"
        case .builtIn:
            source = "built-in model facts (\(baseURL)/models unavailable: \(catalog.problem?.message ?? "unknown reason"))"
        }
        return PeruseServices(
            chat: dry ? nil : OpenRouterChatService(client: client), client: client, text: text, models: models,
            factsSource: source)
    }

    private init(
        chat: (any ChatService)?, client: OpenRouterClient?, text: any TextSource, models: [ModelFacts],
        factsSource: String
    ) {
        self.chat = chat
        self.client = client
        self.factsSource = factsSource
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
