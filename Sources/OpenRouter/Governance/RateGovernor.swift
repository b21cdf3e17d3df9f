/// Run-wide admission control shared by every request of a run: a sliding 60-second window of
/// request starts (OpenRouter counts requests per minute), a concurrency limit, a pause for
/// everyone when a 429 arrives, and a stop once the daily cap is reached.
///
/// Every attempt, retries included, passes through ``acquire(rateLimited:)`` and gives its slot
/// back with ``release()``.
public actor RateGovernor {
    /// Starts allowed per window (nil: unlimited).
    public let requestsPerMinute: Int?
    /// Attempts in flight at once.
    public let maxConcurrency: Int
    /// The window, slightly longer than 60 s: arrival at the server can lag our start by the
    /// latency of the earliest request, so a bare 60 s could let 21 in at the server's clock.
    public let window: Duration

    private let clock: any RateClock
    private var starts: [Duration] = []  // start times of rate-limited attempts, ascending
    private var startsHead = 0
    private var inFlight = 0
    private var pausedUntil: Duration = .zero
    private var stopError: OpenRouterError?
    private var waiters: [(id: Int, continuation: CheckedContinuation<Void, any Error>)] = []
    private var nextWaiterID = 0
    private var startLog: [Duration] = []
    private let keepsLog: Bool

    /// - Parameters:
    ///   - requestsPerMinute: starts allowed in any window; nil for no limit.
    ///   - maxConcurrency: attempts in flight at once.
    ///   - rateWindow: the server's counting window (60 s for OpenRouter); 1/60 of it is added
    ///     as a margin (see ``window``).
    ///   - clock: time source (tests inject a virtual one).
    ///   - recordStarts: keep every start time for ``startTimes`` (tests and benchmarks).
    public init(
        requestsPerMinute: Int?, maxConcurrency: Int, rateWindow: Duration = .seconds(60),
        clock: any RateClock = SystemRateClock(), recordStarts: Bool = false
    ) {
        self.requestsPerMinute = requestsPerMinute.map { max(1, $0) }
        self.maxConcurrency = max(1, maxConcurrency)
        self.window = rateWindow + rateWindow / 60
        self.clock = clock
        self.keepsLog = recordStarts
    }

    /// Waits until one more attempt may start, then counts it as started.
    /// - Parameter rateLimited: whether this attempt counts against ``requestsPerMinute``.
    /// - Throws: the daily-cap error once it was reported, or `CancellationError`.
    public func acquire(rateLimited: Bool = true) async throws {
        while true {
            try Task.checkCancellation()
            if let stopError { throw stopError }
            if inFlight >= maxConcurrency {
                try await waitForSlot()
                continue
            }
            let now = clock.now()
            var wakeAt = pausedUntil
            if rateLimited, let limit = requestsPerMinute {
                pruneStarts(before: now - window)
                if starts.count - startsHead >= limit {
                    wakeAt = max(wakeAt, starts[startsHead] + window)
                }
            }
            if wakeAt > now {
                try await clock.sleep(for: wakeAt - now)
                continue
            }
            inFlight += 1
            if rateLimited, requestsPerMinute != nil { starts.append(now) }
            if keepsLog { startLog.append(now) }
            return
        }
    }

    /// Gives back the slot taken by ``acquire(rateLimited:)``.
    public func release() {
        inFlight = max(0, inFlight - 1)
        if !waiters.isEmpty {
            waiters.removeFirst().continuation.resume()
        }
    }

    /// A 429 arrived: nobody starts before `delay` has passed.
    public func pause(for delay: Duration) {
        let until = clock.now() + delay
        if until > pausedUntil { pausedUntil = until }
    }

    /// The daily cap was reached: every waiting and future ``acquire(rateLimited:)`` throws `error`.
    public func stop(with error: OpenRouterError) {
        if stopError == nil { stopError = error }
        let pending = waiters
        waiters.removeAll()
        for waiter in pending { waiter.continuation.resume(throwing: error) }
    }

    /// The error that stopped the run, if any.
    public var stoppedError: OpenRouterError? { stopError }

    /// Start times of every attempt so far (only with `recordStarts`).
    public var startTimes: [Duration] { startLog }

    /// Attempts currently holding a slot.
    public var activeCount: Int { inFlight }

    private func pruneStarts(before cutoff: Duration) {
        while startsHead < starts.count, starts[startsHead] <= cutoff { startsHead += 1 }
        if startsHead > 1024 {
            starts.removeFirst(startsHead)
            startsHead = 0
        }
    }

    private func waitForSlot() async throws {
        let id = nextWaiterID
        nextWaiterID += 1
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                if Task.isCancelled {
                    continuation.resume(throwing: CancellationError())
                } else {
                    waiters.append((id, continuation))
                }
            }
        } onCancel: {
            Task { await self.cancelWaiter(id) }
        }
    }

    private func cancelWaiter(_ id: Int) {
        guard let index = waiters.firstIndex(where: { $0.id == id }) else { return }
        waiters.remove(at: index).continuation.resume(throwing: CancellationError())
    }
}
