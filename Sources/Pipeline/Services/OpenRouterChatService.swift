import Foundation
import OpenRouter

/// Sends pipeline requests with the `OpenRouter` client (retries, backoff, rate governor,
/// usage and cost) and hashes exactly the body that client puts on the wire.
public struct OpenRouterChatService: ChatService {
    public let client: OpenRouterClient

    public init(client: OpenRouterClient) {
        self.client = client
    }

    /// The client's request for a pipeline request.
    static func wire(_ request: ModelRequest) throws -> OpenRouter.ChatRequest {
        var wire = OpenRouter.ChatRequest(
            model: request.model,
            messages: request.messages.map { message in
                let role = ChatMessage.Role(rawValue: message.role) ?? .user
                if message.parts.count == 1, case .text(let text) = message.parts[0] {
                    return ChatMessage(role: role, content: .text(text))
                }
                return ChatMessage(role: role, content: .parts(message.parts.map { part in
                    switch part {
                    case .text(let text): .text(text)
                    case .image(let url, _): .imageURL(ImageURL(url: url))
                    }
                }))
            })
        wire.maxTokens = request.maxTokens
        wire.temperature = request.temperature
        if let schema = request.jsonSchema {
            let value = try JSONDecoder().decode(JSONValue.self, from: Data(schema.utf8))
            wire.responseFormat = .jsonSchema(name: "answer", schema: value)
        }
        return wire
    }

    public func requestBody(for request: ModelRequest) throws -> Data {
        try OpenRouterClient.requestBody(for: Self.wire(request))
    }

    public func send(_ request: ModelRequest) async throws -> ModelAnswer {
        let completion: ChatCompletion
        do {
            completion = try await client.complete(Self.wire(request))
        } catch let error as OpenRouterError {
            if error.code == .cancelled { throw CancellationError() }
            // Errors after which no other request can succeed either count as "unreachable":
            // the run stops sending and, if nothing succeeded, exits 3.
            // A server that cannot read images refuses every image request alike.
            let stops: Bool = switch error.code {
            case .transport, .timeout, .imagesNotSupported: true
            default: error.stopsRun
            }
            throw PipelineError(stops ? .unreachable : .itemFailed, error.message, cause: error)
        }
        if completion.text.isEmpty, let refusal = completion.refusal {
            throw PipelineError(.itemFailed, "the model refused: \(refusal)")
        }
        return ModelAnswer(
            text: completion.text, model: completion.model, promptTokens: completion.usage?.promptTokens ?? 0,
            completionTokens: completion.usage?.completionTokens ?? 0, cost: completion.usage?.cost ?? completion.cost)
    }
}

extension ModelFacts {
    /// Facts from the registry's model info.
    init(_ info: ModelInfo) {
        self.init(
            id: info.id, contextLength: info.contextLength ?? 131_072,
            acceptsImages: info.inputModalities.isEmpty ? nil : info.supportsImages,
            promptPrice: info.pricing.prompt, completionPrice: info.pricing.completion,
            maxCompletionTokens: info.maxCompletionTokens)
    }
}
