import Foundation

/// `python3` from PATH, for the checks against reference implementations (OpenRouter's SDK,
/// tiktoken).
public enum Python {
    public struct Output: Sendable {
        public var status: Int32
        public var stdout: String
    }

    /// Whether `python3` is on PATH and runs.
    public static let isAvailable: Bool = (try? run(["-c", "pass"]).status == 0) ?? false

    /// Whether `python3` is on PATH and imports every module named.
    public static func hasModules(_ modules: String...) -> Bool {
        (try? run(["-c", "import " + modules.joined(separator: ", ")]).status == 0) ?? false
    }

    /// Runs `python3 arguments…` to completion; stdout and stderr together.
    public static func run(_ arguments: [String]) throws -> Output {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3"] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Output(status: process.terminationStatus, stdout: String(decoding: data, as: UTF8.self))
    }
}
