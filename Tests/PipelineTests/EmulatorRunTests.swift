import Foundation
import OpenRouterEmulator
import Pipeline
import PeruseTesting
import Testing

/// The shipped pipelines with the production services (ImageIngest, TextChunking, the
/// OpenRouter client) against the emulator: what reached it proves what was sent.
@Suite("Pipelines against the emulator")
struct EmulatorRunTests {
    static func run(
        _ name: String, inputs: [String: String], emulator: RunningEmulator, store: RunStore, concurrency: Int = 4
    ) async throws -> RunReport {
        let services = try await PeruseServices.make(
            baseURL: emulator.baseURL, apiKey: EmulatorConfiguration.defaultAPIKey, tokenizerPath: nil, concurrency: concurrency)
        var options = RunOptions()
        options.inputs = inputs
        options.concurrency = concurrency
        let text = try #require(ShippedPipelines.all[name])
        let runner = try await PipelineRunner(
            definition: try PipelineParser().parse(text, file: "pipelines/\(name)"), options: options,
            environment: RunEnvironment(
                chat: services.chat, images: services.images, text: services.text, facts: services.facts, store: store,
                progress: .silent()))
        let report = try await runner.run()
        await services.shutdown()
        return report
    }

    /// Chat requests the emulator admitted.

    @Test("caption: one row per file, bad files failed with a reason (exit 1); a second run sends nothing")
    func caption() async throws {
        try await withEmulator { emulator in
            let folder = try TemporaryFolder()
            let images = try imageFolder(good: 5, bad: 2, in: folder)
            // A real PNG from the corpus and a truncated JPEG: a mix of formats and failures.
            let png = TestPaths.packageRoot.appendingPathComponent("samples/images/cat-chelsea.png").path
            try FileManager.default.copyItem(atPath: png, toPath: images + "/cat.png")
            let jpeg = try Data(contentsOf: TestPaths.packageRoot.appendingPathComponent("samples/images/grace-hopper.jpg"))
            try jpeg.prefix(jpeg.count / 3).write(to: URL(fileURLWithPath: images + "/truncated.jpg"))
            let store = try await RunStore(path: folder.file("store.sqlite"))
            let out = folder.file("captions.jsonl")
            let first = try await Self.run("caption-images.yaml", inputs: ["folder": images, "out": out], emulator: emulator, store: store)
            #expect(first.items == 9)
            #expect(first.failed == 3)
            #expect(first.exitCode == 1)
            let sent = emulator.chats
            // cat.png is a copy of img001.jpg (samples/images/cat-chelsea.png): the same request,
            // sent once and its answer shared (6 good rows, 5 requests).
            #expect(sent.count == 5)
            #expect(sent.allSatisfy { $0.images.count == 1 })
            let rows = try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n").map {
                try #require(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
            }
            #expect(rows.count == 9)
            #expect(Set(rows.compactMap { $0["path"] as? String }).count == 9)
            let answers = Set(sent.compactMap { $0.outcome?.answer })
            for row in rows {
                let path = try #require(row["path"] as? String)
                if path.contains("bad") || path.contains("truncated") {
                    #expect(row["ok"] as? Bool == false, "\(path)")
                    #expect(!((row["error"] as? String) ?? "").isEmpty)
                } else {
                    #expect(row["ok"] as? Bool == true, "\(path)")
                    // The row's text is the emulator's answer to the request carrying this image.
                    #expect(answers.contains(try #require(row["text"] as? String)))
                    #expect((row["prompt_tokens"] as? Int ?? 0) > 147)
                }
            }
            let second = try await Self.run("caption-images.yaml", inputs: ["folder": images, "out": out], emulator: emulator, store: store)
            #expect(emulator.chats.count == 5, "the second run sent requests")
            #expect(second.sent == 0)
            #expect(try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n").count == 9)
        }
    }

    @Test("ask over 40 images: batches within the image limit and context; the answer uses every batch")
    func ask() async throws {
        var configuration = EmulatorConfiguration()
        configuration.responder = { request in
            let prompt = request.promptText
            if request.images.isEmpty {
                // The combining request: echo every batch's citations it was given.
                let cited = prompt.components(separatedBy: "SEEN[").dropFirst().map { "SEEN[" + $0.prefix { $0 != "]" } + "]" }
                return "Combined answer citing " + cited.joined(separator: " ")
            }
            // A batch: cite the file names given beside the images.
            let names = prompt.components(separatedBy: "\n").filter { $0.hasPrefix("Image ") }.map { $0.components(separatedBy: ": ").last ?? "" }
            return "SEEN[" + names.joined(separator: ",") + "]"
        }
        try await withEmulator(configuration) { emulator in
            let folder = try TemporaryFolder()
            let images = try imageFolder(good: 40, bad: 0, in: folder)
            let store = try await RunStore(path: folder.file("store.sqlite"))
            let report = try await Self.run("ask-images.yaml", inputs: ["folder": images, "question": "Which images show a face?"], emulator: emulator, store: store)
            #expect(report.failed == 0)
            let sent = emulator.chats
            let batches = sent.filter { !$0.images.isEmpty }
            #expect(batches.count == 8)
            #expect(batches.allSatisfy { $0.images.count <= 5 })
            #expect(batches.reduce(0) { $0 + $1.images.count } == 40)
            for request in sent {
                #expect(request.outcome?.status == 200)
                #expect(request.promptTokens + (request.maxTokens ?? 0) <= 262_144)
            }
            for index in 0..<40 {
                #expect(report.standardOutput.contains(String(format: "img%03d.jpg", index)), "image \(index) missing from the answer")
            }
            #expect(report.standardOutput.hasPrefix("Combined answer citing SEEN["))
        }
    }

    @Test("summarize a multi-megabyte real text with a 16K context: multi-round reduce, nothing over the context")
    func summarize() async throws {
        let context = 16_384
        var configuration = EmulatorConfiguration()
        configuration.contextOverrides["meta-llama/llama-4-maverick:free"] = context
        configuration.responder = { request in
            let prompt = request.promptText
            let notes = prompt.components(separatedBy: "NOTE[").dropFirst().map { "NOTE[" + $0.prefix { $0 != "]" } + "]" }
            if !notes.isEmpty { return "MERGED " + notes.joined(separator: " ") }
            let part = prompt.components(separatedBy: "This is part ").dropFirst().first.map { String($0.prefix { $0.isNumber }) } ?? "?"
            // Long answers (the emulator cuts them at max_tokens) make the reduce need rounds.
            return "NOTE[\(part)] " + String(repeating: "a long summary sentence of this part. ", count: 80)
        }
        try await withEmulator(configuration) { emulator in
            let folder = try TemporaryFolder()
            let document = folder.file("corpus.txt")
            var text = ""
            for name in ["en/newton-opticks.txt", "en/vim-builtin.txt", "en/bierce-devils-dictionary.dict.txt", "intl/bn-bengali-dasher.txt", "longlines/ja-soseki-hiragana-dasher.noeol.txt"] {
                text += try String(contentsOf: TestPaths.packageRoot.appendingPathComponent("../shared/corpus/text/" + name).standardized, encoding: .utf8) + "\n\n"
            }
            #expect(text.utf8.count > 3_000_000)
            try text.write(toFile: document, atomically: true, encoding: .utf8)
            let store = try await RunStore(path: folder.file("store.sqlite"))
            let report = try await Self.run("summarize-document.yaml", inputs: ["file": document], emulator: emulator, store: store)
            #expect(report.failed == 0, "\(report.failures)")
            let sent = emulator.chats
            #expect(sent.allSatisfy { $0.outcome?.status == 200 })
            #expect(sent.allSatisfy { $0.promptTokens + ($0.maxTokens ?? 0) <= context })
            let maps = sent.filter { $0.promptText.contains("This is part ") }
            let reduces = sent.filter { $0.promptText.contains("NOTE[") }
            #expect(maps.count > 20)
            #expect(reduces.count >= 3, "expected a reduce in rounds; \(maps.count) chunks, \(reduces.count) reduce requests")
            let count = maps.count
            for part in 1...count {
                #expect(report.standardOutput.contains("NOTE[\(part)]"), "part \(part) missing from the summary")
            }
        }
    }
}
