/// Running totals of what an emulator answered.
public struct EmulatorCounters: Sendable, Hashable {
    /// Requests received (any path, any outcome).
    public var requests: Int = 0
    /// Chat requests admitted past authentication, validation and the rate limits; each one
    /// took the next entry of the fault plan.
    public var admitted: Int = 0
    /// Responses by HTTP status (a dropped connection counts under the status it had sent,
    /// or 0 when nothing was sent).
    public var byStatus: [Int: Int] = [:]
    /// Connections dropped on purpose.
    public var droppedConnections: Int = 0
    /// Streams (or bodies) that ended with an error event.
    public var midStreamErrors: Int = 0
    /// Answers the client stopped reading before their end (closed or cancelled).
    public var clientDisconnects: Int = 0
    /// 429s for the per-minute limit.
    public var perMinuteLimited: Int = 0
    /// 429s for the daily cap.
    public var dailyCapped: Int = 0

    public init() {}
}
