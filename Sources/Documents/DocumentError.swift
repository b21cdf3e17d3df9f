/// Why a document could not be read. One error type for the module, as in every Peruse
/// module: a `code` to branch on, a `message` a user can act on, and the file it is about.
public struct DocumentError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong, in kinds a caller branches on. A struct over a private enum so that
    /// adding a kind breaks no caller's `switch`.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Kind: String, Sendable {
            case toolMissing, notAFile, encrypted, wrongPassword, damaged, empty, noPages, timedOut, tooLarge, toolFailed
        }
        private let kind: Kind
        private init(_ kind: Kind) { self.kind = kind }

        /// poppler-utils is not installed (or not on `PATH`).
        public static let toolMissing = Code(.toolMissing)
        /// The path is not a regular file (a folder, FIFO or device).
        public static let notAFile = Code(.notAFile)
        /// The PDF needs a password and none was given.
        public static let encrypted = Code(.encrypted)
        /// The PDF needs a password and the one given is wrong.
        public static let wrongPassword = Code(.wrongPassword)
        /// Not a PDF, truncated, or too damaged for poppler to read.
        public static let damaged = Code(.damaged)
        /// The file has no bytes.
        public static let empty = Code(.empty)
        /// The PDF has no pages.
        public static let noPages = Code(.noPages)
        /// A poppler tool ran past its time limit and was stopped.
        public static let timedOut = Code(.timedOut)
        /// Past a size limit: pages, output bytes or memory.
        public static let tooLarge = Code(.tooLarge)
        /// A poppler tool failed for another reason (a crash, a signal).
        public static let toolFailed = Code(.toolFailed)

        public var description: String { kind.rawValue }
    }

    public var code: Code
    /// The document, as the user gave it.
    public var path: String
    /// What happened and, where there is one, what to do about it.
    public var message: String

    public init(_ code: Code, path: String, _ message: String) {
        self.code = code
        self.path = path
        self.message = message
    }

    public var description: String { "\(path): \(message)" }
}
