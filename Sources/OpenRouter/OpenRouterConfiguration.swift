import Foundation
import Logging

/// Everything an ``OpenRouterClient`` needs to know about the endpoint and the run.
///
/// ```swift
/// var configuration = OpenRouterConfiguration.fromEnvironment()   // OPENROUTER_API_KEY, OPENROUTER_BASE_URL
/// configuration.maxConcurrency = 4
/// configuration.retryPolicy = RetryPolicy(maxAttempts: 3)
/// let client = OpenRouterClient(configuration: configuration)
/// let answer = try await client.complete(ChatRequest(model: SeedModels.maverick, messages: [.user(text: "Hello")]))
/// try await client.shutdown()   // once, when done: the client owns a connection pool
/// ```
///
/// `DocumentationExampleTests` runs this example, so it keeps matching the API.
public struct OpenRouterConfiguration: Sendable {
    /// OpenRouter's public endpoint.
    public static let defaultBaseURL = "https://openrouter.ai/api/v1"
    /// The requests-per-minute limit OpenRouter applies to `:free` models.
    public static let freeTierRequestsPerMinute = 20

    /// API root, e.g. `https://openrouter.ai/api/v1` or `http://127.0.0.1:11434/v1`; no trailing slash.
    public var baseURL: String
    /// The bearer token. Optional: local OpenAI-compatible servers need none. Never printed,
    /// logged or stored; `description` shows only whether one is set.
    public var apiKey: String?
    /// Sent as `HTTP-Referer` (OpenRouter's app attribution).
    public var appReferer: String?
    /// Sent as `X-Title`.
    public var appTitle: String?
    /// Requests per minute allowed to start, counted over any sliding 60-second window. `nil`:
    /// 20 per minute for requests to `:free` models (OpenRouter's free-tier limit), no limit otherwise.
    public var requestsPerMinute: Int?
    /// The window ``requestsPerMinute`` is counted over: 60 s for OpenRouter; shorter only
    /// for endpoints (or emulators) that count differently.
    public var rateWindow: Duration = .seconds(60)
    /// Requests in flight at once.
    public var maxConcurrency: Int
    /// When and how often to retry.
    public var retryPolicy: RetryPolicy
    /// Connection establishment limit.
    public var connectTimeout: Duration
    /// Longest silence allowed between two bytes of a response (OpenRouter keeps streams alive
    /// with comments, so a stall this long means the connection is dead).
    public var readTimeout: Duration
    /// Upper bound for one attempt, body included.
    public var requestTimeout: Duration
    /// Where `GET /models` answers are cached on disk (nil: memory only). Holds model facts only.
    public var modelCacheDirectory: URL?
    /// How long a cached model list is trusted.
    public var modelCacheTTL: Duration
    /// Diagnostics. Never receives the API key or request headers.
    public var logger: Logger

    public init(
        baseURL: String = OpenRouterConfiguration.defaultBaseURL,
        apiKey: String? = nil,
        appReferer: String? = nil,
        appTitle: String? = "Peruse",
        requestsPerMinute: Int? = nil,
        maxConcurrency: Int = 4,
        retryPolicy: RetryPolicy = RetryPolicy(),
        connectTimeout: Duration = .seconds(10),
        readTimeout: Duration = .seconds(180),
        requestTimeout: Duration = .seconds(600),
        modelCacheDirectory: URL? = nil,
        modelCacheTTL: Duration = .seconds(24 * 3600),
        logger: Logger = Logger(label: "peruse.openrouter", factory: { _ in SwiftLogNoOpLogHandler() })
    ) {
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        self.baseURL = base
        // A key read with `$(cat key.txt)` from a CRLF file keeps its "\r": trimmed here so it
        // is never sent (or echoed by a header check) with it.
        self.apiKey = apiKey.map(Self.trimmedKey).flatMap { $0.isEmpty ? nil : $0 }
        self.appReferer = appReferer
        self.appTitle = appTitle
        self.requestsPerMinute = requestsPerMinute
        self.maxConcurrency = max(1, maxConcurrency)
        self.retryPolicy = retryPolicy
        self.connectTimeout = connectTimeout
        self.readTimeout = readTimeout
        self.requestTimeout = requestTimeout
        self.modelCacheDirectory = modelCacheDirectory
        self.modelCacheTTL = modelCacheTTL
        self.logger = logger
    }

    /// Reads `OPENROUTER_API_KEY` and `OPENROUTER_BASE_URL`; `baseURL` (e.g. from `--base-url`)
    /// wins over the environment. The model cache goes to the user cache directory.
    public static func fromEnvironment(
        baseURL: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> OpenRouterConfiguration {
        let base = baseURL ?? environment["OPENROUTER_BASE_URL"].flatMap { $0.isEmpty ? nil : $0 }
        return OpenRouterConfiguration(
            baseURL: base ?? defaultBaseURL,
            apiKey: environment["OPENROUTER_API_KEY"],
            modelCacheDirectory: userCacheDirectory(environment: environment))
    }

    /// The key without surrounding whitespace (spaces, tabs, CR, LF).
    static func trimmedKey(_ key: String) -> String {
        key.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// A key as the user gave it (environment, file): surrounding whitespace removed, nil when
    /// empty. A key with any other control character (or a space inside) is refused with a
    /// message that says where, never what: it cannot be sent in an HTTP header, and the
    /// HTTP library's own error would carry the whole header value.
    /// - Throws: ``OpenRouterError`` with code `invalidConfiguration`.
    public static func checkedKey(_ raw: String?, source: String = "OPENROUTER_API_KEY") throws -> String? {
        guard let raw else { return nil }
        let key = trimmedKey(raw)
        if key.isEmpty { return nil }
        for (offset, scalar) in key.unicodeScalars.enumerated() {
            let value = scalar.value
            if value < 0x21 || value == 0x7F || value > 0x7E {
                let what = value == 0x20 ? "a space" : value > 0x7E ? "a non-ASCII character" : "a control character"
                throw OpenRouterError(
                    .invalidConfiguration,
                    "\(source) contains \(what) at character \(offset + 1) of \(key.unicodeScalars.count) (the key is not shown). Copy the key again from https://openrouter.ai/keys, without line breaks.")
            }
        }
        return key
    }

    /// A base URL the client can use: `http` or `https`, with a host; trailing slashes removed.
    /// - Throws: ``OpenRouterError`` with code `invalidConfiguration`, naming `source`.
    public static func checkedBaseURL(_ raw: String, source: String = "--base-url") throws -> String {
        var base = raw.trimmingCharacters(in: .whitespaces)
        while base.hasSuffix("/") { base.removeLast() }
        func refuse(_ why: String) -> OpenRouterError {
            let printable = raw.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? "?" : Character($0) }
            let shown = String(printable.prefix(200))
            return OpenRouterError(
                .invalidConfiguration,
                "\(source) \"\(shown)\" is not usable: \(why). Expected an http or https URL such as \(defaultBaseURL) or http://127.0.0.1:11434/v1.")
        }
        guard !base.isEmpty else { throw refuse("it is empty") }
        guard let components = URLComponents(string: base), let scheme = components.scheme?.lowercased() else {
            throw refuse("it is not a URL")
        }
        guard scheme == "http" || scheme == "https" else { throw refuse("the scheme is \(scheme), not http or https") }
        guard let host = components.host, !host.isEmpty else { throw refuse("it has no host") }
        guard components.query == nil, components.fragment == nil else { throw refuse("it has a query or fragment") }
        return base
    }

    /// `$XDG_CACHE_HOME/peruse`, `~/.cache/peruse`, or `~/Library/Caches/peruse` on macOS.
    public static func userCacheDirectory(environment: [String: String]) -> URL? {
        if let xdg = environment["XDG_CACHE_HOME"], !xdg.isEmpty {
            return URL(fileURLWithPath: xdg).appendingPathComponent("peruse")
        }
        guard let home = environment["HOME"], !home.isEmpty else { return nil }
        #if os(macOS)
            return URL(fileURLWithPath: home).appendingPathComponent("Library/Caches/peruse")
        #else
            return URL(fileURLWithPath: home).appendingPathComponent(".cache/peruse")
        #endif
    }

    /// True when talking to openrouter.ai itself (a key is then required).
    public var isOpenRouter: Bool {
        baseURL.lowercased().contains("openrouter.ai")
    }

    /// The per-minute limit that applies to a request for these models.
    package func requestsPerMinute(forModels models: [String]) -> Int? {
        if let requestsPerMinute { return requestsPerMinute }
        return models.contains(where: { $0.hasSuffix(":free") }) ? Self.freeTierRequestsPerMinute : nil
    }
}

extension OpenRouterConfiguration: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// Same as ``description``: the key never shows, even in `debugPrint` or `dump`.
    public var debugDescription: String { description }

    public var customMirror: Mirror {
        Mirror(
            self,
            children: [
                "baseURL": baseURL, "apiKey": apiKey == nil ? "not set" : "set (hidden)",
                "requestsPerMinute": requestsPerMinute as Any, "maxConcurrency": maxConcurrency,
            ])
    }

    /// Safe to print: the key is shown only as set or not set.
    public var description: String {
        "OpenRouterConfiguration(baseURL: \(baseURL), apiKey: \(apiKey == nil ? "not set" : "set (hidden)"), "
            + "requestsPerMinute: \(requestsPerMinute.map(String.init) ?? "auto"), maxConcurrency: \(maxConcurrency))"
    }
}
