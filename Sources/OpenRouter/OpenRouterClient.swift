import AsyncHTTPClient
import Foundation
import Logging
import NIOCore

/// Talks to OpenRouter (or any OpenAI-compatible endpoint): non-streaming and streamed chat
/// completions with typed errors, retries with backoff, a run-wide ``RateGovernor``, a
/// ``ModelRegistry`` and a ``UsageLedger``.
///
/// ```swift
/// let client = OpenRouterClient(configuration: .fromEnvironment())
/// do {
///     let answer = try await client.complete(ChatRequest(model: SeedModels.maverick, messages: [
///         .user(text: "Describe this photo.", images: [ImageURL(mimeType: "image/jpeg", base64: b64)]),
///     ]))
///     print(answer.text, answer.usage?.promptTokens ?? 0, answer.cost)
/// } catch let error as OpenRouterError {
///     print(error.message)
/// }
/// try await client.shutdown()   // always, once: it owns an HTTP connection pool
/// ```
///
/// `DocumentationExampleTests` runs this example (with `b64` a small JPEG), so it keeps
/// matching the API.
public final class OpenRouterClient: Sendable {
    /// The configuration the client was made with.
    public let configuration: OpenRouterConfiguration
    /// Admission control shared by every request of this client.
    public let governor: RateGovernor
    /// Usage and cost of everything this client answered.
    public let ledger: UsageLedger
    /// Models the endpoint offers.
    public let registry: ModelRegistry

    private let transport: any HTTPTransport
    private let clock: any RateClock
    private let random: @Sendable () -> Double
    private let redactor: Redactor
    /// A key or base URL that cannot work, found once at creation and thrown by every request.
    private let configurationProblem: OpenRouterError?
    private var logger: Logger { configuration.logger }

    /// Creates a client with its own connection pool (AsyncHTTPClient). Call ``shutdown()`` when done.
    public convenience init(configuration: OpenRouterConfiguration) {
        self.init(
            configuration: configuration,
            transport: AsyncHTTPClientTransport(
                maxConnections: configuration.maxConcurrency, connectTimeout: configuration.connectTimeout,
                readTimeout: configuration.readTimeout))
    }

    /// Creates a client over any transport (tests script responses with it), clock and jitter source.
    package init(
        configuration: OpenRouterConfiguration, transport: any HTTPTransport,
        clock: any RateClock = SystemRateClock(), random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) },
        recordStarts: Bool = false
    ) {
        self.configuration = configuration
        self.transport = transport
        self.clock = clock
        self.random = random
        self.redactor = Redactor(secret: configuration.apiKey)
        do {
            _ = try OpenRouterConfiguration.checkedKey(configuration.apiKey, source: "The API key")
            _ = try OpenRouterConfiguration.checkedBaseURL(configuration.baseURL, source: "The base URL")
            self.configurationProblem = nil
        } catch let error as OpenRouterError {
            self.configurationProblem = error
        } catch {
            self.configurationProblem = OpenRouterError(
                .invalidConfiguration, "The client configuration is not usable.")
        }
        self.governor = RateGovernor(
            requestsPerMinute: configuration.requestsPerMinute ?? OpenRouterConfiguration.freeTierRequestsPerMinute,
            maxConcurrency: configuration.maxConcurrency, rateWindow: configuration.rateWindow, clock: clock,
            recordStarts: recordStarts)
        self.ledger = UsageLedger()
        self.registry = ModelRegistry(configuration: configuration, transport: transport)
    }

    /// Closes every connection. The client can't be used afterwards.
    public func shutdown() async throws {
        try await transport.shutdown()
    }

    // MARK: - Public API

    /// Asks for a whole answer, retrying what can succeed later.
    /// - Parameters:
    ///   - request: what to ask; `stream` is set by the client.
    ///   - streamed: receive it as SSE (keeps long generations alive through proxies; mid-stream
    ///     failures are retried from scratch) instead of one JSON body.
    /// - Returns: the answer with usage and cost, recorded in ``ledger``.
    /// - Throws: ``OpenRouterError``.
    public func complete(_ request: ChatRequest, streamed: Bool = false) async throws -> ChatCompletion {
        let prepared = try await prepare(request, stream: streamed)
        return try await execute(prepared, sink: nil)
    }

    /// Streams an answer: `.content` and `.reasoning` deltas as they arrive, then `.completed`
    /// with the whole answer and its usage. Failures before the first delta are retried; after
    /// it, the stream ends with ``OpenRouterError/Code/midStream`` (the text so far in ``OpenRouterError/partialText``). Cancelling the
    /// consuming task (or dropping the stream) closes the connection.
    public func stream(_ request: ChatRequest) -> AsyncThrowingStream<ChatStreamEvent, any Error> {
        AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    let prepared = try await self.prepare(request, stream: true)
                    let sink = EventSink { continuation.yield($0) }
                    let completion = try await self.execute(prepared, sink: sink)
                    continuation.yield(.completed(completion))
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    /// The models the endpoint offers, or the built-in facts when it can't be reached.
    public func models(refresh: Bool = false) async -> ModelRegistry.Catalog {
        await registry.catalog(refresh: refresh)
    }

    /// The exact JSON body the client sends for `request` (seed-model adjustments applied):
    /// the bytes to hash for a response cache, or to check against OpenRouter's schema.
    public static func requestBody(for request: ChatRequest, stream: Bool = false) throws -> Data {
        var adapted = SeedModels.adapt(request)
        adapted.stream = stream
        return try bodyEncoder.encode(adapted)
    }

    // MARK: - Internals

    private static let bodyEncoder: JSONEncoder = {
        let encoder = JSONEncoder()
        // Sorted keys make the body (and a hash of it) deterministic; unescaped slashes keep
        // base64 images from growing by a backslash per "/".
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    struct PreparedRequest: Sendable {
        var model: String
        var candidates: [String]
        var body: ByteBuffer
        var stream: Bool
        var imageCount: Int
        var rateLimited: Bool
    }

    /// Local checks that save a request that cannot succeed, then the body, encoded once.
    func prepare(_ request: ChatRequest, stream: Bool) async throws -> PreparedRequest {
        let candidates = request.candidateModels
        let model = candidates.first ?? "the default model"
        if var problem = configurationProblem {
            problem.model = model
            throw problem
        }
        if configuration.isOpenRouter && configuration.apiKey == nil {
            throw OpenRouterError(
                .badKey, "No API key: set OPENROUTER_API_KEY (get one at https://openrouter.ai/keys).", model: model)
        }
        guard !request.messages.isEmpty else {
            throw OpenRouterError(.badRequest, "The request has no messages.", model: model)
        }
        if request.imageCount > 0 {
            for candidate in candidates {
                // No modality data (local servers list bare ids) means unknown, not text-only:
                // the images are sent and the server's answer decides.
                if let info = await registry.info(for: candidate), !info.inputModalities.isEmpty, !info.supportsImages {
                    throw OpenRouterError(
                        .imagesNotSupported,
                        "\(candidate) reads text only, so the \(request.imageCount) image(s) of this request were not sent. Choose a model that accepts images (e.g. \(SeedModels.maverick)).",
                        model: candidate)
                }
            }
        }
        if let maxTokens = request.maxTokens, let first = candidates.first,
            let context = await registry.info(for: first)?.contextLength, maxTokens >= context
        {
            var error = OpenRouterError(
                .contextTooLong, "max_tokens (\(maxTokens)) must be below \(first)'s context length (\(context)).",
                model: first)
            error.requestedTokens = maxTokens
            error.contextLength = context
            throw error
        }
        let data: Data
        do {
            data = try Self.requestBody(for: request, stream: stream)
        } catch {
            throw OpenRouterError(.badRequest, "The request could not be encoded as JSON: \(error)", model: model)
        }
        return PreparedRequest(
            model: model, candidates: candidates, body: ByteBuffer(bytes: data), stream: stream,
            imageCount: request.imageCount,
            rateLimited: configuration.requestsPerMinute(forModels: candidates) != nil)
    }

    /// The retry loop around single attempts.
    func execute(_ prepared: PreparedRequest, sink: EventSink?) async throws -> ChatCompletion {
        let policy = configuration.retryPolicy
        var attempt = 0
        var failures = 0  // attempts that used up the retry budget (429s do not)
        var rateLimits = 0
        var rateLimitWaited: Duration = .zero
        while true {
            attempt += 1
            let permit = try await governor.acquire(rateLimited: prepared.rateLimited)
            let outcome: Result<ChatCompletion, OpenRouterError>
            do {
                outcome = .success(try await attemptOnce(prepared, permit: permit, sink: sink))
            } catch {
                outcome = .failure(classify(error, model: prepared.model))
            }
            await governor.release(permit)

            switch outcome {
            case .success(var completion):
                completion.attempts = attempt
                if completion.usage?.cost == nil, let usage = completion.usage {
                    // No cost in the answer (local servers, some providers): price it from the
                    // endpoint's own /models prices for the model that answered.
                    var info = await registry.info(for: completion.model)
                    if info == nil { info = await registry.info(for: prepared.model) }
                    completion.cost = (info?.pricing ?? .free).cost(
                        promptTokens: usage.promptTokens, completionTokens: usage.completionTokens,
                        images: prepared.imageCount)
                }
                await ledger.record(completion)
                return completion
            case .failure(var error):
                if error.code == .dailyCapReached { await governor.stop(with: error) }
                let emitted = sink?.didEmit ?? false
                let retryAfterTooLong = error.retryAfter.map { $0 > policy.maxRetryAfter } ?? false
                // A 429 (per-minute limit, busy provider) says "not yet", not "no": it is retried
                // for as long as the rate-limit budget lasts, without using up attempts.
                let rateLimited = error.code == .rateLimited
                if rateLimited { rateLimits += 1 } else { failures += 1 }
                let budgetLeft = rateLimited ? rateLimitWaited < policy.rateLimitBudget : failures < policy.maxAttempts
                guard error.isRetryable, !emitted, budgetLeft, !retryAfterTooLong, !Task.isCancelled else {
                    await ledger.recordFailure(model: prepared.model, attempts: attempt)
                    if Task.isCancelled && error.code != .cancelled {
                        throw OpenRouterError(.cancelled, "The request was cancelled.", model: prepared.model)
                    }
                    if attempt > 1 && error.isRetryable {
                        error.message += " Gave up after \(attempt) attempts."
                    }
                    throw error
                }
                let delay = policy.delay(
                    beforeRetry: rateLimited ? rateLimits : failures, retryAfter: error.retryAfter,
                    random: random())
                if rateLimited {
                    rateLimitWaited += delay
                    await governor.slowDown(serverLimit: error.serverLimit, retryAfter: error.retryAfter)
                    await governor.pause(for: delay)
                }
                logger.notice(
                    "retrying after a failure",
                    metadata: [
                        "model": "\(prepared.model)", "attempt": "\(attempt)", "status": "\(error.status ?? 0)",
                        "error": "\(error.message)", "delay_ms": "\(delay.components.seconds * 1000 + delay.components.attoseconds / 1_000_000_000_000_000)",
                    ])
                do {
                    try await clock.sleep(for: delay)
                } catch {
                    await ledger.recordFailure(model: prepared.model, attempts: attempt)
                    throw OpenRouterError(.cancelled, "The request was cancelled.", model: prepared.model)
                }
            }
        }
    }

    private func attemptOnce(_ prepared: PreparedRequest, permit: RateGovernor.Permit, sink: EventSink?) async throws
        -> ChatCompletion
    {
        let request = TransportRequest(
            method: "POST", url: configuration.baseURL + "/chat/completions",
            headers: RequestHeaders.make(configuration: configuration, json: true, stream: prepared.stream),
            body: prepared.body, timeout: configuration.requestTimeout)
        logger.debug(
            "sending", metadata: ["model": "\(prepared.model)", "bytes": "\(prepared.body.readableBytes)"])
        let response = try await transport.send(request)
        await governor.admitted(permit)
        guard response.status == 200 else {
            throw try await errorFromResponse(response, model: prepared.model)
        }
        if prepared.stream {
            return try await readStream(response, model: prepared.model, sink: sink)
        }
        let body = try await response.body.collect(upTo: 64 << 20)
        return try decodeCompletion(body, headers: response.headers, model: prepared.model)
    }

    private func errorFromResponse(_ response: TransportResponse, model: String) async throws -> OpenRouterError {
        let body = try await response.body.collect(upTo: 4 << 20)
        let envelope = try? JSONDecoder().decode(WireErrorEnvelope.self, from: Data(body.readableBytesView))
        return OpenRouterError.fromResponse(
            status: response.status, headers: response.headers, error: envelope?.error,
            rawBody: String(buffer: body), model: model, redactor: redactor)
    }

    private func decodeCompletion(_ body: ByteBuffer, headers: [(name: String, value: String)], model: String) throws
        -> ChatCompletion
    {
        let wire: WireChatResponse
        do {
            wire = try JSONDecoder().decode(WireChatResponse.self, from: Data(body.readableBytesView))
        } catch {
            throw OpenRouterError(
                .invalidResponse,
                "The endpoint's answer is not a chat completion (\(body.readableBytes) bytes).",
                status: 200, model: model)
        }
        if let error = wire.error {
            throw OpenRouterError.fromResponse(
                status: error.code?.intValue ?? 502, headers: headers, error: error, rawBody: nil, model: model,
                redactor: redactor)
        }
        guard let choice = wire.choices?.first else {
            throw OpenRouterError(.invalidResponse, "The answer has no choices.", status: 200, model: model)
        }
        if choice.finishReason == "error" {
            throw OpenRouterError(
                .providerDown, "\(model) failed while answering.", status: 200, model: model)
        }
        var text = choice.message?.content ?? ""
        var reasoning = choice.message?.reasoning
        if text.contains("<think>") {
            let split = ThinkTagSplitter.split(text)
            text = split.content
            if !split.reasoning.isEmpty { reasoning = [reasoning, split.reasoning].compactMap { $0 }.joined(separator: "\n") }
        }
        let answered = wire.model ?? model
        return ChatCompletion(
            id: wire.id, model: answered, provider: wire.provider, text: text,
            reasoning: reasoning.flatMap { $0.isEmpty ? nil : $0 }, refusal: choice.message?.refusal,
            finishReason: choice.finishReason.map(FinishReason.init), usage: wire.usage,
            cost: cost(of: wire.usage, model: answered))
    }

    private func readStream(_ response: TransportResponse, model: String, sink: EventSink?) async throws
        -> ChatCompletion
    {
        var parser = ServerSentEventParser()
        var splitter = ThinkTagSplitter()
        var text = ""
        var reasoning = ""
        var usage: Usage?
        var finish: String?
        var id: String?
        var answered: String?
        var provider: String?
        var done = false
        let decoder = JSONDecoder()

        func emit(_ piece: (content: String, reasoning: String)) {
            if !piece.reasoning.isEmpty {
                reasoning += piece.reasoning
                sink?.emit(.reasoning(piece.reasoning))
            }
            if !piece.content.isEmpty {
                text += piece.content
                sink?.emit(.content(piece.content))
            }
        }

        func handle(_ data: [UInt8]) throws {
            if data.elementsEqual("[DONE]".utf8) {
                done = true
                return
            }
            let chunk: WireStreamChunk
            do {
                chunk = try decoder.decode(WireStreamChunk.self, from: Data(data))
            } catch {
                throw OpenRouterError(.invalidResponse, "A streamed event is not valid JSON.", status: 200, model: model)
            }
            id = id ?? chunk.id
            answered = chunk.model ?? answered
            provider = chunk.provider ?? provider
            if let chunkUsage = chunk.usage { usage = chunkUsage }
            for choice in chunk.choices ?? [] {
                if let delta = choice.delta {
                    if let r = delta.reasoning, !r.isEmpty { emit(("", r)) }
                    if let c = delta.content, !c.isEmpty { emit(splitter.feed(c)) }
                }
                if let reason = choice.finishReason { finish = reason }
            }
            if let error = chunk.error {
                emit(splitter.finish())
                var typed = OpenRouterError.fromResponse(
                    status: error.code?.intValue ?? 502, headers: [], error: error, rawBody: nil,
                    model: answered ?? model, redactor: redactor)
                if !text.isEmpty || !reasoning.isEmpty {
                    typed = OpenRouterError(
                        .midStream, "The answer broke off after \(text.count) characters: \(typed.message)",
                        status: 200, serverCode: typed.serverCode, model: typed.model)
                    typed.partialText = text
                }
                throw typed
            }
        }

        do {
            for try await buffer in response.body {
                for event in parser.feed(buffer.readableBytesView) {
                    try handle(event)
                    if done { break }
                }
                if done { break }
                try Task.checkCancellation()
            }
            if !done, let last = parser.finish() { try handle(last) }
        } catch let error as OpenRouterError {
            throw error
        } catch {
            var typed = classify(error, model: model)
            if !text.isEmpty, typed.code != .cancelled {
                typed = OpenRouterError(
                    .midStream, "The connection dropped after \(text.count) characters of the answer.",
                    model: model, cause: TransportFailure(error))
                typed.partialText = text
            }
            throw typed
        }
        emit(splitter.finish())
        guard done || finish != nil else {
            let message = "The stream ended before the answer was complete."
            guard !text.isEmpty else { throw OpenRouterError(.transport, message, model: model) }
            var broken = OpenRouterError(.midStream, message, model: model)
            broken.partialText = text
            throw broken
        }
        let answeredModel = answered ?? model
        return ChatCompletion(
            id: id, model: answeredModel, provider: provider, text: text,
            reasoning: reasoning.isEmpty ? nil : reasoning, finishReason: finish.map(FinishReason.init),
            usage: usage, cost: cost(of: usage, model: answeredModel))
    }

    /// The cost the answer reported; when it has none, `execute` prices it from the registry.
    private func cost(of usage: Usage?, model: String) -> Double {
        usage?.cost ?? 0
    }

    /// Maps anything thrown during an attempt to an ``OpenRouterError``.
    private func classify(_ error: any Error, model: String) -> OpenRouterError {
        if let error = error as? OpenRouterError { return error }
        if error is CancellationError || Task.isCancelled {
            return OpenRouterError(.cancelled, "The request was cancelled.", model: model)
        }
        if let http = error as? HTTPClientError {
            switch http {
            case .readTimeout, .deadlineExceeded, .writeTimeout:
                return OpenRouterError(
                    .timeout,
                    "\(configuration.baseURL) did not answer within the request timeout (\(Self.seconds(configuration.requestTimeout)) s; --request-timeout sets it).",
                    model: model, cause: TransportFailure(error))
            case .connectTimeout:
                return OpenRouterError(
                    .timeout,
                    "\(configuration.baseURL) did not accept a connection within \(Self.seconds(configuration.connectTimeout)) s.",
                    model: model, cause: TransportFailure(error))
            case .cancelled:
                return OpenRouterError(.cancelled, "The request was cancelled.", model: model)
            default: break
            }
        }
        // Never the error's own description: AsyncHTTPClient's carry header values.
        return OpenRouterError(
            .transport,
            "\(configuration.baseURL) is unreachable (\(redactor.redact(TransportFailure.safeDescription(of: error)))).",
            model: model, cause: TransportFailure(error))
    }

    /// A duration as seconds for messages: "1", "2.5".
    static func seconds(_ duration: Duration) -> String {
        let value = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        return value == value.rounded() ? String(Int(value)) : String(format: "%.1f", value)
    }
}

/// Where ``OpenRouterClient/stream(_:)`` delivers deltas; remembers whether any went out, since
/// a request whose text already reached the caller must not be retried.
final class EventSink: @unchecked Sendable {
    // @unchecked: used by the one task running the request, sequentially.
    private let deliver: (ChatStreamEvent) -> Void
    private(set) var didEmit = false

    init(_ deliver: @escaping (ChatStreamEvent) -> Void) {
        self.deliver = deliver
    }

    func emit(_ event: ChatStreamEvent) {
        didEmit = true
        deliver(event)
    }
}
