/// The character classes the O200K pre-tokenization pattern distinguishes, as bit flags.
///
/// `upperish` is `[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]` and `lowerish` is
/// `[\p{Ll}\p{Lm}\p{Lo}\p{M}]` of the pattern; they overlap on Lm, Lo and marks, which is
/// what makes the pattern backtrack (see `PreTokenizer`).
enum ScalarClass {
    static let letter: UInt8 = 1  // \p{L}
    static let number: UInt8 = 2  // \p{N}
    static let space: UInt8 = 4  // \s (Unicode White_Space)
    static let upperish: UInt8 = 8
    static let lowerish: UInt8 = 16
    static let newline: UInt8 = 32  // \r or \n

    /// Classes of every BMP scalar, computed once: a table lookup is far cheaper than asking
    /// the standard library for the general category of each character.
    static let bmp = ClassTable()

    /// The classes of a scalar value outside the BMP (emoji, rare CJK, math alphanumerics).
    static func supplementary(_ value: UInt32) -> UInt8 {
        guard let scalar = Unicode.Scalar(value) else { return 0 }
        return compute(scalar)
    }

    static func compute(_ scalar: Unicode.Scalar) -> UInt8 {
        var bits: UInt8 = 0
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .titlecaseLetter: bits = letter | upperish
        case .lowercaseLetter: bits = letter | lowerish
        case .modifierLetter, .otherLetter: bits = letter | upperish | lowerish
        case .nonspacingMark, .spacingMark, .enclosingMark: bits = upperish | lowerish
        case .decimalNumber, .letterNumber, .otherNumber: bits = number
        default: bits = 0
        }
        if scalar.properties.isWhitespace { bits |= space }
        if scalar == "\r" || scalar == "\n" { bits |= newline }
        return bits
    }
}

/// The BMP class table in memory that is never freed, so the scanner can read it through a
/// plain pointer in its hot loop.
// @unchecked Sendable: written once in `init` (inside the lazy global's one-time
// initialisation) and only read afterwards.
final class ClassTable: @unchecked Sendable {
    let pointer: UnsafePointer<UInt8>

    init() {
        let table = UnsafeMutablePointer<UInt8>.allocate(capacity: 0x10000)
        for value in 0..<0x10000 {
            table[value] = Unicode.Scalar(UInt32(value)).map(ScalarClass.compute) ?? 0
        }
        pointer = UnsafePointer(table)
    }
}
