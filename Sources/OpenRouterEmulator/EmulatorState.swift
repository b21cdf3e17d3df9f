import Crypto
import Foundation
import NIOConcurrencyHelpers
import NIOCore

/// The emulator's shared mutable state: the request log, counters, rate-limit windows and
/// open connections. Touched briefly by every request, so a lock, not an actor hop.
final class EmulatorState: Sendable {
    private struct Storage {
        var nextSequence = 0
        var log: [ReceivedRequest] = []
        var counters = EmulatorCounters()
        var minuteWindows: [String: [ContinuousClock.Instant]] = [:]
        var dailyCounts: [String: (day: Int, count: Int)] = [:]
        var connections: [ObjectIdentifier: any Channel] = [:]
    }

    enum Admission {
        case admitted(faultIndex: Int)
        case perMinute(limit: Int, resetMilliseconds: Int64, retryAfter: Int)
        case daily(limit: Int, resetMilliseconds: Int64)
    }

    private let storage = NIOLockedValueBox(Storage())

    func nextSequence() -> Int {
        storage.withLockedValue { state in
            defer { state.nextSequence += 1 }
            state.counters.requests += 1
            return state.nextSequence
        }
    }

    init(observer: (@Sendable (ReceivedRequest) -> Void)?) {
        self.observer = observer
    }

    private let observer: (@Sendable (ReceivedRequest) -> Void)?

    func markDisconnected(sequence: Int) {
        storage.withLockedValue { state in
            guard let index = state.log.lastIndex(where: { $0.sequence == sequence }) else { return }
            state.log[index].outcome?.clientDisconnected = true
            state.counters.clientDisconnects += 1
        }
    }

    func record(_ request: ReceivedRequest) {
        observer?(request)
        storage.withLockedValue { state in
            state.log.append(request)
            let status = request.outcome?.status ?? 0
            state.counters.byStatus[status, default: 0] += 1
            switch request.outcome?.fault {
            case .dropConnection?: state.counters.droppedConnections += 1
            case .midStreamError?: state.counters.midStreamErrors += 1
            default: break
            }
        }
    }

    var log: [ReceivedRequest] {
        storage.withLockedValue { $0.log.sorted { $0.sequence < $1.sequence } }
    }

    var counters: EmulatorCounters { storage.withLockedValue { $0.counters } }

    func reset() {
        storage.withLockedValue { state in
            state.log = []
            state.counters = EmulatorCounters()
            state.minuteWindows = [:]
            state.dailyCounts = [:]
        }
    }

    /// Applies the free-tier limits (when the model is a `:free` one) and, if the request
    /// may go on, gives it the next position in the fault plan.
    func admit(apiKey: String, freeModel: Bool, rateLimit: EmulatorConfiguration.RateLimit?, dailyCap: Int?)
        -> Admission
    {
        // Keys are never stored as such: the windows are keyed by a digest.
        let keyID = Digest.sha256Hex(Array(apiKey.utf8))
        let now = ContinuousClock.now
        let wallClock = Date()
        return storage.withLockedValue { state in
            if freeModel, let cap = dailyCap {
                let day = Int(wallClock.timeIntervalSince1970 / 86_400)
                let used = state.dailyCounts[keyID].flatMap { $0.day == day ? $0.count : nil } ?? 0
                if used >= cap {
                    state.counters.dailyCapped += 1
                    return .daily(limit: cap, resetMilliseconds: Int64(day + 1) * 86_400_000)
                }
            }
            if freeModel, let limit = rateLimit {
                var window = state.minuteWindows[keyID, default: []]
                window.removeAll { now - $0 >= limit.window }
                if window.count >= limit.requests, let oldest = window.first {
                    state.minuteWindows[keyID] = window
                    state.counters.perMinuteLimited += 1
                    let wait = limit.window - (now - oldest)
                    let waitMilliseconds = max(
                        0, Int64(wait.components.seconds * 1000 + wait.components.attoseconds / 1_000_000_000_000_000))
                    let reset = Int64(wallClock.timeIntervalSince1970 * 1000) + waitMilliseconds
                    return .perMinute(
                        limit: limit.requests, resetMilliseconds: reset,
                        retryAfter: Int((waitMilliseconds + 999) / 1000))
                }
                window.append(now)
                state.minuteWindows[keyID] = window
            }
            if freeModel, dailyCap != nil {
                let day = Int(wallClock.timeIntervalSince1970 / 86_400)
                let used = state.dailyCounts[keyID].flatMap { $0.day == day ? $0.count : nil } ?? 0
                state.dailyCounts[keyID] = (day, used + 1)
            }
            defer { state.counters.admitted += 1 }
            return .admitted(faultIndex: state.counters.admitted)
        }
    }

    func track(_ channel: any Channel) {
        storage.withLockedValue { $0.connections[ObjectIdentifier(channel)] = channel }
    }

    func untrack(_ channel: any Channel) {
        storage.withLockedValue { _ = $0.connections.removeValue(forKey: ObjectIdentifier(channel)) }
    }

    func openConnections() -> [any Channel] {
        storage.withLockedValue { Array($0.connections.values) }
    }
}
