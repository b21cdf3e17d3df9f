/// When to try a failed request again, and how long to wait: exponential backoff with full
/// jitter, never shorter than the server's `Retry-After`.
public struct RetryPolicy: Sendable, Hashable {
    /// Attempts per request, the first included (1 = never retry).
    public var maxAttempts: Int
    /// Backoff before the first retry (before jitter).
    public var baseDelay: Duration
    /// Cap on the exponential backoff.
    public var maxDelay: Duration
    /// A `Retry-After` longer than this fails the request instead of parking it.
    public var maxRetryAfter: Duration
    /// How long one request may keep waiting out 429s (rate limits, not the daily cap). A 429
    /// means "not yet": it does not use up ``maxAttempts``, only this time.
    public var rateLimitBudget: Duration

    public init(
        maxAttempts: Int = 6, baseDelay: Duration = .milliseconds(500), maxDelay: Duration = .seconds(30),
        maxRetryAfter: Duration = .seconds(600), rateLimitBudget: Duration = .seconds(1800)
    ) {
        self.maxAttempts = max(1, maxAttempts)
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.maxRetryAfter = maxRetryAfter
        self.rateLimitBudget = rateLimitBudget
    }

    /// No retries at all.
    public static let none = RetryPolicy(maxAttempts: 1, rateLimitBudget: .zero)

    /// The wait before retry number `retry` (1 for the first retry).
    /// - Parameters:
    ///   - retry: 1-based retry count.
    ///   - retryAfter: the server's `Retry-After`, honoured as a minimum.
    ///   - random: a value in 0..<1 (injected so tests are deterministic).
    package func delay(beforeRetry retry: Int, retryAfter: Duration?, random: Double) -> Duration {
        let exponent = min(max(retry - 1, 0), 30)
        let ceiling = min(maxDelay, baseDelay * (1 << exponent))
        // Full jitter spreads retries of many concurrent requests apart (AWS architecture blog).
        let jittered = ceiling * min(max(random, 0), 1)
        guard let retryAfter else { return jittered }
        // Waiting at least Retry-After; a little jitter on top avoids a synchronized stampede.
        return retryAfter + min(jittered, baseDelay)
    }
}
