/// Why an image could not be ingested. One bad file is reported and skipped; the rest go on.
public struct ImageIngestError: Error, Sendable, CustomStringConvertible, Equatable {
    /// What kind of failure this is, for programs; `message` is for people.
    public enum Code: String, Sendable, Equatable {
        /// The file could not be opened or read (permissions, missing, not a regular file).
        case unreadable
        /// The bytes are not a PNG or JPEG (another image format, text, empty).
        case notAnImage
        /// A PNG or JPEG the decoders cannot handle (e.g. 12-bit JPEG).
        case unsupported
        /// The header declares more pixels than allowed (a decompression bomb, or just huge).
        case tooLarge
        /// The data is damaged; the message carries the library's reason.
        case corrupt
        /// The data ends before the image does (refused unless truncation is allowed).
        case truncated
        /// Encoding the output failed (out of memory).
        case encodeFailed
    }

    public var code: Code
    /// A sentence a user can act on, naming the file when known.
    public var message: String
    /// The file, when the error is about one.
    public var path: String?
    /// Lower-level detail (the C library's own words, an errno description).
    public var cause: String?

    public init(_ code: Code, _ message: String, path: String? = nil, cause: String? = nil) {
        self.code = code
        self.message = message
        self.path = path
        self.cause = cause
    }

    public var description: String {
        var text = path.map { "\($0): \(message)" } ?? message
        if let cause, !message.contains(cause) { text += " (\(cause))" }
        return text
    }

    func with(path: String) -> ImageIngestError {
        var copy = self
        copy.path = path
        return copy
    }
}
