/// What Peruse needs to know about a model to plan requests for it.
public struct ModelInfo: Sendable, Hashable, Codable {
    /// OpenRouter model id, e.g. `meta-llama/llama-4-maverick:free`.
    public var id: String
    /// Display name.
    public var name: String?
    /// Context window in tokens (prompt + completion).
    public var contextLength: Int?
    /// Input kinds: `text`, `image`, `file`, …; empty when the endpoint does not say (unknown,
    /// not text-only).
    public var inputModalities: [String]
    /// The largest completion the top provider allows.
    public var maxCompletionTokens: Int?
    /// USD per unit.
    public var pricing: Pricing

    /// Prices in USD: per prompt token, per completion token, per image, per request.
    public struct Pricing: Sendable, Hashable, Codable {
        public var prompt: Double
        public var completion: Double
        public var image: Double
        public var request: Double

        public init(prompt: Double = 0, completion: Double = 0, image: Double = 0, request: Double = 0) {
            self.prompt = prompt
            self.completion = completion
            self.image = image
            self.request = request
        }

        public static let free = Pricing()

        /// Cost of a generation with these token counts.
        public func cost(promptTokens: Int, completionTokens: Int, images: Int = 0) -> Double {
            prompt * Double(promptTokens) + completion * Double(completionTokens) + image * Double(images) + request
        }

        public var isFree: Bool { prompt == 0 && completion == 0 && image == 0 && request == 0 }
    }

    public init(
        id: String, name: String? = nil, contextLength: Int?, inputModalities: [String],
        maxCompletionTokens: Int? = nil, pricing: Pricing = .free
    ) {
        self.id = id
        self.name = name
        self.contextLength = contextLength
        self.inputModalities = inputModalities
        self.maxCompletionTokens = maxCompletionTokens
        self.pricing = pricing
    }

    /// Whether the model accepts images.
    public var supportsImages: Bool { inputModalities.contains("image") }
}

/// `GET /models` in OpenRouter's shape: prices are strings; most fields may be missing
/// (OpenAI-compatible local servers send only `id`).
struct WireModelList: Decodable, Sendable {
    var data: [WireModel]

    struct WireModel: Decodable, Sendable {
        var id: String
        var name: String?
        var contextLength: Int?
        var architecture: Architecture?
        var topProvider: TopProvider?
        var pricing: [String: FlexibleNumber]?

        enum CodingKeys: String, CodingKey {
            case id, name, architecture, pricing
            case contextLength = "context_length"
            case topProvider = "top_provider"
        }

        struct Architecture: Decodable, Sendable {
            var inputModalities: [String]?
            var modality: String?
            enum CodingKeys: String, CodingKey {
                case modality
                case inputModalities = "input_modalities"
            }
        }

        struct TopProvider: Decodable, Sendable {
            var contextLength: Int?
            var maxCompletionTokens: Int?
            enum CodingKeys: String, CodingKey {
                case contextLength = "context_length"
                case maxCompletionTokens = "max_completion_tokens"
            }
        }

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            id = try c.decode(String.self, forKey: .id)
            name = try? c.decodeIfPresent(String.self, forKey: .name)
            contextLength = try? c.decodeIfPresent(Int.self, forKey: .contextLength)
            architecture = try? c.decodeIfPresent(Architecture.self, forKey: .architecture)
            topProvider = try? c.decodeIfPresent(TopProvider.self, forKey: .topProvider)
            pricing = try? c.decodeIfPresent([String: FlexibleNumber].self, forKey: .pricing)
        }

        var info: ModelInfo {
            var modalities = architecture?.inputModalities ?? []
            if modalities.isEmpty, let modality = architecture?.modality {
                // Older shape: "text+image->text".
                let inputs = modality.split(separator: "-").first ?? ""
                modalities = inputs.split(separator: "+").map(String.init)
            }
            // No modality data (Ollama, vLLM and LM Studio list bare ids) stays empty: unknown,
            // not text-only, so images are sent and the server's answer decides.
            return ModelInfo(
                id: id, name: name, contextLength: contextLength ?? topProvider?.contextLength,
                inputModalities: modalities, maxCompletionTokens: topProvider?.maxCompletionTokens,
                pricing: .init(
                    prompt: pricing?["prompt"]?.value ?? 0, completion: pricing?["completion"]?.value ?? 0,
                    image: pricing?["image"]?.value ?? 0, request: pricing?["request"]?.value ?? 0))
        }
    }

    /// A price sent as a string ("0.0000002") or a number.
    struct FlexibleNumber: Decodable, Sendable {
        var value: Double
        init(from decoder: any Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let number = try? c.decode(Double.self) {
                value = number
            } else {
                value = Double(try c.decode(String.self)) ?? 0
            }
        }
    }
}
