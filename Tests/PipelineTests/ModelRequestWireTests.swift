import Foundation
import OpenRouter
import PeruseTesting
import Testing

@testable import Pipeline

/// The cache key is the hash of the `OpenRouter` client's own body: one encoder, so a test
/// double hashes what the real service would send, and no failure hashes to a shared key.
@Suite struct ModelRequestWireTests {
    static let base = ModelRequest(
        model: "acme/vision", messages: [.init(role: "user", parts: [.text("Describe it.")])])

    /// Requests that differ in one thing the model would see each.
    static var variants: [ModelRequest] {
        var all = [base]
        func with(_ change: (inout ModelRequest) -> Void) {
            var request = base
            change(&request)
            all.append(request)
        }
        with { $0.model = "acme/other" }
        with { $0.messages[0].role = "system" }
        with { $0.messages[0].parts = [.text("Describe it!")] }
        with { $0.messages[0].parts = [.text("Describe"), .text(" it.")] }
        with { $0.messages[0].parts = [.text("Describe it."), .image(url: "data:image/png;base64,AAAA", name: "a.png")] }
        with { $0.messages[0].parts = [.text("Describe it."), .image(url: "data:image/png;base64,AAAB", name: "a.png")] }
        with { $0.messages[0].parts = [.image(url: "data:image/png;base64,AAAA", name: "a.png"), .text("Describe it.")] }
        with { $0.messages.insert(.init(role: "system", parts: [.text("Be brief.")]), at: 0) }
        with { $0.maxTokens = 100 }
        with { $0.maxTokens = 101 }
        with { $0.temperature = 0 }
        with { $0.temperature = 0.5 }
        with { $0.jsonSchema = #"{"type":"object"}"# }
        with { $0.jsonSchema = #"{"type":"string"}"# }
        return all
    }

    @Test func differentRequestsNeverShareAKey() throws {
        let chat = RecordingChat { _ in "" }
        let keys = try Self.variants.map { ModelRequest.cacheKey(of: try chat.requestBody(for: $0)) }
        #expect(Set(keys).count == keys.count)
        // The same request gives the same key every time (sorted keys, no randomness).
        #expect(keys == (try Self.variants.map { ModelRequest.cacheKey(of: try $0.wireBody()) }))
    }

    @Test func theBodyIsTheClientsBody() throws {
        for request in Self.variants {
            let body = try request.wireBody()
            #expect(body == (try OpenRouterClient.requestBody(for: request.chatRequest())))
            #expect(!body.isEmpty)
        }
        // One text part goes as a plain string, text-only servers accept it.
        let object = try #require(JSONSerialization.jsonObject(with: Self.base.wireBody()) as? [String: Any])
        let messages = try #require(object["messages"] as? [[String: Any]])
        #expect(messages.first?["content"] as? String == "Describe it.")
    }

    @Test func aSchemaThatIsNotJSONThrowsInsteadOfHashingNothing() {
        var request = Self.base
        request.jsonSchema = "{not json"
        #expect(throws: (any Error).self) { try request.wireBody() }
        #expect(throws: (any Error).self) { try RecordingChat { _ in "" }.requestBody(for: request) }
    }
}
