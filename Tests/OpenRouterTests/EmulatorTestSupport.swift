import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import OpenRouterEmulator
import PeruseTesting

/// A raw HTTP exchange with an emulator: status, headers and the body as text.
struct RawResponse {
    var status: Int
    var headers: HTTPHeaders
    var body: String

    /// The body parsed as a JSON object (empty when it is not one).
    var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] ?? [:] }

    var errorMessage: String? { (json["error"] as? [String: Any])?["message"] as? String }
    var errorCode: Any? { (json["error"] as? [String: Any])?["code"] }
    var content: String? {
        (((json["choices"] as? [[String: Any]])?.first?["message"]) as? [String: Any])?["content"] as? String
    }

    /// `data:` payloads of an SSE body, parsed (`[DONE]` excluded).
    var events: [[String: Any]] {
        body.components(separatedBy: "\n").compactMap { line in
            guard line.hasPrefix("data: "), line != "data: [DONE]" else { return nil }
            return (try? JSONSerialization.jsonObject(with: Data(line.dropFirst(6).utf8))) as? [String: Any]
        }
    }

    /// The streamed content deltas joined.
    var streamedContent: String {
        events.compactMap { event in
            ((event["choices"] as? [[String: Any]])?.first?["delta"] as? [String: Any])?["content"] as? String
        }.joined()
    }
}

/// Talks to an emulator the way any HTTP client would, without the project's client.
enum EmulatorHTTP {
    static func send(
        _ emulator: RunningEmulator, method: HTTPMethod = .POST, path: String = "/chat/completions",
        body: String? = nil, key: String? = EmulatorConfiguration.defaultAPIKey
    ) async throws -> RawResponse {
        var request = HTTPClientRequest(url: emulator.baseURL + path)
        request.method = method
        if let key { request.headers.add(name: "Authorization", value: "Bearer \(key)") }
        request.headers.add(name: "X-Title", value: "Peruse tests")
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: body))
        }
        // Generous on purpose: the whole suite runs in parallel on 2 cores, and every emulator
        // in this process parses on NIO's shared thread pool behind the load tests' photo
        // decodes. A deadline here would turn a behaviour test into a timed one (it once hit 30 s).
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(180))
        var collected = ByteBuffer()
        for try await var part in response.body { collected.writeBuffer(&part) }
        return RawResponse(
            status: Int(response.status.code), headers: response.headers,
            body: String(buffer: collected))
    }

    /// A chat body: one optional system message, then a user message with the text first and
    /// the images after it, as data URLs.
    static func chatBody(
        model: String = EmulatedModel.maverickFree.id, system: String? = nil, text: String = "Describe.",
        images: [(mime: String, bytes: [UInt8])] = [], stream: Bool = false, maxTokens: Int? = nil,
        extra: [String: Any] = [:]
    ) -> String {
        var parts: [[String: Any]] = [["type": "text", "text": text]]
        for image in images {
            let url = "data:\(image.mime);base64,\(Data(image.bytes).base64EncodedString())"
            parts.append(["type": "image_url", "image_url": ["url": url, "detail": "auto"]])
        }
        var messages: [[String: Any]] = []
        if let system { messages.append(["role": "system", "content": system]) }
        messages.append(["role": "user", "content": parts])
        var object: [String: Any] = ["model": model, "messages": messages, "stream": stream]
        if let maxTokens { object["max_tokens"] = maxTokens }
        for (key, value) in extra { object[key] = value }
        let data = (try? JSONSerialization.data(withJSONObject: object)) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }
}

/// Files of `../shared`.
enum SharedCorpus {
    static let root = TestPaths.shared

    static func bytes(_ relativePath: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: root.appendingPathComponent(relativePath)))
    }

    static func text(_ relativePath: String) throws -> String {
        String(decoding: try bytes(relativePath), as: UTF8.self)
    }

    /// The 4×3 PNG of the request fixtures.
    static let tinyPNG: [UInt8] = [UInt8](
        Data(
            base64Encoded:
                "iVBORw0KGgoAAAANSUhEUgAAAAQAAAADCAIAAAA7ljmRAAAAEElEQVR4nGM4IScHRww4OQD1xwwxB+utmQAAAABJRU5ErkJggg==")
            ?? Data())
    /// `sha256sum` of ``tinyPNG``.
    static let tinyPNGSHA256 = "949e22933c7b68cf5e247bb85d75e71af8d008d9446101fe6a3768e66744bfb1"
}
