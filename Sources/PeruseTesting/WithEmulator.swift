import OpenRouterEmulator

/// Runs `body` against an emulator started for it, and always shuts the emulator down after
/// `body` returns or throws (the error is rethrown), the way hummingbird's `app.test(.live)`
/// scopes a server. A `defer { Task { … shutdown() } }` would instead leave the shutdown
/// unawaited, so a failure in it was never seen and the server outlived the test.
public func withEmulator<T>(
    _ configuration: EmulatorConfiguration = EmulatorConfiguration(),
    _ body: (RunningEmulator) async throws -> T
) async throws -> T {
    let emulator = try await OpenRouterEmulator.start(configuration)
    let result: T
    do {
        result = try await body(emulator)
    } catch {
        try? await emulator.shutdown()
        throw error
    }
    try await emulator.shutdown()
    return result
}

/// ``withEmulator(_:_:)`` with the default configuration changed by `configure`.
public func withEmulator<T>(
    configure: (inout EmulatorConfiguration) -> Void,
    _ body: (RunningEmulator) async throws -> T
) async throws -> T {
    var configuration = EmulatorConfiguration()
    configure(&configuration)
    return try await withEmulator(configuration, body)
}
