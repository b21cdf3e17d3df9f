import Foundation
import Subprocess

#if canImport(System)
import System
#else
import SystemPackage
#endif

/// How a child process ended.
public struct ChildOutcome: Sendable, Equatable {
    /// The exit status, or nil when a signal ended it.
    public var exitStatus: Int32?
    /// The signal that ended it, if one did (a crash, or our kill at a limit).
    public var signal: Int32?
    /// True when it ran past `ChildLimits.seconds` and was killed.
    public var timedOut = false
    /// True when it printed more than `ChildLimits.outputBytes` and was stopped.
    public var outputTooLarge = false
    /// The last lines it wrote to standard error (poppler can print 100,000 lines of
    /// complaints on a damaged file: only the tail is kept).
    public var errorTail: [String] = []

    /// True when the child exited with status 0 within its limits.
    public var succeeded: Bool { exitStatus == 0 && !timedOut && !outputTooLarge }
}

/// Runs a tool as a child process within `ChildLimits`, streaming its standard output.
///
/// Parsers of hostile input (poppler on a PDF from anywhere) run out of process: a crash,
/// hang or memory blow-up there is a failed row for that file, never the end of the run.
enum ChildProcess {
    /// Where `prlimit(1)` is (util-linux, on every Debian system); without it the memory
    /// limit is not applied and the time limit still is.
    static let prlimit: String? = ["/usr/bin/prlimit", "/bin/prlimit"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    }

    /// Lines of standard error kept for messages.
    static let errorTailLines = 8

    /// Runs `executable` with `arguments`; `onOutput` receives standard output as it arrives.
    /// - Throws: what `onOutput` throws, `CancellationError`, or a `SubprocessError` when the
    ///   child cannot be started.
    static func run(
        _ executable: String, _ arguments: [String], limits: ChildLimits,
        onOutput: @escaping @Sendable ([UInt8]) throws -> Void
    ) async throws -> ChildOutcome {
        let program = prlimit ?? executable
        let argv = prlimit == nil ? arguments : ["--as=\(limits.memoryBytes)", "--core=0", "--", executable] + arguments
        return try await withThrowingTaskGroup(of: ChildOutcome?.self) { group in
            group.addTask {
                try await runUnbounded(program, argv, outputLimit: limits.outputBytes, onOutput: onOutput)
            }
            group.addTask {
                try await Task.sleep(for: .milliseconds(Int(limits.seconds * 1000)))
                return nil
            }
            // The first to finish decides; cancelling the other kills the child (Subprocess
            // ends its teardown with SIGKILL) or stops the timer.
            let first = try await group.next() ?? nil
            group.cancelAll()
            if let first { return first }
            return ChildOutcome(exitStatus: nil, signal: SIGKILL, timedOut: true)
        }
    }

    private static func runUnbounded(
        _ program: String, _ arguments: [String], outputLimit: Int,
        onOutput: @escaping @Sendable ([UInt8]) throws -> Void
    ) async throws -> ChildOutcome {
        var options = PlatformOptions()
        options.teardownSequence = []
        let result = try await Subprocess.run(
            .path(FilePath(program)), arguments: Arguments(arguments), platformOptions: options,
            input: .none, output: .sequence, error: .sequence
        ) { execution -> (tooLarge: Bool, tail: [String]) in
            async let tail = errorTail(execution.standardError)
            var total = 0
            var tooLarge = false
            for try await buffer in execution.standardOutput {
                if tooLarge { continue }  // drained, not kept, until the killed child closes it
                total += buffer.count
                if total > outputLimit {
                    tooLarge = true
                    try? execution.send(signal: .kill)
                    continue
                }
                try onOutput(buffer.withUnsafeBytes { Array($0) })
            }
            return (tooLarge, await tail)
        }
        var outcome = ChildOutcome()
        switch result.terminationStatus {
        case .exited(let code): outcome.exitStatus = code
        case .signaled(let signal): outcome.signal = signal
        }
        outcome.outputTooLarge = result.closureResult.tooLarge
        outcome.errorTail = result.closureResult.tail
        return outcome
    }

    /// Drains standard error, keeping only its last lines (bounded memory however much a
    /// damaged file makes poppler complain).
    private static func errorTail(_ sequence: SubprocessOutputSequence) async -> [String] {
        var lines: [String] = []
        var pending: [UInt8] = []
        do {
            for try await buffer in sequence {
                buffer.withUnsafeBytes { raw in
                    for byte in raw {
                        if byte == UInt8(ascii: "\n") {
                            lines.append(String(decoding: pending, as: UTF8.self))
                            if lines.count > errorTailLines { lines.removeFirst(lines.count - errorTailLines) }
                            pending.removeAll(keepingCapacity: true)
                        } else if pending.count < 400 {
                            pending.append(byte)
                        }
                    }
                }
            }
        } catch {}
        if !pending.isEmpty { lines.append(String(decoding: pending, as: UTF8.self)) }
        return Array(lines.suffix(errorTailLines))
    }
}
