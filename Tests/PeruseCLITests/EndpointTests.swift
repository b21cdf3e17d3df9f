import Foundation
import OpenRouterEmulator
import PeruseTesting
import Testing

/// The key, the endpoint and what the client reports about them, as a user meets them: a real
/// `peruse` process against the emulator (issue 9).
@Suite("Endpoint, key and client errors", .serialized)
struct EndpointTests {
    static let secret = "sk-or-v1-x9secret"

    static func occurrences(of phrase: String, in text: String) -> Int {
        text.components(separatedBy: phrase).count - 1
    }

    /// Every file under `folder` (results, the store and its journal, the model cache, the
    /// captured stdout and stderr) whose bytes contain `needle`.
    static func files(containing needle: String, under folder: String) -> [String] {
        let bytes = Data(needle.utf8)
        var found: [String] = []
        let enumerator = FileManager.default.enumerator(atPath: folder)
        while let relative = enumerator?.nextObject() as? String {
            let path = folder + "/" + relative
            if let data = FileManager.default.contents(atPath: path), data.range(of: bytes) != nil {
                found.append(relative)
            }
        }
        return found
    }

    static func rows(_ path: String) throws -> [[String: Any]] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map {
            try #require(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
    }

    // MARK: the key

    @Test("a key with a trailing CR/LF (`$(cat key.txt)` from a CRLF file) works, and is written nowhere")
    func keyWithTrailingNewline() async throws {
        var configuration = EmulatorConfiguration()
        configuration.apiKeys = [Self.secret]
        try await withEmulator(configuration) { emulator in
            let folder = try TemporaryFolder()
            let images = try TestPNG.folder(3, in: folder.path)
            let result = try await peruse(
                ["caption", images, "--out", "captions.jsonl", "--base-url", emulator.baseURL],
                environment: ["OPENROUTER_API_KEY": Self.secret + "\r\n"], in: folder.path)
            #expect(result.status == 0, "\(result.stderr)")
            #expect(emulator.chats.count == 3)
            #expect(try Self.rows(folder.path + "/captions.jsonl").allSatisfy { $0["ok"] as? Bool == true })
            #expect(FileManager.default.fileExists(atPath: folder.path + "/.peruse/store.sqlite"))
            #expect(Self.files(containing: "x9secret", under: folder.path).isEmpty)
        }
    }

    @Test("a key with a control character inside is refused (exit 2) without being printed; nothing is sent")
    func keyWithControlCharacter() async throws {
        var configuration = EmulatorConfiguration()
        configuration.apiKeys = [Self.secret]
        try await withEmulator(configuration) { emulator in
            let folder = try TemporaryFolder()
            let images = try TestPNG.folder(2, in: folder.path)
            for key in ["sk-or-v1-x9\u{7}secret", "sk-or-v1-x9secret\rmore\r\n", "sk-or-v1-x9\u{1B}[31msecret"] {
                let result = try await peruse(
                    ["caption", images, "--out", "captions.jsonl", "--base-url", emulator.baseURL],
                    environment: ["OPENROUTER_API_KEY": key], in: folder.path)
                #expect(result.status == 2, "\(result.stderr)")
                #expect(result.stderr.contains("OPENROUTER_API_KEY contains a control character"), "\(result.stderr)")
                #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
                #expect(
                    !result.stderr.contains("x9") && !result.stderr.contains("secret") && !result.stdout.contains("secret"))
            }
            #expect(emulator.received.isEmpty)
            #expect(Self.files(containing: "secret", under: folder.path).isEmpty)
        }
    }

    // MARK: the base URL

    @Test(
        "an unusable --base-url or OPENROUTER_BASE_URL is refused at once: one line, exit 2",
        arguments: [
            "ftp://127.0.0.1/api/v1", "not a url", "http://", "file:///tmp/api", "",
        ])
    func badBaseURL(_ url: String) async throws {
        let folder = try TemporaryFolder()
        let images = try TestPNG.folder(1, in: folder.path)
        let flag = try await peruse(["caption", images, "--base-url", url], in: folder.path)
        #expect(flag.status == 2, "\(flag.stderr)")
        #expect(flag.stderr.hasPrefix("error: --base-url"), "\(flag.stderr)")
        #expect(flag.stderr.split(separator: "\n").count == 1, "\(flag.stderr)")
        #expect(!flag.stderr.contains("HTTPClientError"))
        if !url.isEmpty {
            let environment = try await peruse(
                ["caption", images], environment: ["OPENROUTER_BASE_URL": url], in: folder.path)
            #expect(environment.status == 2, "\(environment.stderr)")
            #expect(environment.stderr.hasPrefix("error: OPENROUTER_BASE_URL"), "\(environment.stderr)")
            #expect(environment.stderr.split(separator: "\n").count == 1, "\(environment.stderr)")
        }
        let models = try await peruse(["models", "--base-url", url], in: folder.path)
        #expect(models.status == 2, "\(models.stderr)")
        #expect(models.stderr.hasPrefix("error: --base-url"), "\(models.stderr)")
    }

    // MARK: what a failure says

    @Test("a refused key (401) and an account without credits (402): the cause once, exit 3")
    func refusedKeyAndNoCredits() async throws {
        var configuration = EmulatorConfiguration()
        configuration.noCreditKeys = ["sk-or-v1-broke"]
        try await withEmulator(configuration) { emulator in
            let folder = try TemporaryFolder()
            let images = try TestPNG.folder(3, in: folder.path)
            for (key, cause) in [("sk-or-v1-wrong", "The API key was refused"), ("sk-or-v1-broke", "no credits left")] {
                let result = try await peruse(
                    ["caption", images, "--out", "captions.jsonl", "--base-url", emulator.baseURL],
                    environment: ["OPENROUTER_API_KEY": key], in: folder.path)
                #expect(result.status == 3, "\(result.stderr)")
                #expect(Self.occurrences(of: cause, in: result.stderr) == 1, "\(result.stderr)")
                #expect(result.stderr.contains("nothing could run: "), "\(result.stderr)")
                #expect(
                    !result.stderr.contains("unreachable") && !result.stderr.contains("(OpenRouter:"), "\(result.stderr)")
                #expect(!result.stderr.contains("will be retried"), "\(result.stderr)")
            }
        }
    }

    @Test("5xx until the retries are used up: the cause once, no 'will be retried', exit 1")
    func serverErrorsExhausted() async throws {
        var configuration = EmulatorConfiguration()
        configuration.faults = .scripted([.serverError(status: 503, retryAfter: nil)], repeating: true)
        try await withEmulator(configuration) { emulator in
            let folder = try TemporaryFolder()
            let images = try TestPNG.folder(1, in: folder.path)
            let result = try await peruse(
                ["caption", images, "--out", "captions.jsonl", "--base-url", emulator.baseURL], in: folder.path)
            #expect(result.status == 1, "\(result.stderr)")
            #expect(emulator.chats.count == 6)
            #expect(Self.occurrences(of: "down or overloaded", in: result.stderr) == 1, "\(result.stderr)")
            #expect(result.stderr.contains("Gave up after 6 attempts"), "\(result.stderr)")
            #expect(
                !result.stderr.contains("will be retried") && !result.stderr.contains("(OpenRouter:"), "\(result.stderr)")
            let row = try #require(try Self.rows(folder.path + "/captions.jsonl").first)
            let error = try #require(row["error"] as? String)
            #expect(Self.occurrences(of: "down or overloaded", in: error) == 1, "\(error)")
        }
    }

    @Test("an endpoint nobody listens on: 'is unreachable' once, exit 3")
    func unreachablePort() async throws {
        // Started only to learn a free port and stopped at once (not withEmulator): the test
        // needs an address nobody listens on.
        let emulator = try await OpenRouterEmulator.start()
        let base = emulator.baseURL
        try await emulator.shutdown()
        let folder = try TemporaryFolder()
        let images = try TestPNG.folder(2, in: folder.path)
        let result = try await peruse(["caption", images, "--base-url", base, "--concurrency", "2"], in: folder.path)
        #expect(result.status == 3, "\(result.stderr)")
        #expect(Self.occurrences(of: "is unreachable", in: result.stderr) == 1, "\(result.stderr)")
        #expect(
            !result.stderr.contains("will be retried") && !result.stderr.contains("(OpenRouter:"), "\(result.stderr)")
    }

    // MARK: rate limits

    @Test("an endpoint allowing 1 request per 1 s window: every item succeeds, the client slows down to it")
    func perWindowRateLimit() async throws {
        var configuration = EmulatorConfiguration()
        configuration.rateLimit = .init(requests: 1, window: .seconds(1))
        try await withEmulator(configuration) { emulator in
            let folder = try TemporaryFolder()
            let images = try TestPNG.folder(10, in: folder.path)
            let result = try await peruse(
                ["caption", images, "--out", "captions.jsonl", "--base-url", emulator.baseURL, "--concurrency", "8"],
                in: folder.path)
            #expect(result.status == 0, "\(result.stderr)")
            let rows = try Self.rows(folder.path + "/captions.jsonl")
            #expect(rows.count == 10)
            #expect(rows.allSatisfy { $0["ok"] as? Bool == true }, "\(rows.filter { $0["ok"] as? Bool != true })")
            let counters = emulator.counters
            #expect(counters.perMinuteLimited > 0, "the limit was never reached: the test proves nothing")
            #expect(counters.admitted == 10)
        }
    }

    // MARK: timeouts and progress

    @Test("a server that never answers: --request-timeout 1 fails with a message naming the option")
    func requestTimeout() async throws {
        var configuration = EmulatorConfiguration()
        configuration.latency = .seconds(120)
        try await withEmulator(configuration) { emulator in
            let folder = try TemporaryFolder()
            let images = try TestPNG.folder(1, in: folder.path)
            let result = try await peruse(
                ["caption", images, "--base-url", emulator.baseURL, "--request-timeout", "1", "--concurrency", "1"],
                in: folder.path)
            #expect(result.status == 3, "\(result.stderr)")
            #expect(Self.occurrences(of: "--request-timeout", in: result.stderr) == 1, "\(result.stderr)")
            #expect(result.stderr.contains("request timeout (1 s"), "\(result.stderr)")
            let bad = try await peruse(["caption", images, "--request-timeout", "0"], in: folder.path)
            #expect(bad.status == 2)
        }
    }

    @Test("while a slow request is in flight, non-terminal progress lines keep coming (a heartbeat)")
    func heartbeat() async throws {
        var configuration = EmulatorConfiguration()
        configuration.latency = .seconds(14)
        try await withEmulator(configuration) { emulator in
            let folder = try TemporaryFolder()
            let images = try TestPNG.folder(1, in: folder.path)
            let result = try await peruse(["caption", images, "--base-url", emulator.baseURL], in: folder.path)
            #expect(result.status == 0, "\(result.stderr)")
            let waiting = result.stderr.split(separator: "\n").filter { $0.contains("0/1") && $0.contains("1 in flight") }
            #expect(waiting.count >= 2, "\(result.stderr)")
        }
    }

    // MARK: model facts

    static let localVision = {
        var model = EmulatedModel(
            id: "local/llava", name: "llava", contextLength: 32_768, inputModalities: ["text", "image"])
        model.listsModalities = false
        return model
    }()
    static let localText = {
        var model = EmulatedModel(
            id: "local/mistral", name: "mistral", contextLength: 32_768, inputModalities: ["text"])
        model.listsModalities = false
        return model
    }()

    @Test("a model listed without modality data gets the images; one that cannot read them says so once")
    func unknownModalities() async throws {
        var configuration = EmulatorConfiguration()
        configuration.models = [Self.localVision, Self.localText]
        try await withEmulator(configuration) { emulator in
            let folder = try TemporaryFolder()
            let images = try TestPNG.folder(3, in: folder.path)
            let vision = try await peruse(
                ["caption", images, "--model", "local/llava", "--base-url", emulator.baseURL], in: folder.path)
            #expect(vision.status == 0, "\(vision.stderr)")
            #expect(emulator.chats.filter { $0.outcome?.status == 200 && $0.images.count == 1 }.count == 3)
            let text = try await peruse(
                ["caption", images, "--model", "local/mistral", "--base-url", emulator.baseURL], in: folder.path)
            #expect(text.status == 3, "\(text.stderr)")
            #expect(Self.occurrences(of: "does not accept images", in: text.stderr) == 1, "\(text.stderr)")
            #expect(emulator.chats.contains { $0.model == "local/mistral" })
        }
    }

    @Test("an answer without usage.cost is priced from the endpoint's /models prices of the model used")
    func costFromRegistry() async throws {
        var configuration = EmulatorConfiguration()
        let pricing = EmulatedModel.Pricing(prompt: 0.000_002, completion: 0.000_01, image: 0.001, request: 0.0005)
        configuration.models = [
            EmulatedModel(
                id: "vendor/paid-vision", name: "Paid vision", contextLength: 65_536,
                inputModalities: ["text", "image"],
                pricing: pricing)
        ]
        configuration.reportsCost = false
        try await withEmulator(configuration) { emulator in
            let folder = try TemporaryFolder()
            let images = try TestPNG.folder(2, in: folder.path)
            let result = try await peruse(
                [
                    "caption", images, "--model", "vendor/paid-vision", "--out", "captions.jsonl", "--base-url",
                    emulator.baseURL,
                ],
                in: folder.path)
            #expect(result.status == 0, "\(result.stderr)")
            let rows = try Self.rows(folder.path + "/captions.jsonl")
            #expect(rows.count == 2)
            for row in rows {
                let prompt = try #require(row["prompt_tokens"] as? Int)
                let completion = try #require(row["completion_tokens"] as? Int)
                let cost = try #require(row["cost"] as? Double)
                let expected =
                    Double(prompt) * pricing.prompt + Double(completion) * pricing.completion + pricing.image
                    + pricing.request
                #expect(prompt > 0 && abs(cost - expected) < 1e-9, "cost \(cost), expected \(expected)")
            }
        }
    }

    @Test("the plan uses the endpoint's context (32K), and plans the requests the run sends")
    func planUsesEndpointFacts() async throws {
        var configuration = EmulatorConfiguration()
        configuration.contextOverrides[EmulatedModel.maverickFree.id] = 32_768
        try await withEmulator(configuration) { emulator in
            let folder = try TemporaryFolder()
            let text = TestPaths.packageRoot.appendingPathComponent("samples/texts/devils-dictionary.txt").path
            let plan = try await peruse(
                ["summarize", text, "--dry-run", "--base-url", emulator.baseURL], in: folder.path)
            #expect(plan.status == 0, "\(plan.stderr)")
            #expect(plan.stdout.contains("32,768-token context"), "\(plan.stdout)")
            #expect(plan.stderr.contains("model facts from \(emulator.baseURL)/models"), "\(plan.stderr)")
            #expect(emulator.chats.isEmpty)
            let total = try #require(plan.stdout.split(separator: "\n").first { $0.hasPrefix("Total: ") })
            let planned = try #require(Int(total.dropFirst("Total: ".count).prefix { $0.isNumber }))
            #expect(planned > 2)
            let run = try await peruse(
                ["summarize", text, "--out", "summary.txt", "--base-url", emulator.baseURL], in: folder.path)
            #expect(run.status == 0, "\(run.stderr)")
            #expect(emulator.chats.count == planned, "planned \(planned), sent \(emulator.chats.count)")
            // Offline (no key) the plan says where its facts came from: here the model cache the
            // runs above left.
            let offline = try await peruse(
                ["summarize", text, "--base-url", emulator.baseURL], keyed: false, in: folder.path)
            #expect(offline.stderr.contains("model cache"), "\(offline.stderr)")
            #expect(offline.stdout.contains("32,768-token context"), "\(offline.stdout)")
        }
    }
}
