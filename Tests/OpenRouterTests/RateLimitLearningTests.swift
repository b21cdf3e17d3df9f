import Testing

@testable import OpenRouter

/// Issue 9: a server that allows fewer requests than the governor was set to. Its 429 states
/// the limit (`X-RateLimit-Limit`) and when a place frees (`Retry-After`); the governor keeps
/// to that limit over the window the 429 reveals, never a longer one than configured.
@Suite struct RateLimitLearningTests {
    @Test func a429WithItsLimitSlowsEveryLaterRequestToIt() async throws {
        let clock = VirtualClock()
        let governor = RateGovernor(requestsPerMinute: 1_000, maxConcurrency: 4, clock: clock, recordStarts: true)
        // Three answered at once, then the server (3 per 2 s) refuses: its oldest leaves in 2 s.
        for _ in 0..<3 {
            let permit = try await governor.acquire()
            await governor.release(permit)
        }
        await governor.slowDown(serverLimit: 3, retryAfter: .seconds(2))
        #expect(await governor.requestsPerMinute == 3)
        let window = await governor.window
        #expect(window >= .seconds(2) && window <= .seconds(3), "\(window)")
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<9 {
                group.addTask {
                    let permit = try await governor.acquire()
                    await governor.release(permit)
                }
            }
            try await group.waitForAll()
        }
        let starts = await governor.startTimes.sorted()
        #expect(starts.count == 12)
        // No window of the learned length holds more than the server's 3.
        for (index, start) in starts.enumerated() {
            #expect(starts[index...].prefix { $0 - start < window }.count <= 3)
        }
        // 12 requests at 3 per window need three windows after the first three.
        #expect(try #require(starts.last) >= window * 3)
    }

    @Test func theLearnedWindowNeverExceedsTheConfiguredOne() async throws {
        let clock = VirtualClock()
        let governor = RateGovernor(requestsPerMinute: 20, maxConcurrency: 4, rateWindow: .seconds(10), clock: clock)
        let permit = try await governor.acquire()
        await governor.release(permit)
        await governor.slowDown(serverLimit: 1, retryAfter: .seconds(3_600))
        #expect(await governor.window <= .seconds(10) + .seconds(10) / 120)
        #expect(await governor.requestsPerMinute == 1)
        await governor.slowDown(serverLimit: 50, retryAfter: .seconds(1))
        #expect(await governor.requestsPerMinute == 1)  // never raised above what was learned or set
    }
}
