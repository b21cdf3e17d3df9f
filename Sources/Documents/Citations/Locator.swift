import Foundation

/// Where a piece of text comes from: a file and its page range (PDF) or line range (text,
/// Markdown). Printed the way answers cite it: `[report.pdf p. 12]`, `[report.pdf pp. 3-4]`,
/// `[notes.md L40-52]`.
public struct Locator: Sendable, Hashable, CustomStringConvertible {
    public enum Span: Sendable, Hashable {
        case pages(ClosedRange<Int>)
        case lines(ClosedRange<Int>)
    }

    /// The file as the user named it (its last component is what is cited).
    public var path: String
    public var span: Span

    public init(path: String, span: Span) {
        self.path = path
        self.span = span
    }

    public static func page(_ number: Int, of path: String) -> Locator { Locator(path: path, span: .pages(number...number)) }

    /// The file name as cited: the last path component.
    public var name: String { path.split(separator: "/").last.map(String.init) ?? path }

    /// `p. 12`, `pp. 3-4` or `L40-52`.
    public var label: String {
        switch span {
        case .pages(let range) where range.count == 1: "p. \(range.lowerBound)"
        case .pages(let range): "pp. \(range.lowerBound)-\(range.upperBound)"
        case .lines(let range) where range.count == 1: "L\(range.lowerBound)"
        case .lines(let range): "L\(range.lowerBound)-\(range.upperBound)"
        }
    }

    /// `[report.pdf p. 12]`
    public var description: String { "[\(name) \(label)]" }

    /// True when `other` is in the same file and within this span.
    public func contains(_ other: Locator) -> Bool {
        guard other.name == name else { return false }
        switch (span, other.span) {
        case (.pages(let a), .pages(let b)), (.lines(let a), .lines(let b)):
            return a.lowerBound <= b.lowerBound && b.upperBound <= a.upperBound
        default:
            return false
        }
    }

    /// Reads the citations in a model's answer: `[report.pdf p. 12]`, `[report.pdf pp. 3–4]`,
    /// `[notes.md L40-52]`, `[notes.md L7]` (en dashes and spacing forgiven).
    public static func citations(in text: String) -> [Locator] {
        var found: [Locator] = []
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "[") {
            rest = rest[rest.index(after: open)...]
            guard let close = rest.firstIndex(of: "]") else { break }
            let inside = rest[..<close]
            rest = rest[rest.index(after: close)...]
            if inside.count > 300 { continue }
            // A bracket may hold several: "[a.pdf p. 2; b.md L3-4]"
            for part in inside.split(separator: ";") {
                if let locator = parse(part.trimmingCharacters(in: .whitespaces)) { found.append(locator) }
            }
        }
        return found
    }

    /// Parses `name p. 12`, `name pp. 3-4`, `name L40-52`.
    static func parse(_ text: String) -> Locator? {
        let normalized = text.replacingOccurrences(of: "\u{2013}", with: "-").replacingOccurrences(of: "\u{2014}", with: "-")
        guard let space = normalized.lastIndex(of: " ") else { return nil }
        var name = String(normalized[..<space]).trimmingCharacters(in: .whitespaces)
        var label = String(normalized[normalized.index(after: space)...])
        // "p. 12" splits as name "... p." and label "12".
        var isPage = false
        for marker in [" pp.", " p.", " pages", " page"] where name.hasSuffix(marker) {
            name = String(name.dropLast(marker.count)).trimmingCharacters(in: .whitespaces)
            isPage = true
            break
        }
        var isLine = false
        if !isPage {
            if label.hasPrefix("L") {
                label.removeFirst()
                isLine = true
            } else if label.hasPrefix("p.") {
                label.removeFirst(2)
                isPage = true
            } else {
                return nil
            }
        }
        guard !name.isEmpty, let range = range(label) else { return nil }
        return Locator(path: name, span: isLine ? .lines(range) : .pages(range))
    }

    static func range(_ text: String) -> ClosedRange<Int>? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        var numbers = parts.map { part -> Int? in
            Int(part.hasPrefix("L") ? String(part.dropFirst()) : part)
        }
        guard (1...2).contains(numbers.count), numbers.allSatisfy({ $0 != nil }) else { return nil }
        if numbers.count == 1 { numbers.append(numbers[0]) }
        guard let low = numbers[0], let high = numbers[1], low >= 1, low <= high else { return nil }
        return low...high
    }
}
