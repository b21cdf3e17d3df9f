/// A chat-completions request body (`POST {base}/chat/completions`), encoded with OpenRouter's
/// snake_case wire names.
///
/// ```swift
/// var request = ChatRequest(model: "meta-llama/llama-4-maverick:free", messages: [
///     .system("Describe images in one sentence."),
///     .user(text: "What is in this picture?", images: [ImageURL(url: dataURL)]),
/// ])
/// request.maxTokens = 300
/// let answer = try await client.complete(request)
/// ```
public struct ChatRequest: Sendable, Hashable, Codable {
    /// The model to ask. With ``models`` set too, it is tried first.
    public var model: String?
    /// Fallback list: when a model errors, OpenRouter moves on to the next one; the response's
    /// `model` says which one answered.
    public var models: [String]?
    /// The conversation; text first, then images, inside each user message.
    public var messages: [ChatMessage]
    /// Upper bound on completion tokens; must stay below the model's context length.
    public var maxTokens: Int?
    /// Sampling temperature, 0...2.
    public var temperature: Double?
    /// Set by ``OpenRouterClient/stream(_:)`` and ``OpenRouterClient/complete(_:)``; leave it nil.
    public var stream: Bool?
    /// Structured output (`json_schema`). Pair it with `provider.requireParameters = true`.
    public var responseFormat: ResponseFormat?
    /// Provider routing preferences.
    public var provider: ProviderPreferences?
    /// Reasoning options for models that think before answering.
    public var reasoning: ReasoningOptions?
    /// Sampling seed, where the provider supports it.
    public var seed: Int?
    /// Stop sequences.
    public var stop: [String]?

    /// Creates a request for one model (or none: then `models` or the account default decides).
    public init(model: String? = nil, models: [String]? = nil, messages: [ChatMessage]) {
        self.model = model
        self.models = models
        self.messages = messages
    }

    enum CodingKeys: String, CodingKey {
        case model, models, messages, temperature, stream, provider, reasoning, seed, stop
        case maxTokens = "max_tokens"
        case responseFormat = "response_format"
    }

    /// Every model this request may be answered by, in the order they are tried.
    public var candidateModels: [String] {
        var all: [String] = []
        if let model { all.append(model) }
        for m in models ?? [] where !all.contains(m) { all.append(m) }
        return all
    }

    /// Number of image parts across all messages.
    public var imageCount: Int {
        messages.reduce(0) { $0 + $1.imageCount }
    }
}

/// One message of the conversation.
public struct ChatMessage: Sendable, Hashable, Codable {
    /// Who speaks.
    public enum Role: String, Sendable, Hashable, Codable {
        case system, user, assistant, tool, developer
    }

    /// A plain string or a list of content parts.
    public enum Content: Sendable, Hashable, Codable {
        case text(String)
        case parts([ContentPart])

        public init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let text = try? container.decode(String.self) {
                self = .text(text)
            } else {
                self = .parts(try container.decode([ContentPart].self))
            }
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            switch self {
            case .text(let text): try container.encode(text)
            case .parts(let parts): try container.encode(parts)
            }
        }
    }

    public var role: Role
    public var content: Content

    public init(role: Role, content: Content) {
        self.role = role
        self.content = content
    }

    /// A system message.
    public static func system(_ text: String) -> ChatMessage {
        ChatMessage(role: .system, content: .text(text))
    }

    /// An assistant message (for few-shot examples or continuing a conversation).
    public static func assistant(_ text: String) -> ChatMessage {
        ChatMessage(role: .assistant, content: .text(text))
    }

    /// A user message: the text first, then the images, as OpenRouter recommends.
    public static func user(text: String, images: [ImageURL] = []) -> ChatMessage {
        if images.isEmpty { return ChatMessage(role: .user, content: .text(text)) }
        return ChatMessage(
            role: .user, content: .parts([.text(text)] + images.map { .imageURL($0) }))
    }

    /// Number of image parts in this message.
    public var imageCount: Int {
        guard case .parts(let parts) = content else { return 0 }
        return parts.reduce(0) { count, part in
            if case .imageURL = part { return count + 1 }
            return count
        }
    }

    /// The message's text parts joined (images left out).
    public var text: String {
        switch content {
        case .text(let text): return text
        case .parts(let parts):
            return parts.compactMap { part -> String? in
                if case .text(let text) = part { return text }
                return nil
            }.joined(separator: "\n")
        }
    }
}

/// A content part: text or an image.
public enum ContentPart: Sendable, Hashable, Codable {
    case text(String)
    case imageURL(ImageURL)

    enum CodingKeys: String, CodingKey {
        case type, text
        case imageURL = "image_url"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let type = try container.decode(String.self, forKey: .type)
        switch type {
        case "text": self = .text(try container.decode(String.self, forKey: .text))
        case "image_url": self = .imageURL(try container.decode(ImageURL.self, forKey: .imageURL))
        default:
            throw DecodingError.dataCorruptedError(
                forKey: .type, in: container,
                debugDescription: "unsupported content part type \(type.debugDescription)")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .text(let text):
            try container.encode("text", forKey: .type)
            try container.encode(text, forKey: .text)
        case .imageURL(let image):
            try container.encode("image_url", forKey: .type)
            try container.encode(image, forKey: .imageURL)
        }
    }
}

/// An image reference: a `data:image/...;base64,` URL (what Peruse sends) or an http(s) URL.
public struct ImageURL: Sendable, Hashable, Codable {
    /// How closely the model looks at the image.
    public enum Detail: String, Sendable, Hashable, Codable {
        case auto, low, high
    }

    public var url: String
    public var detail: Detail?

    public init(url: String, detail: Detail? = nil) {
        self.url = url
        self.detail = detail
    }

    /// A `data:` URL for already-encoded image bytes (PNG, JPEG, WebP or GIF).
    public init(mimeType: String, base64: String, detail: Detail? = nil) {
        self.init(url: "data:\(mimeType);base64,\(base64)", detail: detail)
    }
}

/// `response_format`: structured output.
public struct ResponseFormat: Sendable, Hashable, Codable {
    public var type: String
    public var jsonSchema: JSONSchemaFormat?

    enum CodingKeys: String, CodingKey {
        case type
        case jsonSchema = "json_schema"
    }

    /// Answers must match `schema` (a JSON Schema object).
    public static func jsonSchema(name: String, schema: JSONValue, strict: Bool = true) -> ResponseFormat {
        ResponseFormat(type: "json_schema", jsonSchema: JSONSchemaFormat(name: name, strict: strict, schema: schema))
    }

    /// Any JSON object.
    public static let jsonObject = ResponseFormat(type: "json_object", jsonSchema: nil)
}

/// The `json_schema` member of ``ResponseFormat``.
public struct JSONSchemaFormat: Sendable, Hashable, Codable {
    public var name: String
    public var strict: Bool?
    public var schema: JSONValue

    public init(name: String, strict: Bool? = true, schema: JSONValue) {
        self.name = name
        self.strict = strict
        self.schema = schema
    }
}

/// `provider`: routing preferences.
public struct ProviderPreferences: Sendable, Hashable, Codable {
    public var order: [String]?
    public var allowFallbacks: Bool?
    /// Only providers that honour every parameter of the request (e.g. `response_format`).
    public var requireParameters: Bool?
    /// `"allow"` or `"deny"`.
    public var dataCollection: String?
    public var only: [String]?
    public var ignore: [String]?
    /// `"price"`, `"throughput"` or `"latency"`.
    public var sort: String?
    public var maxPrice: MaxPrice?

    public init(
        order: [String]? = nil, allowFallbacks: Bool? = nil, requireParameters: Bool? = nil,
        dataCollection: String? = nil, only: [String]? = nil, ignore: [String]? = nil,
        sort: String? = nil, maxPrice: MaxPrice? = nil
    ) {
        self.order = order
        self.allowFallbacks = allowFallbacks
        self.requireParameters = requireParameters
        self.dataCollection = dataCollection
        self.only = only
        self.ignore = ignore
        self.sort = sort
        self.maxPrice = maxPrice
    }

    enum CodingKeys: String, CodingKey {
        case order, only, ignore, sort
        case allowFallbacks = "allow_fallbacks"
        case requireParameters = "require_parameters"
        case dataCollection = "data_collection"
        case maxPrice = "max_price"
    }

    /// Maximum price, USD per million tokens (strings on the wire, as OpenRouter expects).
    public struct MaxPrice: Sendable, Hashable, Codable {
        public var prompt: String?
        public var completion: String?
        public var image: String?
        public var request: String?

        public init(prompt: String? = nil, completion: String? = nil, image: String? = nil, request: String? = nil) {
            self.prompt = prompt
            self.completion = completion
            self.image = image
            self.request = request
        }
    }
}

/// `reasoning`: how much a reasoning model thinks, and whether its reasoning is returned.
public struct ReasoningOptions: Sendable, Hashable, Codable {
    /// `"high"`, `"medium"`, `"low"`, `"minimal"` or `"none"`.
    public var effort: String?

    public init(effort: String? = nil) {
        self.effort = effort
    }

    /// True unless the effort is `none`.
    public var isEnabled: Bool { effort != "none" }
}
