import Foundation
import OpenRouterEmulator
import PeruseTesting
import Testing

@testable import OpenRouter

/// The examples in the doc comments of ``OpenRouterConfiguration`` and ``OpenRouterClient``,
/// line for line against the local emulator: an example that stops matching the API stops
/// this file from building. Only the environment (given, not read) and the image bytes differ.
@Suite struct DocumentationExampleTests {
    @Test func configurationExample() async throws {
        let emulator = try await OpenRouterEmulator.start(EmulatorConfiguration())
        let environment = [
            "OPENROUTER_API_KEY": EmulatorConfiguration.defaultAPIKey, "OPENROUTER_BASE_URL": emulator.baseURL,
        ]
        let outcome = await Result {
            var configuration = OpenRouterConfiguration.fromEnvironment(environment: environment)
            configuration.maxConcurrency = 4
            configuration.retryPolicy = RetryPolicy(maxAttempts: 3)
            let client = OpenRouterClient(configuration: configuration)
            let answer = try await client.complete(ChatRequest(model: SeedModels.maverick, messages: [.user(text: "Hello")]))
            try await client.shutdown()  // once, when done: the client owns a connection pool
            return answer
        }
        try await emulator.shutdown()
        let answer = try outcome.get()
        #expect(!answer.text.isEmpty)
        #expect(emulator.received.count >= 1)
    }

    @Test func clientExample() async throws {
        let emulator = try await OpenRouterEmulator.start(EmulatorConfiguration())
        let environment = [
            "OPENROUTER_API_KEY": EmulatorConfiguration.defaultAPIKey, "OPENROUTER_BASE_URL": emulator.baseURL,
        ]
        let b64 = try Data(contentsOf: TestPaths.corpus.appendingPathComponent("jpeg/go-image-testdata/video-001.jpeg")).base64EncodedString()
        var printed: [String] = []
        func print(_ items: Any...) { printed.append(items.map { "\($0)" }.joined(separator: " ")) }
        let outcome = await Result {
            let client = OpenRouterClient(configuration: .fromEnvironment(environment: environment))
            do {
                let answer = try await client.complete(ChatRequest(model: SeedModels.maverick, messages: [
                    .user(text: "Describe this photo.", images: [ImageURL(mimeType: "image/jpeg", base64: b64)]),
                ]))
                print(answer.text, answer.usage?.promptTokens ?? 0, answer.cost)
            } catch let error as OpenRouterError {
                print(error.message)
            }
            try await client.shutdown()  // always, once: it owns an HTTP connection pool
        }
        try await emulator.shutdown()
        try outcome.get()
        #expect(printed.count == 1)
        #expect(emulator.received.contains { $0.path.hasSuffix("/chat/completions") })
    }
}

extension Result where Failure == any Error {
    /// `Result(catching:)` for async work, so a test can shut its emulator down either way.
    init(_ body: () async throws -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }
}
