/// A finished answer.
public struct ChatCompletion: Sendable, Hashable, Codable {
    /// Generation id (`gen-…`), usable with `GET /generation`.
    public var id: String?
    /// The model that answered (with a fallback list, not necessarily the first one).
    public var model: String
    /// The provider that served it, when reported.
    public var provider: String?
    /// The answer text (reasoning excluded).
    public var text: String
    /// The model's reasoning, returned separately (also what a `<think>` block held).
    public var reasoning: String?
    /// The model's refusal message, if it refused.
    public var refusal: String?
    /// Why generation stopped.
    public var finishReason: FinishReason?
    /// Token counts and cost; nil when the endpoint reported none.
    public var usage: Usage?
    /// Cost in USD: as reported, else computed from the model's pricing, else 0.
    public var cost: Double
    /// Attempts it took (1 = no retry).
    public var attempts: Int

    public init(
        id: String? = nil, model: String, provider: String? = nil, text: String, reasoning: String? = nil,
        refusal: String? = nil, finishReason: FinishReason? = nil, usage: Usage? = nil, cost: Double = 0,
        attempts: Int = 1
    ) {
        self.id = id
        self.model = model
        self.provider = provider
        self.text = text
        self.reasoning = reasoning
        self.refusal = refusal
        self.finishReason = finishReason
        self.usage = usage
        self.cost = cost
        self.attempts = attempts
    }
}

/// Why a model stopped generating.
public enum FinishReason: Sendable, Hashable, Codable, CustomStringConvertible {
    case stop, length, contentFilter, toolCalls, error
    case other(String)

    public init(_ raw: String) {
        switch raw {
        case "stop", "end_turn", "eos": self = .stop
        case "length", "max_tokens": self = .length
        case "content_filter": self = .contentFilter
        case "tool_calls": self = .toolCalls
        case "error": self = .error
        default: self = .other(raw)
        }
    }

    public var rawValue: String {
        switch self {
        case .stop: return "stop"
        case .length: return "length"
        case .contentFilter: return "content_filter"
        case .toolCalls: return "tool_calls"
        case .error: return "error"
        case .other(let raw): return raw
        }
    }

    public var description: String { rawValue }

    public init(from decoder: any Decoder) throws {
        self.init(try decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}

/// One event of ``OpenRouterClient/stream(_:)``.
public enum ChatStreamEvent: Sendable, Hashable {
    /// More answer text.
    case content(String)
    /// More reasoning text.
    case reasoning(String)
    /// The end: the whole answer, with usage and cost. Always the last event.
    case completed(ChatCompletion)
}
