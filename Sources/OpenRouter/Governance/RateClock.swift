/// The time source of the rate governor and the retry backoff, injectable so tests can run
/// minutes of rate limiting instantly.
public protocol RateClock: Sendable {
    /// Monotonic time since an arbitrary origin.
    func now() -> Duration
    /// Suspends for `duration` (throws on cancellation).
    func sleep(for duration: Duration) async throws
}

/// The real clock (`ContinuousClock`).
public struct SystemRateClock: RateClock {
    private let origin: ContinuousClock.Instant

    public init() {
        origin = ContinuousClock.now
    }

    public func now() -> Duration {
        origin.duration(to: ContinuousClock.now)
    }

    public func sleep(for duration: Duration) async throws {
        guard duration > .zero else { return }
        try await Task.sleep(for: duration)
    }
}
