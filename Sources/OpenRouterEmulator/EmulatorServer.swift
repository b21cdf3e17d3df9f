import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// Serves one emulator's connections: routes requests, applies keys, limits and faults,
/// and answers like OpenRouter (JSON or SSE).
struct EmulatorServer: Sendable {
    let configuration: EmulatorConfiguration
    let state: EmulatorState

    /// Reads requests from one connection until it closes (HTTP/1.1 keep-alive).
    func serve(_ connection: NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>) async {
        let channel = connection.channel
        state.track(channel)
        defer { state.untrack(channel) }
        do {
            try await connection.executeThenClose { inbound, outbound in
                var head: HTTPRequestHead?
                var body = ByteBuffer()
                var tooLarge = false
                for try await part in inbound {
                    switch part {
                    case .head(let requestHead):
                        head = requestHead
                        body.clear()
                        tooLarge = false
                    case .body(let chunk):
                        if body.readableBytes + chunk.readableBytes > configuration.maxRequestBytes {
                            tooLarge = true
                            body.clear()
                        } else if !tooLarge {
                            var chunk = chunk
                            body.writeBuffer(&chunk)
                        }
                    case .end:
                        guard let requestHead = head else { continue }
                        head = nil
                        let writer = ResponseWriter(
                            outbound: outbound, channel: channel, keepAlive: requestHead.isKeepAlive,
                            version: requestHead.version)
                        let carryOn = try await respond(
                            to: requestHead, body: Array(body.readableBytesView), tooLarge: tooLarge, writer: writer)
                        if !carryOn || !requestHead.isKeepAlive { return }
                    }
                }
            }
        } catch {
            // A client that goes away mid-answer is ordinary for a test double: nothing to report.
        }
    }

    /// Answers one request; false when the connection must not be reused.
    private func respond(to head: HTTPRequestHead, body: [UInt8], tooLarge: Bool, writer: ResponseWriter)
        async throws -> Bool
    {
        let sequence = state.nextSequence()
        let path = String(head.uri.split(separator: "?", maxSplits: 1).first ?? "")
        var headers: [String: String] = [:]
        for (name, value) in head.headers where name.lowercased() != "authorization" {
            let key = name.lowercased()
            headers[key] = headers[key].map { "\($0), \(value)" } ?? value
        }
        var received = ReceivedRequest(
            sequence: sequence, generationID: Self.generationID(sequence), arrival: Date(),
            method: head.method.rawValue, path: path, headers: headers, model: nil, fallbackModels: [],
            messages: [], stream: false, maxTokens: nil, temperature: nil, jsonSchema: nil,
            reasoningRequested: false, reasoningExcluded: false, detailedThinking: nil, promptTokens: 0,
            imageTokens: 0, outcome: nil)

        func fail(_ error: ServiceError) async throws -> Bool {
            received.outcome = ReceivedOutcome(status: error.status, errorMessage: error.message)
            state.record(received)
            try await writer.json(status: error.status, error.body, headers: error.headers)
            return true
        }

        let base = "/api/v1"
        switch (head.method, path) {
        case (.GET, base + "/models"):
            received.outcome = ReceivedOutcome(status: 200)
            state.record(received)
            try await writer.json(status: 200, ModelsDocument.models(configuration))
            return true
        case (.GET, base + "/key"):
            switch authenticate(head) {
            case .failure(let error): return try await fail(error)
            case .success:
                received.outcome = ReceivedOutcome(status: 200)
                state.record(received)
                try await writer.json(status: 200, ModelsDocument.key(configuration))
                return true
            }
        case (.POST, base + "/chat/completions"):
            break
        default:
            return try await fail(.notFound(path))
        }

        let apiKey: String
        switch authenticate(head) {
        case .failure(let error): return try await fail(error)
        case .success(let key): apiKey = key
        }
        if tooLarge { return try await fail(.payloadTooLarge(limit: configuration.maxRequestBytes)) }

        // Parsing decodes every image: CPU work that goes to NIO's blocking thread pool, so it
        // neither stalls an event loop nor holds a cooperative thread an in-process client needs.
        let imageDecoding = configuration.imageDecoding
        let parsing = try await NIOThreadPool.singleton.runIfActive {
            Self.parse(body, imageDecoding: imageDecoding)
        }
        let parsed: ParsedChat
        switch parsing {
        case .success(let chat): parsed = chat
        case .failure(let error): return try await fail(error)
        }
        received.model = parsed.model
        received.fallbackModels = parsed.fallbackModels
        received.messages = parsed.messages
        received.stream = parsed.stream
        received.maxTokens = parsed.maxTokens
        received.temperature = parsed.temperature
        received.jsonSchema = parsed.jsonSchema?.serialized
        received.reasoningRequested = parsed.reasoningRequested
        received.reasoningExcluded = parsed.reasoningExcluded
        received.detailedThinking = parsed.detailedThinking
        received.promptTokens = parsed.textTokens + parsed.imageTokens
        received.imageTokens = parsed.imageTokens

        // Every model named must exist; those that cannot read the images are skipped.
        var candidates: [EmulatedModel] = []
        for id in parsed.candidates where !configuration.retiredModels.contains(id) {
            guard let model = configuration.models.first(where: { $0.id == id }) else {
                return try await fail(.badRequest("\(id) is not a valid model ID"))
            }
            candidates.append(model)
        }
        guard !candidates.isEmpty else {
            return try await fail(.retired(model: parsed.candidates.first ?? ""))
        }
        if parsed.imageTokens > 0 {
            let readers = candidates.filter(\.acceptsImages)
            guard !readers.isEmpty else { return try await fail(.noImageEndpoint(model: candidates[0].id)) }
            candidates = readers
        }

        switch state.admit(
            apiKey: apiKey, freeModel: candidates[0].isFreeVariant, rateLimit: configuration.rateLimit,
            dailyCap: configuration.dailyCap)
        {
        case .daily(let limit, let reset):
            return try await fail(.dailyCap(limit: limit, resetMilliseconds: reset))
        case .perMinute(let limit, let reset, let retryAfter):
            return try await fail(
                .perMinuteLimit(limit: limit, resetMilliseconds: reset, retryAfterSeconds: retryAfter))
        case .admitted(let faultIndex):
            var fault = configuration.faults.fault(forRequest: faultIndex)
            var model = candidates[0]
            // A provider failure moves a request with a fallback list on to the next model.
            if let current = fault, Self.movesToFallback(current), candidates.count > 1 {
                model = candidates[1]
                received.outcome = ReceivedOutcome(status: 200, fault: current)
                fault = nil
            }
            let context = configuration.contextLength(of: model)
            let output = parsed.maxTokens ?? 0
            if parsed.textTokens + parsed.imageTokens + output > context || output >= context {
                return try await fail(
                    .contextLength(
                        limit: context, textTokens: parsed.textTokens, imageTokens: parsed.imageTokens,
                        outputTokens: output, provider: model.providerName))
            }
            if let fault, fault.httpStatus != nil {
                let error = ServiceError.injected(fault, model: model, flaggedInput: received.promptText)
                received.outcome = ReceivedOutcome(status: error.status, fault: fault, errorMessage: error.message)
                state.record(received)
                try await writer.json(status: error.status, error.body, headers: error.headers)
                return true
            }
            let text = configuration.responder?(received) ?? Self.defaultText(for: received, schema: parsed.jsonSchema)
            let answer = Answer(
                text: text, parsed: parsed, model: model, reasoningInContent: configuration.reasoningInContent)
            let absorbed = received.outcome?.fault
            received.outcome = ReceivedOutcome(
                status: fault == .dropConnection(afterTokens: 0) ? 0 : 200, fault: fault ?? absorbed,
                errorMessage: nil, answeredBy: model.id, answer: answer.content)
            state.record(received)
            let delivery = AnswerDelivery(
                configuration: configuration, writer: writer, answer: answer, model: model,
                generationID: received.generationID, fault: fault)
            do {
                return try await parsed.stream ? delivery.stream() : delivery.json()
            } catch {
                // The client went away (or cancelled) while the answer was being sent.
                state.markDisconnected(sequence: sequence)
                throw error
            }
        }
    }

    private static func parse(_ body: [UInt8], imageDecoding: EmulatorConfiguration.ImageDecodingMode)
        -> Result<ParsedChat, ServiceError>
    {
        do {
            return .success(try ChatRequestParser.parse(body, imageDecoding: imageDecoding))
        } catch {
            return .failure(error)
        }
    }

    private static func movesToFallback(_ fault: Fault) -> Bool {
        switch fault {
        case .rateLimited, .serverError, .timeout: true
        default: false
        }
    }

    private static func defaultText(for request: ReceivedRequest, schema: JSONValue?) -> String {
        guard let schema else { return request.defaultAnswer }
        return Answer.instance(of: schema, text: request.defaultAnswer).serialized
    }

    private func authenticate(_ head: HTTPRequestHead) -> Result<String, ServiceError> {
        guard let value = head.headers.first(name: "authorization") else { return .failure(.missingKey) }
        let parts = value.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return .failure(.missingKey) }
        let key = parts[1].trimmingCharacters(in: .whitespaces)
        if configuration.noCreditKeys.contains(key) { return .failure(.noCredits) }
        guard configuration.apiKeys.contains(key) else { return .failure(.unknownKey) }
        return .success(key)
    }

    static func generationID(_ sequence: Int) -> String {
        var generator = SplitMix64(seed: UInt64(sequence) &+ 0x5EED)
        let suffix = String(generator.next(), radix: 36) + String(generator.next(), radix: 36)
        return "gen-\(Int(Date().timeIntervalSince1970))-\(suffix.prefix(20))"
    }
}
