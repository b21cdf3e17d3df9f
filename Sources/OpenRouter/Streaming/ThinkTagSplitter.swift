/// Moves a `<think>…</think>` block at the start of the content into the reasoning, as
/// reasoning models (MAI-DS-R1, DeepSeek R1 on some providers and local servers) sometimes leave
/// it in the answer. Works on streamed deltas, where a tag can be split across chunks.
package struct ThinkTagSplitter: Sendable {
    private enum State { case start, thinking, answering }
    private static let open = "<think>"
    private static let close = "</think>"

    private var state = State.start
    private var buffer = ""

    package init() {}

    /// Splits a content delta into (answer text, reasoning text) to emit now.
    package mutating func feed(_ text: String) -> (content: String, reasoning: String) {
        buffer += text
        var content = ""
        var reasoning = ""
        while true {
            switch state {
            case .start:
                let trimmed = buffer.drop(while: \.isWhitespace)
                if trimmed.hasPrefix(Self.open) {
                    buffer = String(trimmed.dropFirst(Self.open.count))
                    state = .thinking
                    continue
                }
                if trimmed.isEmpty || Self.open.hasPrefix(trimmed) {
                    return (content, reasoning)  // could still become "<think>"
                }
                state = .answering
                content += buffer
                buffer = ""
                return (content, reasoning)
            case .thinking:
                if let range = buffer.range(of: Self.close) {
                    reasoning += buffer[..<range.lowerBound]
                    buffer = String(buffer[range.upperBound...].drop(while: \.isWhitespace))
                    state = .answering
                    continue
                }
                // Keep a tail that could be the start of "</think>".
                let keep = Self.partialSuffixLength(of: buffer, matching: Self.close)
                reasoning += buffer.dropLast(keep)
                buffer = String(buffer.suffix(keep))
                return (content, reasoning)
            case .answering:
                content += buffer
                buffer = ""
                return (content, reasoning)
            }
        }
    }

    /// Flushes what is held back at the end of the stream.
    package mutating func finish() -> (content: String, reasoning: String) {
        defer { buffer = "" }
        switch state {
        case .start, .answering: return (buffer, "")
        case .thinking: return ("", buffer)  // an unclosed think block is all reasoning
        }
    }

    /// Splits a whole answer at once.
    package static func split(_ text: String) -> (content: String, reasoning: String) {
        var splitter = ThinkTagSplitter()
        let first = splitter.feed(text)
        let rest = splitter.finish()
        return (first.content + rest.content, first.reasoning + rest.reasoning)
    }

    private static func partialSuffixLength(of text: String, matching tag: String) -> Int {
        var length = min(tag.count - 1, text.count)
        while length > 0 {
            if tag.hasPrefix(text.suffix(length)) { return length }
            length -= 1
        }
        return 0
    }
}
