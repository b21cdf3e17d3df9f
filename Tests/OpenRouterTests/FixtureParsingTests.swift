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

    func sdkSays(_ name: String) throws -> Python.Output {
        try Python.run([
            TestPaths.openrouter.appendingPathComponent("parse_response.py").path,
            TestPaths.openrouterFixtures.appendingPathComponent(name).path,
        ])
    }

    /// OpenRouter's Python SDK reads each fixture as the tests here say the client does (or,
    /// where the SDK is stricter, refuses it where the client is lenient).
    @Test(
        .enabled(if: Python.shouldRun, "needs python3 with openrouter + jsonschema (required when CI=true)"),
        arguments: [
            SDKReading(
                "resp_nonstream.json", succeeds: true,
                says: [
                    "model=microsoft/mai-ds-r1:free finish_reason=stop",
                    "content=" + Python.repr(#"{"answer": "$1,234.00"}"#),
                    "usage: prompt=1210 completion=85 total=1295 reasoning=70 cost=0.0",
                ]),
            SDKReading("resp_docs_minimal_example.json", succeeds: false, says: ["created: Field required"]),
            SDKReading(
                "stream_ok.sse", succeeds: true,
                says: [
                    "finish_reason=stop",
                    "content=\(Python.repr("The total is $1,234.00.")) reasoning=\(Python.repr("Looking at the total"))",
                    "prompt=1210 completion=9 total=1219",
                ]),
            SDKReading(
                "stream_midstream_error_int.sse", succeeds: nil,
                says: ["mid-stream error: code=429", "content='Partial ans'", "finish_reason=error"]),
            SDKReading(
                "stream_midstream_error_str.sse", succeeds: false,
                says: ["data.error.code: Input should be a valid integer"]),
        ])
    func theSDKAgrees(_ reading: SDKReading) throws {
        let sdk = try sdkSays(reading.fixture)
        if let succeeds = reading.succeeds { #expect((sdk.status == 0) == succeeds, "\(sdk.stdout)") }
        for line in reading.says { #expect(sdk.stdout.contains(line), "\(sdk.stdout)") }
    }

    struct SDKReading: Sendable, CustomTestStringConvertible {
        var fixture: String
        var succeeds: Bool?  // nil: the exit status is not checked
        var says: [String]
        init(_ fixture: String, succeeds: Bool?, says: [String]) {
            self.fixture = fixture
            self.succeeds = succeeds
            self.says = says
        }
        var testDescription: String { fixture }
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
    }

    /// The docs' own example lacks `created`, `object`, `system_fingerprint` and `index`: the
    /// SDK rejects it, the client must not.
    @Test func docsMinimalExampleDecodesLeniently() async throws {
        let answer = try await completeJSON("resp_docs_minimal_example.json")
        #expect(answer.text == "Hello there!")
        #expect(answer.model == "openai/gpt-4o")
        #expect(answer.usage?.totalTokens == 14)
        #expect(answer.cost == 0.00014)
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
    }

    @Test func midStreamErrorWithIntegerCode() async throws {
        let (events, error) = try await streamTranscript("stream_midstream_error_int.sse")
        #expect(events == [.content("Partial ans")])
        let failure = try #require(error)
        #expect(failure.code == .midStream)
        #expect(failure.partialText == "Partial ans")
        #expect(failure.serverCode == "429")
        #expect(failure.message.contains("Provider disconnected unexpectedly"))
    }

    /// The SDK chokes on a string `error.code`; the client keeps it and the partial text.
    @Test func midStreamErrorWithStringCode() async throws {
        let (events, error) = try await streamTranscript("stream_midstream_error_str.sse")
        #expect(events == [.content("Partial ans")])
        let failure = try #require(error)
        #expect(failure.code == .midStream)
        #expect(failure.partialText == "Partial ans")
        #expect(failure.serverCode == "server_error")
        #expect(failure.isRetryable)
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
