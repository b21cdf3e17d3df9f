import struct Foundation.Date

/// Everything that shapes how an emulator behaves. Defaults answer at once, accept
/// ``defaultAPIKey``, offer the three seed models and inject no faults.
///
/// ```swift
/// var config = EmulatorConfiguration()
/// config.contextOverrides["meta-llama/llama-4-maverick:free"] = 32_768
/// config.faults = .random(probability: 0.3, seed: 42)
/// let emulator = try await OpenRouterEmulator.start(config)
/// defer { Task { try await emulator.shutdown() } }
/// ```
public struct EmulatorConfiguration: Sendable {
    /// The key accepted by default: `Authorization: Bearer sk-or-v1-emulator`.
    public static let defaultAPIKey = "sk-or-v1-emulator"

    /// Requests admitted per key in a sliding window (the free tier: 20 per 60 s).
    public struct RateLimit: Sendable, Hashable {
        /// Requests allowed in any window.
        public var requests: Int
        /// The window length.
        public var window: Duration

        public init(requests: Int, window: Duration = .seconds(60)) {
            self.requests = requests
            self.window = window
        }

        /// OpenRouter's free-tier limit: 20 requests per minute.
        public static let freeTier = RateLimit(requests: 20)
    }

    /// How far received images are decoded.
    public enum ImageDecodingMode: Sendable, Hashable {
        /// PNG and JPEG fully decoded with `ImageIngest` (pixels checked, EXIF orientation
        /// applied to the reported size); GIF and WebP by header.
        case full
        /// Sizes from the headers only: for benchmarks where the emulator must cost the least.
        case headerOnly
    }

    /// Host to bind; only loopback makes sense for a test double.
    public var host: String = "127.0.0.1"
    /// Port to bind; 0 picks an ephemeral port (read it from ``RunningEmulator/port``).
    public var port: Int = 0
    /// Keys answered normally. Any other key gets 401.
    public var apiKeys: Set<String> = [EmulatorConfiguration.defaultAPIKey]
    /// Keys of an account without credits: 402 on every chat request.
    public var noCreditKeys: Set<String> = []
    /// Models offered by `GET /models` and accepted in `model` / `models`.
    public var models: [EmulatedModel] = EmulatedModel.seedModels
    /// Model ids that are listed nowhere any more and answer 404 `No endpoints found for …`,
    /// like a `:free` variant that has ended.
    public var retiredModels: Set<String> = []
    /// Context length per model id that replaces the model's real one (e.g. 32K in tests).
    public var contextOverrides: [String: Int] = [:]
    /// Time before the answer starts (streams send keep-alive comments meanwhile).
    public var latency: Duration = .zero
    /// Delay between two streamed content deltas (slow bodies).
    public var tokenDelay: Duration = .zero
    /// Interval of `: OPENROUTER PROCESSING` comments while a stream waits.
    public var keepAliveInterval: Duration = .milliseconds(500)
    /// Per-key limit for `:free` models; nil means unlimited. Exceeding it answers 429
    /// `free-models-per-min` with `X-RateLimit-*` headers.
    public var rateLimit: RateLimit? = nil
    /// Per-key daily cap for `:free` models (50, or 1,000 with credits); nil means none.
    /// Exceeding it answers the 429 whose message says `free-models-per-day`.
    public var dailyCap: Int? = nil
    /// Faults injected into admitted chat requests.
    public var faults: FaultPlan = .none
    /// Answers from the request; nil uses ``ReceivedRequest/defaultAnswer``.
    public var responder: (@Sendable (ReceivedRequest) -> String)? = nil
    /// Called with each request as it is logged (its outcome decided, before the answer is
    /// sent), e.g. to print a line per request. Must not block.
    public var observer: (@Sendable (ReceivedRequest) -> Void)? = nil
    /// MAI-DS-R1 style models leave their reasoning as `<think>…</think>` inside the content
    /// instead of the `reasoning` field, as some providers do.
    public var reasoningInContent: Bool = false
    /// How far received images are decoded (full by default).
    public var imageDecoding: ImageDecodingMode = .full
    /// Whether `usage` carries `cost` (OpenRouter does; local servers such as Ollama do not).
    public var reportsCost: Bool = true
    /// Largest request body accepted before a 413.
    public var maxRequestBytes: Int = 32 * 1024 * 1024

    public init() {}

    /// The context length a request to `model` is checked against.
    public func contextLength(of model: EmulatedModel) -> Int {
        contextOverrides[model.id] ?? model.contextLength
    }
}
