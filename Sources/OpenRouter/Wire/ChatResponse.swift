/// Wire shapes of responses. Decoded leniently: OpenRouter's own examples omit fields its SDK
/// insists on (`created`, `object`, `system_fingerprint`, `choices[].index`), `error.code` is
/// an integer or a string, and unknown fields are ignored.

/// A non-streaming chat-completions response body.
package struct WireChatResponse: Decodable, Sendable {
    package var id: String?
    package var model: String?
    package var provider: String?
    package var created: Int?
    package var object: String?
    package var choices: [WireChoice]?
    package var usage: Usage?
    package var error: APIErrorBody?

    package struct WireChoice: Decodable, Sendable {
        package var index: Int?
        package var finishReason: String?
        package var nativeFinishReason: String?
        package var message: WireMessage?

        enum CodingKeys: String, CodingKey {
            case index, message
            case finishReason = "finish_reason"
            case nativeFinishReason = "native_finish_reason"
        }
    }

    package struct WireMessage: Decodable, Sendable {
        package var role: String?
        package var content: String?
        package var reasoning: String?
        package var refusal: String?
    }
}

/// One `data:` event of a streamed response.
package struct WireStreamChunk: Decodable, Sendable {
    package var id: String?
    package var model: String?
    package var provider: String?
    package var choices: [WireDeltaChoice]?
    package var usage: Usage?
    package var error: APIErrorBody?

    package struct WireDeltaChoice: Decodable, Sendable {
        package var index: Int?
        package var delta: WireDelta?
        package var finishReason: String?
        package var nativeFinishReason: String?

        enum CodingKeys: String, CodingKey {
            case index, delta
            case finishReason = "finish_reason"
            case nativeFinishReason = "native_finish_reason"
        }
    }

    package struct WireDelta: Decodable, Sendable {
        package var role: String?
        package var content: String?
        package var reasoning: String?
    }
}

/// Token counts and cost of one generation, as OpenRouter reports them.
public struct Usage: Sendable, Hashable, Codable {
    public var promptTokens: Int
    public var completionTokens: Int
    public var totalTokens: Int
    /// Cost in USD (credits), when the endpoint reports it; zero for free models.
    public var cost: Double?
    /// Prompt tokens served from the provider's cache.
    public var cachedTokens: Int?
    /// Completion tokens spent on reasoning.
    public var reasoningTokens: Int?

    public init(
        promptTokens: Int, completionTokens: Int, totalTokens: Int? = nil, cost: Double? = nil,
        cachedTokens: Int? = nil, reasoningTokens: Int? = nil
    ) {
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.totalTokens = totalTokens ?? promptTokens + completionTokens
        self.cost = cost
        self.cachedTokens = cachedTokens
        self.reasoningTokens = reasoningTokens
    }

    enum CodingKeys: String, CodingKey {
        case cost
        case promptTokens = "prompt_tokens"
        case completionTokens = "completion_tokens"
        case totalTokens = "total_tokens"
        case promptDetails = "prompt_tokens_details"
        case completionDetails = "completion_tokens_details"
    }

    enum DetailKeys: String, CodingKey {
        case cachedTokens = "cached_tokens"
        case reasoningTokens = "reasoning_tokens"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        promptTokens = try c.decodeIfPresent(Int.self, forKey: .promptTokens) ?? 0
        completionTokens = try c.decodeIfPresent(Int.self, forKey: .completionTokens) ?? 0
        totalTokens = try c.decodeIfPresent(Int.self, forKey: .totalTokens) ?? promptTokens + completionTokens
        cost = try? c.decodeIfPresent(Double.self, forKey: .cost)
        if let details = try? c.nestedContainer(keyedBy: DetailKeys.self, forKey: .promptDetails) {
            cachedTokens = try? details.decodeIfPresent(Int.self, forKey: .cachedTokens)
        }
        if let details = try? c.nestedContainer(keyedBy: DetailKeys.self, forKey: .completionDetails) {
            reasoningTokens = try? details.decodeIfPresent(Int.self, forKey: .reasoningTokens)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(promptTokens, forKey: .promptTokens)
        try c.encode(completionTokens, forKey: .completionTokens)
        try c.encode(totalTokens, forKey: .totalTokens)
        try c.encodeIfPresent(cost, forKey: .cost)
        if let cachedTokens {
            var d = c.nestedContainer(keyedBy: DetailKeys.self, forKey: .promptDetails)
            try d.encode(cachedTokens, forKey: .cachedTokens)
        }
        if let reasoningTokens {
            var d = c.nestedContainer(keyedBy: DetailKeys.self, forKey: .completionDetails)
            try d.encode(reasoningTokens, forKey: .reasoningTokens)
        }
    }
}

/// The `error` object of an error body or a mid-stream error event.
package struct APIErrorBody: Decodable, Sendable {
    /// OpenRouter documents an integer (the HTTP status); some providers send a string.
    package var code: ErrorCodeValue?
    package var message: String?
    package var metadata: JSONValue?

    package enum ErrorCodeValue: Sendable, Hashable, Decodable, CustomStringConvertible {
        case int(Int)
        case string(String)

        package init(from decoder: any Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let value = try? c.decode(Int.self) {
                self = .int(value)
            } else {
                self = .string(try c.decode(String.self))
            }
        }

        package var description: String {
            switch self {
            case .int(let value): return String(value)
            case .string(let value): return value
            }
        }

        package var intValue: Int? {
            switch self {
            case .int(let value): return value
            case .string(let value): return Int(value)
            }
        }
    }

    enum CodingKeys: String, CodingKey { case code, message, metadata }

    package init(code: ErrorCodeValue?, message: String?, metadata: JSONValue? = nil) {
        self.code = code
        self.message = message
        self.metadata = metadata
    }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        code = try? c.decodeIfPresent(ErrorCodeValue.self, forKey: .code)
        message = try? c.decodeIfPresent(String.self, forKey: .message)
        metadata = try? c.decodeIfPresent(JSONValue.self, forKey: .metadata)
    }

    /// `metadata.error_type`, e.g. `context_length_exceeded`.
    package var errorType: String? { metadata?["error_type"]?.stringValue }
}

/// `{"error": {...}}`: the body of every HTTP error response.
package struct WireErrorEnvelope: Decodable, Sendable {
    package var error: APIErrorBody?
}
