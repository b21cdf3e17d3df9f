import AsyncHTTPClient
import Foundation
import PeruseTesting
import Testing

@testable import OpenRouterEmulator

/// The emulator under the load of issue 3, done-when 2 (300 requests at concurrency 8, 30% of
/// them failing in every way), driven by a naive retrying client: its log must let a test
/// prove that every request ended correctly, none was answered twice and nothing was retried
/// after a non-retryable failure.
@Suite("Emulator under a faulty load")
struct EmulatorLoadTests {
    private enum Ending: Equatable {
        case answered(String)
        case refused(Int)
    }

    /// Sends until answered in full or refused for good; retries at once (no backoff: the
    /// emulator has no real provider to spare).
    private static func run(_ emulator: RunningEmulator, marker: String, stream: Bool) async -> Ending {
        while true {
            do {
                let response = try await EmulatorHTTP.send(
                    emulator, body: EmulatorHTTP.chatBody(text: marker, stream: stream))
                if response.status == 200 {
                    let content = stream ? response.streamedContent : (response.content ?? "")
                    let failed =
                        stream ? response.events.contains { $0["error"] != nil } : response.json["error"] != nil
                    if !failed, response.body.contains(stream ? "[DONE]" : "usage") { return .answered(content) }
                } else if [400, 401, 402, 403, 413].contains(response.status) {
                    return .refused(response.status)
                }
            } catch {
                // A dropped connection: retry.
            }
        }
    }

    @Test(arguments: [false, true])
    func threeHundredRequestsAtConcurrencyEightWithThirtyPercentFaults(stream: Bool) async throws {
        try await withEmulator(configure: {
            $0.faults = .random(probability: 0.3, among: Fault.fullMix, seed: 7)
            $0.responder = { request in "echo \(request.promptText)" }
        }) { emulator in
            let endings = try await withThrowingTaskGroup(of: (Int, Ending).self) { group in
                var endings: [Int: Ending] = [:]
                var next = 0
                for _ in 0..<8 {
                    let index = next
                    group.addTask { (index, await Self.run(emulator, marker: "marker-\(index)", stream: stream)) }
                    next += 1
                }
                for try await (index, ending) in group {
                    endings[index] = ending
                    if next < 300 {
                        let index = next
                        group.addTask { (index, await Self.run(emulator, marker: "marker-\(index)", stream: stream)) }
                        next += 1
                    }
                }
                return endings
            }
            #expect(endings.count == 300)
            let byMarker = Dictionary(grouping: emulator.received) { $0.promptText }
            for index in 0..<300 {
                let attempts = byMarker["marker-\(index)"] ?? []
                let outcomes = attempts.compactMap(\.outcome)
                #expect(outcomes.count == attempts.count)
                switch endings[index] {
                case .answered(let content)?:
                    #expect(content == "echo marker-\(index)")
                    #expect(outcomes.filter(\.answeredInFull).count == 1)
                    #expect(outcomes.last?.answeredInFull == true)
                case .refused(let status)?:
                    #expect(outcomes.filter(\.answeredInFull).isEmpty)
                    #expect(outcomes.last?.status == status)
                    #expect(outcomes.last?.fault?.isRetryable == false)
                case nil:
                    Issue.record("marker-\(index) never ended")
                }
                // Nothing was retried after a non-retryable failure.
                let refusals = outcomes.indices.filter { outcomes[$0].fault?.isRetryable == false }
                #expect(refusals.allSatisfy { $0 == outcomes.count - 1 })
            }
            let counters = emulator.counters
            #expect(counters.admitted == emulator.received.count)
            let failureRate =
                Double(emulator.received.filter { $0.outcome?.fault != nil }.count) / Double(counters.admitted)
            #expect((0.2...0.4).contains(failureRate))
        }
    }
}
