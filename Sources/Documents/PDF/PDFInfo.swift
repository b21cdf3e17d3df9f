/// What `pdfinfo` says of a PDF: its page count, encryption, and each page's size and
/// rotation.
public struct PDFInfo: Sendable, Equatable {
    /// A page's box in points (1/72 inch) as displayed, and its `/Rotate`.
    public struct PageBox: Sendable, Equatable {
        public var width: Double
        public var height: Double
        public var rotation: Int
    }

    public var pages: Int
    /// True when the file is encrypted (it may still open without a password).
    public var encrypted: Bool
    /// True when pdfinfo says the document has JavaScript (never run here; noted only).
    public var javaScript: Bool
    /// One entry per page, in order, when asked for with a page range.
    public var boxes: [PageBox]

    /// Parses `pdfinfo -f 1 -l N` output. Lines it does not know are ignored.
    public init(parsing text: String) {
        var pages = 0
        var encrypted = false
        var javaScript = false
        var sizes: [Int: (Double, Double)] = [:]
        var rotations: [Int: Int] = [:]
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let key = line[..<colon].trimmingCharacters(in: .whitespaces)
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            switch key {
            case "Pages": pages = Int(value) ?? 0
            case "Encrypted": encrypted = value.hasPrefix("yes")
            case "JavaScript": javaScript = value.hasPrefix("yes")
            default:
                // "Page    3 size:  841.89 x 595.276 pts (A4)" and "Page    3 rot:   90"
                let words = key.split(separator: " ")
                guard words.count == 3, words[0] == "Page", let number = Int(words[1]) else { continue }
                if words[2] == "size" {
                    let parts = value.split(separator: " ")
                    if parts.count >= 3, let w = Double(parts[0]), let h = Double(parts[2]) { sizes[number] = (w, h) }
                } else if words[2] == "rot" {
                    rotations[number] = Int(value) ?? 0
                }
            }
        }
        self.pages = pages
        self.encrypted = encrypted
        self.javaScript = javaScript
        self.boxes = sizes.keys.sorted().map { number in
            let (w, h) = sizes[number] ?? (0, 0)
            let rotation = ((rotations[number] ?? 0) % 360 + 360) % 360
            // pdfinfo gives the unrotated box; a page turned by 90 or 270 is seen sideways.
            return rotation % 180 == 90
                ? PageBox(width: h, height: w, rotation: rotation) : PageBox(width: w, height: h, rotation: rotation)
        }
    }
}
