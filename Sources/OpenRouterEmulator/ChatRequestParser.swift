import Foundation

/// A chat request body that passed validation, with its images decoded.
struct ParsedChat: Sendable {
    var model: String?
    var fallbackModels: [String]
    var messages: [ReceivedMessage]
    var stream: Bool
    var maxTokens: Int?
    var temperature: Double?
    var jsonSchema: JSONValue?
    var reasoningRequested: Bool
    var reasoningExcluded: Bool
    var detailedThinking: Bool?
    var textTokens: Int
    var imageTokens: Int

    /// `model` first, then the `models` fallback list, without repeats.
    var candidates: [String] {
        var seen = Set<String>()
        return ([model].compactMap { $0 } + fallbackModels).filter { seen.insert($0).inserted }
    }
}

/// Validates a `POST /chat/completions` body the way the service does, and decodes every
/// image it carries. Every failure is a 400 whose message names the field and what was expected.
enum ChatRequestParser {
    static let roles: Set<String> = ["system", "user", "assistant", "tool", "developer"]
    static let imageTypes: Set<String> = ["image/png", "image/jpeg", "image/webp", "image/gif"]

    static func parse(_ body: [UInt8], imageDecoding: EmulatorConfiguration.ImageDecodingMode = .full)
        throws(ServiceError)
        -> ParsedChat
    {
        let root: JSONValue
        do {
            root = try JSONDecoder().decode(JSONValue.self, from: Data(body))
        } catch {
            throw .badRequest("Invalid JSON in request body: \(body.isEmpty ? "the body is empty" : "\(error)")")
        }
        guard let object = root.objectValue else {
            throw .badRequest("Request body must be a JSON object")
        }

        let model = try optionalString(object["model"], path: "model")
        var fallbackModels: [String] = []
        if let models = object["models"], models != .null {
            guard let list = models.arrayValue else { throw .badRequest("Expected array at \"models\"") }
            for (index, item) in list.enumerated() {
                guard let id = item.stringValue else { throw .badRequest("Expected string at \"models[\(index)]\"") }
                fallbackModels.append(id)
            }
        }
        guard model != nil || !fallbackModels.isEmpty else {
            throw .badRequest("No model specified: send \"model\" or a \"models\" list")
        }

        guard let rawMessages = object["messages"]?.arrayValue else {
            throw .badRequest("Input required: specify \"prompt\" or \"messages\" (expected array at \"messages\")")
        }
        guard !rawMessages.isEmpty else { throw .badRequest("\"messages\" must not be empty") }
        var messages: [ReceivedMessage] = []
        var textTokens = PromptTokens.promptStart
        var imageTokens = 0
        for (index, raw) in rawMessages.enumerated() {
            let message = try parseMessage(raw, path: "messages[\(index)]", imageDecoding: imageDecoding)
            textTokens += PromptTokens.perMessage
            for part in message.parts {
                switch part {
                case .text(let text): textTokens += PromptTokens.text(text)
                case .image(let image): imageTokens += image.tokens
                }
            }
            messages.append(message)
        }

        var stream = false
        if let value = object["stream"], value != .null {
            guard let flag = value.boolValue else { throw .badRequest("Expected boolean at \"stream\"") }
            stream = flag
        }
        var maxTokens: Int?
        if let value = object["max_tokens"], value != .null {
            guard let number = value.intValue, number >= 1 else {
                throw .badRequest("Expected integer >= 1 at \"max_tokens\"")
            }
            maxTokens = number
        }
        var temperature: Double?
        if let value = object["temperature"], value != .null {
            guard let number = value.doubleValue, (0...2).contains(number) else {
                throw .badRequest("Expected number between 0 and 2 at \"temperature\"")
            }
            temperature = number
        }
        let jsonSchema = try parseResponseFormat(object["response_format"])
        var reasoningRequested = false
        var reasoningExcluded = false
        if let reasoning = object["reasoning"], reasoning != .null {
            guard let fields = reasoning.objectValue else { throw .badRequest("Expected object at \"reasoning\"") }
            reasoningRequested = true
            reasoningExcluded = fields["exclude"]?.boolValue ?? false
        }
        var detailedThinking: Bool?
        if let first = messages.first, first.role == "system" {
            switch first.text.trimmingCharacters(in: .whitespacesAndNewlines).lowercased() {
            case "detailed thinking on": detailedThinking = true
            case "detailed thinking off": detailedThinking = false
            default: break
            }
        }
        return ParsedChat(
            model: model, fallbackModels: fallbackModels, messages: messages, stream: stream,
            maxTokens: maxTokens, temperature: temperature, jsonSchema: jsonSchema,
            reasoningRequested: reasoningRequested, reasoningExcluded: reasoningExcluded,
            detailedThinking: detailedThinking, textTokens: textTokens, imageTokens: imageTokens)
    }

    private static func optionalString(_ value: JSONValue?, path: String) throws(ServiceError) -> String? {
        guard let value, value != .null else { return nil }
        guard let string = value.stringValue else { throw .badRequest("Expected string at \"\(path)\"") }
        return string
    }

    private static func parseMessage(
        _ raw: JSONValue, path: String, imageDecoding: EmulatorConfiguration.ImageDecodingMode
    ) throws(ServiceError) -> ReceivedMessage {
        guard let fields = raw.objectValue else { throw .badRequest("Expected object at \"\(path)\"") }
        guard let role = fields["role"]?.stringValue else {
            throw .badRequest("Expected string at \"\(path).role\"")
        }
        guard roles.contains(role) else {
            throw .badRequest(
                "Invalid role \"\(role)\" at \"\(path).role\": expected one of system, user, assistant, tool, developer"
            )
        }
        guard let content = fields["content"] else { throw .badRequest("Missing \"\(path).content\"") }
        switch content {
        case .string(let text):
            return ReceivedMessage(role: role, parts: [.text(text)])
        case .null where role == "assistant":
            return ReceivedMessage(role: role, parts: [])
        case .array(let parts):
            var received: [ReceivedPart] = []
            for (index, part) in parts.enumerated() {
                received.append(
                    try parsePart(part, role: role, path: "\(path).content[\(index)]", imageDecoding: imageDecoding))
            }
            return ReceivedMessage(role: role, parts: received)
        default:
            throw .badRequest("Expected string or array of content parts at \"\(path).content\"")
        }
    }

    private static func parsePart(
        _ raw: JSONValue, role: String, path: String, imageDecoding: EmulatorConfiguration.ImageDecodingMode
    ) throws(ServiceError) -> ReceivedPart {
        guard let fields = raw.objectValue, let type = fields["type"]?.stringValue else {
            throw .badRequest("Expected a content part object with a \"type\" at \"\(path)\"")
        }
        switch type {
        case "text":
            guard let text = fields["text"]?.stringValue else {
                throw .badRequest("Expected string at \"\(path).text\"")
            }
            return .text(text)
        case "image_url":
            guard role == "user" else {
                throw .badRequest("Image parts are only allowed in user messages (\"\(path)\" is in a \(role) message)")
            }
            guard let image = fields["image_url"]?.objectValue else {
                let hint = fields["imageUrl"] != nil ? " (found \"imageUrl\": the wire name is snake_case)" : ""
                throw .badRequest("Expected object at \"\(path).image_url\"\(hint)")
            }
            guard let url = image["url"]?.stringValue else {
                throw .badRequest("Expected string at \"\(path).image_url.url\"")
            }
            return .image(
                try decodeImage(
                    url: url, detail: image["detail"]?.stringValue, path: "\(path).image_url.url", mode: imageDecoding))
        default:
            throw .badRequest("Invalid content part type \"\(type)\" at \"\(path).type\": expected text or image_url")
        }
    }

    /// Decodes a `data:image/…;base64,…` URL and checks the bytes are the image it claims.
    static func decodeImage(
        url: String, detail: String?, path: String, mode: EmulatorConfiguration.ImageDecodingMode
    ) throws(ServiceError) -> ReceivedImage {
        guard url.hasPrefix("data:") else {
            throw .badRequest(
                "The emulator does not fetch remote images (\"\(path)\" is not a data URL); send data:image/…;base64,…")
        }
        guard let comma = url.firstIndex(of: ",") else {
            throw .badRequest("Invalid data URL at \"\(path)\": no comma before the data")
        }
        let header = url[url.index(url.startIndex, offsetBy: 5)..<comma]
        guard header.hasSuffix(";base64") else {
            throw .badRequest("Invalid data URL at \"\(path)\": expected ;base64 encoding")
        }
        let mime = header.dropLast(7).lowercased()
        guard imageTypes.contains(mime) else {
            throw .badRequest(
                "Unsupported image type \"\(mime)\" at \"\(path)\": expected image/png, image/jpeg, image/webp or image/gif"
            )
        }
        guard let data = Data(base64Encoded: String(url[url.index(after: comma)...])), !data.isEmpty else {
            throw .badRequest("Invalid base64 image data at \"\(path)\"")
        }
        let bytes = [UInt8](data)
        switch ImageDecoding.decode(bytes, mode: mode) {
        case .failure(.unknownFormat):
            throw .badRequest("Invalid image at \"\(path)\": the data is not a PNG, JPEG, WebP or GIF image")
        case .failure(.corrupt(let format, let reason)):
            throw .badRequest("Invalid image at \"\(path)\": could not decode the \(format) data (\(reason))")
        case .success(let probed):
            guard probed.mimeType == mime else {
                throw .badRequest(
                    "Invalid image at \"\(path)\": the data URL says \(mime) but the bytes are \(probed.mimeType)")
            }
            return ReceivedImage(
                mimeType: mime, width: probed.width, height: probed.height, byteCount: bytes.count,
                sha256: Digest.sha256Hex(bytes), detail: detail,
                tokens: PromptTokens.image(width: probed.width, height: probed.height))
        }
    }

    private static func parseResponseFormat(_ value: JSONValue?) throws(ServiceError) -> JSONValue? {
        guard let value, value != .null else { return nil }
        guard let type = value["type"]?.stringValue else {
            throw .badRequest("Expected string at \"response_format.type\"")
        }
        switch type {
        case "text", "json_object":
            return nil
        case "json_schema":
            guard let schema = value["json_schema"]?["schema"], schema.objectValue != nil else {
                throw .badRequest("Expected object at \"response_format.json_schema.schema\"")
            }
            guard value["json_schema"]?["name"]?.stringValue != nil else {
                throw .badRequest("Expected string at \"response_format.json_schema.name\"")
            }
            return schema
        default:
            throw .badRequest("Invalid \"response_format.type\" \"\(type)\": expected text, json_object or json_schema")
        }
    }
}
