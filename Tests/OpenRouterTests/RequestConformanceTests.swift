import Foundation
import PeruseTesting
import Testing

@testable import OpenRouter

/// Done-when 1: every kind of request body the client produces passes OpenRouter's own schema
/// and SDK model (`validate_request.py --openapi openapi.json`). The bodies checked are the
/// bytes the client actually sent, captured by a scripted transport.
@Suite struct RequestConformanceTests {
    static let schema: JSONValue = [
        "type": "object",
        "properties": ["caption": ["type": "string"], "objects": ["type": "array", "items": ["type": "string"]]],
        "required": ["caption", "objects"],
        "additionalProperties": false,
    ]

    /// (name, request, streamed) for every shape the issue lists.
    static func requests() throws -> [(String, ChatRequest, Bool)] {
        let jpeg = try TestImages.jpegDataURL()
        let png = try TestImages.pngDataURL()
        var plain = ChatRequest(model: SeedModels.maverick, messages: [
            .system("You describe images."), .user(text: "Say hello."),
        ])
        plain.maxTokens = 200
        plain.temperature = 0.2

        var multimodal = ChatRequest(model: SeedModels.maverick, messages: [
            .user(text: "Compare these images.", images: [jpeg, png, jpeg, png]),
        ])
        multimodal.maxTokens = 500

        var structured = ChatRequest(model: SeedModels.maverick, messages: [
            .user(text: "Caption this image as JSON.", images: [jpeg]),
        ])
        structured.responseFormat = .jsonSchema(name: "caption", schema: schema)
        structured.provider = ProviderPreferences(requireParameters: true)

        var fallback = ChatRequest(
            model: SeedModels.maverick, models: [SeedModels.maverick, "meta-llama/llama-4-scout:free"],
            messages: [.user(text: "Describe.", images: [png])])
        fallback.provider = ProviderPreferences(
            order: ["chutes"], allowFallbacks: true, dataCollection: "deny", sort: "throughput")

        var nemotronThinking = ChatRequest(model: SeedModels.nemotronUltra, messages: [
            .system("Summarize faithfully."), .user(text: "Summarize: the cat sat on the mat."),
        ])
        nemotronThinking.reasoning = ReasoningOptions(effort: "high")
        let nemotronPlain = ChatRequest(model: SeedModels.nemotronUltra, messages: [.user(text: "Hi")])

        var mai = ChatRequest(model: SeedModels.maiDSR1, messages: [.user(text: "What is 2+2?")])
        mai.reasoning = ReasoningOptions(effort: "medium")
        mai.maxTokens = 1000

        return [
            ("plain", plain, false), ("multimodal", multimodal, false), ("streaming", multimodal, true),
            ("json_schema", structured, false), ("fallback", fallback, true),
            ("nemotron_thinking", nemotronThinking, false), ("nemotron_plain", nemotronPlain, true),
            ("mai_ds_r1", mai, false), ("maverick_stream_plain", plain, true),
        ]
    }

    /// Sends each request through the client and returns the bodies it put on the wire.
    static func sentBodies() async throws -> [(String, String)] {
        var bodies: [(String, String)] = []
        for (name, request, streamed) in try requests() {
            let transport = ScriptedTransport(
                [], otherwise: .respond(status: 200, body: streamed ? "data: [DONE]\n\n" : completionJSON(text: "ok")))
            let client = OpenRouterClient(
                configuration: OpenRouterConfiguration(baseURL: "http://127.0.0.1:9/api/v1", apiKey: "sk-or-test"),
                transport: transport, clock: VirtualClock())
            if streamed {
                for try await _ in client.stream(request) {}
            } else {
                _ = try await client.complete(request)
            }
            let chat = transport.requests.filter { $0.url.hasSuffix("/chat/completions") }
            #expect(chat.count == 1)
            let body = chat.first?.body.map { String(buffer: $0) } ?? ""
            #expect(body == String(decoding: try OpenRouterClient.requestBody(for: request, stream: streamed), as: UTF8.self))
            bodies.append((name, body))
        }
        return bodies
    }

    @Test(.enabled(if: Python.shouldRun, "needs python3 with openrouter + jsonschema (required when CI=true)"))
    func everyBodyPassesTheValidator() async throws {
        let folder = try TemporaryFolder()
        let dir = folder.url
        let bodies = try await Self.sentBodies()
        #expect(bodies.count == 9)
        for (name, body) in bodies {
            let file = dir.appendingPathComponent("\(name).json")
            try Data(body.utf8).write(to: file)
            let result = try Python.run([
                TestPaths.openrouter.appendingPathComponent("validate_request.py").path, "--openapi",
                TestPaths.openrouter.appendingPathComponent("openapi.json").path, file.path,
            ])
            #expect(result.status == 0, "\(name): \(result.stdout)")
            #expect(!result.stdout.contains("warning:"), "\(name): \(result.stdout)")
        }
    }

    /// The validator is not a rubber stamp: it rejects the broken fixtures.
    @Test(.enabled(if: Python.shouldRun, "needs python3 with openrouter + jsonschema (required when CI=true)"))
    func validatorRejectsBrokenFixtures() throws {
        for name in ["req_bad_data_url.json", "req_bad_image_no_url.json", "req_bad_role.json"] {
            let result = try Python.run([
                TestPaths.openrouter.appendingPathComponent("validate_request.py").path, "--openapi",
                TestPaths.openrouter.appendingPathComponent("openapi.json").path,
                TestPaths.openrouterFixtures.appendingPathComponent(name).path,
            ])
            #expect(result.status == 1, "\(name) should be invalid")
        }
    }

    @Test func wireNamesAreSnakeCase() async throws {
        let bodies = Dictionary(uniqueKeysWithValues: try await Self.sentBodies())
        let multimodal = try #require(bodies["multimodal"])
        #expect(multimodal.contains(#""image_url":{"#))
        #expect(!multimodal.contains("imageUrl"))
        #expect(multimodal.contains(#""max_tokens":500"#))
        #expect(!multimodal.contains(#"\/"#))  // base64 slashes are not escaped
        // Text first, then the images.
        let text = try #require(multimodal.range(of: #""type":"text""#))
        let image = try #require(multimodal.range(of: #""type":"image_url""#))
        #expect(text.lowerBound < image.lowerBound)
        let structured = try #require(bodies["json_schema"])
        #expect(structured.contains(#""require_parameters":true"#))
        #expect(structured.contains(#""response_format":{"json_schema":{"name":"caption""#))
        #expect(try #require(bodies["streaming"]).contains(#""stream":true"#))
        #expect(try #require(bodies["plain"]).contains(#""stream":false"#))
        let fallback = try #require(bodies["fallback"])
        #expect(fallback.contains(#""models":["meta-llama/llama-4-maverick:free","meta-llama/llama-4-scout:free"]"#))
    }

    @Test func nemotronGetsItsThinkingToggleFirst() throws {
        for (name, request, _) in try Self.requests() where request.model == SeedModels.nemotronUltra {
            let adapted = SeedModels.adapt(request)
            #expect(adapted.messages.first?.role == .system)
            let expected = name == "nemotron_thinking" ? "detailed thinking on" : "detailed thinking off"
            #expect(adapted.messages.first?.text == expected)
            #expect(adapted.messages.count == request.messages.count + 1)
            // Adapting twice does not stack toggles.
            #expect(SeedModels.adapt(adapted).messages.count == adapted.messages.count)
        }
        let maverick = ChatRequest(model: SeedModels.maverick, messages: [.user(text: "x")])
        #expect(SeedModels.adapt(maverick) == maverick)
    }

    @Test func headersCarryKeyRefererAndTitle() async throws {
        let transport = ScriptedTransport([.respond(status: 200, body: completionJSON(text: "ok"))])
        let client = OpenRouterClient(
            configuration: OpenRouterConfiguration(
                baseURL: "http://127.0.0.1:9/api/v1", apiKey: "sk-or-v1-secret", appReferer: "https://example.org",
                appTitle: "Peruse tests"),
            transport: transport, clock: VirtualClock())
        _ = try await client.complete(ChatRequest(model: "x/y", messages: [.user(text: "hi")]))
        let headers = try #require(transport.requests.first?.headers)
        func value(_ name: String) -> String? { headers.first(where: { $0.name == name })?.value }
        #expect(value("Authorization") == "Bearer sk-or-v1-secret")
        #expect(value("HTTP-Referer") == "https://example.org")
        #expect(value("X-Title") == "Peruse tests")
        #expect(value("Content-Type") == "application/json")
        #expect(!"\(transport.requests[0])".contains("secret"))
    }
}
