import PeruseTesting
import Testing

@testable import OpenRouter

@Suite struct RateGovernorTests {
    /// Largest number of starts inside any window of `length` (starting at each start).
    static func maxInWindow(_ starts: [Duration], length: Duration) -> Int {
        let sorted = starts.sorted()
        var best = 0
        var tail = 0
        for head in sorted.indices {
            while sorted[head] - sorted[tail] >= length { tail += 1 }
            best = max(best, head - tail + 1)
        }
        return best
    }

    @Test func neverMoreThanTheLimitInAnyMinute() async throws {
        let clock = VirtualClock()
        let governor = RateGovernor(requestsPerMinute: 20, maxConcurrency: 8, clock: clock, recordStarts: true)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<100 {
                group.addTask {
                    let permit = try await governor.acquire()
                    await governor.release(permit)
                }
            }
            try await group.waitForAll()
        }
        let starts = await governor.startTimes
        #expect(starts.count == 100)
        #expect(Self.maxInWindow(starts, length: .seconds(60)) == 20)
        // 100 starts at 20 a minute need at least four full windows.
        #expect(try #require(starts.max()) >= .seconds(4 * 60))
    }

    /// A request holds its place in the window from its start until a window after its
    /// response head: the server counted it somewhere in between.
    @Test func requestsInFlightCountUntilAWindowAfterTheirHead() async throws {
        let clock = VirtualClock()
        let governor = RateGovernor(requestsPerMinute: 2, maxConcurrency: 8, clock: clock)
        let first = try await governor.acquire()
        let second = try await governor.acquire()
        let third = Task { try await governor.acquire() }
        await governor.untilWaiting(1)
        #expect(clock.now() == .zero)  // waiting for a head, not sleeping on the clock
        clock.advance(by: .seconds(10))
        await governor.admitted(first)
        let permit = try await third.value
        #expect(clock.now() >= .seconds(10) + .milliseconds(60_500))
        await governor.release(second)
        await governor.release(first)
        await governor.release(permit)
    }

    @Test func concurrencyLimitHolds() async throws {
        let governor = RateGovernor(requestsPerMinute: nil, maxConcurrency: 3, clock: VirtualClock())
        let peak = PeakCounter()
        let gate = Gate()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<30 {
                group.addTask {
                    let permit = try await governor.acquire()
                    await peak.enter(await governor.activeCount)
                    await gate.wait()
                    await governor.release(permit)
                }
            }
            // Three hold a permit and the other 27 wait: the limit is full, not just unreached.
            await governor.untilWaiting(27)
            #expect(await governor.activeCount == 3)
            await gate.open()
            try await group.waitForAll()
        }
        #expect(await peak.peak == 3)
        #expect(await governor.activeCount == 0)
    }

    @Test func unlimitedRequestsAreNotCounted() async throws {
        let clock = VirtualClock()
        let governor = RateGovernor(requestsPerMinute: 2, maxConcurrency: 4, clock: clock)
        for _ in 0..<10 {
            let permit = try await governor.acquire(rateLimited: false)
            await governor.release(permit)
        }
        #expect(clock.now() == .zero)
    }

    @Test func pauseDelaysEveryone() async throws {
        let clock = VirtualClock()
        let governor = RateGovernor(requestsPerMinute: nil, maxConcurrency: 2, clock: clock)
        await governor.pause(for: .seconds(9))
        let permit = try await governor.acquire()
        #expect(clock.now() >= .seconds(9))
        await governor.release(permit)
    }

    @Test func dailyCapStopsWaitersAndLaterRequests() async throws {
        let governor = RateGovernor(requestsPerMinute: nil, maxConcurrency: 1, clock: VirtualClock())
        _ = try await governor.acquire()
        let waiter = Task { try await governor.acquire() }
        await governor.untilWaiting(1)
        let cap = OpenRouterError(.dailyCapReached, "cap")
        await governor.stop(with: cap)
        await #expect(throws: OpenRouterError.self) { try await waiter.value }
        await #expect(throws: OpenRouterError.self) { try await governor.acquire() }
    }

    @Test func cancelledWaiterLeavesTheQueue() async throws {
        let governor = RateGovernor(requestsPerMinute: nil, maxConcurrency: 1, clock: VirtualClock())
        let first = try await governor.acquire()
        let waiter = Task { try await governor.acquire() }
        await governor.untilWaiting(1)
        waiter.cancel()
        await #expect(throws: CancellationError.self) { try await waiter.value }
        await governor.release(first)
        _ = try await governor.acquire()  // the slot went to us, not to the cancelled waiter
        #expect(await governor.activeCount == 1)
    }

    @Test func backoffGrowsIsCappedAndHonoursRetryAfter() {
        let policy = RetryPolicy(maxAttempts: 6, baseDelay: .seconds(1), maxDelay: .seconds(8))
        #expect(policy.delay(beforeRetry: 1, retryAfter: nil, random: 1) == .seconds(1))
        #expect(policy.delay(beforeRetry: 2, retryAfter: nil, random: 1) == .seconds(2))
        #expect(policy.delay(beforeRetry: 3, retryAfter: nil, random: 1) == .seconds(4))
        #expect(policy.delay(beforeRetry: 5, retryAfter: nil, random: 1) == .seconds(8))
        #expect(policy.delay(beforeRetry: 40, retryAfter: nil, random: 0.5) == .seconds(4))
        #expect(policy.delay(beforeRetry: 3, retryAfter: nil, random: 0) == .zero)
        #expect(policy.delay(beforeRetry: 1, retryAfter: .seconds(7), random: 0) == .seconds(7))
        #expect(policy.delay(beforeRetry: 4, retryAfter: .seconds(7), random: 1) == .seconds(8))
    }
}

actor PeakCounter {
    private(set) var peak = 0
    func enter(_ active: Int) { peak = max(peak, active) }
}
