import Foundation
import NIOCore
import PeruseTesting
import Testing

@testable import OpenRouter

/// The client's retry, error and seed-model behaviour against scripted responses.
@Suite struct ClientBehaviourTests {
    static let base = "http://127.0.0.1:9/api/v1"

    func makeClient(_ transport: ScriptedTransport, clock: VirtualClock = VirtualClock(), key: String? = "sk-or-v1-k")
        -> OpenRouterClient
    {
        OpenRouterClient(
            configuration: OpenRouterConfiguration(baseURL: Self.base, apiKey: key, requestsPerMinute: 1000),
            transport: transport, clock: clock, random: { 0.5 })
    }

    let hello = ChatRequest(model: "x/model", messages: [.user(text: "hi")])

    @Test func retriesWhatCanSucceedAndHonoursRetryAfter() async throws {
        let transport = ScriptedTransport([
            .respond(status: 500, body: #"{"error":{"code":500,"message":"boom"}}"#),
            .respond(status: 429, headers: [("Retry-After", "7")], body: #"{"error":{"code":429,"message":"slow down"}}"#),
            .fail(TransportFailure(ScriptedTransport.ScriptError.exhausted)),
            .respond(status: 200, body: completionJSON(text: "finally")),
        ])
        let clock = VirtualClock()
        let client = makeClient(transport, clock: clock)
        let answer = try await client.complete(hello)
        #expect(answer.text == "finally")
        #expect(answer.attempts == 4)
        #expect(transport.requests.count == 4)
        #expect(clock.sleeps.contains(where: { $0 >= .seconds(7) }))
        #expect(await client.ledger.total.requests == 1)
        #expect(await client.ledger.total.attempts == 4)
    }

    @Test(arguments: [400, 401, 402, 403, 404, 413])
    func neverRetriesPermanentErrors(status: Int) async throws {
        let transport = ScriptedTransport(
            [.respond(status: status, body: #"{"error":{"code":\#(status),"message":"no"}}"#)],
            otherwise: .respond(status: 200, body: completionJSON(text: "should not be asked")))
        let client = makeClient(transport)
        await #expect(throws: OpenRouterError.self) { try await client.complete(hello) }
        #expect(transport.requests.count == 1)
        #expect(await client.ledger.total.failedRequests == 1)
    }

    @Test func givesUpAfterMaxAttempts() async throws {
        let transport = ScriptedTransport([], otherwise: .respond(status: 503, body: "{}"))
        let client = OpenRouterClient(
            configuration: OpenRouterConfiguration(baseURL: Self.base, retryPolicy: RetryPolicy(maxAttempts: 3)),
            transport: transport, clock: VirtualClock())
        let error = await #expect(throws: OpenRouterError.self) { try await client.complete(hello) }
        #expect(error?.code == .providerDown)
        #expect(transport.requests.count == 3)
    }

    @Test func dailyCapStopsTheRun() async throws {
        let cap = #"{"error":{"code":429,"message":"Rate limit exceeded: free-models-per-day."}}"#
        let transport = ScriptedTransport([.respond(status: 429, body: cap)], otherwise: .respond(status: 200, body: completionJSON(text: "x")))
        let client = makeClient(transport)
        let first = await #expect(throws: OpenRouterError.self) { try await client.complete(hello) }
        #expect(first?.code == .dailyCapReached)
        let second = await #expect(throws: OpenRouterError.self) { try await client.complete(hello) }
        #expect(second?.code == .dailyCapReached)
        #expect(transport.requests.count == 1)  // nothing sent after the cap
    }

    @Test func imagesToATextOnlyModelAreRefusedBeforeSending() async throws {
        let transport = ScriptedTransport([], otherwise: .fail(TransportFailure(ScriptedTransport.ScriptError.exhausted)))
        let client = makeClient(transport)
        let request = ChatRequest(
            model: SeedModels.nemotronUltra, messages: [.user(text: "see", images: [try TestImages.pngDataURL()])])
        let error = await #expect(throws: OpenRouterError.self) { try await client.complete(request) }
        #expect(error?.code == .imagesNotSupported)
        #expect(error?.model == SeedModels.nemotronUltra)
        #expect(transport.requests.allSatisfy { !$0.url.hasSuffix("/chat/completions") })
        // Same for a text-only model hidden in the fallback list.
        let fallback = ChatRequest(
            model: SeedModels.maverick, models: [SeedModels.maverick, SeedModels.maiDSR1],
            messages: [.user(text: "see", images: [try TestImages.pngDataURL()])])
        let second = await #expect(throws: OpenRouterError.self) { try await client.complete(fallback) }
        #expect(second?.code == .imagesNotSupported)
        #expect(second?.model == SeedModels.maiDSR1)
    }

    @Test func maxTokensAtTheContextLengthIsRefused() async throws {
        let transport = ScriptedTransport([], otherwise: .fail(TransportFailure(ScriptedTransport.ScriptError.exhausted)))
        var request = ChatRequest(model: SeedModels.maiDSR1, messages: [.user(text: "x")])
        request.maxTokens = 163_840
        let error = await #expect(throws: OpenRouterError.self) { try await makeClient(transport).complete(request) }
        #expect(error?.code == .contextTooLong)
        #expect(error?.requestedTokens == 163_840)
        #expect(error?.contextLength == 163_840)
    }

    @Test func openRouterWithoutAKeyFailsFast() async throws {
        let transport = ScriptedTransport([])
        let client = OpenRouterClient(
            configuration: OpenRouterConfiguration(), transport: transport, clock: VirtualClock())
        let error = await #expect(throws: OpenRouterError.self) { try await client.complete(hello) }
        #expect(error?.code == .badKey)
        #expect(transport.requests.isEmpty)
    }

    @Test func thinkBlockInContentMovesToReasoning() async throws {
        let body = completionJSON(text: "<think>Add them.</think>\n4", model: SeedModels.maiDSR1)
        let transport = ScriptedTransport([.respond(status: 200, body: body)])
        let answer = try await makeClient(transport).complete(ChatRequest(model: SeedModels.maiDSR1, messages: [.user(text: "2+2")]))
        #expect(answer.text == "4")
        #expect(answer.reasoning == "Add them.")
    }

    @Test func streamedThinkBlockAndDeltas() async throws {
        let sse = [
            #"data: {"model":"microsoft/mai-ds-r1:free","choices":[{"delta":{"content":"<thi"}}]}"#,
            #"data: {"choices":[{"delta":{"content":"nk>hmm</thi"}}]}"#,
            ": OPENROUTER PROCESSING",
            #"data: {"choices":[{"delta":{"content":"nk>Yes."},"finish_reason":"stop"}]}"#,
            #"data: {"choices":[],"usage":{"prompt_tokens":5,"completion_tokens":2,"total_tokens":7}}"#,
            "data: [DONE]",
        ].joined(separator: "\n\n") + "\n\n"
        let transport = ScriptedTransport([.respond(status: 200, body: sse, chunkSize: 5)])
        var events: [ChatStreamEvent] = []
        for try await event in makeClient(transport).stream(ChatRequest(model: SeedModels.maiDSR1, messages: [.user(text: "?")])) {
            events.append(event)
        }
        guard case .completed(let answer) = events.last else {
            Issue.record("stream did not complete")
            return
        }
        #expect(answer.text == "Yes.")
        #expect(answer.reasoning == "hmm")
        #expect(answer.model == SeedModels.maiDSR1)
        #expect(answer.usage?.totalTokens == 7)
        #expect(!events.contains(where: { event in
            if case .content(let t) = event { return t.contains("<") }
            return false
        }))
    }

    @Test func streamRetriesBeforeTheFirstDeltaOnly() async throws {
        let ok = "data: {\"choices\":[{\"delta\":{\"content\":\"fine\"},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n"
        let transport = ScriptedTransport([.respond(status: 502, body: "{}"), .respond(status: 200, body: ok)])
        var text = ""
        for try await event in makeClient(transport).stream(hello) {
            if case .content(let t) = event { text += t }
        }
        #expect(text == "fine")
        #expect(transport.requests.count == 2)

        // A connection that drops after text: no retry, the partial text is kept.
        let dropped = ScriptedTransport(
            [.respond(status: 200, body: "data: {\"choices\":[{\"delta\":{\"content\":\"half\"}}]}\n\n")],
            otherwise: .respond(status: 200, body: ok))
        var received = ""
        do {
            for try await event in makeClient(dropped).stream(hello) {
                if case .content(let t) = event { received += t }
            }
            Issue.record("expected a mid-stream error")
        } catch let error as OpenRouterError {
            #expect(error.code == .midStream)
            #expect(error.partialText == "half")
        }
        #expect(received == "half")
        #expect(dropped.requests.count == 1)
    }

    /// complete(streamed: true) hides deltas, so a broken stream is retried from scratch.
    @Test func streamedCompleteRetriesMidStreamFailures() async throws {
        let broken = "data: {\"choices\":[{\"delta\":{\"content\":\"par\"}}]}\n\ndata: {\"choices\":[{\"delta\":{\"content\":\"\"},\"finish_reason\":\"error\"}],\"error\":{\"code\":\"server_error\",\"message\":\"x\"}}\n\n"
        let ok = "data: {\"choices\":[{\"delta\":{\"content\":\"whole\"},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n"
        let transport = ScriptedTransport([.respond(status: 200, body: broken), .respond(status: 200, body: ok)])
        let answer = try await makeClient(transport).complete(hello, streamed: true)
        #expect(answer.text == "whole")
        #expect(answer.attempts == 2)
    }

    @Test func cancellingAStreamClosesTheConnection() async throws {
        let transport = ScriptedTransport([.hang(prefix: "data: {\"choices\":[{\"delta\":{\"content\":\"a\"}}]}\n\n")])
        let client = makeClient(transport)
        let (received, signal) = AsyncStream<Void>.makeStream()
        let consumer = Task {
            defer { signal.finish() }
            var count = 0
            for try await _ in client.stream(hello) {
                count += 1
                signal.yield()
            }
            return count
        }
        // The prefix's event arrived: the body is being read, and its next read hangs.
        var events = received.makeAsyncIterator()
        try #require(await events.next() != nil, "the stream ended before its first event")
        consumer.cancel()
        _ = try? await consumer.value
        try await poll(every: .milliseconds(5), for: .seconds(60)) { transport.cancellations > 0 }
        #expect(transport.cancellations == 1)
        #expect(await client.governor.activeCount == 0)
    }

    @Test func ledgerSumsUsageAndCostPerModel() async throws {
        let transport = ScriptedTransport([], otherwise: .respond(status: 200, body: completionJSON(text: "x")))
        let client = makeClient(transport)
        for _ in 0..<3 { _ = try await client.complete(hello) }
        let total = await client.ledger.total
        #expect(total.requests == 3)
        #expect(total.promptTokens == 36)
        #expect(total.completionTokens == 9)
        #expect(await client.ledger.byModel[SeedModels.maverick]?.requests == 3)
    }

    @Test func registryParsesModelsAndFallsBackOffline() async throws {
        let models = #"""
            {"data":[{"id":"a/vision","name":"A","context_length":32768,"architecture":{"input_modalities":["text","image"]},"top_provider":{"max_completion_tokens":4096},"pricing":{"prompt":"0.000001","completion":"0.000002","image":"0","request":"0"}},
                     {"id":"b/old","architecture":{"modality":"text->text"}},{"id":"c/bare"}]}
            """#
        let folder = try TemporaryFolder()
        let dir = folder.url
        let transport = ScriptedTransport([.respond(status: 200, body: models)])
        let configuration = OpenRouterConfiguration(baseURL: Self.base, apiKey: "sk-or-v1-cachedkey", modelCacheDirectory: dir)
        let client = OpenRouterClient(configuration: configuration, transport: transport, clock: VirtualClock())
        let catalog = await client.models()
        #expect(catalog.source == .endpoint)
        let vision = try #require(catalog.model("a/vision"))
        #expect(vision.supportsImages)
        #expect(vision.contextLength == 32768)
        #expect(vision.maxCompletionTokens == 4096)
        #expect(vision.pricing.prompt == 0.000001)
        #expect(catalog.model("b/old")?.supportsImages == false)
        #expect(catalog.model("c/bare")?.inputModalities == [])  // unknown, not text-only (issue 9)
        // Cached on disk, without the key; a second client reads it instead of the network.
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path)
        #expect(files.count == 1)
        let cached = try String(contentsOf: dir.appendingPathComponent(files[0]), encoding: .utf8)
        #expect(!cached.contains("cachedkey"))
        let offline = ScriptedTransport([], otherwise: .fail(TransportFailure(ScriptedTransport.ScriptError.exhausted)))
        let second = OpenRouterClient(configuration: configuration, transport: offline, clock: VirtualClock())
        #expect(await second.models().source == .diskCache)
        #expect(offline.requests.isEmpty)
        // No cache and no network: the built-in facts.
        let third = OpenRouterClient(
            configuration: OpenRouterConfiguration(baseURL: Self.base), transport: offline, clock: VirtualClock())
        let builtIn = await third.models()
        #expect(builtIn.source == .builtIn)
        #expect(builtIn.model(SeedModels.maverick)?.contextLength == 262_144)
        #expect(builtIn.model(SeedModels.nemotronUltra)?.supportsImages == false)
        #expect(builtIn.model(SeedModels.maiDSR1)?.contextLength == 163_840)
        #expect(builtIn.problem?.code == .transport)
    }
}
