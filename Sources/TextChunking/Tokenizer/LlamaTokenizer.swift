/// Meta's Llama 4 text tokenizer: byte-level BPE over the ranks of `tokenizer.model`
/// (tiktoken format), after O200K pre-tokenization. Counts and ids equal tiktoken's
/// `encode_ordinary` with the same file and pattern; special tokens such as
/// `<|begin_of_text|>` are never matched inside text, they are counted as the text they are.
///
/// ```swift
/// let tokenizer = try LlamaTokenizer(contentsOf: "tokenizer.model")
/// tokenizer.count("Hello, world")   // 3
/// ```
public struct LlamaTokenizer: TokenCounter {
    let ranks: BPERanks
    /// The file the ranks were read from.
    public let path: String

    /// Loads a tiktoken ranks file (Meta's `tokenizer.model` for Llama 4).
    /// - Throws: `TextChunkingError` (`.unreadableFile`, `.invalidTokenizerFile`).
    public init(contentsOf path: String) throws {
        let data = try FileBytes.read(path)
        self.ranks = try data.withUnsafeBufferPointer { try BPERanks(fileContents: $0, path: path) }
        self.path = path
        guard (0..<256).allSatisfy({ byte in
            var b = UInt8(byte)
            return ranks.rank(&b, 1) >= 0
        }) else {
            throw TextChunkingError(
                .invalidTokenizerFile,
                "\(path): not a byte-level BPE vocabulary (some single bytes have no rank)")
        }
    }

    public var isExact: Bool { true }
    public var summary: String { "Llama 4 tokenizer (\(path))" }
    /// The number of BPE ranks (200,000 for Llama 4; its 2,048 special tokens come after).
    public var rankCount: Int { ranks.count }

    public func count(utf8: UnsafeBufferPointer<UInt8>) -> Int {
        let scanner = PreTokenizer(utf8)
        let workspace = BPEWorkspace(ranks: ranks, textLength: utf8.count)
        var total = 0
        var start = 0
        while start < scanner.count {
            let end = scanner.pieceEnd(from: start)
            total += workspace.tokenCount(scanner.base + start, end - start)
            start = end
        }
        return total
    }

    public func forEachPiece(utf8: UnsafeBufferPointer<UInt8>, _ body: (Range<Int>, Int) -> Void) {
        let scanner = PreTokenizer(utf8)
        let workspace = BPEWorkspace(ranks: ranks, textLength: utf8.count)
        var start = 0
        while start < scanner.count {
            let end = scanner.pieceEnd(from: start)
            body(start..<end, workspace.tokenCount(scanner.base + start, end - start))
            start = end
        }
    }

    /// The token ids of `text` (what tiktoken's `encode_ordinary` returns).
    public func encode(_ text: String) -> [Int] {
        var text = text
        return text.withUTF8 { encode(utf8: $0) }
    }

    /// The token ids of valid UTF-8 bytes.
    public func encode(utf8: UnsafeBufferPointer<UInt8>) -> [Int] {
        let scanner = PreTokenizer(utf8)
        let workspace = BPEWorkspace(ranks: ranks, textLength: 0)
        var ids: [Int] = []
        ids.reserveCapacity(utf8.count / 4)
        var start = 0
        while start < scanner.count {
            let end = scanner.pieceEnd(from: start)
            workspace.encode(scanner.base + start, end - start, into: &ids)
            start = end
        }
        return ids
    }

    /// The byte ranges of the tokens of valid UTF-8 bytes, in order (used to cut an enormous
    /// word at token boundaries).
    public func tokenRanges(utf8: UnsafeBufferPointer<UInt8>) -> [Range<Int>] {
        let scanner = PreTokenizer(utf8)
        let workspace = BPEWorkspace(ranks: ranks, textLength: 0)
        var ranges: [Range<Int>] = []
        var start = 0
        while start < scanner.count {
            let end = scanner.pieceEnd(from: start)
            let count = workspace.mergeBoundaries(scanner.base + start, end - start)
            for k in 0..<count {
                ranges.append((start + workspace.boundary(k))..<(start + workspace.boundary(k + 1)))
            }
            start = end
        }
        return ranges
    }

    /// The bytes of token `id` (nil for ids outside the ranks, e.g. special tokens).
    public func bytes(ofToken id: Int) -> [UInt8]? {
        guard id >= 0, id < ranks.count else { return nil }
        return Array(ranks.tokenBytes(id))
    }
}
