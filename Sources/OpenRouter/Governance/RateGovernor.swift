/// Run-wide admission control shared by every request of a run: at most ``requestsPerMinute``
/// requests in any sliding window (OpenRouter counts requests per minute), a concurrency
/// limit, a pause for everyone when a 429 arrives, and a stop once the daily cap is reached.
///
/// Every attempt, retries included, takes a ``Permit`` with ``acquire(rateLimited:)``, reports
/// ``admitted(_:)`` when the response head arrives, and gives the permit back with
/// ``release(_:)``.
///
/// The server counts a request when it arrives, which is some time after we start sending and
/// before its response head reaches us. So a request occupies the window from its start until
/// `window` after its response head (or its end, if no head came): whatever the latencies, no
/// server-side window can then hold more than the limit.
public actor RateGovernor {
    /// A slot held by one attempt.
    public struct Permit: Sendable, Hashable {
        let id: Int
        let rateLimited: Bool
    }

    /// Requests allowed per window (nil: unlimited); lowered to the server's own limit when a
    /// 429 states it (``slowDown(serverLimit:retryAfter:)``).
    public private(set) var requestsPerMinute: Int?
    /// Attempts in flight at once.
    public let maxConcurrency: Int
    /// The server's window plus a small margin for clock-rate differences; a server that
    /// counts over a shorter window is learned from its 429s.
    public private(set) var window: Duration
    private let configuredWindow: Duration
    private var learnedWindow: Duration?
    // Once the server stated its limit, it holds for every request, not only `:free` ones.
    private var limitAll = false

    private let clock: any RateClock
    private var pending: Set<Int> = []  // rate-limited permits still waiting for their response head
    private var admittedTimes: [Duration] = []  // response-head times, ascending
    private var admittedHead = 0
    private var inFlight = 0
    private var nextPermitID = 0
    private var pausedUntil: Duration = .zero
    private var stopError: OpenRouterError?
    private var waiters: [(id: Int, continuation: CheckedContinuation<Void, any Error>)] = []
    private var nextWaiterID = 0
    private var waiterWatchers: [(count: Int, continuation: CheckedContinuation<Void, Never>)] = []
    private var startLog: [Duration] = []
    private let keepsLog: Bool

    /// - Parameters:
    ///   - requestsPerMinute: requests allowed in any window; nil for no limit.
    ///   - maxConcurrency: attempts in flight at once.
    ///   - rateWindow: the server's counting window (60 s for OpenRouter); 1/120 of it is
    ///     added as a margin.
    ///   - clock: time source (tests inject a virtual one).
    ///   - recordStarts: keep every start time for ``startTimes`` (tests and benchmarks).
    public init(
        requestsPerMinute: Int?, maxConcurrency: Int, rateWindow: Duration = .seconds(60),
        clock: any RateClock = SystemRateClock(), recordStarts: Bool = false
    ) {
        self.requestsPerMinute = requestsPerMinute.map { max(1, $0) }
        self.maxConcurrency = max(1, maxConcurrency)
        self.window = rateWindow + rateWindow / 120
        self.configuredWindow = rateWindow + rateWindow / 120
        self.clock = clock
        self.keepsLog = recordStarts
    }

    /// Waits until one more attempt may start, then counts it as started.
    /// - Parameter rateLimited: whether this attempt counts against ``requestsPerMinute``.
    /// - Throws: the daily-cap error once it was reported, or `CancellationError`.
    public func acquire(rateLimited: Bool = true) async throws -> Permit {
        let limited = (rateLimited || limitAll) && requestsPerMinute != nil
        while true {
            try Task.checkCancellation()
            if let stopError { throw stopError }
            if inFlight >= maxConcurrency {
                try await waitForChange()
                continue
            }
            let now = clock.now()
            var wakeAt = pausedUntil
            if limited, let limit = requestsPerMinute {
                pruneAdmitted(before: now - window)
                let recent = admittedTimes.count - admittedHead
                if pending.count + recent >= limit {
                    if recent == 0 {
                        // Every slot is held by a request still in flight: wait for a head.
                        try await waitForChange()
                        continue
                    }
                    wakeAt = max(wakeAt, admittedTimes[admittedHead] + window)
                }
            }
            if wakeAt > now {
                try await clock.sleep(for: wakeAt - now)
                continue
            }
            inFlight += 1
            let permit = Permit(id: nextPermitID, rateLimited: limited)
            nextPermitID += 1
            if limited { pending.insert(permit.id) }
            if keepsLog { startLog.append(now) }
            return permit
        }
    }

    /// The response head of the permit's attempt arrived: the server has counted it by now.
    public func admitted(_ permit: Permit) {
        guard pending.remove(permit.id) != nil else { return }
        admittedTimes.append(clock.now())
        wakeAll()
    }

    /// Gives back the permit taken by ``acquire(rateLimited:)``.
    public func release(_ permit: Permit) {
        admitted(permit)  // no head (failed early): count it from now, in case it reached the server
        inFlight = max(0, inFlight - 1)
        wakeAll()
    }

    /// A 429 arrived: nobody starts before `delay` has passed.
    public func pause(for delay: Duration) {
        let until = clock.now() + delay
        if until > pausedUntil { pausedUntil = until }
    }

    /// A per-minute 429 arrived: from now on keep to the limit the server stated
    /// (`X-RateLimit-Limit`), never above what was set, over the window its `Retry-After` (or
    /// `X-RateLimit-Reset`) reveals. The server's window is full when it refuses, and its
    /// oldest request leaves it after `retryAfter`; the oldest of the last `serverLimit`
    /// requests we saw answered arrived no earlier than that one, so `now + retryAfter` minus
    /// its time is about the window. Estimates only grow (a late head makes one short), and
    /// never exceed the configured window.
    public func slowDown(serverLimit: Int?, retryAfter: Duration?) {
        guard let serverLimit, serverLimit > 0 else { return }
        requestsPerMinute = min(requestsPerMinute ?? serverLimit, serverLimit)
        limitAll = true
        guard let retryAfter else {
            window = configuredWindow
            return
        }
        let now = clock.now()
        let count = admittedTimes.count
        var estimate = configuredWindow
        if count >= serverLimit, count - serverLimit >= 0 {
            estimate = now + retryAfter - admittedTimes[count - serverLimit]
        }
        // Half a second of margin covers Retry-After's whole-second rounding and head latency.
        estimate = min(configuredWindow, max(estimate, retryAfter) + .milliseconds(500))
        learnedWindow = max(learnedWindow ?? .zero, estimate)
        window = learnedWindow ?? configuredWindow
    }

    /// The daily cap was reached: every waiting and future ``acquire(rateLimited:)`` throws `error`.
    public func stop(with error: OpenRouterError) {
        if stopError == nil { stopError = error }
        wakeAll()
    }

    /// The error that stopped the run, if any.
    public var stoppedError: OpenRouterError? { stopError }

    /// Start times of every attempt so far (only with `recordStarts`).
    public var startTimes: [Duration] { startLog }

    /// Attempts currently holding a permit.
    public var activeCount: Int { inFlight }

    private func pruneAdmitted(before cutoff: Duration) {
        while admittedHead < admittedTimes.count, admittedTimes[admittedHead] <= cutoff { admittedHead += 1 }
        // Pruned times stay until 1,024 pile up: `slowDown` reads the most recent ones.
        if admittedHead > 1024 {
            admittedTimes.removeFirst(admittedHead)
            admittedHead = 0
        }
    }

    /// Everyone waiting re-checks: few waiters (at most the run's concurrency plus its queue),
    /// and it keeps the logic in one place (`acquire`).
    private func wakeAll() {
        let current = waiters
        waiters.removeAll()
        for waiter in current { waiter.continuation.resume() }
    }

    private func waitForChange() async throws {
        let id = nextWaiterID
        nextWaiterID += 1
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                if Task.isCancelled {
                    continuation.resume(throwing: CancellationError())
                } else {
                    waiters.append((id, continuation))
                    notifyWaiterWatchers()
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

    /// Returns once at least `count` callers are parked in ``acquire(rateLimited:)`` waiting
    /// for a slot or a response head: tests order their steps on this event instead of sleeping.
    func untilWaiting(_ count: Int) async {
        if waiters.count >= count { return }
        await withCheckedContinuation { waiterWatchers.append((count, $0)) }
    }

    private func notifyWaiterWatchers() {
        guard !waiterWatchers.isEmpty else { return }
        let reached = waiterWatchers.filter { $0.count <= waiters.count }
        waiterWatchers.removeAll { $0.count <= waiters.count }
        for watcher in reached { watcher.continuation.resume() }
    }
}
