/// Checks `condition` every `interval` until it holds, for at most `limit`; returns whether it
/// held. For what no event reports (a child process's progress, a server noticing a hang-up).
/// The limit is generous, far above any normal wait on a loaded machine: it exists so a
/// regression fails the test instead of hanging the suite.
@discardableResult
public func poll(
    every interval: Duration = .milliseconds(20), for limit: Duration = .seconds(120),
    until condition: () async throws -> Bool
) async throws -> Bool {
    let clock = ContinuousClock()
    let deadline = clock.now + limit
    while true {
        if try await condition() { return true }
        if clock.now >= deadline { return false }
        try await Task.sleep(for: interval)
    }
}
