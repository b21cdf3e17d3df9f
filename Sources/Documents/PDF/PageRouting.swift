/// Decides whether a page goes to the model as text or as an image.
///
/// The thresholds were set on the PDF test corpus (docs/documents.md): every real text page
/// there stays text, and the scans, the Type 3 fonts without a Unicode map (Ukrainian
/// mojibake, Mongolian as random Latin letters, ArabTeX glyphs as control characters) go as
/// images.
public struct PageRouting: Sendable, Equatable {
    /// How pages are chosen: `auto` decides per page; `text` and `images` force one way.
    public enum Mode: String, Sendable, CaseIterable {
        case auto, text, images
    }

    public var mode: Mode
    /// Fewer visible characters than this is "no text layer" (page numbers and running
    /// heads on a scan).
    public var minimumCharacters = 20
    /// Share of characters that are U+FFFD, private-use or control characters above which
    /// text is garbage.
    public var maximumBadShare = 0.03
    /// Share of letters in U+00C0–U+00FF above which text is 8-bit mojibake (French and
    /// German stay under 0.05 in the corpus; Ukrainian in a Latin-1 font is 0.95).
    public var maximumLatin1Share = 0.40
    /// Share of words with a lower-to-upper case change inside (`araE`, `iraX`) above which
    /// text is glyph soup (code with camelCase reaches 0.26; Mongolian garbage 0.56).
    public var maximumCaseFlipShare = 0.35
    /// A page covered this much by images with fewer than `figureCharacters` characters is
    /// mostly figures.
    public var figureCoverage = 0.5
    public var figureCharacters = 600

    public init(mode: Mode = .auto) { self.mode = mode }

    public func route(text: String, imageCoverage: Double) -> PDFPage.Route {
        route(TextQuality(text), imageCoverage: imageCoverage)
    }

    /// The same, from a page's text measured once (the reader measures every page anyway to
    /// pick which ones to ask pdfimages about).
    func route(_ quality: TextQuality, imageCoverage: Double) -> PDFPage.Route {
        switch mode {
        case .text: return .text
        case .images: return .image(.requested)
        case .auto: break
        }
        if quality.visibleCharacters < minimumCharacters { return .image(.noText) }
        if quality.badShare > maximumBadShare || quality.latin1Share > maximumLatin1Share
            || quality.caseFlipShare > maximumCaseFlipShare
        {
            return .image(.unreadableText)
        }
        if imageCoverage >= figureCoverage && quality.visibleCharacters < figureCharacters {
            return .image(.mostlyFigures)
        }
        return .text
    }
}

/// Measures of extracted text that tell readable text from glyph soup.
struct TextQuality {
    var visibleCharacters = 0
    var badShare = 0.0
    var latin1Share = 0.0
    var caseFlipShare = 0.0

    init(_ text: String) {
        var visible = 0
        var bad = 0
        var letters = 0
        var latin1 = 0
        var words = 0
        var flipped = 0
        var inWord = false
        var previousLower = false
        var wordFlipped = false
        for scalar in text.unicodeScalars {
            let value = scalar.value
            let isLetter = scalar.properties.isAlphabetic
            if value == 0xFFFD || (0xE000...0xF8FF).contains(value)
                || (value < 0x20 && value != 0x0A && value != 0x09 && value != 0x0D && value != 0x0C)
            {
                bad += 1
            }
            if !scalar.properties.isWhitespace { visible += 1 }
            if isLetter {
                letters += 1
                if (0xC0...0xFF).contains(value) && value != 0xD7 && value != 0xF7 { latin1 += 1 }
                if !inWord {
                    inWord = true
                    words += 1
                    wordFlipped = false
                    previousLower = false
                }
                let lower = scalar.properties.isLowercase
                if previousLower && scalar.properties.isUppercase && !wordFlipped {
                    flipped += 1
                    wordFlipped = true
                }
                previousLower = lower
            } else {
                inWord = false
            }
        }
        let scalars = max(1, text.unicodeScalars.count)
        visibleCharacters = visible
        badShare = Double(bad) / Double(scalars)
        latin1Share = Double(latin1) / Double(max(1, letters))
        caseFlipShare = Double(flipped) / Double(max(1, words))
    }
}
