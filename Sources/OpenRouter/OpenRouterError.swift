/// The one error type of the OpenRouter module: a ``Code`` to switch on, a message a user can
/// act on, and the HTTP status and underlying cause when there is one. Messages never contain
/// the API key or request headers.
public struct OpenRouterError: Error, Sendable, CustomStringConvertible {
    /// What went wrong.
    public enum Code: Sendable, Hashable {
        /// No key, or the key was refused (401).
        case badKey
        /// The account has no credits left (402; also for `:free` models with a negative balance).
        case noCredits
        /// The input was flagged by moderation (403), with the reasons given.
        case moderation(reasons: [String])
        /// Prompt plus `max_tokens` exceed the model's context, with the numbers when known.
        case contextTooLong(requestedTokens: Int?, contextLength: Int?)
        /// 429 that a later retry can clear (per-minute limit, provider busy).
        case rateLimited
        /// The free-tier daily quota is used up: no retry can succeed today.
        case dailyCapReached
        /// The model or its providers are down or overloaded (500, 502, 503, 524, 529).
        case providerDown
        /// The model does not exist or is no longer offered (404).
        case modelNotFound
        /// The endpoint rejected the request as malformed (400).
        case badRequest
        /// The request body is too large (413): fewer or smaller images.
        case payloadTooLarge
        /// The request was refused before sending: images for a model that accepts only text.
        case imagesNotSupported(model: String)
        /// No answer in time (408, or the client's own timeouts).
        case timeout
        /// The connection failed or dropped.
        case transport
        /// The endpoint answered something that is not a chat completion.
        case invalidResponse
        /// A streamed answer failed after some text arrived; the partial text is kept.
        case midStream(partialText: String)
        /// The request was cancelled by the caller.
        case cancelled
        /// Any other HTTP status.
        case http(status: Int)
        /// The key or base URL given to the client cannot be used (caught before any request).
        case invalidConfiguration
    }

    public var code: Code
    /// What happened and what to do about it.
    public var message: String
    /// HTTP status of the failed response, when there was one.
    public var status: Int?
    /// How long the server asked us to wait (`Retry-After`).
    public var retryAfter: Duration?
    /// The error the server sent (its `code` may be an integer or a string), for diagnostics.
    public var serverCode: String?
    /// The model the request was for.
    public var model: String?
    /// Underlying error (transport, decoding). Never carries request headers.
    public var cause: (any Error & Sendable)?
    /// The request limit a 429 stated (`X-RateLimit-Limit`), which the rate governor adopts.
    public var serverLimit: Int?

    public init(
        _ code: Code, _ message: String, status: Int? = nil, retryAfter: Duration? = nil,
        serverCode: String? = nil, model: String? = nil, cause: (any Error & Sendable)? = nil
    ) {
        self.code = code
        self.message = message
        self.status = status
        self.retryAfter = retryAfter
        self.serverCode = serverCode
        self.model = model
        self.cause = cause
    }

    public var description: String {
        var text = "OpenRouter: \(message)"
        if let status { text += " (HTTP \(status))" }
        return text
    }

    /// True when the same request may succeed later: 408, 429 (not the daily cap), 5xx
    /// outages, timeouts, dropped connections, and failures mid-stream. Never 400, 401, 402,
    /// 403, 404, 413.
    public var isRetryable: Bool {
        switch code {
        case .rateLimited, .providerDown, .timeout, .transport, .midStream: return true
        case .http(let status): return [408, 425, 500, 502, 503, 504, 520, 522, 524, 529].contains(status)
        case .invalidResponse: return status == 200  // a garbled or truncated 200 body
        case .badKey, .noCredits, .moderation, .contextTooLong, .dailyCapReached, .modelNotFound,
            .badRequest, .payloadTooLarge, .imagesNotSupported, .cancelled, .invalidConfiguration:
            return false
        }
    }

    /// True when no other request of the run can succeed either (the whole run should stop).
    public var stopsRun: Bool {
        switch code {
        case .badKey, .noCredits, .dailyCapReached, .invalidConfiguration: return true
        default: return false
        }
    }
}
