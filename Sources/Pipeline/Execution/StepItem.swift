import Foundation

/// An image an item carries: where it is and how the prompt names it.
public struct ImageRef: Sendable, Codable, Equatable {
    public var path: String
    public var name: String
    public var index: Int
}

/// One item flowing between steps: an image, a document, a chunk, or an answer.
struct StepItem: Sendable {
    var key: String
    var order: Int
    /// The path as the user gave it (the folder or document for combined answers).
    var path: String
    var name: String
    var text: String?
    /// Template fields besides `text`, `path`, `name` (`index`, `start_line`, …).
    var fields: [String: String] = [:]
    /// Images to attach to the request made from this item.
    var images: [ImageRef] = []
    /// Identifies the input version; a ledger entry with another stamp is redone.
    var stamp: String
    var ok = true
    var error: String?
    /// The ledger row, for items that came from a request.
    var record: RunStore.ItemRecord?
    /// For a reduce request: the answers it combines.
    var answers: [Answer]?

    struct Answer: Sendable {
        var text: String
        var label: String
        var index: Int
    }

    /// Label of an answer in a reduce prompt: what it is about.
    var label: String {
        if images.count > 1 { return "images " + images.map(\.name).joined(separator: ", ") }
        if let start = fields["start_line"], let end = fields["end_line"] { return "\(name) lines \(start)–\(end)" }
        return name.isEmpty ? key : name
    }

    /// The Mustache context of this item.
    func templateContext(total: Int) -> [String: Any] {
        var context: [String: Any] = ["path": path, "name": name, "total": total]
        for (key, value) in fields { context[key] = Int(value) ?? value as Any }
        if let text { context["text"] = text }
        if let answers {
            context["answers"] = answers.map { ["text": $0.text, "label": $0.label, "index": $0.index] as [String: Any] }
            context["count"] = answers.count
            context["final"] = fields["final"] == "1"
            context.removeValue(forKey: "text")
        }
        if images.count > 1 || fields["batch"] != nil {
            context["images"] = images.map { ["path": $0.path, "name": $0.name, "index": $0.index] as [String: Any] }
            context["count"] = images.count
        }
        return context
    }
}

/// File identity for resume: size and modification time.
func fileStamp(_ path: String) -> String {
    guard let attributes = try? FileManager.default.attributesOfItem(atPath: path) else { return "missing" }
    let size = (attributes[.size] as? NSNumber)?.int64Value ?? -1
    let modified = (attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
    return "\(size)@\(modified)"
}
