import Foundation

/// One result row, as the README specifies for JSON Lines: `path` (as given), `ok`, `text`,
/// `error` (when not ok), `model`, `prompt_tokens`, `completion_tokens`, `cost`; batch rows
/// add `images`, the files the answer covers.
public struct ResultRow: Sendable, Equatable {
    public var path: String
    public var ok: Bool
    public var text: String?
    public var error: String?
    public var model: String?
    public var promptTokens: Int
    public var completionTokens: Int
    public var cost: Double?
    public var images: [String]?

    public init(
        path: String, ok: Bool, text: String?, error: String?, model: String?, promptTokens: Int,
        completionTokens: Int, cost: Double?, images: [String]? = nil
    ) {
        self.path = path
        self.ok = ok
        self.text = text
        self.error = error
        self.model = model
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.cost = cost
        self.images = images
    }

    init(_ record: RunStore.ItemRecord) {
        var images: [String]?
        if let fields = record.fields, let data = fields.data(using: .utf8),
            let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        {
            images = object["images"] as? [String]
        }
        self.init(
            path: record.path, ok: record.state == .done, text: record.state == .done ? record.text : nil,
            error: record.state == .done ? nil : (record.error ?? "failed"), model: record.model,
            promptTokens: record.promptTokens, completionTokens: record.completionTokens, cost: record.cost,
            images: images)
    }

    /// The row as one JSON object, keys in the documented order.
    public var jsonLine: String {
        var fields = ["\"path\":\(Self.json(path))", "\"ok\":\(ok)"]
        fields.append("\"text\":\(text.map(Self.json) ?? "null")")
        if !ok { fields.append("\"error\":\(Self.json(error ?? "failed"))") }
        fields.append("\"model\":\(model.map(Self.json) ?? "null")")
        fields.append("\"prompt_tokens\":\(promptTokens)")
        fields.append("\"completion_tokens\":\(completionTokens)")
        fields.append("\"cost\":\(cost.map { Self.number($0) } ?? "null")")
        if let images { fields.append("\"images\":[\(images.map(Self.json).joined(separator: ","))]") }
        return "{" + fields.joined(separator: ",") + "}"
    }

    static func json(_ string: String) -> String {
        guard let data = try? JSONSerialization.data(withJSONObject: string, options: [.fragmentsAllowed, .withoutEscapingSlashes]),
            let text = String(data: data, encoding: .utf8)
        else { return "\"\"" }
        return text
    }

    static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(format: "%.10g", value)
    }
}
