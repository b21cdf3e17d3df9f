/// The three models Peruse is tuned for, with the facts used when `GET /models` cannot be
/// reached, and the request/response adjustments each one needs.
public enum SeedModels {
    /// Llama 4 Maverick (free): the default; reads text and images.
    public static let maverick = "meta-llama/llama-4-maverick:free"
    /// Nemotron Ultra 253B (free): text only; reasoning toggled by a system message.
    public static let nemotronUltra = "nvidia/llama-3.1-nemotron-ultra-253b-v1:free"
    /// MAI-DS-R1 (free): text only; a reasoning model.
    public static let maiDSR1 = "microsoft/mai-ds-r1:free"

    /// The model used when none is chosen.
    public static let defaultModel = maverick

    /// Built-in facts, used offline.
    public static let builtIn: [ModelInfo] = [
        ModelInfo(
            id: maverick, name: "Meta: Llama 4 Maverick (free)", contextLength: 262_144,
            inputModalities: ["text", "image"], pricing: .free),
        ModelInfo(
            id: nemotronUltra, name: "NVIDIA: Llama 3.1 Nemotron Ultra 253B v1 (free)", contextLength: 131_072,
            inputModalities: ["text"], pricing: .free),
        ModelInfo(
            id: maiDSR1, name: "Microsoft: MAI DS R1 (free)", contextLength: 163_840,
            inputModalities: ["text"], pricing: .free),
    ]

    static func isNemotron(_ model: String) -> Bool {
        model.lowercased().contains("nemotron-ultra")
    }

    /// Request adjustments: Nemotron Ultra reads `detailed thinking on|off` as its first system
    /// message (NVIDIA's model card), on when reasoning is asked for, off otherwise.
    package static func adapt(_ request: ChatRequest) -> ChatRequest {
        guard let model = request.model ?? request.models?.first, isNemotron(model) else { return request }
        var adapted = request
        let wantsThinking = request.reasoning.map(\.isEnabled) ?? false
        let toggle = ChatMessage.system("detailed thinking \(wantsThinking ? "on" : "off")")
        if let first = adapted.messages.first, first.role == .system,
            case .text(let text) = first.content, text.hasPrefix("detailed thinking ")
        {
            adapted.messages[0] = toggle
        } else {
            adapted.messages.insert(toggle, at: 0)
        }
        return adapted
    }
}
