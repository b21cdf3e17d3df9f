import NIOCore

/// The small seam between the client and HTTP, so tests can script responses and the
/// production path stays on AsyncHTTPClient.
package protocol HTTPTransport: Sendable {
    /// Sends one request; returns once the response head arrived. The body streams afterwards;
    /// cancelling the task that iterates it closes the connection.
    func send(_ request: TransportRequest) async throws -> TransportResponse
    /// Releases connections and threads; the transport is unusable afterwards.
    func shutdown() async throws
}

/// One HTTP request as the client builds it. `headers` holds the Authorization header:
/// never print or log a `TransportRequest` (its `description` leaves headers out).
package struct TransportRequest: Sendable, CustomStringConvertible {
    package var method: String
    package var url: String
    package var headers: [(name: String, value: String)]
    package var body: ByteBuffer?
    package var timeout: Duration

    package init(
        method: String, url: String, headers: [(name: String, value: String)], body: ByteBuffer?,
        timeout: Duration
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
    }

    package var description: String { "\(method) \(url)" }
}

/// A response head plus its streaming body.
package struct TransportResponse: Sendable {
    package var status: Int
    package var headers: [(name: String, value: String)]
    package var body: TransportBody

    package init(status: Int, headers: [(name: String, value: String)], body: TransportBody) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}

/// The first value of the header `name` (compared without case, as HTTP says), surrounding
/// spaces removed: the one header lookup of the module.
package func headerValue(_ name: String, in headers: [(name: String, value: String)]) -> String? {
    headers.first(where: { $0.name.caseInsensitiveCompare(name) == .orderedSame })?.value
        .trimmingCharacters(in: .whitespaces)
}

/// The body as an async sequence of byte buffers, type-erased over the transport.
package struct TransportBody: AsyncSequence, Sendable {
    package typealias Element = ByteBuffer

    private let makeNext: @Sendable () -> (() async throws -> ByteBuffer?)

    /// - Parameter makeNext: returns a fresh "next chunk" function for one iteration.
    package init(makeNext: @escaping @Sendable () -> (() async throws -> ByteBuffer?)) {
        self.makeNext = makeNext
    }

    /// A body already in memory, delivered in the given chunks.
    package static func chunks(_ chunks: [ByteBuffer]) -> TransportBody {
        TransportBody {
            let box = ChunkQueue(chunks)
            return { box.next() }
        }
    }

    package struct AsyncIterator: AsyncIteratorProtocol {
        let produce: () async throws -> ByteBuffer?
        package mutating func next() async throws -> ByteBuffer? { try await produce() }
    }

    package func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(produce: makeNext())
    }

    /// Collects the whole body, refusing more than `limit` bytes.
    package func collect(upTo limit: Int) async throws -> ByteBuffer {
        var all = ByteBuffer()
        for try await var chunk in self {
            guard all.readableBytes + chunk.readableBytes <= limit else {
                throw OpenRouterError(.invalidResponse, "The response is larger than \(limit) bytes.")
            }
            all.writeBuffer(&chunk)
        }
        return all
    }
}

/// Hands out pre-made chunks; used from one iteration only.
private final class ChunkQueue: @unchecked Sendable {
    // @unchecked: only the single iterator that created it calls `next()`, sequentially.
    private var chunks: [ByteBuffer]
    private var index = 0
    init(_ chunks: [ByteBuffer]) { self.chunks = chunks }
    func next() -> ByteBuffer? {
        guard index < chunks.count else { return nil }
        defer { index += 1 }
        return chunks[index]
    }
}
