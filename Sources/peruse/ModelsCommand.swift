import ArgumentParser
import Foundation
import OpenRouter

/// `peruse models [--json]`: what the endpoint offers (context, inputs, prices), or the
/// built-in facts of the seed models when it can't be reached.
struct ModelsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "models",
        abstract: "List the models the endpoint offers (built-in facts when offline).",
        discussion: """
            Reads GET /models from --base-url (or OPENROUTER_BASE_URL, default OpenRouter). The list \
            is cached for a day in the user cache directory; --refresh skips the cache. Offline, the \
            facts built into Peruse for its three seed models are shown, and the command says so.
            """)

    @Option(name: .long, help: "API root (default: OPENROUTER_BASE_URL or https://openrouter.ai/api/v1).")
    var baseURL: String?

    @Flag(name: .long, help: "One JSON object per model (JSON Lines).")
    var json = false

    @Flag(name: .long, help: "Ignore the cached list and ask the endpoint again.")
    var refresh = false

    @Option(name: .long, help: "Only models whose id contains this text.")
    var filter: String?

    @Flag(name: .long, help: "Only models that accept images.")
    var images = false

    func run() async throws {
        let endpoint: (key: String?, baseURL: String)
        do {
            endpoint = try checkedEndpoint(baseURL: baseURL)
        } catch let error as OpenRouterError {
            throw usageError(error.message)
        }
        let configuration = OpenRouterConfiguration(
            baseURL: endpoint.baseURL, apiKey: endpoint.key,
            modelCacheDirectory: OpenRouterConfiguration.userCacheDirectory(
                environment: ProcessInfo.processInfo.environment))
        let client = OpenRouterClient(configuration: configuration)
        let catalog = await client.models(refresh: refresh)
        try await client.shutdown()

        var models = catalog.models
        if let filter { models = models.filter { $0.id.localizedCaseInsensitiveContains(filter) } }
        if images { models = models.filter(\.supportsImages) }
        models.sort { $0.id < $1.id }

        if catalog.source == .builtIn {
            let why = catalog.problem?.message ?? "the endpoint could not be reached"
            Console.error("peruse: \(why)\nperuse: showing the built-in facts for Peruse's seed models.")
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            for model in models {
                let row = ModelRow(model, source: catalog.source.rawValue)
                try Console.line(String(decoding: try encoder.encode(row), as: UTF8.self))
            }
            return
        }
        try Console.line(Self.table(models))
    }

    /// Fixed-width table: id, context, inputs, max output, $ per million prompt/completion tokens.
    static func table(_ models: [ModelInfo]) -> String {
        let header = ["MODEL", "CONTEXT", "INPUT", "MAX OUT", "$/M IN", "$/M OUT"]
        let rows = models.map { model -> [String] in
            [
                model.id, model.contextLength.map { String($0) } ?? "?",
                model.inputModalities.isEmpty ? "unknown" : model.inputModalities.joined(separator: "+"),
                model.maxCompletionTokens.map { String($0) } ?? "-",
                price(model.pricing.prompt), price(model.pricing.completion),
            ]
        }
        let all = [header] + rows
        let widths = header.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
        return all.map { row in
            row.indices.map { column in
                let cell = row[column]
                let pad = String(repeating: " ", count: widths[column] - cell.count)
                return column == 0 || column == 2 ? cell + pad : pad + cell
            }.joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }.joined(separator: "\n")
    }

    static func price(_ perToken: Double) -> String {
        perToken == 0 ? "free" : String(format: "%.2f", perToken * 1_000_000)
    }
}

/// The `--json` shape: snake_case like the rest of Peruse's JSON output.
private struct ModelRow: Encodable {
    var id: String
    var name: String?
    var contextLength: Int?
    var inputModalities: [String]
    var supportsImages: Bool
    var maxCompletionTokens: Int?
    var pricing: ModelInfo.Pricing
    var source: String

    init(_ model: ModelInfo, source: String) {
        id = model.id
        name = model.name
        contextLength = model.contextLength
        inputModalities = model.inputModalities
        supportsImages = model.supportsImages
        maxCompletionTokens = model.maxCompletionTokens
        pricing = model.pricing
        self.source = source
    }

    enum CodingKeys: String, CodingKey {
        case id, name, pricing, source
        case contextLength = "context_length"
        case inputModalities = "input_modalities"
        case supportsImages = "supports_images"
        case maxCompletionTokens = "max_completion_tokens"
    }
}
