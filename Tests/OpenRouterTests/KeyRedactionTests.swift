import Foundation
import Logging
import OpenRouterEmulator
import PeruseTesting
import Testing

@testable import OpenRouter

/// Done-when 4: after a run that fails in every way it can, the API key appears in no log
/// line, error message, cache entry or result file.
@Suite struct KeyRedactionTests {
    @Test func theKeyLeaksNowhere() async throws {
        let secret = "sk-or-v1-" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        let folder = try TemporaryFolder()
        let work = folder.url
        let cache = work.appendingPathComponent("cache")
        let results = work.appendingPathComponent("results.jsonl")

        var emulatorConfiguration = EmulatorConfiguration()
        emulatorConfiguration.apiKeys = [secret]
        emulatorConfiguration.dailyCap = 40
        emulatorConfiguration.contextOverrides[SeedModels.maverick] = 2_000
        // Every fault once, in order, then clean answers (until the daily cap).
        emulatorConfiguration.faults = .scripted(Fault.fullMix.map { $0 })
        try await withEmulator(emulatorConfiguration) { emulator in
            let lines = LogCapture()
            var logger = Logger(label: "peruse.openrouter.test") { _ in CapturingLogHandler(capture: lines) }
            logger.logLevel = .trace
            var configuration = OpenRouterConfiguration(
                baseURL: emulator.baseURL, apiKey: secret, requestsPerMinute: 1_000_000, maxConcurrency: 4,
                retryPolicy: RetryPolicy(maxAttempts: 3, baseDelay: .milliseconds(5), maxDelay: .milliseconds(20)),
                readTimeout: .seconds(10), modelCacheDirectory: cache, logger: logger)
            configuration.rateWindow = .seconds(60)
            let client = OpenRouterClient(configuration: configuration)
            var texts: [String] = []
            var rows: [String] = []

            func record(_ outcome: Result<ChatCompletion, any Error>) throws {
                switch outcome {
                case .success(let answer):
                    rows.append(String(decoding: try JSONEncoder().encode(answer), as: UTF8.self))
                case .failure(let error):
                    texts += ["\(error)", String(reflecting: error)]
                    if let typed = error as? OpenRouterError {
                        texts += [typed.message, typed.description, String(describing: typed.cause)]
                        rows.append(#"{"ok":false,"error":\#(String(decoding: try JSONEncoder().encode(typed.message), as: UTF8.self))}"#)
                    }
                }
            }

            _ = await client.models()
            let image = try TestImages.pngDataURL()
            for index in 0..<(Fault.fullMix.count + 4) {
                let request = ChatRequest(model: SeedModels.maverick, messages: [.user(text: "Request #\(index)", images: [image])])
                do { try record(.success(try await client.complete(request, streamed: index % 2 == 1))) } catch { try record(.failure(error)) }
            }
            // Streams, including one cancelled half-way.
            do {
                for try await event in client.stream(ChatRequest(model: SeedModels.maverick, messages: [.user(text: "stream")])) {
                    texts.append("\(event)")
                }
            } catch { try record(.failure(error)) }
            // Too long for the context, images to a text-only model, bad request shapes.
            var long = ChatRequest(model: SeedModels.maverick, messages: [.user(text: String(repeating: "word ", count: 5_000))])
            long.maxTokens = 10
            do { try record(.success(try await client.complete(long))) } catch { try record(.failure(error)) }
            let textOnly = ChatRequest(model: SeedModels.nemotronUltra, messages: [.user(text: "x", images: [image])])
            do { try record(.success(try await client.complete(textOnly))) } catch { try record(.failure(error)) }
            do { try record(.success(try await client.complete(ChatRequest(model: "no/such-model", messages: [.user(text: "x")])))) } catch { try record(.failure(error)) }
            // Until the daily cap stops the run.
            for index in 0..<45 {
                do {
                    try record(.success(try await client.complete(ChatRequest(model: SeedModels.maverick, messages: [.user(text: "cap \(index)")]))))
                } catch { try record(.failure(error)) }
            }
            try await client.shutdown()

            // A wrong key and an unreachable endpoint too.
            for (base, key) in [(emulator.baseURL, secret + "x"), ("http://127.0.0.1:1/api/v1", secret)] {
                var other = configuration
                other.baseURL = base
                other.apiKey = key
                other.modelCacheDirectory = cache
                let wrong = OpenRouterClient(configuration: other)
                do { try record(.success(try await wrong.complete(ChatRequest(model: SeedModels.maverick, messages: [.user(text: "x")])))) } catch {
                    try record(.failure(error))
                }
                _ = await wrong.models(refresh: true)
                try await wrong.shutdown()
            }
            let counters = emulator.counters

            texts += ["\(configuration)", String(reflecting: configuration)]
            var dumped = ""
            dump(configuration, to: &dumped)
            texts.append(dumped)
            try rows.joined(separator: "\n").write(to: results, atomically: true, encoding: .utf8)

            // The run really failed in many ways and really used the key.
            #expect((counters.byStatus[200] ?? 0) > 5)
            #expect(Set(counters.byStatus.keys).isSuperset(of: [400, 401, 402, 403, 408, 413, 429, 500, 502, 503]))
            #expect(lines.all.count > 10)

            for text in texts + lines.all {
                #expect(!text.contains(secret), "key in: \(text.prefix(200))")
            }
            let files = FileManager.default.enumerator(at: work, includingPropertiesForKeys: nil)?.compactMap { $0 as? URL } ?? []
            #expect(files.contains { $0.lastPathComponent.hasPrefix("models-") })
            for file in files where !file.hasDirectoryPath {
                let contents = (try? Data(contentsOf: file)) ?? Data()
                #expect(contents.range(of: Data(secret.utf8)) == nil, "key in \(file.lastPathComponent)")
            }
        }
    }
}

/// Collects every formatted log line (message and metadata).
final class LogCapture: @unchecked Sendable {
    // @unchecked: guarded by `lock`.
    private let lock = NSLock()
    private var lines: [String] = []
    func append(_ line: String) { lock.withLock { lines.append(line) } }
    var all: [String] { lock.withLock { lines } }
}

struct CapturingLogHandler: LogHandler {
    let capture: LogCapture
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let all = metadata.merging(event.metadata ?? [:]) { _, new in new }
        let error = event.error.map { " error=\($0)" } ?? ""
        capture.append(
            "\(event.level) \(event.message)\(error) \(all.map { "\($0.key)=\($0.value)" }.sorted().joined(separator: " "))")
    }
}
