import Foundation
import NIOCore
import PeruseTesting
import Testing

@testable import OpenRouter

/// The OpenRouter material in `../shared/openrouter`: the API's fixtures and the reference
/// scripts run with OpenRouter's Python SDK.
extension TestPaths {
    static let openrouter = shared.appendingPathComponent("openrouter")
    static let openrouterFixtures = openrouter.appendingPathComponent("fixtures")

    static func fixture(_ name: String) throws -> Data {
        try Data(contentsOf: openrouterFixtures.appendingPathComponent(name))
    }

    static func corpusData(_ relative: String) throws -> Data {
        try Data(contentsOf: corpus.appendingPathComponent(relative))
    }
}

extension Python {
    /// python3 with OpenRouter's SDK (`openrouter`, `pydantic`) and `jsonschema` importable.
    static let sdkAvailable: Bool = hasModules("openrouter", "jsonschema", "pydantic")

    /// Whether the conformance tests run: always in CI (where a missing SDK is a failure),
    /// elsewhere only when the SDK is installed (else they show as skipped).
    static var shouldRun: Bool { TestEnvironment.requires(sdkAvailable) }

    /// Python's `repr()` of a printable string (enough for the fixtures' texts).
    static func repr(_ text: String) -> String {
        let quote: Character = text.contains("'") && !text.contains("\"") ? "\"" : "'"
        var out = String(quote)
        for ch in text {
            switch ch {
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case quote: out += "\\\(quote)"
            default: out.append(ch)
            }
        }
        out.append(quote)
        return out
    }
}

/// A clock that jumps forward instead of sleeping, so minutes of rate limiting run instantly.
final class VirtualClock: RateClock, @unchecked Sendable {
    // @unchecked: all state is guarded by `lock`.
    private let lock = NSLock()
    private var current: Duration = .zero
    private var slept: [Duration] = []

    func now() -> Duration {
        lock.withLock { current }
    }

    func sleep(for duration: Duration) async throws {
        try Task.checkCancellation()
        lock.withLock {
            current += duration
            slept.append(duration)
        }
        await Task.yield()
    }

    var sleeps: [Duration] { lock.withLock { slept } }

    func advance(by duration: Duration) {
        lock.withLock { current += duration }
    }
}

/// A transport that answers from a script, records what it was sent, and never touches the network.
final class ScriptedTransport: HTTPTransport, @unchecked Sendable {
    // @unchecked: all state is guarded by `lock`.
    enum Step: Sendable {
        case respond(status: Int, headers: [(String, String)] = [], body: String, chunkSize: Int = 0)
        case fail(any Error & Sendable)
        /// Sends `prefix`, then never ends until cancelled (records the cancellation).
        case hang(prefix: String)
    }

    private let lock = NSLock()
    private var steps: [Step]
    private var fallback: Step?
    private var sentRequests: [TransportRequest] = []
    private var cancelledBodies = 0
    private(set) var didShutdown = false

    init(_ steps: [Step], otherwise fallback: Step? = nil) {
        self.steps = steps
        self.fallback = fallback
    }

    var requests: [TransportRequest] { lock.withLock { sentRequests } }
    var cancellations: Int { lock.withLock { cancelledBodies } }

    func bodies() -> [String] {
        requests.map { $0.body.map { String(buffer: $0) } ?? "" }
    }

    func send(_ request: TransportRequest) async throws -> TransportResponse {
        let step: Step? = lock.withLock {
            sentRequests.append(request)
            return steps.isEmpty ? fallback : steps.removeFirst()
        }
        switch step {
        case .none:
            throw TransportFailure(ScriptError.exhausted)
        case .fail(let error):
            throw error
        case .respond(let status, let headers, let body, let chunkSize):
            let bytes = Array(body.utf8)
            let size = chunkSize > 0 ? chunkSize : max(bytes.count, 1)
            let chunks = stride(from: 0, to: bytes.count, by: size).map {
                ByteBuffer(bytes: bytes[$0..<min($0 + size, bytes.count)])
            }
            return TransportResponse(
                status: status, headers: headers.map { (name: $0.0, value: $0.1) }, body: .chunks(chunks))
        case .hang(let prefix):
            return TransportResponse(
                status: 200, headers: [],
                body: TransportBody { [self] in
                    var sentPrefix = false
                    return {
                        if !sentPrefix {
                            sentPrefix = true
                            return ByteBuffer(string: prefix)
                        }
                        do {
                            try await Task.sleep(for: .seconds(3600))
                        } catch {
                            self.lock.withLock { self.cancelledBodies += 1 }
                            throw error
                        }
                        return nil
                    }
                })
        }
    }

    func shutdown() async throws {
        lock.withLock { didShutdown = true }
    }

    enum ScriptError: Error { case exhausted }
}

/// Small real images for requests (their bytes must match their MIME type).
enum TestImages {
    static func jpegDataURL() throws -> ImageURL {
        ImageURL(mimeType: "image/jpeg", base64: try TestPaths.corpusData("jpeg/go-image-testdata/video-001.jpeg").base64EncodedString(), detail: .auto)
    }

    static func pngDataURL() throws -> ImageURL {
        ImageURL(mimeType: "image/png", base64: try TestPaths.corpusData("pngsuite/go-image-png/basn0g01.png").base64EncodedString())
    }
}

/// A minimal successful chat-completion body.
func completionJSON(text: String, model: String = SeedModels.maverick, reasoning: String? = nil) -> String {
    let escaped = text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        .replacingOccurrences(of: "\n", with: "\\n")
    let reasoningField = reasoning.map { ", \"reasoning\": \"\($0)\"" } ?? ""
    return """
        {"id":"gen-1","model":"\(model)","choices":[{"index":0,"finish_reason":"stop","message":{"role":"assistant","content":"\(escaped)"\(reasoningField)}}],"usage":{"prompt_tokens":12,"completion_tokens":3,"total_tokens":15,"cost":0}}
        """
}
