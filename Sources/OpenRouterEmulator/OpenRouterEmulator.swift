import NIOCore
import NIOHTTP1
import NIOPosix

/// A local stand-in for OpenRouter's chat completions API, for tests and benchmarks.
///
/// It speaks HTTP/1.1 on 127.0.0.1 (SwiftNIO), validates what it receives (JSON, roles,
/// content parts, data-URL images it decodes), computes prompt tokens, applies keys, free-tier
/// limits and a reproducible fault plan, and answers from what it received, in JSON or SSE.
///
/// ```swift
/// let emulator = try await OpenRouterEmulator.start(EmulatorConfiguration())
/// // point the client at emulator.baseURL with EmulatorConfiguration.defaultAPIKey
/// let log = emulator.received       // parsed requests, images decoded
/// try await emulator.shutdown()
/// ```
public enum OpenRouterEmulator {
    /// Binds the configured address and starts answering.
    /// - Throws: ``EmulatorError`` with code `bindFailed` when the address cannot be bound.
    public static func start(_ configuration: EmulatorConfiguration = EmulatorConfiguration()) async throws
        -> RunningEmulator
    {
        let state = EmulatorState(observer: configuration.observer)
        let server = EmulatorServer(configuration: configuration, state: state)
        let listener: NIOAsyncChannel<NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>, Never>
        do {
            listener = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .serverChannelOption(.backlog, value: 256)
                .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
                .bind(host: configuration.host, port: configuration.port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.configureHTTPServerPipeline(
                            withPipeliningAssistance: true, withErrorHandling: true)
                        return try NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>(
                            wrappingChannelSynchronously: channel)
                    }
                }
        } catch {
            throw EmulatorError(
                code: .bindFailed,
                message: "Could not listen on \(configuration.host):\(configuration.port); pick another port or 0",
                cause: error)
        }
        let port = listener.channel.localAddress?.port ?? configuration.port
        let acceptor = Task {
            _ = try? await listener.executeThenClose { connections in
                await withDiscardingTaskGroup { group in
                    do {
                        for try await connection in connections {
                            group.addTask { await server.serve(connection) }
                        }
                    } catch {
                        // The listener closed: shutdown is under way.
                    }
                }
            }
        }
        return RunningEmulator(
            host: configuration.host, port: port, state: state, listener: listener.channel, acceptor: acceptor)
    }
}

/// A started emulator: where it listens, what it received, and how to stop it.
public final class RunningEmulator: Sendable {
    /// The bound port (the ephemeral one when the configuration said 0).
    public let port: Int
    /// `http://127.0.0.1:PORT/api/v1`: the base URL to give a client.
    public let baseURL: String
    private let state: EmulatorState
    private let listener: any Channel
    private let acceptor: Task<Void, Never>

    init(host: String, port: Int, state: EmulatorState, listener: any Channel, acceptor: Task<Void, Never>) {
        self.port = port
        self.baseURL = "http://\(host):\(port)/api/v1"
        self.state = state
        self.listener = listener
        self.acceptor = acceptor
    }

    /// Every request received so far, in arrival order, parsed and with its outcome.
    public var received: [ReceivedRequest] { state.log }

    /// Totals: requests, admitted, per status, dropped connections, mid-stream errors, 429s.
    public var counters: EmulatorCounters { state.counters }

    /// Forgets the log, the counters and the rate-limit windows; the fault plan starts again.
    public func reset() { state.reset() }

    /// Stops listening and closes every open connection.
    public func shutdown() async throws {
        do {
            try await listener.close()
        } catch ChannelError.alreadyClosed {
            // Already stopped.
        } catch {
            throw EmulatorError(code: .shutdownFailed, message: "Could not close the emulator's socket", cause: error)
        }
        for connection in state.openConnections() {
            try? await connection.close()
        }
        acceptor.cancel()
        await acceptor.value
    }
}
