/// UTF-8 validation that reports where the first problem is, and the lossy repair.
enum UTF8Check {
    struct Problem {
        var offset: Int
        var isNul: Bool
    }

    /// The first invalid sequence or NUL byte, or nil when the bytes are clean UTF-8.
    static func firstProblem(_ bytes: [UInt8]) -> Problem? {
        bytes.withUnsafeBufferPointer { buffer in
            var i = 0
            let n = buffer.count
            while i < n {
                let b0 = buffer[i]
                if b0 < 0x80 {
                    if b0 == 0 { return Problem(offset: i, isNul: true) }
                    i += 1
                    continue
                }
                let length = sequenceLength(buffer, i)
                if length == 0 { return Problem(offset: i, isNul: false) }
                i += length
            }
            return nil
        }
    }

    /// The length of the valid multi-byte sequence at `i`, or 0 if it is not one
    /// (overlongs, surrogates and values past U+10FFFF are invalid, as in the Unicode spec).
    @inline(__always)
    static func sequenceLength(_ b: UnsafeBufferPointer<UInt8>, _ i: Int) -> Int {
        let n = b.count
        let b0 = b[i]
        func cont(_ k: Int) -> Bool { k < n && b[k] & 0xC0 == 0x80 }
        switch b0 {
        case 0xC2...0xDF:
            return cont(i + 1) ? 2 : 0
        case 0xE0:
            return i + 1 < n && (0xA0...0xBF).contains(b[i + 1]) && cont(i + 2) ? 3 : 0
        case 0xE1...0xEC, 0xEE...0xEF:
            return cont(i + 1) && cont(i + 2) ? 3 : 0
        case 0xED:
            return i + 1 < n && (0x80...0x9F).contains(b[i + 1]) && cont(i + 2) ? 3 : 0
        case 0xF0:
            return i + 1 < n && (0x90...0xBF).contains(b[i + 1]) && cont(i + 2) && cont(i + 3) ? 4 : 0
        case 0xF1...0xF3:
            return cont(i + 1) && cont(i + 2) && cont(i + 3) ? 4 : 0
        case 0xF4:
            return i + 1 < n && (0x80...0x8F).contains(b[i + 1]) && cont(i + 2) && cont(i + 3) ? 4 : 0
        default:
            return 0
        }
    }

    /// 1-based line number of a byte offset.
    static func lineNumber(of offset: Int, in bytes: [UInt8]) -> Int {
        var line = 1
        for k in 0..<min(offset, bytes.count) where bytes[k] == 0x0A { line += 1 }
        return line
    }

    /// The bytes with each invalid sequence (the standard library's maximal-subpart rule)
    /// and each NUL replaced by U+FFFD, and the number of replacements.
    static func repaired(_ bytes: [UInt8]) -> ([UInt8], Int) {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + 16)
        var replaced = 0
        var iterator = bytes.makeIterator()
        var decoder = UTF8()
        loop: while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar):
                if scalar.value == 0 {
                    out.append(contentsOf: [0xEF, 0xBF, 0xBD])
                    replaced += 1
                } else if let encoded = UTF8.encode(scalar) {
                    out.append(contentsOf: encoded)
                }
            case .error:
                out.append(contentsOf: [0xEF, 0xBF, 0xBD])
                replaced += 1
            case .emptyInput:
                break loop
            }
        }
        return (out, replaced)
    }
}
