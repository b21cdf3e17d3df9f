import struct Foundation.Date

/// An image the emulator received and decoded.
public struct ReceivedImage: Sendable, Hashable {
    /// MIME type from the data URL (`image/png`, `image/jpeg`, `image/webp`, `image/gif`).
    public var mimeType: String
    /// Decoded width in pixels.
    public var width: Int
    /// Decoded height in pixels.
    public var height: Int
    /// Size of the image bytes carried by the data URL (after base64 decoding).
    public var byteCount: Int
    /// Lowercase hex SHA-256 of those bytes: equal to `sha256sum` of the image file sent.
    public var sha256: String
    /// `image_url.detail` when given.
    public var detail: String?
    /// Tokens Llama 4 spends on this image (336-px tiles, see `../shared/llama4/NOTES.md`).
    public var tokens: Int
}

/// One content part of a received message, in the order it was sent.
public enum ReceivedPart: Sendable, Hashable {
    case text(String)
    case image(ReceivedImage)
}

/// One message of a received chat request.
public struct ReceivedMessage: Sendable, Hashable {
    /// `system`, `user`, `assistant`, `tool` or `developer`.
    public var role: String
    /// Content parts; string content becomes one text part.
    public var parts: [ReceivedPart]

    /// The text parts joined with newlines.
    public var text: String {
        parts.compactMap { if case .text(let text) = $0 { text } else { nil } }.joined(separator: "\n")
    }
}

/// What the emulator did with a request.
public struct ReceivedOutcome: Sendable, Hashable {
    /// HTTP status sent (200 also for mid-stream errors and for dropped connections after a 200 head).
    public var status: Int
    /// The injected fault, if any.
    public var fault: Fault?
    /// The error message sent, if any.
    public var errorMessage: String?
    /// The model that answered (after fallback), if one did.
    public var answeredBy: String?
    /// The content the answer carried (complete, before any fault cut it short).
    public var answer: String?
    /// The client closed the connection before the answer was completely sent (e.g. it
    /// cancelled a stream). Only seen when a write fails, so slow answers show it reliably.
    public var clientDisconnected: Bool = false

    /// Whether the whole answer was sent: a 200 not cut by a mid-stream error or a dropped
    /// connection (a provider fault absorbed by a fallback model still counts as answered).
    /// Counting these per request proves that none was answered twice.
    public var answeredInFull: Bool {
        guard status == 200, answeredBy != nil, !clientDisconnected else { return false }
        switch fault {
        case .midStreamError?, .dropConnection?: return false
        default: return true
        }
    }
}

/// A request as the emulator received it: parsed, images decoded, prompt tokens counted.
public struct ReceivedRequest: Sendable {
    /// Position among all requests received (0-based, arrival order).
    public var sequence: Int
    /// `gen-…` id given to the answer.
    public var generationID: String
    /// When the request's last byte arrived.
    public var arrival: Date
    /// HTTP method.
    public var method: String
    /// Path without the query string, e.g. `/api/v1/chat/completions`.
    public var path: String
    /// Request headers with lowercased names, without `authorization` (the key is a secret).
    public var headers: [String: String]
    /// `model`, if sent.
    public var model: String?
    /// `models` fallback list, if sent.
    public var fallbackModels: [String]
    /// Messages in order.
    public var messages: [ReceivedMessage]
    /// `stream`.
    public var stream: Bool
    /// `max_tokens`, if sent.
    public var maxTokens: Int?
    /// `temperature`, if sent.
    public var temperature: Double?
    /// `response_format.json_schema.schema` re-serialised, if a JSON schema was asked for.
    public var jsonSchema: String?
    /// `reasoning` was sent (any form); `reasoning.exclude` is honoured.
    public var reasoningRequested: Bool
    /// `reasoning.exclude`.
    public var reasoningExcluded: Bool
    /// Nemotron's switch: true for a first system message `detailed thinking on`, false for
    /// `detailed thinking off`, nil when absent.
    public var detailedThinking: Bool?
    /// Prompt tokens the emulator computed (text ≈ bytes/4 plus chat overhead, plus images).
    public var promptTokens: Int
    /// Of which image tokens.
    public var imageTokens: Int
    /// What the emulator answered; nil while the answer is being decided, and for requests
    /// rejected before parsing.
    public var outcome: ReceivedOutcome?

    /// Every image of every message, in order.
    public var images: [ReceivedImage] {
        messages.flatMap { $0.parts.compactMap { if case .image(let image) = $0 { image } else { nil } } }
    }

    /// Every text part of every message, in order.
    public var texts: [String] {
        messages.flatMap { $0.parts.compactMap { if case .text(let text) = $0 { text } else { nil } } }
    }

    /// All text of the prompt joined with newlines (handy to look for markers).
    public var promptText: String { texts.joined(separator: "\n") }

    /// The answer given when no responder is installed: one line per image,
    /// `image N: WxH sha256:<first 12 hex>`, then one per text part,
    /// `text N: <bytes> bytes sha256:<first 12 hex>`, so a test can tell which image and
    /// which chunk reached which request.
    public var defaultAnswer: String {
        var lines: [String] = []
        for (index, image) in images.enumerated() {
            lines.append("image \(index + 1): \(image.width)x\(image.height) sha256:\(image.sha256.prefix(12))")
        }
        for (index, text) in texts.enumerated() {
            lines.append(
                "text \(index + 1): \(text.utf8.count) bytes sha256:\(Digest.sha256Hex(Array(text.utf8)).prefix(12))")
        }
        return lines.joined(separator: "\n")
    }
}
