import Foundation
import Testing

@testable import OpenRouter

@Suite struct ErrorMappingTests {
    func map(_ status: Int, _ body: String, headers: [(name: String, value: String)] = []) -> OpenRouterError {
        let envelope = try? JSONDecoder().decode(WireErrorEnvelope.self, from: Data(body.utf8))
        return OpenRouterError.fromResponse(
            status: status, headers: headers, error: envelope?.error, rawBody: body, model: SeedModels.maverick,
            redactor: Redactor(secret: "sk-or-v1-topsecret"))
    }

    @Test(arguments: [
        (400, OpenRouterError.Code.badRequest, false), (401, .badKey, false), (402, .noCredits, false),
        (404, .modelNotFound, false), (408, .timeout, true), (413, .payloadTooLarge, false), (429, .rateLimited, true),
        (500, .providerDown, true), (502, .providerDown, true), (503, .providerDown, true), (524, .providerDown, true),
        (529, .providerDown, true),
    ])
    func statusMapsToCodeAndRetryability(status: Int, code: OpenRouterError.Code, retryable: Bool) {
        let error = map(status, #"{"error":{"code":\#(status),"message":"something"}}"#)
        #expect(error.code == code)
        #expect(error.isRetryable == retryable)
        #expect(error.status == status)
        #expect(error.message.contains("something"))
    }

    /// Every status an endpoint can send (3xx to 5xx), through the real mapping: retried are
    /// exactly 408, 425, 429 (not the daily cap) and the 5xx outages. Only 425 arrives as a
    /// bare `.http` status that is retried; 408 and the outages have their own codes.
    @Test func retryDecisionCoversEveryStatus() {
        let retried: Set<Int> = [408, 425, 429, 500, 502, 503, 504, 520, 522, 524, 529]
        for status in 300...599 {
            let error = map(status, #"{"error":{"code":\#(status),"message":"something"}}"#)
            #expect(error.isRetryable == retried.contains(status), "HTTP \(status) → \(error.code)")
            if error.code == .http { #expect(error.status == status) }
        }
        #expect(map(425, "too early").code == .http)
        #expect(map(418, "teapot").code == .http)
        #expect(!map(418, "teapot").isRetryable)
    }

    @Test func codesCompareByKindAndPrintTheirName() {
        #expect(OpenRouterError.Code.badKey == .badKey)
        #expect(OpenRouterError.Code.badKey != .noCredits)
        #expect("\(OpenRouterError.Code.midStream)" == "midStream")
    }

    @Test func moderationKeepsReasons() {
        let error = map(403, #"""
            {"error":{"code":403,"message":"Input flagged","metadata":{"reasons":["violence","self-harm"],"flagged_input":"…","provider_name":"X","model_slug":"m"}}}
            """#)
        #expect(error.code == .moderation)
        #expect(error.moderationReasons == ["violence", "self-harm"])
        #expect(error.message.contains("violence, self-harm"))
        #expect(!error.isRetryable)
    }

    @Test func contextLengthCarriesTheNumbers() {
        let error = map(400, #"""
            {"error":{"code":400,"message":"This endpoint's maximum context length is 131072 tokens. However, you requested about 140,321 tokens (139321 of text input, 1000 in the output). Please reduce the length of either one.","metadata":{"error_type":"context_length_exceeded"}}}
            """#)
        #expect(error.code == .contextTooLong)
        #expect(error.requestedTokens == 140_321)
        #expect(error.contextLength == 131_072)
        #expect(error.message.contains("140321"))
        #expect(!error.isRetryable)
    }

    @Test func dailyCapIsNotRetried() {
        let error = map(
            429, #"{"error":{"code":429,"message":"Rate limit exceeded: free-models-per-day. Add 10 credits to unlock 1000 free model requests per day"}}"#)
        #expect(error.code == .dailyCapReached)
        #expect(!error.isRetryable)
        #expect(error.stopsRun)
        let perMinute = map(429, #"{"error":{"code":429,"message":"Rate limit exceeded: free-models-per-min."}}"#)
        #expect(perMinute.code == .rateLimited)
        #expect(perMinute.isRetryable)
    }

    @Test func retryAfterSecondsAndDates() {
        #expect(OpenRouterError.retryAfter(headers: [("Retry-After", "7")]) == .seconds(7))
        #expect(OpenRouterError.retryAfter(headers: [("retry-after", "1.5")]) == .milliseconds(1500))
        let now = Date(timeIntervalSince1970: 1_700_000_000)
        let date = OpenRouterError.retryAfter(headers: [("Retry-After", "Tue, 14 Nov 2023 22:13:40 GMT")], now: now)
        #expect(date == .seconds(20))
        let reset = OpenRouterError.retryAfter(headers: [("X-RateLimit-Reset", "1700000030000")], now: now)
        #expect(reset == .seconds(30))
        #expect(OpenRouterError.retryAfter(headers: [("Retry-After", "soon")]) == nil)
    }

    @Test func stringErrorCodesAndNonJSONBodies() {
        let error = map(502, #"{"error":{"code":"upstream_error","message":"bad gateway"}}"#)
        #expect(error.serverCode == "upstream_error")
        #expect(error.code == .providerDown)
        let html = map(503, "<html>Service Unavailable</html>")
        #expect(html.code == .providerDown)
        #expect(html.message.contains("Service Unavailable"))
    }

    @Test func echoedKeyIsRedacted() {
        let error = map(401, #"{"error":{"code":401,"message":"Invalid key Bearer sk-or-v1-topsecret"}}"#)
        #expect(error.code == .badKey)
        #expect(!error.message.contains("topsecret"))
        #expect(!error.description.contains("topsecret"))
        #expect(error.message.contains("[redacted]"))
    }

    @Test func configurationDescriptionHidesTheKey() {
        let configuration = OpenRouterConfiguration(apiKey: "sk-or-v1-topsecret")
        #expect(!configuration.description.contains("topsecret"))
        #expect(!"\(configuration)".contains("topsecret"))
        #expect(configuration.description.contains("set (hidden)"))
    }

    @Test func environmentConfiguration() {
        let configuration = OpenRouterConfiguration.fromEnvironment(environment: [
            "OPENROUTER_API_KEY": "k", "OPENROUTER_BASE_URL": "http://127.0.0.1:1234/v1/", "HOME": "/home/u",
        ])
        #expect(configuration.baseURL == "http://127.0.0.1:1234/v1")
        #expect(configuration.apiKey == "k")
        #expect(configuration.modelCacheDirectory?.path == "/home/u/.cache/peruse")
        let flag = OpenRouterConfiguration.fromEnvironment(baseURL: "http://h/v1", environment: ["OPENROUTER_BASE_URL": "http://x"])
        #expect(flag.baseURL == "http://h/v1")
        #expect(flag.apiKey == nil)
        #expect(OpenRouterConfiguration.fromEnvironment(environment: [:]).baseURL == "https://openrouter.ai/api/v1")
    }
}
