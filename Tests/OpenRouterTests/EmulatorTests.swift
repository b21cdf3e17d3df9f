import AsyncHTTPClient
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import PeruseTesting
import Testing

@testable import OpenRouterEmulator

@Suite("OpenRouter emulator over HTTP")
struct EmulatorTests {
    @Test func modelsEndpointListsTheSeedModelsWithOverrides() async throws {
        try await withEmulator(configure: { $0.contextOverrides[EmulatedModel.maverickFree.id] = 32_768 }) { emulator in
            let response = try await EmulatorHTTP.send(emulator, method: .GET, path: "/models", key: nil)
            #expect(response.status == 200)
            let data = try #require(response.json["data"] as? [[String: Any]])
            let byID = Dictionary(
                uniqueKeysWithValues: data.compactMap { entry in
                    (entry["id"] as? String).map { ($0, entry) }
                })
            #expect(byID.count == 3)
            #expect(byID["meta-llama/llama-4-maverick:free"]?["context_length"] as? Int == 32_768)
            #expect(byID["nvidia/llama-3.1-nemotron-ultra-253b-v1:free"]?["context_length"] as? Int == 131_072)
            #expect(byID["microsoft/mai-ds-r1:free"]?["context_length"] as? Int == 163_840)
            let maverick = try #require(byID["meta-llama/llama-4-maverick:free"])
            let architecture = try #require(maverick["architecture"] as? [String: Any])
            #expect(architecture["input_modalities"] as? [String] == ["text", "image"])
            #expect((maverick["pricing"] as? [String: Any])?["prompt"] as? String == "0")
            let nemotron = try #require(byID["nvidia/llama-3.1-nemotron-ultra-253b-v1:free"])
            #expect((nemotron["architecture"] as? [String: Any])?["input_modalities"] as? [String] == ["text"])
        }
    }

    @Test func keysAreCheckedAndNeverLogged() async throws {
        try await withEmulator(configure: { $0.noCreditKeys = ["sk-or-v1-broke"] }) { emulator in
            let body = EmulatorHTTP.chatBody()
            let missing = try await EmulatorHTTP.send(emulator, body: body, key: nil)
            #expect(missing.status == 401)
            #expect(missing.errorMessage == "No auth credentials found")
            let wrong = try await EmulatorHTTP.send(emulator, body: body, key: "sk-or-v1-wrong")
            #expect(wrong.status == 401)
            #expect(wrong.errorCode as? Int == 401)
            let broke = try await EmulatorHTTP.send(emulator, body: body, key: "sk-or-v1-broke")
            #expect(broke.status == 402)
            #expect(broke.errorMessage?.contains("credits") == true)
            let good = try await EmulatorHTTP.send(emulator, body: body)
            #expect(good.status == 200)
            let log = emulator.received
            #expect(log.count == 4)
            #expect(log.allSatisfy { $0.headers["authorization"] == nil })
            #expect(log.map { $0.headers["x-title"] } == Array(repeating: "Peruse tests", count: 4))
            #expect(!"\(log)".contains("sk-or-v1-"))
            #expect(emulator.counters.byStatus == [401: 2, 402: 1, 200: 1])
        }
    }

    @Test func answersFromTheImagesAndTextItReceived() async throws {
        let jpeg = try SharedCorpus.bytes("corpus/jpeg/libjpeg-turbo-testimages/testorig.jpg")
        try await withEmulator { emulator in
            let body = EmulatorHTTP.chatBody(
                text: "marker-17", images: [("image/png", SharedCorpus.tinyPNG), ("image/jpeg", jpeg)])
            let response = try await EmulatorHTTP.send(emulator, body: body)
            #expect(response.status == 200)
            let content = try #require(response.content)
            #expect(content.contains("image 1: 4x3 sha256:\(SharedCorpus.tinyPNGSHA256.prefix(12))"))
            #expect(content.contains("image 2: 227x149 sha256:acc6ec555d41"))
            #expect(content.contains("text 1: 9 bytes sha256:"))
            #expect((response.json["id"] as? String)?.hasPrefix("gen-") == true)
            #expect(response.json["model"] as? String == EmulatedModel.maverickFree.id)
            let received = try #require(emulator.received.first)
            #expect(
                received.images.map(\.sha256) == [
                    SharedCorpus.tinyPNGSHA256, "acc6ec555d41d15b368320edaa3b20958ee6fa97cb6e4a18d1213d5ae8bec73b",
                ])
            #expect(received.images.map(\.byteCount) == [73, jpeg.count])
            #expect(received.promptText == "marker-17")
            #expect(received.stream == false)
            #expect(received.outcome?.status == 200)
            let usage = try #require(response.json["usage"] as? [String: Any])
            // 1 + 4 per message + ceil(9/4) text tokens, plus one tile (147) per small image.
            #expect(usage["prompt_tokens"] as? Int == 1 + 4 + 3 + 147 + 147)
            #expect(usage["prompt_tokens"] as? Int == received.promptTokens)
            #expect(usage["cost"] as? Double == 0)
        }
    }

    @Test(arguments: [
        ("req_good.json", 200), ("req_legacy_fields.json", 200), ("req_bad_role.json", 400),
        ("req_bad_data_url.json", 400), ("req_bad_image_no_url.json", 400),
    ])
    func requestFixturesAreJudgedLikeTheService(file: String, status: Int) async throws {
        let body = try SharedCorpus.text("openrouter/fixtures/\(file)")
        try await withEmulator { emulator in
            let response = try await EmulatorHTTP.send(emulator, body: body)
            #expect(response.status == status, "\(response.body)")
            if status == 400 {
                #expect(response.errorCode as? Int == 400)
                #expect(response.errorMessage?.isEmpty == false)
            }
        }
    }

    @Test func rejectsImagesThatAreNotWhatTheyClaim() async throws {
        try await withEmulator { emulator in
            let mislabeled = EmulatorHTTP.chatBody(images: [("image/jpeg", SharedCorpus.tinyPNG)])
            let response = try await EmulatorHTTP.send(emulator, body: mislabeled)
            #expect(response.status == 400)
            #expect(response.errorMessage?.contains("says image/jpeg but the bytes are image/png") == true)

            let truncated = EmulatorHTTP.chatBody(images: [("image/png", Array(SharedCorpus.tinyPNG.prefix(20)))])
            #expect(try await EmulatorHTTP.send(emulator, body: truncated).status == 400)

            let text = EmulatorHTTP.chatBody(images: [("image/png", Array("not an image".utf8))])
            #expect(try await EmulatorHTTP.send(emulator, body: text).status == 400)

            let camelCase =
                #"{"model":"meta-llama/llama-4-maverick:free","messages":[{"role":"user","content":[{"type":"image_url","imageUrl":{"url":"data:image/png;base64,AAAA"}}]}]}"#
            let camel = try await EmulatorHTTP.send(emulator, body: camelCase)
            #expect(camel.status == 400)
            #expect(camel.errorMessage?.contains("snake_case") == true)

            #expect(try await EmulatorHTTP.send(emulator, body: "{not json").status == 400)
            #expect(emulator.counters.admitted == 0)
        }
    }

    @Test func oversizedBodiesGet413AndTheConnectionStaysUsable() async throws {
        try await withEmulator(configure: { $0.maxRequestBytes = 10_000 }) { emulator in
            let big = EmulatorHTTP.chatBody(text: String(repeating: "x", count: 20_000))
            let response = try await EmulatorHTTP.send(emulator, body: big)
            #expect(response.status == 413)
            #expect(response.errorCode as? Int == 413)
            #expect(try await EmulatorHTTP.send(emulator, body: EmulatorHTTP.chatBody()).status == 200)
            #expect(emulator.counters.byStatus == [413: 1, 200: 1])
        }
    }

    @Test func textOnlyModelsRefuseImages() async throws {
        try await withEmulator { emulator in
            let body = EmulatorHTTP.chatBody(
                model: EmulatedModel.nemotronUltraFree.id, images: [("image/png", SharedCorpus.tinyPNG)])
            let response = try await EmulatorHTTP.send(emulator, body: body)
            #expect(response.status == 404)
            #expect(response.errorMessage == "No endpoints found that support image input")
        }
    }

    @Test func streamsLikeTheService() async throws {
        try await withEmulator(configure: {
            $0.latency = .milliseconds(120)
            $0.keepAliveInterval = .milliseconds(50)
        }) {
            emulator in
            let body = EmulatorHTTP.chatBody(
                text: "streamed", images: [("image/png", SharedCorpus.tinyPNG)], stream: true)
            let response = try await EmulatorHTTP.send(emulator, body: body)
            #expect(response.status == 200)
            #expect(response.headers.first(name: "content-type") == "text/event-stream")
            #expect(response.body.hasPrefix(": OPENROUTER PROCESSING\n\n"))
            #expect(response.body.components(separatedBy: ": OPENROUTER PROCESSING").count - 1 >= 2)
            #expect(response.body.hasSuffix("data: [DONE]\n\n"))
            let expected = try #require(emulator.received.first?.defaultAnswer)
            #expect(response.streamedContent == expected)
            let events = response.events
            #expect(events.count > 3)
            let usageEvent = try #require(events.last)
            #expect((usageEvent["choices"] as? [Any])?.isEmpty == true)
            #expect(
                (usageEvent["usage"] as? [String: Any])?["prompt_tokens"] as? Int
                    == emulator.received.first?.promptTokens)
            let finish = events.compactMap { ($0["choices"] as? [[String: Any]])?.first?["finish_reason"] as? String }
            #expect(finish == ["stop"])
            #expect(Set(events.compactMap { $0["id"] as? String }).count == 1)
        }
    }

    @Test func contextLengthIsComputedFromWhatWasReceived() async throws {
        try await withEmulator(configure: { $0.contextOverrides[EmulatedModel.maverickFree.id] = 32_768 }) { emulator in
            let long = String(repeating: "abcd", count: 30_000)  // 30,000 text tokens
            let response = try await EmulatorHTTP.send(
                emulator,
                body: EmulatorHTTP.chatBody(text: long, images: [("image/png", SharedCorpus.tinyPNG)], maxTokens: 4_000)
            )
            #expect(response.status == 400)
            let text = 1 + 4 + 30_000
            #expect(
                response.errorMessage == "This endpoint's maximum context length is 32768 tokens. However, you "
                    + "requested about \(text + 147 + 4_000) tokens (\(text) of text input, 147 of image input, 4000 in the "
                    + "output). Please reduce the length of either one, or use the \"middle-out\" transform to compress "
                    + "your prompt automatically.")
            let fits = try await EmulatorHTTP.send(emulator, body: EmulatorHTTP.chatBody(text: long, maxTokens: 2_000))
            #expect(fits.status == 200)
            let maxEqualsContext = try await EmulatorHTTP.send(
                emulator, body: EmulatorHTTP.chatBody(text: "short", maxTokens: 32_768))
            #expect(maxEqualsContext.status == 400)
        }
    }

    @Test func perMinuteLimitAnswersTheFreeTier429() async throws {
        try await withEmulator(configure: {
            $0.rateLimit = .init(requests: 3, window: .seconds(60))
            $0.apiKeys.insert("sk-or-v1-second")
        }) { emulator in
            for _ in 0..<3 {
                #expect(try await EmulatorHTTP.send(emulator, body: EmulatorHTTP.chatBody()).status == 200)
            }
            let limited = try await EmulatorHTTP.send(emulator, body: EmulatorHTTP.chatBody())
            #expect(limited.status == 429)
            #expect(limited.errorMessage?.contains("free-models-per-min") == true)
            #expect(limited.headers.first(name: "X-RateLimit-Limit") == "3")
            #expect(limited.headers.first(name: "X-RateLimit-Remaining") == "0")
            let reset = try #require(limited.headers.first(name: "X-RateLimit-Reset").flatMap(Int64.init))
            #expect(reset > Int64(Date().timeIntervalSince1970 * 1000))
            let retryAfter = try #require(limited.headers.first(name: "Retry-After").flatMap(Int.init))
            #expect((1...60).contains(retryAfter))
            let metadata = (limited.json["error"] as? [String: Any])?["metadata"] as? [String: Any]
            #expect((metadata?["headers"] as? [String: String])?["X-RateLimit-Limit"] == "3")
            // Another key has its own window.
            let other = try await EmulatorHTTP.send(emulator, body: EmulatorHTTP.chatBody(), key: "sk-or-v1-second")
            #expect(other.status == 200)
            #expect(emulator.counters.perMinuteLimited == 1)
            #expect(emulator.counters.admitted == 4)
        }
    }

    @Test func dailyCapAnswersTheFreeModelsPerDayMessage() async throws {
        try await withEmulator(configure: { $0.dailyCap = 2 }) { emulator in
            #expect(try await EmulatorHTTP.send(emulator, body: EmulatorHTTP.chatBody()).status == 200)
            #expect(try await EmulatorHTTP.send(emulator, body: EmulatorHTTP.chatBody()).status == 200)
            let capped = try await EmulatorHTTP.send(emulator, body: EmulatorHTTP.chatBody())
            #expect(capped.status == 429)
            #expect(
                capped.errorMessage
                    == "Rate limit exceeded: free-models-per-day. Add 10 credits to unlock 1000 free model requests per day"
            )
            #expect(capped.headers.first(name: "X-RateLimit-Limit") == "2")
            #expect(capped.headers.first(name: "Retry-After") == nil)
            #expect(emulator.counters.dailyCapped == 1)
        }
    }

    @Test func scriptedFaultsArriveInOrder() async throws {
        let plan = FaultPlan.scripted([
            .rateLimited(retryAfter: 7), .serverError(status: 503, retryAfter: 2),
            .serverError(status: 529, retryAfter: nil),
            .moderation(reasons: ["violence"]), .timeout, .payloadTooLarge, nil,
        ])
        try await withEmulator(configure: { $0.faults = plan }) { emulator in
            let body = EmulatorHTTP.chatBody(text: "please")
            let first = try await EmulatorHTTP.send(emulator, body: body)
            #expect(first.status == 429)
            #expect(first.headers.first(name: "Retry-After") == "7")
            #expect(first.errorMessage?.contains("temporarily rate-limited upstream") == true)
            let second = try await EmulatorHTTP.send(emulator, body: body)
            #expect(second.status == 503)
            #expect(second.headers.first(name: "Retry-After") == "2")
            #expect(try await EmulatorHTTP.send(emulator, body: body).status == 529)
            let moderated = try await EmulatorHTTP.send(emulator, body: body)
            #expect(moderated.status == 403)
            let metadata = try #require((moderated.json["error"] as? [String: Any])?["metadata"] as? [String: Any])
            #expect(metadata["reasons"] as? [String] == ["violence"])
            #expect(metadata["flagged_input"] as? String == "please")
            #expect(try await EmulatorHTTP.send(emulator, body: body).status == 408)
            #expect(try await EmulatorHTTP.send(emulator, body: body).status == 413)
            #expect(try await EmulatorHTTP.send(emulator, body: body).status == 200)
            #expect(try await EmulatorHTTP.send(emulator, body: body).status == 200)
            #expect(emulator.received.map { $0.outcome?.fault } == plan.faultsForTest + [nil])
        }
    }

    @Test(arguments: [Fault.ErrorCode.integer(502), .string("server_error")])
    func midStreamErrorsKeepStatus200AndThePartialText(code: Fault.ErrorCode) async throws {
        try await withEmulator(configure: {
            $0.faults = .scripted([
                .midStreamError(afterTokens: 2, code: code), .midStreamError(afterTokens: 1, code: code),
            ])
            $0.responder = { _ in "one two three four" }
        }) { emulator in
            let streamed = try await EmulatorHTTP.send(emulator, body: EmulatorHTTP.chatBody(stream: true))
            #expect(streamed.status == 200)
            #expect(streamed.streamedContent == "one two ")
            let last = try #require(streamed.events.last)
            #expect((last["choices"] as? [[String: Any]])?.first?["finish_reason"] as? String == "error")
            let error = try #require(last["error"] as? [String: Any])
            switch code {
            case .integer(let value): #expect(error["code"] as? Int == value)
            case .string(let value): #expect(error["code"] as? String == value)
            }
            #expect(!streamed.body.contains("[DONE]"))

            let plain = try await EmulatorHTTP.send(emulator, body: EmulatorHTTP.chatBody())
            #expect(plain.status == 200)
            #expect(plain.content == "one ")
            #expect(plain.json["error"] != nil)
            #expect(emulator.counters.midStreamErrors == 2)
        }
    }

    @Test func droppedConnectionsCutTheAnswer() async throws {
        try await withEmulator(configure: {
            $0.faults = .scripted([
                .dropConnection(afterTokens: 0), .dropConnection(afterTokens: 2), .dropConnection(afterTokens: 3), nil,
            ])
            $0.responder = { _ in "alpha beta gamma delta epsilon" }
        }) { emulator in
            await #expect(throws: (any Error).self) {
                _ = try await EmulatorHTTP.send(emulator, body: EmulatorHTTP.chatBody())
            }
            await #expect(throws: (any Error).self) {
                _ = try await EmulatorHTTP.send(emulator, body: EmulatorHTTP.chatBody())
            }
            // A stream cut after its head: the client gets 200 and part of the events, then EOF.
            do {
                let partial = try await EmulatorHTTP.send(emulator, body: EmulatorHTTP.chatBody(stream: true))
                #expect(partial.streamedContent == "alpha beta gamma ")
                #expect(!partial.body.contains("[DONE]"))
            } catch {
                // Some clients report the unterminated chunked body as an error: also a drop.
            }
            let whole = try await EmulatorHTTP.send(emulator, body: EmulatorHTTP.chatBody())
            #expect(whole.content == "alpha beta gamma delta epsilon")
            #expect(emulator.counters.droppedConnections == 3)
            #expect(emulator.received.map { $0.outcome?.answeredInFull } == [false, false, false, true])
        }
    }

    @Test func fallbackListMovesProviderFailuresToTheNextModel() async throws {
        try await withEmulator(configure: { $0.faults = .scripted([.serverError(status: 502, retryAfter: nil)]) }) { emulator in
            let body = EmulatorHTTP.chatBody(
                model: EmulatedModel.nemotronUltraFree.id, extra: ["models": [EmulatedModel.maiDSR1Free.id]])
            let response = try await EmulatorHTTP.send(emulator, body: body)
            #expect(response.status == 200)
            #expect(response.json["model"] as? String == EmulatedModel.maiDSR1Free.id)
            #expect(emulator.received.first?.outcome?.answeredBy == EmulatedModel.maiDSR1Free.id)
            #expect(emulator.received.first?.fallbackModels == [EmulatedModel.maiDSR1Free.id])
            #expect(emulator.received.first?.outcome?.answeredInFull == true)
        }
    }

    @Test func clientsThatHangUpMidStreamAreSeen() async throws {
        let seen = EmulatorObserverTally()
        try await withEmulator(configure: {
            $0.tokenDelay = .milliseconds(20)
            $0.responder = { _ in String(repeating: "word ", count: 400) }
            $0.observer = { _ in seen.increment() }
        }) { emulator in
            var request = HTTPClientRequest(url: emulator.baseURL + "/chat/completions")
            request.method = .POST
            request.headers.add(name: "Authorization", value: "Bearer \(EmulatorConfiguration.defaultAPIKey)")
            request.body = .bytes(ByteBuffer(string: EmulatorHTTP.chatBody(stream: true)))
            let client = HTTPClient(eventLoopGroupProvider: .singleton)
            let response = try await client.execute(request, timeout: .seconds(180))
            var iterator = response.body.makeAsyncIterator()
            _ = try await iterator.next()  // the first bytes arrived: the stream is running
            try await client.shutdown()  // hang up, as a cancelled client does
            // The server notices at its next write, within a few token delays.
            try await poll { emulator.counters.clientDisconnects > 0 }
            #expect(emulator.counters.clientDisconnects == 1)
            #expect(emulator.received.first?.outcome?.clientDisconnected == true)
            #expect(emulator.received.first?.outcome?.answeredInFull == false)
            #expect(seen.value == 1)
        }
    }

    @Test func retiredModelsAnswer404AndFallBack() async throws {
        try await withEmulator(configure: { $0.retiredModels = [EmulatedModel.nemotronUltraFree.id] }) { emulator in
            let gone = try await EmulatorHTTP.send(
                emulator, body: EmulatorHTTP.chatBody(model: EmulatedModel.nemotronUltraFree.id))
            #expect(gone.status == 404)
            #expect(gone.errorMessage == "No endpoints found for \(EmulatedModel.nemotronUltraFree.id).")
            let fallback = try await EmulatorHTTP.send(
                emulator,
                body: EmulatorHTTP.chatBody(
                    model: EmulatedModel.nemotronUltraFree.id, extra: ["models": [EmulatedModel.maiDSR1Free.id]]))
            #expect(fallback.json["model"] as? String == EmulatedModel.maiDSR1Free.id)
            let models = try await EmulatorHTTP.send(emulator, method: .GET, path: "/models", key: nil)
            #expect((models.json["data"] as? [Any])?.count == 2)
            let unknown = try await EmulatorHTTP.send(emulator, body: EmulatorHTTP.chatBody(model: "nobody/nothing"))
            #expect(unknown.status == 400)
            #expect(unknown.errorMessage == "nobody/nothing is not a valid model ID")
        }
    }

    @Test func reasoningFollowsEachSeedModel() async throws {
        try await withEmulator { emulator in
            let r1 = try await EmulatorHTTP.send(
                emulator, body: EmulatorHTTP.chatBody(model: EmulatedModel.maiDSR1Free.id))
            let message = try #require((r1.json["choices"] as? [[String: Any]])?.first?["message"] as? [String: Any])
            #expect((message["reasoning"] as? String)?.isEmpty == false)
            let details = (r1.json["usage"] as? [String: Any])?["completion_tokens_details"] as? [String: Any]
            #expect((details?["reasoning_tokens"] as? Int ?? 0) > 0)

            let r1Stream = try await EmulatorHTTP.send(
                emulator, body: EmulatorHTTP.chatBody(model: EmulatedModel.maiDSR1Free.id, stream: true))
            let reasoningDeltas = r1Stream.events.compactMap {
                ((($0["choices"] as? [[String: Any]])?.first?["delta"]) as? [String: Any])?["reasoning"] as? String
            }
            #expect(!reasoningDeltas.isEmpty)

            let nemotron = try await EmulatorHTTP.send(
                emulator,
                body: EmulatorHTTP.chatBody(model: EmulatedModel.nemotronUltraFree.id, system: "detailed thinking off"))
            #expect(nemotron.status == 200)
            #expect(emulator.received.last?.detailedThinking == false)

            let maverick = try await EmulatorHTTP.send(emulator, body: EmulatorHTTP.chatBody())
            let plain = (maverick.json["choices"] as? [[String: Any]])?.first?["message"] as? [String: Any]
            #expect(plain?["reasoning"] is NSNull)
        }
    }

    @Test func thinkTagsCanBeLeftInTheContent() async throws {
        try await withEmulator(configure: { $0.reasoningInContent = true }) { emulator in
            let r1 = try await EmulatorHTTP.send(
                emulator, body: EmulatorHTTP.chatBody(model: EmulatedModel.maiDSR1Free.id))
            #expect(r1.content?.hasPrefix("<think>") == true)
            #expect(r1.content?.contains("</think>\n") == true)
        }
    }

    @Test func responderAnswersFromTheRequest() async throws {
        try await withEmulator(configure: { configuration in
            configuration.responder = { request in
                request.promptText.components(separatedBy: " ").filter { $0.hasPrefix("chunk-") }.joined(separator: ",")
            }
        }) { emulator in
            let response = try await EmulatorHTTP.send(
                emulator, body: EmulatorHTTP.chatBody(text: "see chunk-4 and chunk-9 here"))
            #expect(response.content == "chunk-4,chunk-9")
        }
    }

    @Test func maxTokensCutsTheAnswerWithFinishReasonLength() async throws {
        try await withEmulator(configure: { $0.responder = { _ in String(repeating: "word ", count: 100) } }) { emulator in
            let response = try await EmulatorHTTP.send(emulator, body: EmulatorHTTP.chatBody(maxTokens: 10))
            let choice = try #require((response.json["choices"] as? [[String: Any]])?.first)
            #expect(choice["finish_reason"] as? String == "length")
            #expect(response.content?.utf8.count == 40)
            #expect((response.json["usage"] as? [String: Any])?["completion_tokens"] as? Int == 10)
        }
    }

    @Test func jsonSchemaRequestsGetAConformingDefaultAnswer() async throws {
        try await withEmulator { emulator in
            let schema: [String: Any] = [
                "type": "object",
                "properties": ["answer": ["type": "string"], "pages": ["type": "integer"]],
                "required": ["answer", "pages"], "additionalProperties": false,
            ]
            let body = EmulatorHTTP.chatBody(extra: [
                "response_format": [
                    "type": "json_schema", "json_schema": ["name": "answer", "strict": true, "schema": schema],
                ],
                "provider": ["require_parameters": true],
            ])
            let response = try await EmulatorHTTP.send(emulator, body: body)
            let content = try #require(response.content)
            let object = try #require(try JSONSerialization.jsonObject(with: Data(content.utf8)) as? [String: Any])
            #expect((object["answer"] as? String)?.hasPrefix("text 1:") == true)
            #expect(object["pages"] as? Int == 0)
            #expect(emulator.received.first?.jsonSchema != nil)
        }
    }

    @Test func pricedModelsReportCost() async throws {
        let priced = EmulatedModel(
            id: "test/priced", name: "Priced", contextLength: 8_192,
            pricing: .init(prompt: 0.000001, completion: 0.000002, request: 0.001))
        try await withEmulator(configure: { $0.models.append(priced) }) { emulator in
            let response = try await EmulatorHTTP.send(emulator, body: EmulatorHTTP.chatBody(model: priced.id))
            let usage = try #require(response.json["usage"] as? [String: Any])
            let prompt = try #require(usage["prompt_tokens"] as? Int)
            let completion = try #require(usage["completion_tokens"] as? Int)
            let cost = try #require(usage["cost"] as? Double)
            #expect(abs(cost - (Double(prompt) * 0.000001 + Double(completion) * 0.000002 + 0.001)) < 1e-12)
        }
    }

    @Test func concurrentRequestsAreEachAnsweredFromTheirOwnImage() async throws {
        let jpeg = try SharedCorpus.bytes("corpus/jpeg/libjpeg-turbo-testimages/testorig.jpg")
        try await withEmulator { emulator in
            try await withThrowingTaskGroup(of: (Int, String).self) { group in
                for index in 0..<16 {
                    group.addTask {
                        let images =
                            index.isMultiple(of: 2) ? [("image/png", SharedCorpus.tinyPNG)] : [("image/jpeg", jpeg)]
                        let response = try await EmulatorHTTP.send(
                            emulator, body: EmulatorHTTP.chatBody(text: "request \(index)", images: images))
                        return (index, response.content ?? "")
                    }
                }
                for try await (index, content) in group {
                    #expect(content.contains(index.isMultiple(of: 2) ? "image 1: 4x3" : "image 1: 227x149"))
                }
            }
            #expect(emulator.received.count == 16)
            #expect(Set(emulator.received.map(\.generationID)).count == 16)
        }
    }
}

extension FaultPlan {
    /// The scripted faults, for comparing with the log.
    fileprivate var faultsForTest: [Fault?] {
        (0..<7).map { fault(forRequest: $0) }
    }
}

/// A thread-safe tally for observer callbacks.
final class EmulatorObserverTally: Sendable {
    private let box = NIOLockedValueBox(0)
    func increment() { box.withLockedValue { $0 += 1 } }
    var value: Int { box.withLockedValue { $0 } }
}
