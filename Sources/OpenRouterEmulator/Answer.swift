/// What the emulator answers to an admitted chat request: content, reasoning and usage,
/// all computed from what it received.
struct Answer: Sendable {
    var content: String
    var reasoning: String?
    var finishReason: String
    var promptTokens: Int
    var completionTokens: Int
    var reasoningTokens: Int
    var cost: Double

    init(text: String, parsed: ParsedChat, model: EmulatedModel, reasoningInContent: Bool) {
        var reasoning: String?
        let wantsReasoning: Bool
        switch model.reasoning {
        case .none: wantsReasoning = false
        case .separateField: wantsReasoning = !parsed.reasoningExcluded
        case .detailedThinkingSystemMessage:
            wantsReasoning = parsed.detailedThinking == true && !parsed.reasoningExcluded
        }
        if wantsReasoning {
            let images = parsed.messages.reduce(0) { count, message in
                count + message.parts.filter { if case .image = $0 { true } else { false } }.count
            }
            reasoning = "Reading \(parsed.messages.count) message(s) and \(images) image(s) before answering."
        }
        var content = text
        if reasoningInContent, model.reasoning == .separateField, let thought = reasoning {
            content = "<think>\(thought)</think>\n" + content
            reasoning = nil
        }
        let reasoningTokens = reasoning.map(PromptTokens.text) ?? 0
        var finishReason = "stop"
        if let limit = parsed.maxTokens, PromptTokens.text(content) + reasoningTokens > limit {
            let budget = max(0, limit - reasoningTokens) * 4
            content = Answer.prefix(of: content, utf8Bytes: budget)
            finishReason = "length"
        }
        self.content = content
        self.reasoning = reasoning
        self.finishReason = finishReason
        self.promptTokens = parsed.textTokens + parsed.imageTokens
        self.reasoningTokens = reasoningTokens
        self.completionTokens = PromptTokens.text(content) + reasoningTokens
        let imageCount = parsed.messages.reduce(0) {
            $0 + $1.parts.filter { if case .image = $0 { true } else { false } }.count
        }
        self.cost =
            Double(promptTokens) * model.pricing.prompt + Double(completionTokens) * model.pricing.completion
            + Double(imageCount) * model.pricing.image + model.pricing.request
    }

    /// The longest prefix of whole characters that fits in `utf8Bytes`.
    static func prefix(of text: String, utf8Bytes: Int) -> String {
        var used = 0
        var end = text.startIndex
        for index in text.indices {
            let size = text[index].utf8.count
            if used + size > utf8Bytes { break }
            used += size
            end = text.index(after: index)
        }
        return String(text[..<end])
    }

    /// Stream pieces: words with their trailing whitespace, each one content delta.
    static func pieces(of text: String) -> [String] {
        var pieces: [String] = []
        var current = ""
        for character in text {
            current.append(character)
            if character.isWhitespace {
                pieces.append(current)
                current = ""
            }
        }
        if !current.isEmpty { pieces.append(current) }
        return pieces
    }

    /// A value that satisfies a JSON schema, carrying `text` in the first string it can:
    /// a test double for structured output when no responder is installed.
    static func instance(of schema: JSONValue, text: String) -> JSONValue {
        var placed = false
        func build(_ schema: JSONValue) -> JSONValue {
            if let values = schema["enum"]?.arrayValue, let first = values.first { return first }
            if let constant = schema["const"] { return constant }
            let type =
                schema["type"]?.stringValue ?? schema["type"]?.arrayValue?.first?.stringValue
                ?? (schema["properties"] != nil ? "object" : "string")
            switch type {
            case "object":
                var object: [String: JSONValue] = [:]
                let properties = schema["properties"]?.objectValue ?? [:]
                for key in properties.keys.sorted() {
                    if let property = properties[key] { object[key] = build(property) }
                }
                return .object(object)
            case "array":
                let minimum = schema["minItems"]?.intValue ?? 0
                let item = schema["items"] ?? ["type": "string"]
                return .array((0..<max(minimum, 1)).map { _ in build(item) })
            case "integer": return .int(schema["minimum"]?.intValue ?? 0)
            case "number": return .double(schema["minimum"]?.doubleValue ?? 0)
            case "boolean": return .bool(false)
            case "null": return .null
            default:
                if placed { return "" }
                placed = true
                return .string(text)
            }
        }
        return build(schema)
    }
}
