import NIOCore
import NIOHTTP1

/// Writes one HTTP response on a connection, and can drop the connection on purpose.
struct ResponseWriter {
    let outbound: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>
    let channel: any Channel
    let keepAlive: Bool
    let version: HTTPVersion

    func head(status: Int, headers: [(String, String)]) async throws {
        var fields = HTTPHeaders(headers)
        if !keepAlive { fields.replaceOrAdd(name: "Connection", value: "close") }
        let head = HTTPResponseHead(version: version, status: HTTPResponseStatus(statusCode: status), headers: fields)
        try await outbound.write(.head(head))
    }

    func body(_ text: String) async throws {
        try await outbound.write(.body(.byteBuffer(ByteBuffer(string: text))))
    }

    func body(bytes: [UInt8]) async throws {
        try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: bytes))))
    }

    func end() async throws {
        try await outbound.write(.end(nil))
    }

    /// A complete JSON response with its length.
    func json(status: Int, _ value: JSONValue, headers extra: [(String, String)] = []) async throws {
        let text = value.serialized
        try await head(
            status: status,
            headers: [("Content-Type", "application/json"), ("Content-Length", String(text.utf8.count))] + extra)
        try await body(text)
        try await end()
    }

    /// Closes the connection abruptly, whatever was sent so far.
    func drop() async {
        try? await channel.close(mode: .all)
    }
}
