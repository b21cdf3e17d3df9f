import Foundation
import Mustache

/// A Mustache prompt template (swift-mustache) that renders plain text (no HTML escaping:
/// prompts are not web pages) and can list the variables it uses, so a pipeline can be
/// checked before any request is sent.
public struct PromptTemplate: Sendable {
    /// A tag found in the template text.
    public struct Tag: Sendable, Equatable {
        public enum Kind: Sendable, Equatable { case variable, section, invertedSection, close, partial }
        public var kind: Kind
        /// The name as written (`name`, `image.path`, `.`).
        public var name: String
        /// The tag as written, braces included, to find it again in the file.
        public var raw: String
        /// How many identical `raw` tags come before this one in the template.
        public var occurrence: Int
    }

    public let text: String
    public let tags: [Tag]
    private let template: MustacheTemplate

    /// Parses a template.
    /// - Throws: `PipelineError` (`.invalidPipeline`) with a message naming the problem; the
    ///   caller adds the location.
    public init(_ text: String) throws {
        do {
            try self.init(checking: text)
        } catch {
            throw PipelineError(.invalidPipeline, error.message)
        }
    }

    /// Parses a template; a problem names the tag at fault, so the validator can point at it
    /// in the pipeline file.
    init(checking text: String) throws(TemplateProblem) {
        self.text = text
        self.tags = try Self.scan(text)
        do {
            // The pragma switches off HTML escaping: `{{name}}` must give `Tom & Jerry`, not
            // `Tom &amp; Jerry`, in a prompt.
            self.template = try MustacheTemplate(string: "{{% CONTENT_TYPE: TEXT}}" + text)
        } catch {
            throw TemplateProblem(message: "not a valid Mustache template: \(error)", tag: nil)
        }
    }

    /// Renders with the given context (dictionaries, arrays, strings, numbers, booleans).
    public func render(_ context: [String: Any]) -> String {
        template.render(context)
    }

    /// Finds every `{{…}}` tag with the default delimiters. Stops validating (returns what it
    /// has) at a `{{=` delimiter change, which the renderer still honours.
    static func scan(_ text: String) throws(TemplateProblem) -> [Tag] {
        var tags: [Tag] = []
        var counts: [String: Int] = [:]
        var rest = text[...]
        var openSections: [Tag] = []
        func problem(_ message: String, _ raw: String, occurrence: Int) -> TemplateProblem {
            TemplateProblem(message: message, tag: Tag(kind: .variable, name: "", raw: raw, occurrence: occurrence))
        }
        while let open = rest.range(of: "{{") {
            let afterOpen = rest[open.upperBound...]
            let triple = afterOpen.hasPrefix("{")
            let closer = triple ? "}}}" : "}}"
            guard let close = afterOpen.range(of: closer) else {
                // The tag's text up to the end of its line is what can be found in the file.
                let start = rest[open.lowerBound...].prefix(while: { $0 != "\n" && $0 != "\r" })
                let raw = String(start.prefix(40))
                let earlier = text[..<open.lowerBound].components(separatedBy: raw).count - 1
                throw problem(
                    "template tag `\(raw)\(start.count > 40 ? "…" : "")` is never closed with `\(closer)`", raw,
                    occurrence: earlier)
            }
            let raw = String(rest[open.lowerBound..<close.upperBound])
            var body = afterOpen[..<close.lowerBound]
            if triple { body = body.dropFirst() }
            rest = rest[close.upperBound...]
            var kind = Tag.Kind.variable
            if let sigil = body.first, !triple {
                switch sigil {
                case "!": continue
                case "%": continue
                case "=": return tags
                case "#", "$", "<": kind = .section; body = body.dropFirst()
                case "^": kind = .invertedSection; body = body.dropFirst()
                case "/": kind = .close; body = body.dropFirst()
                case ">": kind = .partial; body = body.dropFirst()
                case "&": body = body.dropFirst()
                default: break
                }
            }
            let name = body.trimmingCharacters(in: .whitespaces)
            if name.isEmpty {
                throw problem("empty template tag `\(raw)`; expected a variable name inside the braces", raw, occurrence: counts[raw, default: 0])
            }
            let tagName = name.split(separator: "(").last.map { String($0.split(separator: ")").first ?? Substring($0)) } ?? name
            let occurrence = counts[raw, default: 0]
            counts[raw] = occurrence + 1
            let tag = Tag(kind: kind, name: tagName, raw: raw, occurrence: occurrence)
            switch kind {
            case .section, .invertedSection: openSections.append(tag)
            case .close:
                guard let last = openSections.popLast() else {
                    throw TemplateProblem(message: "`\(raw)` closes a section that was never opened", tag: tag)
                }
                if last.name != tagName {
                    throw TemplateProblem(message: "`\(raw)` closes section `\(last.name)`; expected `{{/\(last.name)}}`", tag: tag)
                }
            default: break
            }
            tags.append(tag)
        }
        if let unclosed = openSections.last {
            throw TemplateProblem(
                message: "section `\(unclosed.raw)` is never closed; expected `{{/\(unclosed.name)}}`", tag: unclosed)
        }
        return tags
    }
}

/// A template that does not parse: what is wrong, and the tag at fault when there is one.
struct TemplateProblem: Error {
    var message: String
    var tag: PromptTemplate.Tag?
}

/// What a template may use: names with their shape, from the item, the inputs and earlier
/// steps.
public struct TemplateScope: Sendable {
    public indirect enum Shape: Sendable {
        case value
        /// A list of objects with these fields (rendered with `{{#name}}…{{/name}}`).
        case list(TemplateScope)
    }

    public var names: [String: Shape]

    public init(_ names: [String: Shape] = [:]) { self.names = names }

    public static func values(_ names: [String]) -> TemplateScope {
        TemplateScope(Dictionary(names.map { ($0, Shape.value) }, uniquingKeysWith: { a, _ in a }))
    }

    public func merging(_ other: TemplateScope) -> TemplateScope {
        TemplateScope(names.merging(other.names) { current, _ in current })
    }

    /// The first tag whose name nothing in scope provides, if any, with the names that were
    /// available at that point.
    func firstUnknown(in tags: [PromptTemplate.Tag]) -> (tag: PromptTemplate.Tag, available: [String])? {
        var stack: [TemplateScope] = [self]
        for tag in tags {
            if tag.name == "." { continue }
            let head = String(tag.name.split(separator: ".").first ?? Substring(tag.name))
            switch tag.kind {
            case .close:
                if stack.count > 1 { stack.removeLast() }
                continue
            case .partial:
                return (tag, [])
            default: break
            }
            let found = stack.reversed().lazy.compactMap { $0.names[head] }.first
            guard let found else {
                let available = Set(stack.flatMap { $0.names.keys }).sorted()
                return (tag, available)
            }
            if tag.kind == .section {
                if case .list(let fields) = found { stack.append(fields) } else { stack.append(TemplateScope()) }
            } else if tag.kind == .invertedSection {
                stack.append(TemplateScope())
            }
        }
        return nil
    }
}
