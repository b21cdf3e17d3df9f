import Foundation

/// An error answer in OpenRouter's shape: `{"error":{"code":…,"message":…,"metadata":{…}}}`
/// with its HTTP status and headers. Wording follows what the real service sends.
struct ServiceError: Error, Sendable {
    var status: Int
    var message: String
    var metadata: [String: JSONValue]?
    var headers: [(String, String)] = []

    var body: JSONValue {
        var error: [String: JSONValue] = ["code": .int(status), "message": .string(message)]
        if let metadata { error["metadata"] = .object(metadata) }
        return ["error": .object(error)]
    }

    static func badRequest(_ message: String) -> ServiceError {
        ServiceError(status: 400, message: message, metadata: nil)
    }

    static let missingKey = ServiceError(status: 401, message: "No auth credentials found", metadata: nil)
    static let unknownKey = ServiceError(status: 401, message: "User not found.", metadata: nil)
    static let noCredits = ServiceError(
        status: 402,
        message: "Insufficient credits. This account never purchased credits. Make sure your key is on the "
            + "correct account or org, and if so, purchase more at https://openrouter.ai/settings/credits",
        metadata: nil)

    static func payloadTooLarge(limit: Int) -> ServiceError {
        ServiceError(
            status: 413, message: "Request payload too large: the body exceeds \(limit) bytes", metadata: nil)
    }

    static func notFound(_ path: String) -> ServiceError {
        ServiceError(status: 404, message: "Not Found: \(path)", metadata: nil)
    }

    static func retired(model: String) -> ServiceError {
        ServiceError(status: 404, message: "No endpoints found for \(model).", metadata: nil)
    }

    static func noImageEndpoint(model: String) -> ServiceError {
        ServiceError(
            status: 404, message: "No endpoints found that support image input",
            metadata: ["model_slug": .string(model)])
    }

    /// The context-length 400 in the service's wording, with the numbers it computed.
    static func contextLength(
        limit: Int, textTokens: Int, imageTokens: Int, outputTokens: Int, provider: String
    ) -> ServiceError {
        let total = textTokens + imageTokens + outputTokens
        var parts = ["\(textTokens) of text input"]
        if imageTokens > 0 { parts.append("\(imageTokens) of image input") }
        parts.append("\(outputTokens) in the output")
        return ServiceError(
            status: 400,
            message: "This endpoint's maximum context length is \(limit) tokens. However, you requested about "
                + "\(total) tokens (\(parts.joined(separator: ", "))). Please reduce the length of either one, "
                + "or use the \"middle-out\" transform to compress your prompt automatically.",
            metadata: ["provider_name": .string(provider), "error_type": "context_length_exceeded"])
    }

    /// Platform rate-limit headers, also echoed in `metadata.headers` as the service does.
    static func rateLimitHeaders(limit: Int, resetMilliseconds: Int64) -> [(String, String)] {
        [
            ("X-RateLimit-Limit", String(limit)), ("X-RateLimit-Remaining", "0"),
            ("X-RateLimit-Reset", String(resetMilliseconds)),
        ]
    }

    /// The free-tier per-minute 429.
    static func perMinuteLimit(limit: Int, resetMilliseconds: Int64, retryAfterSeconds: Int) -> ServiceError {
        let headers = rateLimitHeaders(limit: limit, resetMilliseconds: resetMilliseconds)
        return ServiceError(
            status: 429, message: "Rate limit exceeded: free-models-per-min. ",
            metadata: [
                "headers": .object(Dictionary(uniqueKeysWithValues: headers.map { ($0.0, JSONValue.string($0.1)) })),
                "provider_name": .null, "error_type": "rate_limit_exceeded",
            ],
            headers: headers + [("Retry-After", String(retryAfterSeconds))])
    }

    /// The free-tier daily 429: not worth retrying today.
    static func dailyCap(limit: Int, resetMilliseconds: Int64) -> ServiceError {
        let headers = rateLimitHeaders(limit: limit, resetMilliseconds: resetMilliseconds)
        return ServiceError(
            status: 429,
            message:
                "Rate limit exceeded: free-models-per-day. Add 10 credits to unlock 1000 free model requests per day",
            metadata: [
                "headers": .object(Dictionary(uniqueKeysWithValues: headers.map { ($0.0, JSONValue.string($0.1)) })),
                "provider_name": .null, "error_type": "rate_limit_exceeded",
            ],
            headers: headers)
    }

    /// The error answer of an injected status fault.
    static func injected(_ fault: Fault, model: EmulatedModel, flaggedInput: String) -> ServiceError {
        let provider = JSONValue.string(model.providerName)
        func retryAfter(_ seconds: Int?) -> [(String, String)] { seconds.map { [("Retry-After", String($0))] } ?? [] }
        switch fault {
        case .rateLimited(let after):
            return ServiceError(
                status: 429,
                message: "\(model.id) is temporarily rate-limited upstream. Please retry shortly, or add your own "
                    + "key to accumulate your rate limits: https://openrouter.ai/settings/integrations",
                metadata: [
                    "raw": .string("\(model.id) is temporarily rate-limited upstream."),
                    "provider_name": provider, "error_type": "rate_limit_exceeded",
                ],
                headers: retryAfter(after))
        case .serverError(let status, let after):
            let (message, type): (String, String) =
                switch status {
                case 500: ("Internal Server Error", "server_error")
                case 502: ("Provider returned error", "provider_error")
                case 503: ("No allowed providers are available for the selected model.", "provider_unavailable")
                case 524: ("Provider timed out", "timeout")
                case 529: ("Provider returned error: overloaded", "provider_overloaded")
                default: ("Provider returned error", "provider_error")
                }
            return ServiceError(
                status: status, message: message,
                metadata: ["provider_name": provider, "error_type": .string(type)], headers: retryAfter(after))
        case .timeout:
            return ServiceError(
                status: 408, message: "Request timed out",
                metadata: ["provider_name": provider, "error_type": "timeout"])
        case .badRequest:
            return ServiceError(
                status: 400, message: "Provider returned error",
                metadata: ["provider_name": provider, "raw": "invalid request", "error_type": "invalid_request"])
        case .unauthorized:
            return .unknownKey
        case .noCredits:
            return .noCredits
        case .moderation(let reasons):
            let quoted = reasons.map { "\"\($0)\"" }.joined(separator: ", ")
            return ServiceError(
                status: 403,
                message: "\(model.id) requires moderation on \(model.providerName). Your input was flagged for "
                    + "\(quoted). No credits were charged.",
                metadata: [
                    "reasons": .array(reasons.map(JSONValue.string)),
                    "flagged_input": .string(String(flaggedInput.prefix(100))),
                    "provider_name": provider, "model_slug": .string(model.id),
                ])
        case .payloadTooLarge:
            return ServiceError(
                status: 413, message: "Payload Too Large: downloaded image content cannot exceed 30MB",
                metadata: ["provider_name": provider])
        case .midStreamError, .dropConnection, .slow:
            return ServiceError(status: 500, message: "Internal Server Error", metadata: nil)
        }
    }
}
