import Foundation

/// Checks a quote against the text it claims to come from.
///
/// A model copies a passage loosely: case, spacing, line breaks, a word hyphenated at a line
/// end, curly quotes and dashes change between the page and the answer. Those differences
/// are forgiven; any change of words is not, so a quote that is "verified" is really there.
public enum QuoteCheck {
    /// Quotes shorter than this (after normalising) prove nothing and are not verified.
    public static let minimumCharacters = 8

    /// True when `quote` occurs in `source`, up to case, whitespace, line-end hyphenation,
    /// quote marks and dash styles.
    public static func isVerified(_ quote: String, in source: String) -> Bool {
        let needle = normalize(quote)
        guard needle.count >= minimumCharacters else { return false }
        // A line-end hyphen is either hyphenation ("termi-/nate") or a real hyphen that fell
        // at a line end ("well-/known"): both readings of the source are tried.
        for haystack in [normalize(source, joinHyphens: true), normalize(source, joinHyphens: false)] {
            if haystack.contains(needle) || containsPieces(of: quote, in: haystack) { return true }
        }
        return false
    }

    /// "first part ... second part": each part must be there, in order.
    static func containsPieces(of quote: String, in haystack: String) -> Bool {
        let pieces = normalize(stripEllipsis(quote)).split(separator: "\u{1}").map {
            $0.trimmingCharacters(in: .whitespaces)
        }
        guard pieces.count > 1 else { return false }
        var rest = Substring(haystack)
        for piece in pieces {
            guard piece.count >= minimumCharacters, let found = rest.range(of: piece) else { return false }
            rest = rest[found.upperBound...]
        }
        return true
    }

    /// Lower-cased, with runs of whitespace as one space, `exam-\nple` joined, typographic
    /// quotes and dashes made plain.
    static func normalize(_ text: String, joinHyphens: Bool = false) -> String {
        var out = String.UnicodeScalarView()
        var pendingSpace = false
        var scalars = Array(text.unicodeScalars)
        var index = 0
        // Join words broken at a line end: letter, hyphen (or soft hyphen), newline, letter.
        while index < scalars.count {
            let scalar = scalars[index]
            if scalar == "-" || scalar == "\u{00AD}" || scalar == "\u{2010}" {
                var next = index + 1
                while next < scalars.count, scalars[next] == " " || scalars[next] == "\t" { next += 1 }
                if next < scalars.count, scalars[next] == "\n" || scalars[next] == "\r",
                    index > 0, scalars[index - 1].properties.isAlphabetic
                {
                    var after = next
                    while after < scalars.count, scalars[after].properties.isWhitespace { after += 1 }
                    if after < scalars.count, scalars[after].properties.isLowercase {
                        if !joinHyphens { out.append("-") }
                        pendingSpace = false
                        index = after
                        continue
                    }
                }
            }
            if scalar == "\u{00AD}" {  // a soft hyphen elsewhere is invisible
                index += 1
                continue
            }
            if scalar.properties.isWhitespace {
                pendingSpace = !out.isEmpty
                index += 1
                continue
            }
            if pendingSpace {
                out.append(" ")
                pendingSpace = false
            }
            switch scalar {
            case "\u{2018}", "\u{2019}", "\u{201A}", "\u{2032}": out.append("'")
            case "\u{201C}", "\u{201D}", "\u{201E}", "\u{2033}", "\u{00AB}", "\u{00BB}": out.append("\"")
            case "\u{2010}", "\u{2011}", "\u{2012}", "\u{2013}", "\u{2014}", "\u{2212}": out.append("-")
            case "\u{FB01}": out.append(contentsOf: "fi".unicodeScalars)
            case "\u{FB02}": out.append(contentsOf: "fl".unicodeScalars)
            default:
                for lower in String(scalar).lowercased().unicodeScalars { out.append(lower) }
            }
            index += 1
        }
        scalars = []
        return String(out)
    }

    /// A quote with "..." or "…" in it: the pieces, separated by U+0001, each must be there.
    static func stripEllipsis(_ quote: String) -> String {
        quote.replacingOccurrences(of: "\u{2026}", with: "\u{1}").replacingOccurrences(of: "...", with: "\u{1}")
    }
}
