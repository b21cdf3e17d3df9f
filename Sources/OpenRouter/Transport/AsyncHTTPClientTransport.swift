import AsyncHTTPClient
import NIOCore
import NIOHTTP1

/// The production transport: one AsyncHTTPClient `HTTPClient` sized for the run's concurrency,
/// with connect and read (idle) timeouts. Must be shut down (``shutdown()``) before release.
package final class AsyncHTTPClientTransport: HTTPTransport {
    private let client: HTTPClient

    package init(maxConnections: Int, connectTimeout: Duration, readTimeout: Duration) {
        var configuration = HTTPClient.Configuration(
            timeout: .init(connect: TimeAmount(connectTimeout), read: TimeAmount(readTimeout)))
        configuration.connectionPool = .init(
            idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: max(8, maxConnections))
        // A refused connection must come back to RetryPolicy at once: AsyncHTTPClient would
        // otherwise retry it inside its pool until the connect timeout, on every one of our
        // attempts (an unreachable endpoint took 80 s to report instead of about 15 s).
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.redirectConfiguration = .disallow
        client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }

    package func send(_ request: TransportRequest) async throws -> TransportResponse {
        var outgoing = HTTPClientRequest(url: request.url)
        outgoing.method = HTTPMethod(rawValue: request.method)
        for header in request.headers { outgoing.headers.add(name: header.name, value: header.value) }
        if let body = request.body { outgoing.body = .bytes(body) }
        let response = try await client.execute(outgoing, timeout: TimeAmount(request.timeout))
        let body = response.body
        return TransportResponse(
            status: Int(response.status.code),
            headers: response.headers.map { (name: $0.name, value: $0.value) },
            body: TransportBody {
                let box = IteratorBox(body.makeAsyncIterator())
                return { try await box.next() }
            })
    }

    package func shutdown() async throws {
        try await client.shutdown()
    }
}

/// Holds one body iterator so a closure can advance it.
private final class IteratorBox: @unchecked Sendable {
    // @unchecked: created per iteration and advanced only by that iteration, sequentially.
    private var iterator: HTTPClientResponse.Body.AsyncIterator
    init(_ iterator: HTTPClientResponse.Body.AsyncIterator) { self.iterator = iterator }
    func next() async throws -> ByteBuffer? { try await iterator.next() }
}
