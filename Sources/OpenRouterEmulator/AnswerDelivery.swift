import Foundation

/// Sends an answer as one JSON body or as an SSE stream, with the configured latency,
/// keep-alive comments, per-token delay and the request's fault.
struct AnswerDelivery {
    let configuration: EmulatorConfiguration
    let writer: ResponseWriter
    let answer: Answer
    let model: EmulatedModel
    let generationID: String
    let fault: Fault?
    let created = Int(Date().timeIntervalSince1970)

    private var delay: Duration {
        if case .slow(let extra) = fault { configuration.latency + extra } else { configuration.latency }
    }

    private var usage: JSONValue {
        var fields: [String: JSONValue] = [
            "prompt_tokens": .int(answer.promptTokens), "completion_tokens": .int(answer.completionTokens),
            "total_tokens": .int(answer.promptTokens + answer.completionTokens),
            "prompt_tokens_details": ["cached_tokens": 0],
            "completion_tokens_details": ["reasoning_tokens": .int(answer.reasoningTokens)],
            "is_byok": false,
        ]
        // Local servers (Ollama, vLLM) report tokens but no cost.
        if configuration.reportsCost { fields["cost"] = .double(answer.cost) }
        return .object(fields)
    }

    private func midStreamError(_ code: Fault.ErrorCode) -> JSONValue {
        let codeValue: JSONValue =
            switch code {
            case .integer(let value): .int(value)
            case .string(let value): .string(value)
            }
        return [
            "code": codeValue, "message": "Provider disconnected unexpectedly",
            "metadata": ["provider_name": .string(model.providerName), "error_type": "provider_error"],
        ]
    }

    /// Non-streaming: one `chat.completion` body (a 200 carrying `error` for a mid-stream fault).
    func json() async throws -> Bool {
        if case .dropConnection(afterTokens: 0) = fault {
            await writer.drop()
            return false
        }
        if delay > .zero { try await Task.sleep(for: delay) }
        var content = answer.content
        var finishReason = answer.finishReason
        var error: JSONValue?
        if case .midStreamError(let after, let code) = fault {
            content = Answer.pieces(of: content).prefix(after).joined()
            finishReason = "error"
            error = midStreamError(code)
        }
        let message: JSONValue = [
            "role": "assistant", "content": .string(content), "refusal": nil,
            "reasoning": answer.reasoning.map(JSONValue.string) ?? .null,
        ]
        var document: [String: JSONValue] = [
            "id": .string(generationID), "provider": .string(model.providerName), "model": .string(model.id),
            "object": "chat.completion", "created": .int(created), "system_fingerprint": nil,
            "choices": [
                [
                    "index": 0, "logprobs": nil, "finish_reason": .string(finishReason),
                    "native_finish_reason": .string(finishReason), "message": message,
                ]
            ],
            "usage": usage,
        ]
        if let error { document["error"] = error }
        let text = JSONValue.object(document).serialized
        if case .dropConnection = fault {
            // Promise the whole body, send half: the client sees the connection end early.
            try await writer.head(
                status: 200,
                headers: [("Content-Type", "application/json"), ("Content-Length", String(text.utf8.count))])
            try await writer.body(bytes: Array(text.utf8.prefix(text.utf8.count / 2)))
            await writer.drop()
            return false
        }
        try await writer.head(
            status: 200, headers: [("Content-Type", "application/json"), ("Content-Length", String(text.utf8.count))])
        try await writer.body(text)
        try await writer.end()
        return true
    }

    private func chunk(_ delta: JSONValue, finishReason: String? = nil, extra: [String: JSONValue] = [:]) -> String {
        var document: [String: JSONValue] = [
            "id": .string(generationID), "provider": .string(model.providerName), "model": .string(model.id),
            "object": "chat.completion.chunk", "created": .int(created),
            "choices": [
                [
                    "index": 0, "delta": delta, "finish_reason": finishReason.map(JSONValue.string) ?? .null,
                    "native_finish_reason": finishReason.map(JSONValue.string) ?? .null, "logprobs": nil,
                ]
            ],
        ]
        for (key, value) in extra { document[key] = value }
        return "data: \(JSONValue.object(document).serialized)\n\n"
    }

    /// Streaming: keep-alive comments while it "thinks", reasoning and content deltas, the
    /// finish chunk, the usage chunk with empty `choices`, then `data: [DONE]`.
    func stream() async throws -> Bool {
        if case .dropConnection(afterTokens: 0) = fault {
            await writer.drop()
            return false
        }
        try await writer.head(
            status: 200,
            headers: [
                ("Content-Type", "text/event-stream"), ("Cache-Control", "no-cache"), ("X-Accel-Buffering", "no"),
            ])
        let keepAlive = ": OPENROUTER PROCESSING\n\n"
        try await writer.body(keepAlive)
        var waited = Duration.zero
        let interval = max(configuration.keepAliveInterval, .milliseconds(10))
        while waited < delay {
            let step = min(interval, delay - waited)
            try await Task.sleep(for: step)
            waited += step
            if waited < delay { try await writer.body(keepAlive) }
        }
        if let reasoning = answer.reasoning {
            for piece in Answer.pieces(of: reasoning) {
                try await writer.body(chunk(["role": "assistant", "content": "", "reasoning": .string(piece)]))
            }
        }
        var sent = 0
        for piece in Answer.pieces(of: answer.content) {
            switch fault {
            case .midStreamError(let after, let code) where sent == after:
                try await writer.body(
                    chunk(["content": ""], finishReason: "error", extra: ["error": midStreamError(code)]))
                try await writer.end()
                return true
            case .dropConnection(let after) where sent == after:
                await writer.drop()
                return false
            default:
                break
            }
            if sent > 0, configuration.tokenDelay > .zero { try await Task.sleep(for: configuration.tokenDelay) }
            try await writer.body(chunk(["role": "assistant", "content": .string(piece)]))
            sent += 1
        }
        switch fault {
        case .midStreamError(_, let code):
            // The answer was shorter than the fault's position: fail right before finishing.
            try await writer.body(chunk(["content": ""], finishReason: "error", extra: ["error": midStreamError(code)]))
            try await writer.end()
            return true
        case .dropConnection:
            await writer.drop()
            return false
        default:
            break
        }
        try await writer.body(chunk(["role": "assistant", "content": ""], finishReason: answer.finishReason))
        let usageChunk: [String: JSONValue] = [
            "id": .string(generationID), "provider": .string(model.providerName), "model": .string(model.id),
            "object": "chat.completion.chunk", "created": .int(created), "choices": [], "usage": usage,
        ]
        try await writer.body("data: \(JSONValue.object(usageChunk).serialized)\n\ndata: [DONE]\n\n")
        try await writer.end()
        return true
    }
}
