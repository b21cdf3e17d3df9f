/// Estimates Llama 4 token counts without the tokenizer file, biased to overcount so a chunk
/// planned with it never overflows.
///
/// It pre-tokenizes exactly like the real tokenizer (the O200K pattern needs no vocabulary)
/// and estimates each pre-token from its length and script, with weights calibrated against
/// the real tokenizer on English prose, Markdown, source code, CJK, other scripts and emoji
/// (`docs/tokens.md` gives the error on each). Estimates are additive over pre-tokens like
/// exact counts, so the splitter treats both alike.
public struct TokenEstimator: TokenCounter {
    public init() {}

    public var isExact: Bool { false }
    public var summary: String { "estimate (no tokenizer file; overcounts by design)" }

    public func forEachPiece(utf8: UnsafeBufferPointer<UInt8>, _ body: (Range<Int>, Int) -> Void) {
        let scanner = PreTokenizer(utf8)
        var start = 0
        while start < scanner.count {
            let end = scanner.pieceEnd(from: start)
            body(start..<end, estimate(scanner, start, end))
            start = end
        }
    }

    public func count(utf8: UnsafeBufferPointer<UInt8>) -> Int {
        let scanner = PreTokenizer(utf8)
        var total = 0
        var start = 0
        while start < scanner.count {
            let end = scanner.pieceEnd(from: start)
            total += estimate(scanner, start, end)
            start = end
        }
        return total
    }

    /// Tokens of one pre-token, in 1/1000 token units summed per character, rounded up.
    @inline(__always)
    func estimate(_ scanner: PreTokenizer, _ start: Int, _ end: Int) -> Int {
        let length = end - start
        if length == 1 { return 1 }
        var milli = 0
        var i = start
        var asciiLetters = 0
        var asciiOther = 0
        while i < end {
            let b0 = scanner.base[i]
            if b0 < 0x80 {
                let c = b0 | 0x20
                if c >= 0x61 && c <= 0x7A { asciiLetters += 1 } else { asciiOther += 1 }
                i += 1
                continue
            }
            let (cls, len) = scanner.classify(i)
            milli += Self.weight(scanner.base + i, len, cls)
            i += len
        }
        milli += Self.asciiLetterWeight(asciiLetters) + asciiOther * Weights.asciiOther
        return max(1, (milli + 999) / 1000)
    }

    /// ASCII letters: words of up to about 6 letters are one token; longer words cost more.
    @inline(__always)
    static func asciiLetterWeight(_ n: Int) -> Int {
        guard n > 0 else { return 0 }
        return n <= Weights.asciiFreeLetters ? 1000 : 1000 + (n - Weights.asciiFreeLetters) * Weights.asciiExtraLetter
    }

    /// The weight of one non-ASCII character by script, from its first bytes.
    @inline(__always)
    static func weight(_ p: UnsafePointer<UInt8>, _ length: Int, _ cls: UInt8) -> Int {
        switch length {
        case 2:
            // Latin-1/Extended, Greek, Cyrillic, Hebrew, Arabic…
            return cls & ScalarClass.letter != 0 ? Weights.twoByteLetter : Weights.twoByteOther
        case 3:
            let b0 = p[0]
            let b1 = p[1]
            if b0 == 0xE0 {
                // Indic scripts and Thai (U+0800–U+0FFF)
                return cls & ScalarClass.letter != 0 ? Weights.indicLetter : Weights.indicMark
            }
            if b0 == 0xE3 && b1 >= 0x81 && b1 <= 0x83 { return Weights.kana }
            if (b0 >= 0xE4 && b0 <= 0xE9) || (b0 == 0xE3 && b1 >= 0x90) { return Weights.cjk }
            if b0 >= 0xEA && b0 <= 0xED { return Weights.hangul }
            return cls & ScalarClass.letter != 0 ? Weights.otherLetter : Weights.threeByteSymbol
        default:
            return Weights.fourByte  // emoji, rare CJK, math alphanumerics
        }
    }

    /// Calibrated weights (see `docs/tokens.md` for how and on what).
    enum Weights {
        static let asciiFreeLetters = 6
        static let asciiExtraLetter = 250
        static let asciiOther = 350
        static let twoByteLetter = 500
        static let twoByteOther = 1000
        static let indicLetter = 700
        static let indicMark = 500
        static let kana = 1000
        static let cjk = 1300
        static let hangul = 1000
        static let otherLetter = 1000
        static let threeByteSymbol = 1300
        static let fourByte = 2500
    }
}
