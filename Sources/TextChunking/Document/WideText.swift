/// UTF-16 and UTF-32 text recognised by its byte order mark, converted to UTF-8.
///
/// Windows tools (Notepad's "Unicode", PowerShell's `>` redirection) write UTF-16 with a BOM;
/// such files are decoded rather than refused as invalid UTF-8. Without a BOM the encoding
/// cannot be known, so only BOM-marked files are converted.
enum WideText {
    enum Encoding: String, Sendable {
        case utf16LE = "UTF-16LE"
        case utf16BE = "UTF-16BE"
        case utf32LE = "UTF-32LE"
        case utf32BE = "UTF-32BE"

        /// Bytes per code unit.
        var unit: Int {
            switch self {
            case .utf16LE, .utf16BE: 2
            case .utf32LE, .utf32BE: 4
            }
        }
    }

    /// The encoding a byte order mark at the start announces, if any. UTF-32LE's mark begins
    /// with UTF-16LE's, so it is tested first (a UTF-16 text cannot start with U+0000 anyway).
    static func encoding(ofBOM bytes: [UInt8]) -> Encoding? {
        let n = bytes.count
        if n >= 4, bytes[0] == 0xFF, bytes[1] == 0xFE, bytes[2] == 0, bytes[3] == 0 { return .utf32LE }
        if n >= 4, bytes[0] == 0, bytes[1] == 0, bytes[2] == 0xFE, bytes[3] == 0xFF { return .utf32BE }
        if n >= 2, bytes[0] == 0xFF, bytes[1] == 0xFE { return .utf16LE }
        if n >= 2, bytes[0] == 0xFE, bytes[1] == 0xFF { return .utf16BE }
        return nil
    }

    /// A problem found while decoding: the byte offset in the file and what it is.
    struct Problem: Error {
        var offset: Int
        var line: Int
        var isNul: Bool
        var detail: String
    }

    /// The UTF-8 form of `bytes` (BOM included, skipped here), and the number of
    /// replacements made when `lossy`. Throws `Problem` at the first invalid unit otherwise.
    static func utf8(of bytes: [UInt8], encoding: Encoding, lossy: Bool) throws(Problem) -> ([UInt8], Int) {
        let unit = encoding.unit
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + bytes.count / 2)
        var replaced = 0
        var line = 1
        var i = unit  // after the BOM
        let n = bytes.count

        func read(_ at: Int) -> UInt32 {
            switch encoding {
            case .utf16LE: UInt32(bytes[at]) | UInt32(bytes[at + 1]) << 8
            case .utf16BE: UInt32(bytes[at]) << 8 | UInt32(bytes[at + 1])
            case .utf32LE:
                UInt32(bytes[at]) | UInt32(bytes[at + 1]) << 8 | UInt32(bytes[at + 2]) << 16
                    | UInt32(bytes[at + 3]) << 24
            case .utf32BE:
                UInt32(bytes[at]) << 24 | UInt32(bytes[at + 1]) << 16 | UInt32(bytes[at + 2]) << 8
                    | UInt32(bytes[at + 3])
            }
        }
        func bad(_ at: Int, _ detail: String, nul: Bool = false) throws(Problem) {
            guard lossy else { throw Problem(offset: at, line: line, isNul: nul, detail: detail) }
            out.append(contentsOf: [0xEF, 0xBF, 0xBD])
            replaced += 1
        }

        while i < n {
            guard i + unit <= n else {
                try bad(i, "the file ends inside a character (\(n - i) stray byte\(n - i == 1 ? "" : "s"))")
                break
            }
            var value = read(i)
            let start = i
            i += unit
            if encoding.unit == 2, (0xD800...0xDBFF).contains(value) {
                let low: UInt32? = i + 2 <= n ? read(i) : nil
                if let low, (0xDC00...0xDFFF).contains(low) {
                    value = 0x10000 + ((value - 0xD800) << 10) + (low - 0xDC00)
                    i += 2
                } else {
                    try bad(start, "a high surrogate without its low half")
                    continue
                }
            }
            if value == 0 {
                try bad(start, "NUL character", nul: true)
                continue
            }
            guard let scalar = Unicode.Scalar(value) else {
                try bad(start, "U+\(String(value, radix: 16, uppercase: true)) is not a character")
                continue
            }
            if value == 0x0A { line += 1 }
            if let encoded = UTF8.encode(scalar) { out.append(contentsOf: encoded) }
        }
        return (out, replaced)
    }
}
