/// Splits UTF-8 text into pre-tokens exactly as tiktoken does with the O200K pattern that
/// Llama 4 uses (`../shared/llama4/NOTES.md`):
///
/// ```
/// [^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?
/// |[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?
/// |\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+
/// ```
///
/// A hand-written scanner instead of a regex engine: each alternative's backtracking is
/// resolved in closed form (comments below), which is several times faster than
/// NSRegularExpression or Swift Regex and needs no allocation. Every position matches some
/// alternative, so the pieces are consecutive and cover the whole input.
///
/// The input must be valid UTF-8 (documents are validated when loaded; `String` always is).
struct PreTokenizer {
    let base: UnsafePointer<UInt8>
    let count: Int
    private let table: UnsafePointer<UInt8>

    init(_ buffer: UnsafeBufferPointer<UInt8>) {
        // An empty buffer may have no base address; any valid pointer works since count is 0.
        self.base = buffer.baseAddress ?? ScalarClass.bmp.pointer
        self.count = buffer.count
        self.table = ScalarClass.bmp.pointer
    }

    /// Calls `body` with the byte range of every pre-token, in order.
    func forEachPiece(_ body: (Int, Int) -> Void) {
        var start = 0
        while start < count {
            let end = pieceEnd(from: start)
            body(start, end)
            start = end
        }
    }

    /// The classes and byte length of the character at `i`.
    @inline(__always)
    func classify(_ i: Int) -> (UInt8, Int) {
        let b0 = base[i]
        if b0 < 0x80 { return (table[Int(b0)], 1) }
        if b0 < 0xE0 {
            guard b0 >= 0xC2, i + 1 < count else { return (0, 1) }
            let v = (UInt32(b0 & 0x1F) << 6) | UInt32(base[i + 1] & 0x3F)
            return (table[Int(v)], 2)
        }
        if b0 < 0xF0 {
            guard i + 2 < count else { return (0, 1) }
            let v = (UInt32(b0 & 0x0F) << 12) | (UInt32(base[i + 1] & 0x3F) << 6)
                | UInt32(base[i + 2] & 0x3F)
            return (table[Int(v)], 3)
        }
        guard b0 < 0xF5, i + 3 < count else { return (0, 1) }
        let v = (UInt32(b0 & 0x07) << 18) | (UInt32(base[i + 1] & 0x3F) << 12)
            | (UInt32(base[i + 2] & 0x3F) << 6) | UInt32(base[i + 3] & 0x3F)
        return (ScalarClass.supplementary(v), 4)
    }

    /// The end of the pre-token that starts at `p` (`p < count`).
    func pieceEnd(from p: Int) -> Int {
        let (c0, l0) = classify(p)
        let isNumber = c0 & ScalarClass.number != 0
        let isNewline = c0 & ScalarClass.newline != 0
        if !isNumber && !isNewline {
            // Alternatives 1 and 2, each first with the optional `[^\r\n\p{L}\p{N}]` taken.
            let optionalTaken = c0 & ScalarClass.letter == 0
            if optionalTaken, let end = lowerWord(from: p + l0) { return end }
            if let end = lowerWord(from: p) { return end }
            if optionalTaken, let end = upperWord(from: p + l0) { return end }
            if let end = upperWord(from: p) { return end }
        }
        if isNumber {
            // \p{N}{1,3}
            var end = p + l0
            var digits = 1
            while digits < 3, end < count {
                let (c, l) = classify(end)
                guard c & ScalarClass.number != 0 else { break }
                end += l
                digits += 1
            }
            return end
        }
        // ` ?[^\s\p{L}\p{N}]+[\r\n/]*`
        let notSymbol = ScalarClass.space | ScalarClass.letter | ScalarClass.number
        if base[p] == 0x20, p + 1 < count, classify(p + 1).0 & notSymbol == 0 {
            return symbolRun(from: p + 1)
        }
        if c0 & notSymbol == 0 { return symbolRun(from: p) }
        // Only whitespace is left.
        var i = p
        var lastNewlineEnd = -1
        var lastStart = p
        while i < count {
            let (c, l) = classify(i)
            guard c & ScalarClass.space != 0 else { break }
            if c & ScalarClass.newline != 0 { lastNewlineEnd = i + l }
            lastStart = i
            i += l
        }
        // `\s*[\r\n]+`: backtracking gives up whitespace until the last CR/LF of the run.
        if lastNewlineEnd >= 0 { return lastNewlineEnd }
        // `\s+(?!\S)`: the whole run at the end of text, else all but its last character.
        if i == count { return count }
        if lastStart > p { return lastStart }
        // `\s+`: a single whitespace character before a non-space.
        return i
    }

    /// Alternative 1 from `q`: `[U]*[L]+` then a contraction, where U and L overlap.
    /// Greedy `[U]*` backs off to the longest prefix after which a lowercase-class
    /// character follows; `[L]+` then runs as far as it can.
    @inline(__always)
    private func lowerWord(from q: Int) -> Int? {
        var i = q
        var lastLowerEnd = -1
        while i < count {
            let (c, l) = classify(i)
            guard c & ScalarClass.upperish != 0 else { break }
            if c & ScalarClass.lowerish != 0 { lastLowerEnd = i + l }
            i += l
        }
        if i < count {
            let (c, l) = classify(i)
            if c & ScalarClass.lowerish != 0 {
                var end = i + l
                while end < count {
                    let (c2, l2) = classify(end)
                    guard c2 & ScalarClass.lowerish != 0 else { break }
                    end += l2
                }
                return contraction(at: end)
            }
        }
        // `[U]*` gives back its last lowercase-class character to `[L]+`, which cannot
        // extend past it (what follows is uppercase-only or not a letter at all).
        if lastLowerEnd >= 0 { return contraction(at: lastLowerEnd) }
        return nil
    }

    /// Alternative 2 from `q`: `[U]+[L]*` then a contraction.
    @inline(__always)
    private func upperWord(from q: Int) -> Int? {
        var i = q
        while i < count {
            let (c, l) = classify(i)
            guard c & ScalarClass.upperish != 0 else { break }
            i += l
        }
        guard i > q else { return nil }
        while i < count {
            let (c, l) = classify(i)
            guard c & ScalarClass.lowerish != 0 else { break }
            i += l
        }
        return contraction(at: i)
    }

    /// `(?i:'s|'t|'re|'ve|'m|'ll|'d)?` at `e`. Case-insensitive matching also accepts
    /// U+017F LATIN SMALL LETTER LONG S for `s`, as Unicode simple case folding does.
    @inline(__always)
    private func contraction(at e: Int) -> Int {
        guard e + 1 < count, base[e] == 0x27 else { return e }
        let b1 = base[e + 1]
        switch b1 | 0x20 {
        case 0x73, 0x74, 0x6D, 0x64: return e + 2  // s t m d
        case 0x72: if e + 2 < count, base[e + 2] | 0x20 == 0x65 { return e + 3 }  // re
        case 0x76: if e + 2 < count, base[e + 2] | 0x20 == 0x65 { return e + 3 }  // ve
        case 0x6C: if e + 2 < count, base[e + 2] | 0x20 == 0x6C { return e + 3 }  // ll
        default: break
        }
        if b1 == 0xC5, e + 2 < count, base[e + 2] == 0xBF { return e + 3 }  // 'ſ
        return e
    }

    /// `[^\s\p{L}\p{N}]+[\r\n/]*` from `s`, whose first character is known to match.
    @inline(__always)
    private func symbolRun(from s: Int) -> Int {
        let notSymbol = ScalarClass.space | ScalarClass.letter | ScalarClass.number
        var end = s
        while end < count {
            let (c, l) = classify(end)
            guard c & notSymbol == 0 else { break }
            end += l
        }
        while end < count, base[end] == 0x0D || base[end] == 0x0A || base[end] == 0x2F { end += 1 }
        return end
    }
}

/// The pre-tokenization pattern `PreTokenizer` implements, as a regex, for tools that hand it
/// to another tokenizer (the benchmark passes it to tiktoken).
public enum TokenizerPattern {
    /// The O200K pattern of Meta's Llama 4 `tokenizer.py`.
    public static let o200k =
        #"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+"#
}
