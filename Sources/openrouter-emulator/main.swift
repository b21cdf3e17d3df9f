// Runs the OpenRouter emulator as a standalone process, for benchmarks (the Python client
// comparison), scripts and manual testing. Prints `listening on http://127.0.0.1:PORT/api/v1`
// as its first line, then serves until it is killed.
import ArgumentParser
import Foundation
import OpenRouterEmulator

struct OpenRouterEmulatorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "openrouter-emulator",
        abstract: "A local OpenRouter chat-completions emulator on 127.0.0.1, with injectable faults.",
        discussion: """
            Accepts `Authorization: Bearer \(EmulatorConfiguration.defaultAPIKey)` unless --key is given. \
            Offers the three seed models; answers list each image received (size and sha256) and each text part.
            """)

    @Option(help: "Port to listen on (0: an ephemeral port, printed on the first line).")
    var port: Int = 0

    @Option(name: .customLong("latency-ms"), help: "Milliseconds before each answer starts.")
    var latencyMilliseconds: Int = 0

    @Option(name: .customLong("token-delay-ms"), help: "Milliseconds between two streamed deltas.")
    var tokenDelayMilliseconds: Int = 0

    @Option(name: .customLong("keep-alive-ms"), help: "Milliseconds between `: OPENROUTER PROCESSING` comments.")
    var keepAliveMilliseconds: Int = 500

    @Option(name: .customLong("fail-rate"), help: "Fraction (0...1) of admitted requests that fail.")
    var failRate: Double = 0

    @Option(help: "Which faults --fail-rate draws from: retryable, non-retryable or all.")
    var faults: FaultSet = .all

    @Option(help: "Seed of the fault draws (same seed, same faults for the same request order).")
    var seed: UInt64 = 1

    @Option(help: "Context length (tokens) that replaces every model's real one.")
    var context: Int?

    @Option(help: "Requests per minute per key for :free models (the free tier is 20); 0 for no limit.")
    var rpm: Int = 0

    @Option(name: .customLong("rate-window-ms"), help: "The window --rpm counts over, in milliseconds (Retry-After follows it).")
    var rateWindowMilliseconds: Int = 60_000

    @Flag(name: .customLong("no-cost"), help: "Leave `cost` out of `usage`, as local servers do.")
    var noCost = false

    @Flag(name: .customLong("no-modalities"), help: "List models without modality data in GET /models, as Ollama, vLLM and LM Studio do.")
    var noModalities = false

    @Option(name: .customLong("daily-cap"), help: "Requests per day per key for :free models; 0 for no cap.")
    var dailyCap: Int = 0

    @Option(name: .customLong("key"), help: "An accepted API key (repeatable). Default: the emulator key.")
    var keys: [String] = []

    @Option(name: .customLong("no-credit-key"), help: "A key answered with 402 (repeatable).")
    var noCreditKeys: [String] = []

    @Option(name: .customLong("retired-model"), help: "A model id answered 404, as an ended free variant (repeatable).")
    var retiredModels: [String] = []

    @Option(help: "How far received images are decoded: full (PNG/JPEG pixels) or header (sizes only, cheapest).")
    var decode: DecodeMode = .full

    enum DecodeMode: String, ExpressibleByArgument, CaseIterable {
        case full, header
    }

    @Flag(help: "Print one line per request on stderr (status, model, images, fault; never the key).")
    var verbose = false

    @Flag(name: .customLong("reasoning-in-content"), help: "MAI-DS-R1 leaves <think>…</think> in the content.")
    var reasoningInContent = false

    enum FaultSet: String, ExpressibleByArgument, CaseIterable {
        case retryable
        case nonRetryable = "non-retryable"
        case all
        var faults: [Fault] {
            switch self {
            case .retryable: Fault.retryableMix
            case .nonRetryable: Fault.nonRetryableMix
            case .all: Fault.fullMix
            }
        }
    }

    func validate() throws {
        guard (0...65_535).contains(port) else { throw ValidationError("--port must be 0...65535") }
        guard (0...1).contains(failRate) else { throw ValidationError("--fail-rate must be between 0 and 1") }
        guard latencyMilliseconds >= 0, tokenDelayMilliseconds >= 0, keepAliveMilliseconds > 0 else {
            throw ValidationError("--latency-ms and --token-delay-ms must be >= 0, --keep-alive-ms > 0")
        }
        if let context, context < 1 { throw ValidationError("--context must be positive") }
        guard rpm >= 0, dailyCap >= 0 else { throw ValidationError("--rpm and --daily-cap must be >= 0") }
        guard rateWindowMilliseconds > 0 else { throw ValidationError("--rate-window-ms must be positive") }
    }

    func run() async throws {
        // A reader that went away (`| head -1`) is an EPIPE on a write we ignore, not a
        // silent death by signal.
        signal(SIGPIPE, SIG_IGN)
        try await serve()
    }

    /// Starts the emulator and serves until the process is killed.
    func serve() async throws {
        var config = EmulatorConfiguration()
        config.port = port
        config.latency = .milliseconds(latencyMilliseconds)
        config.tokenDelay = .milliseconds(tokenDelayMilliseconds)
        config.keepAliveInterval = .milliseconds(keepAliveMilliseconds)
        if failRate > 0 { config.faults = .random(probability: failRate, among: faults.faults, seed: seed) }
        if let context {
            for model in config.models { config.contextOverrides[model.id] = context }
        }
        if rpm > 0 { config.rateLimit = .init(requests: rpm, window: .milliseconds(rateWindowMilliseconds)) }
        config.reportsCost = !noCost
        if noModalities {
            config.models = config.models.map { model in
                var bare = model
                bare.listsModalities = false
                return bare
            }
        }
        if dailyCap > 0 { config.dailyCap = dailyCap }
        if !keys.isEmpty { config.apiKeys = Set(keys) }
        config.noCreditKeys = Set(noCreditKeys)
        config.retiredModels = Set(retiredModels)
        config.reasoningInContent = reasoningInContent
        config.imageDecoding = decode == .full ? .full : .headerOnly
        if verbose {
            config.observer = { request in
                let outcome = request.outcome
                let line =
                    "#\(request.sequence) \(request.method) \(request.path) → \(outcome?.status ?? 0)"
                    + " model=\(outcome?.answeredBy ?? request.model ?? "-") images=\(request.images.count)"
                    + " prompt_tokens=\(request.promptTokens) stream=\(request.stream)"
                    + (outcome?.fault.map { " fault=\($0)" } ?? "")
                    + (outcome?.errorMessage.map { " error=\($0)" } ?? "")
                try? FileHandle.standardError.write(contentsOf: Data((line + "\n").utf8))
            }
        }

        let emulator = try await OpenRouterEmulator.start(config)
        // Unbuffered, so a script reading a pipe sees the line at once. The throwing write:
        // the legacy one traps on a full disk or a closed standard output; then the line is
        // lost but the emulator still serves.
        try? FileHandle.standardOutput.write(contentsOf: Data("listening on \(emulator.baseURL)\n".utf8))
        // Serve until killed; the process exit closes the socket.
        while !Task.isCancelled {
            try await Task.sleep(for: .seconds(3600))
        }
        try await emulator.shutdown()
    }
}

// Top-level code in `main.swift` resolves `main()` and `run()` to ParsableCommand's
// synchronous defaults (which print the help); parse, then call the async entry by name.
do {
    let command = try OpenRouterEmulatorCommand.parse()
    try await command.serve()
} catch {
    OpenRouterEmulatorCommand.exit(withError: error)
}
