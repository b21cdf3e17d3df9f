import Crypto
import Foundation
import OpenRouter

/// One chat-completions request as the pipeline builds it. Its canonical JSON body (the
/// OpenAI/OpenRouter wire format, keys sorted) is what is hashed for the response cache, so
/// two requests share a cache entry only if every byte the model would see is the same,
/// image data included.
public struct ModelRequest: Sendable, Hashable {
    /// A part of a user message.
    public enum Part: Sendable, Hashable {
        case text(String)
        /// A `data:` URL (or any URL) of an image, and the file name shown in logs.
        case image(url: String, name: String)
    }

    public struct Message: Sendable, Hashable {
        public var role: String
        public var parts: [Part]

        public init(role: String, parts: [Part]) {
            self.role = role
            self.parts = parts
        }
    }

    public var model: String
    public var messages: [Message]
    public var maxTokens: Int?
    public var temperature: Double?
    /// A JSON schema (JSON text) for `response_format`.
    public var jsonSchema: String?

    public init(model: String, messages: [Message], maxTokens: Int? = nil, temperature: Double? = nil, jsonSchema: String? = nil) {
        self.model = model
        self.messages = messages
        self.maxTokens = maxTokens
        self.temperature = temperature
        self.jsonSchema = jsonSchema
    }

    /// The request as the `OpenRouter` client takes it. A message with one text part is sent
    /// as a plain string (what every OpenAI-compatible server accepts, text-only ones too).
    /// - Throws: when `jsonSchema` is not JSON.
    public func chatRequest() throws -> ChatRequest {
        var wire = ChatRequest(
            model: model,
            messages: messages.map { message in
                let role = ChatMessage.Role(rawValue: message.role) ?? .user
                if message.parts.count == 1, case .text(let text) = message.parts[0] {
                    return ChatMessage(role: role, content: .text(text))
                }
                return ChatMessage(
                    role: role,
                    content: .parts(
                        message.parts.map { part in
                            switch part {
                            case .text(let text): .text(text)
                            case .image(let url, _): .imageURL(ImageURL(url: url))
                            }
                        }))
            })
        wire.maxTokens = maxTokens
        wire.temperature = temperature
        if let jsonSchema {
            let value = try JSONDecoder().decode(JSONValue.self, from: Data(jsonSchema.utf8))
            wire.responseFormat = .jsonSchema(name: "answer", schema: value)
        }
        return wire
    }

    /// The exact bytes the `OpenRouter` client puts on the wire for this request (its one
    /// encoder: keys sorted, seed-model adjustments applied), hashed for the response cache.
    /// A request that cannot be encoded throws rather than hashing to a shared empty body.
    public func wireBody() throws -> Data {
        try OpenRouterClient.requestBody(for: chatRequest())
    }

    /// SHA-256 of a body from ``wireBody()``, hex: the cache key.
    public static func cacheKey(of body: Data) -> String {
        SHA256.hash(data: body).map { String(format: "%02x", $0) }.joined()
    }

    /// Number of image parts.
    public var imageCount: Int {
        messages.reduce(0) { $0 + $1.parts.count { if case .image = $0 { true } else { false } } }
    }

    /// The prompt as logged: text as is, images as `[image NAME]`.
    public var loggedPrompt: String {
        messages.map { message in
            "[\(message.role)] " + message.parts.map { part in
                switch part {
                case .text(let text): text
                case .image(_, let name): "[image \(name)]"
                }
            }.joined(separator: "\n")
        }.joined(separator: "\n")
    }
}

/// A model's answer with its usage and cost.
public struct ModelAnswer: Sendable, Equatable, Codable {
    public var text: String
    public var model: String
    public var promptTokens: Int
    public var completionTokens: Int
    /// USD, when the server reports it or prices are known.
    public var cost: Double?

    public init(text: String, model: String, promptTokens: Int, completionTokens: Int, cost: Double?) {
        self.text = text
        self.model = model
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.cost = cost
    }
}

/// Sends chat requests. The production implementation wraps the `OpenRouter` client;
/// tests may supply their own.
public protocol ChatService: Sendable {
    /// Sends one request and returns the whole answer.
    /// - Throws: `PipelineError` with `.unreachable` when the endpoint could not be reached
    ///   after retries (the run stops being useful), `.itemFailed` when this request failed.
    func send(_ request: ModelRequest) async throws -> ModelAnswer

    /// The exact bytes that `send` would put on the wire: hashed for the response cache.
    func requestBody(for request: ModelRequest) throws -> Data
}

extension ChatService {
    /// The `OpenRouter` client's body, for services (and test doubles) that send through it
    /// or stand in for it: one encoder, so a double's cache keys are the real ones.
    public func requestBody(for request: ModelRequest) throws -> Data { try request.wireBody() }
}
