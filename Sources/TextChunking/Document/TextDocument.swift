/// A UTF-8 text or Markdown document in memory, checked and ready to count and split.
///
/// Loading reads the file once into one buffer (block by block, sized up front), strips a
/// UTF-8 byte order mark, converts UTF-16 and UTF-32 files that begin with a byte order mark
/// to UTF-8, keeps CRLF line ends as they are (the model sees them, and they cost tokens),
/// and refuses invalid text and NUL bytes with the byte offset and line of the first
/// problem, unless `lossy` is set. Only regular files up to `maximumBytes` are read.
///
/// ```swift
/// let document = try TextDocument(contentsOf: "manual.md")
/// let chunks = try TextSplitter(counter: counter, chunkTokens: 8_000).split(document)
/// ```
public struct TextDocument: Sendable {
    /// The largest document file read, in bytes (1 GiB). Larger files, and anything that is
    /// not a regular file (a FIFO, `/dev/zero`), are refused before they are read.
    public static let maximumBytes = 1 << 30

    /// What kind of text this is; Markdown enables heading boundaries in the splitter.
    public enum Kind: String, Sendable {
        case plainText = "text"
        case markdown
    }

    /// The path as given (or a name for documents made from a string).
    public let path: String
    /// Plain text or Markdown (from the file name's extension).
    public let kind: Kind
    /// The document's UTF-8 text, without the byte order mark.
    public let utf8: [UInt8]
    /// Bytes before `utf8[0]` in the file (3 when it began with a UTF-8 BOM, else 0): chunk
    /// byte ranges add it, so they are offsets in the file itself. For a file converted from
    /// UTF-16 or UTF-32 it is 0 and byte ranges are offsets in the UTF-8 text.
    public let fileOffset: Int
    /// The file's encoding when it was converted ("UTF-16LE", "UTF-16BE", "UTF-32LE",
    /// "UTF-32BE", from its byte order mark); `nil` for UTF-8.
    public let convertedFrom: String?
    /// Invalid sequences and NUL bytes replaced by U+FFFD (only with `lossy`; offsets after
    /// the first replacement then refer to the repaired text, not the file).
    public let replacements: Int

    /// Loads a document from a file.
    /// - Parameters:
    ///   - path: a UTF-8 text or Markdown file (`.md`, `.markdown` are Markdown).
    ///   - lossy: replace invalid UTF-8 and NUL bytes with U+FFFD instead of failing.
    /// - Throws: `TextChunkingError` (`.unreadableFile` also for what is not a regular file,
    ///   `.tooLarge` past `maximumBytes`, `.invalidUTF8`, `.nulByte`).
    public init(contentsOf path: String, lossy: Bool = false) throws {
        let bytes = try FileBytes.read(path)
        try self.init(bytes: bytes, path: path, kind: Self.kind(ofPath: path), lossy: lossy)
    }

    /// A document from text already in memory.
    public init(text: String, path: String = "<text>", kind: Kind = .plainText) {
        self.path = path
        self.kind = kind
        self.utf8 = Array(text.utf8)
        self.fileOffset = 0
        self.replacements = 0
        self.convertedFrom = nil
    }

    /// A document from raw bytes, checked as a file would be. The bytes are consumed so a
    /// BOM is removed in place, without a second copy of a large file.
    public init(bytes: consuming [UInt8], path: String, kind: Kind, lossy: Bool = false) throws {
        var bytes = bytes
        if let encoding = WideText.encoding(ofBOM: bytes) {
            do {
                let (utf8, replaced) = try WideText.utf8(of: bytes, encoding: encoding, lossy: lossy)
                self.path = path
                self.kind = kind
                self.utf8 = utf8
                self.fileOffset = 0
                self.replacements = replaced
                self.convertedFrom = encoding.rawValue
                return
            } catch {
                let at = "byte \(error.offset) (line \(error.line))"
                let code: TextChunkingError.Code = error.isNul ? .nulByte : .invalidUTF8
                throw TextChunkingError(
                    code,
                    "\(path): a \(encoding.rawValue) file (from its byte order mark), but at \(at): \(error.detail); use --lossy to replace bad characters with U+FFFD")
            }
        }
        var offset = 0
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF {
            bytes.removeFirst(3)
            offset = 3
        }
        var replaced = 0
        if let problem = UTF8Check.firstProblem(bytes) {
            guard lossy else {
                let line = UTF8Check.lineNumber(of: problem.offset, in: bytes)
                let at = "byte \(problem.offset + offset) (line \(line))"
                if problem.isNul {
                    if let wide = Self.unmarkedWideText(bytes) {
                        throw TextChunkingError(
                            .nulByte,
                            "\(path): NUL byte at \(at); this looks like \(wide) text without a byte order mark (convert it, e.g. `iconv -f \(wide) -t UTF-8`)")
                    }
                    throw TextChunkingError(
                        .nulByte,
                        "\(path): NUL byte at \(at); this looks like a binary file, not text (use --lossy to read it anyway)")
                }
                throw TextChunkingError(
                    .invalidUTF8,
                    "\(path): invalid UTF-8 at \(at); expected UTF-8 text (convert it, e.g. `iconv -f LATIN1 -t UTF-8`, or use --lossy to replace bad bytes with U+FFFD)")
            }
            (bytes, replaced) = UTF8Check.repaired(bytes)
        }
        self.path = path
        self.kind = kind
        self.utf8 = bytes
        self.fileOffset = offset
        self.replacements = replaced
        self.convertedFrom = nil
    }

    /// "UTF-16LE" or "UTF-16BE" when the first bytes look like mostly-ASCII UTF-16 with no
    /// byte order mark (every other byte NUL), so the error can say so instead of "binary".
    static func unmarkedWideText(_ bytes: [UInt8]) -> String? {
        let head = bytes.prefix(256)
        guard head.count >= 4 else { return nil }
        var zeroEven = 0, zeroOdd = 0
        for (index, byte) in head.enumerated() where byte == 0 {
            if index % 2 == 0 { zeroEven += 1 } else { zeroOdd += 1 }
        }
        let pairs = head.count / 2
        if zeroOdd * 10 >= pairs * 9 && zeroEven == 0 { return "UTF-16LE" }
        if zeroEven * 10 >= pairs * 9 && zeroOdd == 0 { return "UTF-16BE" }
        return nil
    }

    /// Markdown for `.md`, `.markdown`, `.mdown`, `.mkd`; plain text otherwise.
    public static func kind(ofPath path: String) -> Kind {
        let lower = path.lowercased()
        for ext in [".md", ".markdown", ".mdown", ".mkd"] where lower.hasSuffix(ext) {
            return .markdown
        }
        return .plainText
    }

    /// The text of a byte range of `utf8` (ranges from the splitter fall on characters).
    public func text(_ range: Range<Int>) -> String {
        String(decoding: utf8[range], as: UTF8.self)
    }

    /// The whole text as a `String` (a copy: prefer byte ranges for large documents).
    public var text: String { String(decoding: utf8, as: UTF8.self) }
}
