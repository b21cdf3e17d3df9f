/// Whether a position is inside a fenced code block (``` or ~~~), for positions asked in
/// increasing order: a `# comment` in code is not a heading.
struct FenceTracker {
    private var nextLineStart = 0  // the first line not looked at yet
    private var fence: UInt8 = 0  // the fence character while inside a block, else 0

    mutating func isInFence(at position: Int, in bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        while nextLineStart < position {
            if let marker = MarkdownLine.fenceCharacter(at: nextLineStart, in: bytes) {
                if fence == 0 { fence = marker } else if fence == marker { fence = 0 }
            }
            var k = nextLineStart
            while k < bytes.count, bytes[k] != 0x0A { k += 1 }
            nextLineStart = k + 1
        }
        return fence != 0
    }
}

/// CommonMark line shapes the splitter cares about.
enum MarkdownLine {
    /// An ATX heading: up to 3 spaces, 1–6 `#`, then a space, tab or line end.
    static func isHeading(at start: Int, in bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var k = start
        while k < bytes.count, k - start < 3, bytes[k] == 0x20 { k += 1 }
        var hashes = 0
        while k < bytes.count, bytes[k] == 0x23 {
            hashes += 1
            k += 1
        }
        guard (1...6).contains(hashes) else { return false }
        return k == bytes.count || bytes[k] == 0x20 || bytes[k] == 0x09 || bytes[k] == 0x0A || bytes[k] == 0x0D
    }

    /// The fence character when the line opens or closes a code fence (3+ ` or ~).
    static func fenceCharacter(at start: Int, in bytes: UnsafeBufferPointer<UInt8>) -> UInt8? {
        var k = start
        while k < bytes.count, k - start < 3, bytes[k] == 0x20 { k += 1 }
        guard k < bytes.count, bytes[k] == 0x60 || bytes[k] == 0x7E else { return nil }
        let marker = bytes[k]
        var run = 0
        while k < bytes.count, bytes[k] == marker {
            run += 1
            k += 1
        }
        return run >= 3 ? marker : nil
    }
}

/// Sentence ends: `.`, `!`, `?` (possibly followed by closing quotes or brackets) before
/// whitespace, or a CJK full stop, exclamation or question mark, or an ellipsis, anywhere.
enum SentenceEnd {
    static func isSentenceEnd(before b: Int, in bytes: UnsafeBufferPointer<UInt8>, followedBySpace: Bool) -> Bool {
        var k = b
        // Step back over closing quotes and brackets.
        while k > 0 {
            let c = bytes[k - 1]
            if c == 0x22 || c == 0x27 || c == 0x29 || c == 0x5D { k -= 1; continue }
            if k >= 3, bytes[k - 3] == 0xE2, bytes[k - 2] == 0x80, bytes[k - 1] == 0x9D || bytes[k - 1] == 0x99 {
                k -= 3  // ” ’
                continue
            }
            if k >= 3, bytes[k - 3] == 0xE3, bytes[k - 2] == 0x80, bytes[k - 1] == 0x8D || bytes[k - 1] == 0x8F {
                k -= 3  // 」 』
                continue
            }
            break
        }
        guard k > 0 else { return false }
        let c = bytes[k - 1]
        if c == 0x2E || c == 0x21 || c == 0x3F { return followedBySpace }
        guard k >= 3 else { return false }
        let (x, y, z) = (bytes[k - 3], bytes[k - 2], bytes[k - 1])
        if x == 0xE3, y == 0x80, z == 0x82 { return true }  // 。
        if x == 0xEF, y == 0xBC, z == 0x81 || z == 0x9F { return true }  // ！ ？
        if x == 0xE2, y == 0x80, z == 0xA6 { return true }  // …
        return false
    }
}
