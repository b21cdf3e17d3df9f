import Foundation

/// A position in a pipeline file: 1-based line and column, as editors show them.
public struct SourceLocation: Sendable, Hashable, CustomStringConvertible {
    /// The file the position is in (as given by the user), or `<string>` for inline text.
    public var file: String
    /// Line, starting at 1.
    public var line: Int
    /// Column, starting at 1, counted in Unicode scalars (as libyaml counts them).
    public var column: Int

    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    public var description: String { "\(file):\(line):\(column)" }
}

/// Every error the `Pipeline` module throws.
///
/// `code` says what kind of failure it is (the CLI maps it to an exit code), `message` says
/// what was wrong and what was expected, `location` points into the pipeline file when the
/// problem is there.
public struct PipelineError: Error, Sendable, CustomStringConvertible {
    /// The kind of failure.
    public enum Code: String, Sendable {
        /// The pipeline file is malformed or inconsistent (exit 2).
        case invalidPipeline
        /// A value given on the command line (`--set`, an option) is wrong (exit 2).
        case invalidInput
        /// An input file (image, document) could not be read or prepared; the item fails.
        case itemFailed
        /// The model endpoint could not be reached or refused every request (exit 3).
        case unreachable
        /// The run store could not be opened or written.
        case store
        /// A result file could not be written.
        case output
    }

    public var code: Code
    public var message: String
    public var location: SourceLocation?
    public var cause: (any Error & Sendable)?

    public init(
        _ code: Code, _ message: String, at location: SourceLocation? = nil,
        cause: (any Error & Sendable)? = nil
    ) {
        self.code = code
        self.message = message
        self.location = location
        self.cause = cause
    }

    public var description: String {
        var text = location.map { "\($0): \(message)" } ?? message
        // A cause that already says the message (an OpenRouterError passed on) is not repeated.
        if let cause, !String(describing: cause).contains(message) { text += " (\(cause))" }
        return text
    }
}
