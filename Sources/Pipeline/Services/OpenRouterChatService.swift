import Foundation
import OpenRouter

/// Sends pipeline requests with the `OpenRouter` client (retries, backoff, rate governor,
/// usage and cost) and hashes exactly the body that client puts on the wire.
public struct OpenRouterChatService: ChatService {
    public let client: OpenRouterClient

    public init(client: OpenRouterClient) {
        self.client = client
    }

    public func send(_ request: ModelRequest) async throws -> ModelAnswer {
        let completion: ChatCompletion
        do {
            completion = try await client.complete(request.chatRequest())
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
            id: info.id, contextLength: info.contextLength ?? RequestLimits.assumedContextTokens,
            acceptsImages: info.inputModalities.isEmpty ? nil : info.supportsImages,
            promptPrice: info.pricing.prompt, completionPrice: info.pricing.completion,
            maxCompletionTokens: info.maxCompletionTokens)
    }
}
