import Foundation
import Pipeline
import PeruseTesting
import Testing

/// The runner with in-process services: caching, the ledger, batching and reduce rounds.
@Suite("Pipeline runner")
struct PipelineRunnerTests {
    static func runner(
        _ name: String, inputs: [String: String], chat: (any ChatService)?, store: RunStore?, model: String? = nil,
        useCache: Bool = true, concurrency: Int = 3
    ) async throws -> PipelineRunner {
        let text = try #require(ShippedPipelines.all[name])
        let definition = try PipelineParser().parse(text, file: "pipelines/\(name)")
        var options = RunOptions()
        options.inputs = inputs
        options.model = model
        options.useCache = useCache
        options.concurrency = concurrency
        return try await PipelineRunner(
            definition: definition, options: options,
            environment: RunEnvironment(chat: chat, images: DiskImages(), text: LineText(), facts: testFacts, store: store, progress: .silent()))
    }

    @Test("caption: one row per file, bad files failed with a reason, a second run sends nothing")
    func captionRowsAndCache() async throws {
        let folder = try TemporaryFolder()
        let images = try imageFolder(good: 6, bad: 2, in: folder)
        let store = try await RunStore(path: folder.file("store.sqlite"))
        let chat = RecordingChat { request in "caption of " + request.loggedPrompt.split(separator: "[image ").last.map { String($0.dropLast()) }! }
        let out = folder.file("out.jsonl")
        let first = try await Self.runner("caption-images.yaml", inputs: ["folder": images, "out": out], chat: chat, store: store).run()
        #expect(first.items == 8)
        #expect(first.failed == 2)
        #expect(first.sent == 6)
        #expect(first.exitCode == 1)
        let lines = try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 8)
        let rows = try lines.map { try #require(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
        for row in rows {
            let path = try #require(row["path"] as? String)
            if path.contains("bad") {
                #expect(row["ok"] as? Bool == false)
                #expect((row["error"] as? String)?.contains("not a PNG or JPEG") == true)
            } else {
                #expect(row["ok"] as? Bool == true)
                #expect(row["text"] as? String == "caption of " + (path as NSString).lastPathComponent)
                #expect(row["prompt_tokens"] as? Int == 100)
            }
        }
        let second = try await Self.runner("caption-images.yaml", inputs: ["folder": images, "out": out], chat: chat, store: store).run()
        #expect(second.sent == 0)
        #expect(second.resumed)
        #expect(chat.requests.count == 6)
        #expect(try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n").count == 8)
        // --no-cache: a fresh run that sends everything again.
        let fresh = try await Self.runner("caption-images.yaml", inputs: ["folder": images, "out": out], chat: chat, store: store, useCache: false).run()
        #expect(fresh.sent == 6)
    }

    @Test("an interrupted run resumes: finished items are never sent again")
    func resumeAfterFailure() async throws {
        let folder = try TemporaryFolder()
        let images = try imageFolder(good: 10, bad: 0, in: folder)
        let store = try await RunStore(path: folder.file("store.sqlite"))
        let counter = Counter()
        let flaky = RecordingChat { _ in
            if counter.next() > 4 { throw PipelineError(.itemFailed, "HTTP 500") }
            return "ok"
        }
        let first = try await Self.runner("caption-images.yaml", inputs: ["folder": images], chat: flaky, store: store, concurrency: 1).run()
        #expect(first.failed == 6)
        let good = RecordingChat { _ in "ok" }
        let second = try await Self.runner("caption-images.yaml", inputs: ["folder": images], chat: good, store: store, concurrency: 1).run()
        #expect(second.failed == 0)
        #expect(good.requests.count == 6)
        #expect(second.standardOutput.split(separator: "\n").count == 10)
    }

    @Test("ask: batches respect the image limit and the reduce sees every batch answer")
    func askBatches() async throws {
        let folder = try TemporaryFolder()
        let images = try imageFolder(good: 12, bad: 1, in: folder)
        let store = try await RunStore(path: folder.file("store.sqlite"))
        let chat = RecordingChat { request in
            let prompt = request.loggedPrompt
            if prompt.contains("[image ") {
                let names = prompt.components(separatedBy: "[image ").dropFirst().map { $0.prefix { $0 != "]" } }
                return "BATCH(" + names.joined(separator: ",") + ")"
            }
            return "FINAL from " + String(prompt.components(separatedBy: "BATCH(").count - 1) + " batches"
        }
        let report = try await Self.runner("ask-images.yaml", inputs: ["folder": images, "question": "Which show a person?"], chat: chat, store: store).run()
        let batches = chat.requests.filter { $0.imageCount > 0 }
        // The batches are sent concurrently: their order of arrival is not part of the contract.
        #expect(batches.map(\.imageCount).sorted(by: >) == [5, 5, 2])
        #expect(report.standardOutput.contains("FINAL from 3 batches"))
        #expect(report.failed == 1)  // the bad file, reported on its own
        let combined = try #require(chat.requests.last?.loggedPrompt)
        for index in 0..<12 { #expect(combined.contains(String(format: "img%03d.jpg", index))) }
    }

    @Test("summarize: a small context gives a multi-round reduce with no request over the context")
    func summarizeRounds() async throws {
        let folder = try TemporaryFolder()
        let document = folder.file("long.txt")
        let paragraph = (0..<40).map { "Line \($0) of a paragraph about rivers and towns and the people in them." }.joined(separator: "\n")
        try (0..<100).map { "Part \($0)\n" + paragraph }.joined(separator: "\n").write(toFile: document, atomically: true, encoding: .utf8)
        let store = try await RunStore(path: folder.file("store.sqlite"))
        /// Every `Part N` / `PART-N` marker the request carries, so answers prove what reached them.
        @Sendable func markers(_ text: String, _ prefix: String) -> [String] {
            text.components(separatedBy: prefix).dropFirst().map { "PART-" + $0.prefix { $0.isNumber } }
        }
        let chat = RecordingChat { request in
            let prompt = request.loggedPrompt
            if prompt.contains("summaries of consecutive parts") {
                return Array(Set(markers(prompt, "PART-"))).sorted().joined(separator: " ") + String(repeating: " merged words", count: 60)
            }
            // Long answers (about 700 tokens) force more than one reduce round.
            return markers(prompt, "Part ").joined(separator: " ") + String(repeating: " long answer words", count: 150)
        }
        let report = try await Self.runner(
            "summarize-document.yaml", inputs: ["file": document], chat: chat, store: store, model: "test/small-model"
        ).run()
        #expect(report.failed == 0)
        let rounds = Set(chat.requests.compactMap { $0.loggedPrompt.contains("Merge them") ? "merge" : nil })
        #expect(!rounds.isEmpty, "expected at least one intermediate reduce round")
        for request in chat.requests {
            let tokens = LineText().tokens(in: request.loggedPrompt) + (request.maxTokens ?? 0)
            #expect(tokens <= 8192)
        }
        for part in 0..<100 { #expect(report.standardOutput.contains("PART-\(part) ")) }
    }

    @Test("dry run: plans without a chat service")
    func dryRunPlan() async throws {
        let folder = try TemporaryFolder()
        let images = try imageFolder(good: 7, bad: 1, in: folder)
        let plan = try await Self.runner("ask-images.yaml", inputs: ["folder": images, "question": "q"], chat: nil, store: nil).plan()
        let answers = try #require(plan.steps.first { $0.name == "answers" })
        #expect(answers.requests == 2)
        #expect(answers.imagesPerRequest == 2...5)
        #expect(answers.problems.count == 1)
        let reduce = try #require(plan.steps.first { $0.name == "answer" })
        #expect(reduce.requests == 1)
        #expect(plan.description.contains("Total: 3 requests"))
    }
}

