/// One way a chat request can go wrong, as the real service fails.
public enum Fault: Sendable, Hashable, CustomStringConvertible {
    /// `error.code` of a mid-stream error event: the service sends either form.
    public enum ErrorCode: Sendable, Hashable {
        case integer(Int)
        case string(String)
    }

    /// 429 from the upstream provider (not the free-tier limit), with `Retry-After` seconds.
    case rateLimited(retryAfter: Int?)
    /// 500, 502, 503, 524 or 529, optionally with `Retry-After` seconds.
    case serverError(status: Int, retryAfter: Int?)
    /// 408: the request timed out upstream.
    case timeout
    /// 400 from the provider.
    case badRequest
    /// 401: the key is rejected.
    case unauthorized
    /// 402: no credits (also for free models with a negative balance).
    case noCredits
    /// 403: the input was flagged by moderation for these reasons.
    case moderation(reasons: [String])
    /// 413: the payload is too large.
    case payloadTooLarge
    /// HTTP 200, then an error chunk after `afterTokens` content deltas (non-streaming:
    /// a 200 body carrying `error` and `finish_reason: "error"`).
    case midStreamError(afterTokens: Int, code: ErrorCode)
    /// The connection is closed after `afterTokens` content deltas (0: before any byte of
    /// the response; non-streaming: after the head and part of the body when > 0).
    case dropConnection(afterTokens: Int)
    /// The answer starts this much later than the configured latency.
    case slow(Duration)

    /// The HTTP status the client sees, nil when the fault is not an error status.
    public var httpStatus: Int? {
        switch self {
        case .rateLimited: 429
        case .serverError(let status, _): status
        case .timeout: 408
        case .badRequest: 400
        case .unauthorized: 401
        case .noCredits: 402
        case .moderation: 403
        case .payloadTooLarge: 413
        case .midStreamError, .dropConnection, .slow: nil
        }
    }

    /// Whether a well-behaved client may retry the request after this fault (API.md).
    public var isRetryable: Bool {
        switch self {
        case .rateLimited, .serverError, .timeout, .midStreamError, .dropConnection, .slow: true
        case .badRequest, .unauthorized, .noCredits, .moderation, .payloadTooLarge: false
        }
    }

    public var description: String {
        switch self {
        case .rateLimited(let after): "429 rate limited (Retry-After \(after.map(String.init) ?? "none"))"
        case .serverError(let status, let after): "\(status) (Retry-After \(after.map(String.init) ?? "none"))"
        case .timeout: "408 timeout"
        case .badRequest: "400 bad request"
        case .unauthorized: "401 unauthorized"
        case .noCredits: "402 no credits"
        case .moderation(let reasons): "403 moderation \(reasons)"
        case .payloadTooLarge: "413 payload too large"
        case .midStreamError(let after, let code): "mid-stream error \(code) after \(after) tokens"
        case .dropConnection(let after): "dropped connection after \(after) tokens"
        case .slow(let delay): "slow answer (+\(delay))"
        }
    }

    /// Retryable failures of a busy free tier: 429 with Retry-After, 5xx, 408, mid-stream
    /// errors of both code forms, dropped connections and slow answers.
    public static let retryableMix: [Fault] = [
        .rateLimited(retryAfter: 1), .serverError(status: 500, retryAfter: nil),
        .serverError(status: 502, retryAfter: nil), .serverError(status: 503, retryAfter: 1),
        .serverError(status: 524, retryAfter: nil), .serverError(status: 529, retryAfter: nil),
        .timeout, .midStreamError(afterTokens: 2, code: .integer(502)),
        .midStreamError(afterTokens: 1, code: .string("server_error")),
        .dropConnection(afterTokens: 0), .dropConnection(afterTokens: 2), .slow(.milliseconds(200)),
    ]

    /// Failures no retry can fix: 400, 401, 402, 403 moderation, 413.
    public static let nonRetryableMix: [Fault] = [
        .badRequest, .unauthorized, .noCredits, .moderation(reasons: ["violence"]), .payloadTooLarge,
    ]

    /// Every kind of fault: the mix of issue 3, done-when 2.
    public static let fullMix: [Fault] = retryableMix + nonRetryableMix
}

/// Which admitted chat requests fail and how. Reproducible: the fault of the n-th admitted
/// request depends only on the plan (and its seed) and n, never on timing.
public struct FaultPlan: Sendable, Hashable {
    enum Kind: Sendable, Hashable {
        case none
        case scripted([Fault?], repeating: Bool)
        case random(probability: Double, among: [Fault], seed: UInt64)
    }

    let kind: Kind

    /// No faults.
    public static let none = FaultPlan(kind: .none)

    /// The n-th admitted request gets `faults[n]` (nil: answered normally); requests after the
    /// end of the script are answered normally, or the script starts again when `repeating`.
    public static func scripted(_ faults: [Fault?], repeating: Bool = false) -> FaultPlan {
        FaultPlan(kind: .scripted(faults, repeating: repeating))
    }

    /// Each admitted request fails with `probability`, with a fault drawn from `among`.
    public static func random(probability: Double, among: [Fault] = Fault.fullMix, seed: UInt64 = 1) -> FaultPlan {
        FaultPlan(kind: .random(probability: probability, among: among, seed: seed))
    }

    /// The fault for the admitted request number `index` (0-based), nil for none.
    public func fault(forRequest index: Int) -> Fault? {
        switch kind {
        case .none:
            return nil
        case .scripted(let faults, let repeating):
            guard !faults.isEmpty else { return nil }
            if index < faults.count { return faults[index] }
            return repeating ? faults[index % faults.count] : nil
        case .random(let probability, let among, let seed):
            guard !among.isEmpty else { return nil }
            var generator = SplitMix64(seed: seed &+ UInt64(index) &* 0x9E37_79B9_7F4A_7C15)
            let draw = Double(generator.next() >> 11) / Double(1 << 53)
            guard draw < probability else { return nil }
            return among[Int(generator.next() % UInt64(among.count))]
        }
    }
}

/// SplitMix64: a tiny, well-known seeded generator; enough for reproducible fault draws.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
