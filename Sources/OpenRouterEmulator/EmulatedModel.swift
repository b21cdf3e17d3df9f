/// A model the emulator offers: the facts `GET /models` reports and the rules a chat request
/// is checked against (context length, input modalities, pricing, reasoning style).
/// Deliberately separate from the client's `ModelInfo` (same facts, written independently):
/// the emulator must not depend on the code it checks.
public struct EmulatedModel: Sendable, Hashable {
    /// How a model exposes reasoning, which decides what the emulator sends back.
    public enum ReasoningStyle: Sendable, Hashable {
        /// No reasoning output (Maverick).
        case none
        /// Reasoning is returned separately in `message.reasoning` / `delta.reasoning` (MAI-DS-R1).
        case separateField
        /// Reasoning is switched by a first system message `detailed thinking on|off` (Nemotron Ultra).
        case detailedThinkingSystemMessage
    }

    /// Prices in USD per unit, as OpenRouter reports them (strings on the wire).
    public struct Pricing: Sendable, Hashable {
        /// USD per prompt token.
        public var prompt: Double
        /// USD per completion token.
        public var completion: Double
        /// USD per image sent.
        public var image: Double
        /// USD per request.
        public var request: Double

        public init(prompt: Double = 0, completion: Double = 0, image: Double = 0, request: Double = 0) {
            self.prompt = prompt
            self.completion = completion
            self.image = image
            self.request = request
        }

        /// The price of a `:free` model.
        public static let free = Pricing()
    }

    /// Model id as sent in `model`, e.g. `meta-llama/llama-4-maverick:free`.
    public var id: String
    /// Human-readable name.
    public var name: String
    /// Context length in tokens (prompt plus completion).
    public var contextLength: Int
    /// `architecture.input_modalities`: `text`, and `image` for vision models.
    public var inputModalities: [String]
    /// `top_provider.max_completion_tokens` (nil when OpenRouter reports null).
    public var maxCompletionTokens: Int?
    /// Prices used to compute `usage.cost`.
    public var pricing: Pricing
    /// How reasoning comes back.
    public var reasoning: ReasoningStyle
    /// Provider name put in responses (`provider`) and in error metadata.
    public var providerName: String
    /// Whether `GET /models` states the modalities (`architecture`); false lists the model as
    /// Ollama, vLLM and LM Studio do, without them. What it accepts is unchanged.
    public var listsModalities: Bool = true

    public init(
        id: String, name: String, contextLength: Int, inputModalities: [String] = ["text"],
        maxCompletionTokens: Int? = nil, pricing: Pricing = .free, reasoning: ReasoningStyle = .none,
        providerName: String = "Chutes"
    ) {
        self.id = id
        self.name = name
        self.contextLength = contextLength
        self.inputModalities = inputModalities
        self.maxCompletionTokens = maxCompletionTokens
        self.pricing = pricing
        self.reasoning = reasoning
        self.providerName = providerName
    }

    /// Whether the model accepts image parts.
    public var acceptsImages: Bool { inputModalities.contains("image") }

    /// `meta-llama/llama-4-maverick:free`: 262,144 context, text and images.
    public static let maverickFree = EmulatedModel(
        id: "meta-llama/llama-4-maverick:free", name: "Meta: Llama 4 Maverick (free)",
        contextLength: 262_144, inputModalities: ["text", "image"])
    /// `nvidia/llama-3.1-nemotron-ultra-253b-v1:free`: 131,072 context, text only.
    public static let nemotronUltraFree = EmulatedModel(
        id: "nvidia/llama-3.1-nemotron-ultra-253b-v1:free",
        name: "NVIDIA: Llama 3.1 Nemotron Ultra 253B v1 (free)",
        contextLength: 131_072, reasoning: .detailedThinkingSystemMessage)
    /// `microsoft/mai-ds-r1:free`: 163,840 context, text only, reasoning in its own field.
    public static let maiDSR1Free = EmulatedModel(
        id: "microsoft/mai-ds-r1:free", name: "Microsoft: MAI DS R1 (free)",
        contextLength: 163_840, reasoning: .separateField)

    /// The three seed models of the project.
    public static let seedModels: [EmulatedModel] = [maverickFree, nemotronUltraFree, maiDSR1Free]

    /// Whether the free-tier limits (requests per minute, per day) apply to this model.
    public var isFreeVariant: Bool { id.hasSuffix(":free") }
}
