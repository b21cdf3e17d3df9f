/// The one error type of `TextChunking`: what went wrong, where, and what the user can do.
public struct TextChunkingError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this is, for callers that branch on it.
    public enum Code: String, Sendable {
        /// The file could not be opened or read.
        case unreadableFile
        /// The file is larger than `TextDocument.maximumBytes` (or the reader's limit).
        case tooLarge
        /// The file is not valid UTF-8 (the message names the byte offset and line).
        case invalidUTF8
        /// The file contains a NUL byte, which text never does (it is probably binary).
        case nulByte
        /// The tokenizer file is not a tiktoken ranks file (`base64 rank` per line).
        case invalidTokenizerFile
        /// No tokenizer file was found where one was asked for.
        case tokenizerNotFound
        /// The token budget leaves no room for a chunk (context too small for prompt + answer).
        case budgetTooSmall
        /// A single part of a reduce is larger than one request can hold.
        case partTooLarge
        /// An argument is out of its valid range.
        case invalidArgument
    }

    /// What kind of failure this is.
    public var code: Code
    /// A message a user can act on: names the file, byte or line, and what was expected.
    public var message: String
    /// The underlying error, when there is one.
    public var cause: (any Error & Sendable)?

    /// Creates an error.
    public init(_ code: Code, _ message: String, cause: (any Error & Sendable)? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    public var description: String {
        if let cause { return "\(message) (\(cause))" }
        return message
    }
}
