import Foundation
import NIOCore
import PeruseTesting
import Testing

@testable import OpenRouter

/// Every fixture in ../shared/openrouter/fixtures is parsed the way the official SDK
/// (parse_response.py) parses it, and leniently where the SDK is stricter than the service.
@Suite struct FixtureParsingTests {
    /// Runs the client's own streaming path over a recorded transcript.
    func streamTranscript(_ name: String, chunkSize: Int = 7) async throws -> (events: [ChatStreamEvent], error: OpenRouterError?) {
        let transcript = String(decoding: try TestPaths.fixture(name), as: UTF8.self)
        let transport = ScriptedTransport([.respond(status: 200, body: transcript, chunkSize: chunkSize)])
        let client = OpenRouterClient(
            configuration: OpenRouterConfiguration(baseURL: "http://127.0.0.1:9/api/v1", retryPolicy: .none),
            transport: transport, clock: VirtualClock())
        var events: [ChatStreamEvent] = []
        do {
            for try await event in client.stream(ChatRequest(model: "openai/gpt-4o", messages: [.user(text: "hi")])) {
                events.append(event)
            }
            return (events, nil)
        } catch let error as OpenRouterError {
            return (events, error)
        }
    }

    func completeJSON(_ name: String) async throws -> ChatCompletion {
        let body = String(decoding: try TestPaths.fixture(name), as: UTF8.self)
        let transport = ScriptedTransport([.respond(status: 200, body: body)])
        let client = OpenRouterClient(
            configuration: OpenRouterConfiguration(baseURL: "http://127.0.0.1:9/api/v1", retryPolicy: .none),
            transport: transport, clock: VirtualClock())
        return try await client.complete(ChatRequest(model: "openai/gpt-4o", messages: [.user(text: "hi")]))
    }

    func sdkSays(_ name: String) throws -> Python.Output? {
        guard Python.sdkAvailable else {
            if TestEnvironment.isCI { Issue.record("python3 with the openrouter SDK is required in CI (scripts/setup.sh --test)") }
            return nil
        }
        return try Python.run([
            TestPaths.openrouter.appendingPathComponent("parse_response.py").path,
            TestPaths.openrouterFixtures.appendingPathComponent(name).path,
        ])
    }

    @Test func nonStreamingResponseWithReasoning() async throws {
        let answer = try await completeJSON("resp_nonstream.json")
        #expect(answer.id == "gen-1700000000-abc")
        #expect(answer.model == "microsoft/mai-ds-r1:free")
        #expect(answer.provider == "Chutes")
        #expect(answer.text == #"{"answer": "$1,234.00"}"#)
        #expect(answer.reasoning == "The total line reads $1,234.00 ...")
        #expect(answer.finishReason == .stop)
        #expect(answer.usage == Usage(promptTokens: 1210, completionTokens: 85, totalTokens: 1295, cost: 0, cachedTokens: 0, reasoningTokens: 70))
        if let sdk = try sdkSays("resp_nonstream.json") {
            #expect(sdk.status == 0)
            #expect(sdk.stdout.contains("model=\(answer.model) finish_reason=stop"))
            #expect(sdk.stdout.contains("content=\(Python.repr(answer.text))"))
            #expect(sdk.stdout.contains("usage: prompt=1210 completion=85 total=1295 reasoning=70 cost=0.0"))
        }
    }

    /// The docs' own example lacks `created`, `object`, `system_fingerprint` and `index`: the
    /// SDK rejects it, the client must not.
    @Test func docsMinimalExampleDecodesLeniently() async throws {
        let answer = try await completeJSON("resp_docs_minimal_example.json")
        #expect(answer.text == "Hello there!")
        #expect(answer.model == "openai/gpt-4o")
        #expect(answer.usage?.totalTokens == 14)
        #expect(answer.cost == 0.00014)
        if let sdk = try sdkSays("resp_docs_minimal_example.json") {
            #expect(sdk.status != 0)
            #expect(sdk.stdout.contains("created: Field required"))
        }
    }

    @Test(arguments: [1, 7, 64, 100_000])
    func streamOK(chunkSize: Int) async throws {
        let (events, error) = try await streamTranscript("stream_ok.sse", chunkSize: chunkSize)
        #expect(error == nil)
        let text = events.compactMap { event -> String? in
            if case .content(let t) = event { return t }
            return nil
        }.joined()
        let reasoning = events.compactMap { event -> String? in
            if case .reasoning(let t) = event { return t }
            return nil
        }.joined()
        #expect(text == "The total is $1,234.00.")
        #expect(reasoning == "Looking at the total")
        guard case .completed(let answer) = events.last else {
            Issue.record("no completed event")
            return
        }
        #expect(answer.text == text)
        #expect(answer.reasoning == reasoning)
        #expect(answer.finishReason == .stop)
        #expect(answer.usage?.promptTokens == 1210)
        #expect(answer.usage?.completionTokens == 9)
        #expect(answer.id == "gen-1700000001-xyz")
        if let sdk = try sdkSays("stream_ok.sse") {
            #expect(sdk.status == 0)
            #expect(sdk.stdout.contains("finish_reason=stop"))
            #expect(sdk.stdout.contains("content=\(Python.repr(text)) reasoning=\(Python.repr(reasoning))"))
            #expect(sdk.stdout.contains("prompt=1210 completion=9 total=1219"))
        }
    }

    @Test func midStreamErrorWithIntegerCode() async throws {
        let (events, error) = try await streamTranscript("stream_midstream_error_int.sse")
        #expect(events == [.content("Partial ans")])
        let failure = try #require(error)
        #expect(failure.code == .midStream(partialText: "Partial ans"))
        #expect(failure.serverCode == "429")
        #expect(failure.message.contains("Provider disconnected unexpectedly"))
        if let sdk = try sdkSays("stream_midstream_error_int.sse") {
            #expect(sdk.stdout.contains("mid-stream error: code=429"))
            #expect(sdk.stdout.contains("content='Partial ans'"))
            #expect(sdk.stdout.contains("finish_reason=error"))
        }
    }

    /// The SDK chokes on a string `error.code`; the client keeps it and the partial text.
    @Test func midStreamErrorWithStringCode() async throws {
        let (events, error) = try await streamTranscript("stream_midstream_error_str.sse")
        #expect(events == [.content("Partial ans")])
        let failure = try #require(error)
        #expect(failure.code == .midStream(partialText: "Partial ans"))
        #expect(failure.serverCode == "server_error")
        #expect(failure.isRetryable)
        if let sdk = try sdkSays("stream_midstream_error_str.sse") {
            #expect(sdk.status != 0)
            #expect(sdk.stdout.contains("data.error.code: Input should be a valid integer"))
        }
    }

    /// Every fixture file is covered by a test above (a new fixture must get one).
    @Test func everyFixtureIsCovered() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: TestPaths.openrouterFixtures.path)
        let responses = Set(names.filter { !$0.hasPrefix("req_") })
        #expect(responses == [
            "resp_nonstream.json", "resp_docs_minimal_example.json", "stream_ok.sse",
            "stream_midstream_error_int.sse", "stream_midstream_error_str.sse",
        ])
    }

    /// The request fixtures decode into the client's request type (the good ones), and the
    /// broken ones are refused by the decoder or the validator.
    @Test func requestFixturesDecode() throws {
        let good = try JSONDecoder().decode(ChatRequest.self, from: try TestPaths.fixture("req_good.json"))
        #expect(good.model == SeedModels.maverick)
        #expect(good.models == [SeedModels.nemotronUltra, SeedModels.maiDSR1])
        #expect(good.imageCount == 1)
        #expect(good.responseFormat?.jsonSchema?.name == "answer")
        #expect(good.provider?.allowFallbacks == true)
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(ChatRequest.self, from: try TestPaths.fixture("req_bad_role.json"))
        }
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(ChatRequest.self, from: try TestPaths.fixture("req_bad_image_no_url.json"))
        }
    }
}
