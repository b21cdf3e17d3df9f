/// The one error type of the OpenRouter module: a ``Code`` to branch on, a message a user can
/// act on, and the HTTP status, the details of its kind and the underlying cause when there
/// are some. Messages never contain the API key or request headers.
public struct OpenRouterError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, in kinds a caller branches on with `==` (or `case .badKey:` in a
    /// `switch` with a `default`). A struct over a private enum, as AsyncHTTPClient's
    /// `HTTPClientError` is, so that adding a kind breaks no caller's `switch`. What a kind
    /// knows beyond itself (status, moderation reasons, token counts, partial text) is a
    /// property of the error.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Kind: String, Sendable {
            case badKey, noCredits, moderation, contextTooLong, rateLimited, dailyCapReached, providerDown
            case modelNotFound, badRequest, payloadTooLarge, imagesNotSupported, timeout, transport
            case invalidResponse, midStream, cancelled, http, invalidConfiguration
        }
        private let kind: Kind
        private init(_ kind: Kind) { self.kind = kind }

        /// No key, or the key was refused (401).
        public static let badKey = Code(.badKey)
        /// The account has no credits left (402; also for `:free` models with a negative balance).
        public static let noCredits = Code(.noCredits)
        /// The input was flagged by moderation (403); the reasons are ``OpenRouterError/moderationReasons``.
        public static let moderation = Code(.moderation)
        /// Prompt plus `max_tokens` exceed the model's context; the numbers, when known, are
        /// ``OpenRouterError/requestedTokens`` and ``OpenRouterError/contextLength``.
        public static let contextTooLong = Code(.contextTooLong)
        /// 429 that a later retry can clear (per-minute limit, provider busy).
        public static let rateLimited = Code(.rateLimited)
        /// The free-tier daily quota is used up: no retry can succeed today.
        public static let dailyCapReached = Code(.dailyCapReached)
        /// The model or its providers are down or overloaded (500, 502, 503, 504, 520, 522, 524, 529).
        public static let providerDown = Code(.providerDown)
        /// The model does not exist or is no longer offered (404).
        public static let modelNotFound = Code(.modelNotFound)
        /// The endpoint rejected the request as malformed (400, 422).
        public static let badRequest = Code(.badRequest)
        /// The request body is too large (413): fewer or smaller images.
        public static let payloadTooLarge = Code(.payloadTooLarge)
        /// The model cannot read images (refused before sending, or by the server); the model
        /// is ``OpenRouterError/model``.
        public static let imagesNotSupported = Code(.imagesNotSupported)
        /// No answer in time (408, or the client's own timeouts).
        public static let timeout = Code(.timeout)
        /// The connection failed or dropped.
        public static let transport = Code(.transport)
        /// The endpoint answered something that is not a chat completion.
        public static let invalidResponse = Code(.invalidResponse)
        /// A streamed answer failed after some text arrived; the text is ``OpenRouterError/partialText``.
        public static let midStream = Code(.midStream)
        /// The request was cancelled by the caller.
        public static let cancelled = Code(.cancelled)
        /// Any other HTTP status; the status is ``OpenRouterError/status``.
        public static let http = Code(.http)
        /// The key or base URL given to the client cannot be used (caught before any request).
        public static let invalidConfiguration = Code(.invalidConfiguration)

        public var description: String { kind.rawValue }
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
    /// Why moderation flagged the input (``Code/moderation``), as the server listed them.
    public var moderationReasons: [String] = []
    /// The tokens the request asked for (``Code/contextTooLong``), when known.
    public var requestedTokens: Int?
    /// The model's context length (``Code/contextTooLong``), when known.
    public var contextLength: Int?
    /// The text that arrived before a stream broke off (``Code/midStream``).
    public var partialText: String?

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

    /// True when the same request may succeed later: 408, 425, 429 (not the daily cap), 5xx
    /// outages, timeouts, dropped connections, and failures mid-stream. Never 400, 401, 402,
    /// 403, 404, 413.
    public var isRetryable: Bool {
        switch code {
        case .rateLimited, .providerDown, .timeout, .transport, .midStream: return true
        // `fromResponse` gives 408 and the 5xx outages their own codes, so of the statuses
        // worth retrying only 425 (Too Early) is left to arrive as a bare status.
        case .http: return status == 425
        case .invalidResponse: return status == 200  // a garbled or truncated 200 body
        default: return false
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
