import Foundation
import Logging
import OpenRouterEmulator
import PeruseTesting
import Testing

@testable import OpenRouter

/// The real client (AsyncHTTPClient) against the local OpenRouter emulator on 127.0.0.1.
@Suite struct ClientEmulatorTests {
    static func marker(in prompt: String) -> Int? {
        guard let range = prompt.range(of: "Request #") else { return nil }
        return Int(prompt[range.upperBound...].prefix(while: \.isNumber))
    }

    func makeClient(
        _ emulator: RunningEmulator, key: String = EmulatorConfiguration.defaultAPIKey, concurrency: Int = 8,
        requestsPerMinute: Int? = 1_000_000, rateWindow: Duration = .seconds(60), logger: Logger? = nil,
        cacheDirectory: URL? = nil
    ) -> OpenRouterClient {
        var configuration = OpenRouterConfiguration(
            baseURL: emulator.baseURL, apiKey: key, requestsPerMinute: requestsPerMinute, maxConcurrency: concurrency,
            retryPolicy: RetryPolicy(maxAttempts: 10, baseDelay: .milliseconds(20), maxDelay: .milliseconds(300)),
            // Deadlines far above any fault (the slowest is +200 ms): a timeout here would only mean
            // the parallel suite starved the machine, and a retried request would look answered twice.
            readTimeout: .seconds(120), requestTimeout: .seconds(300), modelCacheDirectory: cacheDirectory)
        configuration.rateWindow = rateWindow
        if let logger { configuration.logger = logger }
        return OpenRouterClient(configuration: configuration)
    }

    /// Whether a received request was answered in full (a slow answer is still an answer).
    static func answered(_ request: ReceivedRequest) -> Bool {
        guard let outcome = request.outcome, outcome.status == 200 else { return false }
        switch outcome.fault {
        case .none, .slow?: return true
        default: return false
        }
    }

    static func expectedCode(for fault: Fault) -> OpenRouterError.Code? {
        switch fault {
        case .badRequest: return .badRequest
        case .unauthorized: return .badKey
        case .noCredits: return .noCredits
        case .moderation: return .moderation
        case .payloadTooLarge: return .payloadTooLarge
        default: return nil
        }
    }

    /// Done-when 2: 300 requests at concurrency 8 with 30% of them failing in every way; each
    /// ends correct, none is answered twice, nothing is retried after a non-retryable error.
    @Test func threeHundredRequestsThroughThirtyPercentFaults() async throws {
        var configuration = EmulatorConfiguration()
        configuration.faults = .random(probability: 0.3, among: Fault.fullMix, seed: 20_261_127)
        configuration.responder = { request in
            "answer for request \(Self.marker(in: request.promptText).map(String.init) ?? "?")"
        }
        try await withEmulator(configuration) { emulator in
            let client = makeClient(emulator)
            let image = try TestImages.pngDataURL()

            let results = await withTaskGroup(of: (Int, Result<ChatCompletion, OpenRouterError>).self) { group in
                for index in 0..<300 {
                    group.addTask {
                        let request = ChatRequest(
                            model: SeedModels.maverick,
                            messages: [.user(text: "Request #\(index): describe.", images: index % 3 == 0 ? [image] : [])])
                        do {
                            return (index, .success(try await client.complete(request, streamed: index % 2 == 0)))
                        } catch let error as OpenRouterError {
                            return (index, .failure(error))
                        } catch {
                            return (index, .failure(OpenRouterError(.transport, "\(error)")))
                        }
                    }
                }
                var all: [Int: Result<ChatCompletion, OpenRouterError>] = [:]
                for await (index, result) in group { all[index] = result }
                return all
            }
            try await client.shutdown()
            let received = emulator.received

            let chat = received.filter { $0.path.hasSuffix("/chat/completions") }
            let byMarker = Dictionary(grouping: chat, by: { Self.marker(in: $0.promptText) ?? -1 })
            #expect(byMarker[-1] == nil)
            #expect(results.count == 300)
            var failures = 0
            var retried = 0
            for index in 0..<300 {
                let attempts = (byMarker[index] ?? []).sorted { $0.sequence < $1.sequence }
                let answers = attempts.filter(Self.answered)
                #expect(answers.count <= 1, "request \(index) answered \(answers.count) times")
                // Every attempt but the last failed in a retryable way.
                for attempt in attempts.dropLast() {
                    #expect(attempt.outcome?.fault?.isRetryable == true, "request \(index) retried after \(String(describing: attempt.outcome?.fault))")
                }
                if attempts.count > 1 { retried += 1 }
                switch results[index] {
                case .success(let answer)?:
                    #expect(answer.text == "answer for request \(index)")
                    #expect(answers.count == 1)
                    #expect(answer.attempts == attempts.count)
                    #expect(attempts.last.map(Self.answered) == true)
                case .failure(let error)?:
                    failures += 1
                    let fault = try #require(attempts.last?.outcome?.fault, "request \(index) failed without a fault: \(error)")
                    #expect(!fault.isRetryable, "request \(index) gave up on a retryable \(fault): \(error)")
                    #expect(Self.expectedCode(for: fault) == error.code, "request \(index): \(fault) → \(error.code)")
                    if case .moderation(let reasons) = fault { #expect(error.moderationReasons == reasons) }
                case nil:
                    Issue.record("request \(index) has no result")
                }
            }
            // The mix really happened: retries, permanent failures, and both kinds of transport.
            #expect(retried > 30)
            #expect(failures > 5 && failures < 60)
            #expect(await client.ledger.total.requests == 300 - failures)
        }
    }

    /// Done-when 2, second half: with a limit of 20 per window, no window sees more than 20
    /// arrivals and the emulator never has to answer 429. The window is shortened to 3 s so the
    /// test takes seconds (the governor treats any window length the same way);
    /// `rateLimitIsNeverProvokedInRealMinutes` runs OpenRouter's real 60 s window.
    @Test func rateLimitIsNeverProvoked() async throws {
        try await checkRateLimit(window: .seconds(3), requests: 50)
    }

    @Test(.enabled(if: ProcessInfo.processInfo.environment["PERUSE_LONG_TESTS"] == "1", "about 2 minutes; PERUSE_LONG_TESTS=1"))
    func rateLimitIsNeverProvokedInRealMinutes() async throws {
        try await checkRateLimit(window: .seconds(60), requests: 45)
    }

    func checkRateLimit(window: Duration, requests: Int) async throws {
        var configuration = EmulatorConfiguration()
        configuration.rateLimit = .init(requests: 20, window: window)
        try await withEmulator(configuration) { emulator in
            let client = makeClient(emulator, concurrency: 8, requestsPerMinute: 20, rateWindow: window)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<requests {
                    group.addTask {
                        _ = try await client.complete(
                            ChatRequest(model: SeedModels.maverick, messages: [.user(text: "Request #\(index)")]))
                    }
                }
                try await group.waitForAll()
            }
            try await client.shutdown()
            let arrivals = emulator.received.filter { $0.path.hasSuffix("/chat/completions") }.map(\.arrival).sorted()
            let counters = emulator.counters
            #expect(arrivals.count == requests)
            #expect(counters.perMinuteLimited == 0)
            #expect(counters.byStatus[429] == nil)
            let seconds = Double(window.components.seconds)
            var tail = 0
            var busiest = 0
            for head in arrivals.indices {
                while arrivals[head].timeIntervalSince(arrivals[tail]) >= seconds { tail += 1 }
                busiest = max(busiest, head - tail + 1)
            }
            #expect(busiest <= 20)
            #expect(busiest >= 15)  // and the limit is used, not wasted
        }
    }

    /// The images sent are the images received, in order, in the right request.
    @Test func imagesArriveIntactAndInOrder() async throws {
        try await withEmulator(EmulatorConfiguration()) { emulator in
            let client = makeClient(emulator)
            let jpeg = try TestImages.jpegDataURL()
            let png = try TestImages.pngDataURL()
            let answer = try await client.complete(
                ChatRequest(model: SeedModels.maverick, messages: [.user(text: "Two images", images: [jpeg, png])]))
            var streamed = ""
            for try await event in client.stream(
                ChatRequest(model: SeedModels.maverick, messages: [.user(text: "One image", images: [png])]))
            {
                if case .content(let text) = event { streamed += text }
            }
            try await client.shutdown()
            let received = emulator.received.filter { $0.path.hasSuffix("/chat/completions") }
            #expect(received.count == 2)
            #expect(received.first?.images.map(\.mimeType) == ["image/jpeg", "image/png"])
            #expect(received.first?.images.first?.byteCount == (try TestPaths.corpusData("jpeg/go-image-testdata/video-001.jpeg")).count)
            #expect(answer.text == received.first?.defaultAnswer)
            #expect(streamed == received.last?.defaultAnswer)
            #expect(answer.text.hasPrefix("image 1: 150x103"))
        }
    }

    @Test func seedModelBehaviourEndToEnd() async throws {
        var configuration = EmulatorConfiguration()
        configuration.reasoningInContent = true
        try await withEmulator(configuration) { emulator in
            let client = makeClient(emulator)
            var thinking = ChatRequest(model: SeedModels.nemotronUltra, messages: [.user(text: "Think.")])
            thinking.reasoning = ReasoningOptions(effort: "high")
            _ = try await client.complete(thinking)
            _ = try await client.complete(ChatRequest(model: SeedModels.nemotronUltra, messages: [.user(text: "Quick.")]))
            let mai = try await client.complete(ChatRequest(model: SeedModels.maiDSR1, messages: [.user(text: "Reason.")]))
            let refused = await #expect(throws: OpenRouterError.self) {
                try await client.complete(
                    ChatRequest(model: SeedModels.maiDSR1, messages: [.user(text: "See", images: [try TestImages.pngDataURL()])]))
            }
            try await client.shutdown()
            let received = emulator.received.filter { $0.path.hasSuffix("/chat/completions") }
            #expect(received.map(\.detailedThinking) == [true, false, nil])
            #expect(!mai.text.contains("<think>"))
            #expect(mai.reasoning?.isEmpty == false)
            #expect(refused?.code == .imagesNotSupported)
            #expect(refused?.model == SeedModels.maiDSR1)
        }
    }

    @Test func contextTooLongCarriesNumbersFromTheEmulator() async throws {
        var configuration = EmulatorConfiguration()
        configuration.contextOverrides[SeedModels.maverick] = 1_000
        try await withEmulator(configuration) { emulator in
            let client = makeClient(emulator)
            var request = ChatRequest(
                model: SeedModels.maverick, messages: [.user(text: String(repeating: "long text ", count: 2_000))])
            request.maxTokens = 100
            let error = await #expect(throws: OpenRouterError.self) { try await client.complete(request) }
            try await client.shutdown()
            let chatCount = emulator.received.filter { $0.path.hasSuffix("/chat/completions") }.count
            guard let error, error.code == .contextTooLong else {
                Issue.record("expected contextTooLong, got \(String(describing: error))")
                return
            }
            #expect(error.contextLength == 1_000)
            #expect((error.requestedTokens ?? 0) > 1_000)
            #expect(chatCount == 1)  // not retried
        }
    }

    @Test func dailyCapStopsTheRunAgainstTheEmulator() async throws {
        var configuration = EmulatorConfiguration()
        configuration.dailyCap = 5
        try await withEmulator(configuration) { emulator in
            let client = makeClient(emulator, concurrency: 2)
            var outcomes: [Result<ChatCompletion, OpenRouterError>] = []
            for index in 0..<12 {
                do {
                    outcomes.append(.success(try await client.complete(
                        ChatRequest(model: SeedModels.maverick, messages: [.user(text: "Request #\(index)")]))))
                } catch let error as OpenRouterError {
                    outcomes.append(.failure(error))
                }
            }
            try await client.shutdown()
            let sent = emulator.received.filter { $0.path.hasSuffix("/chat/completions") }.count
            #expect(outcomes.prefix(5).allSatisfy { if case .success = $0 { true } else { false } })
            for outcome in outcomes.dropFirst(5) {
                guard case .failure(let error) = outcome else {
                    Issue.record("answered past the daily cap")
                    continue
                }
                #expect(error.code == .dailyCapReached)
            }
            #expect(sent == 6)  // five answered, one 429, then nothing more on the wire
        }
    }

    @Test func modelsComeFromTheEmulator() async throws {
        var configuration = EmulatorConfiguration()
        configuration.contextOverrides[SeedModels.maverick] = 32_768
        try await withEmulator(configuration) { emulator in
            let client = makeClient(emulator)
            let catalog = await client.models()
            try await client.shutdown()
            #expect(catalog.source == .endpoint)
            #expect(Set(catalog.models.map(\.id)).isSuperset(of: [SeedModels.maverick, SeedModels.nemotronUltra, SeedModels.maiDSR1]))
            #expect(catalog.model(SeedModels.maverick)?.supportsImages == true)
            #expect(catalog.model(SeedModels.nemotronUltra)?.supportsImages == false)
            #expect(catalog.model(SeedModels.maiDSR1)?.contextLength == 163_840)
        }
    }
}
