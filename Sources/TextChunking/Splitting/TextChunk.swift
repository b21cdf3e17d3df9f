/// The kind of place where a chunk ends, from the largest structure to the smallest.
public enum TextBoundary: Int, Sendable, Comparable, CustomStringConvertible {
    /// Before a Markdown heading line (`#` … `######`, outside fenced code).
    case heading = 0
    /// After a blank line.
    case paragraph
    /// At the start of a line.
    case line
    /// After a sentence end (`.`, `!`, `?` before a space; `。！？…` anywhere).
    case sentence
    /// Between words (next to whitespace).
    case word
    /// Between tokens (inside a word or a line of CJK without spaces).
    case token
    /// The end of the document.
    case end

    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }

    public var description: String {
        switch self {
        case .heading: "heading"
        case .paragraph: "paragraph"
        case .line: "line"
        case .sentence: "sentence"
        case .word: "word"
        case .token: "token"
        case .end: "end"
        }
    }
}

/// A piece of a document that fits the token budget, with where it came from so an answer
/// can cite it.
public struct TextChunk: Sendable, Hashable {
    /// Position in the document, from 0.
    public var index: Int
    /// The chunk's text, exactly the document's bytes in `byteRange`.
    public var text: String
    /// Tokens of `text` by the splitter's counter (exact with `LlamaTokenizer`).
    public var tokens: Int
    /// Byte offsets in the file (a BOM counts), including the overlap.
    public var byteRange: Range<Int>
    /// First and last line (1-based) that the chunk touches.
    public var lineRange: ClosedRange<Int>
    /// How many leading bytes repeat the end of the previous chunk (the overlap).
    public var overlapBytes: Int
    /// What structure the chunk ends on.
    public var boundary: TextBoundary
}
