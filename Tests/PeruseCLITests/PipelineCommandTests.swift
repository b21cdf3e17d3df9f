import Foundation
import OpenRouterEmulator
import PeruseTesting
import Testing

/// `peruse caption|ask|summarize|run` as a user runs them: a real process against the emulator.
@Suite("Pipeline commands", .serialized)
struct PipelineCommandTests {
    static var samples: String { TestPaths.packageRoot.appendingPathComponent("samples").path }

    @Test("a caption run killed with SIGKILL halfway resumes: each image once, at most the in-flight requests repeated")
    func killAndResume() async throws {
        var configuration = EmulatorConfiguration()
        configuration.latency = .milliseconds(150)
        try await withEmulator(configuration) { emulator in
            let folder = try TemporaryFolder()
            let images = try TestPNG.folder(40, in: folder.path)
            let concurrency = 3
            let arguments = [
                "caption", images, "--out", "captions.jsonl", "--base-url", emulator.baseURL, "--concurrency", String(concurrency),
            ]
            let first = try PeruseProcess(arguments, in: folder.path)
            // Wait until about half is done (poll's limit is far above a slow machine's wait).
            try await poll { emulator.chats.filter({ $0.outcome != nil }).count >= 20 || !first.process.isRunning }
            try #require(emulator.chats.filter({ $0.outcome != nil }).count >= 20, "the first run never answered 20 requests")
            first.kill9()
            let beforeKill = emulator.chats.count
            #expect(beforeKill < 40)
            #expect(!FileManager.default.fileExists(atPath: folder.path + "/captions.jsonl"), "a result file appeared before the run finished")
            let second = try await PeruseProcess(arguments, in: folder.path).wait()
            #expect(second.status == 0, "\(second.stderr)")
            let rows = try String(contentsOfFile: folder.path + "/captions.jsonl", encoding: .utf8).split(separator: "\n").map {
                try #require(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
            }
            let paths = rows.compactMap { $0["path"] as? String }
            #expect(paths.count == 40)
            #expect(Set(paths).count == 40)
            #expect(rows.allSatisfy { $0["ok"] as? Bool == true })
            let sent = emulator.chats
            #expect(sent.count <= 40 + concurrency, "\(sent.count) requests for 40 images")
            // Each image (by its bytes' hash) reached the emulator; repeats are only those in flight at the kill.
            var seen: [String: Int] = [:]
            for request in sent { for image in request.images { seen[image.sha256, default: 0] += 1 } }
            #expect(seen.count == 40)
            #expect(seen.values.filter { $0 > 1 }.count <= concurrency)
            // A third run sends nothing at all.
            let third = try await PeruseProcess(arguments, in: folder.path).wait()
            #expect(third.status == 0)
            #expect(emulator.chats.count == sent.count)
        }
    }

    @Test("malformed pipeline files: one error with line and column, exit 2, nothing sent", arguments: [
        ("unknown key", "steps:\n  - name: photos\n    images: IMAGES\n    recursiv: true\n", "bad.yaml:4:5:"),
        ("missing step", "steps:\n  - name: photos\n    images: IMAGES\n  - name: captions\n    map: foto\n    prompt: x\n", "bad.yaml:5:10:"),
        ("text-only model", "model: nvidia/llama-3.1-nemotron-ultra-253b-v1:free\nsteps:\n  - name: photos\n    images: IMAGES\n  - name: captions\n    map: photos\n    prompt: Describe it.\n", "bad.yaml:1:8:"),
        ("unknown template variable", "steps:\n  - name: photos\n    images: IMAGES\n  - name: captions\n    map: photos\n    prompt: |\n      Describe {{file}}.\n", "bad.yaml:7:16:"),
    ])
    func malformed(_ name: String, _ yaml: String, _ location: String) async throws {
        try await withEmulator { emulator in
            let folder = try TemporaryFolder()
            let images = try TestPNG.folder(2, in: folder.path)
            try yaml.replacingOccurrences(of: "IMAGES", with: images).write(toFile: folder.path + "/bad.yaml", atomically: true, encoding: .utf8)
            let result = try await peruse(["run", "bad.yaml", "--base-url", emulator.baseURL], in: folder.path)
            #expect(result.status == 2, "\(name): \(result.stderr)")
            #expect(result.stderr.contains(location), "\(name): \(result.stderr)")
            #expect(result.stderr.split(separator: "\n").count == 1, "\(name): expected one error line: \(result.stderr)")
            #expect(emulator.received.isEmpty, "\(name): something was sent")
        }
    }

    @Test("no key and no network: caption, ask and summarize on the samples print their plans and exit 0", arguments: [
        ["caption", "IMAGES"], ["ask", "IMAGES", "Which pictures show a person?"], ["summarize", "TEXT"],
    ])
    func offlinePlans(_ arguments: [String]) async throws {
        let folder = try TemporaryFolder()
        let resolved = arguments.map {
            $0.replacingOccurrences(of: "IMAGES", with: Self.samples + "/images")
                .replacingOccurrences(of: "TEXT", with: Self.samples + "/texts/devils-dictionary.txt")
        }
        let result = try await peruse(resolved, keyed: false, in: folder.path, wrapper: ["/usr/bin/unshare", "-n"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("OPENROUTER_API_KEY is not set: dry run"))
        #expect(result.stdout.contains("Plan for"))
        #expect(result.stdout.contains("Total: "))
        #expect(result.stdout.contains("262,144-token context"))
        if arguments[0] == "ask" { #expect(result.stdout.contains("5 images each") || result.stdout.contains("–5 images each")) }
    }

    @Test("the samples' HTML gallery embeds every image with its caption")
    func gallery() async throws {
        try await withEmulator { emulator in
            let folder = try TemporaryFolder()
            let result = try await peruse(["caption", Self.samples + "/images", "--out", "gallery.html", "--base-url", emulator.baseURL], in: folder.path)
            #expect(result.status == 0, "\(result.stderr)")
            let html = try String(contentsOfFile: folder.path + "/gallery.html", encoding: .utf8)
            #expect(html.contains("<meta name=\"viewport\""))
            #expect(html.components(separatedBy: "<img src=\"data:image/").count - 1 == 8)
            for request in emulator.chats {
                let answer = try #require(request.outcome?.answer)
                #expect(html.contains(answer.components(separatedBy: "\n")[0]))
            }
        }
    }

    @Test("run: a shipped pipeline with --set writes CSV; an unknown --set name is exit 2 before anything is sent")
    func runWithSettings() async throws {
        try await withEmulator { emulator in
            let folder = try TemporaryFolder()
            let images = try TestPNG.folder(3, in: folder.path)
            let pipeline = TestPaths.packageRoot.appendingPathComponent("pipelines/caption-images.yaml").path
            let bad = try await peruse(["run", pipeline, "--set", "folder=" + images, "--set", "colour=red", "--base-url", emulator.baseURL], in: folder.path)
            #expect(bad.status == 2)
            #expect(bad.stderr.contains("unknown input `colour`"))
            #expect(emulator.received.isEmpty)
            let result = try await peruse([
                "run", pipeline, "--set", "folder=" + images, "--set", "out=captions.csv", "--set", "format=csv",
                "--set", "prompt=Name the colour.", "--base-url", emulator.baseURL,
            ], in: folder.path)
            #expect(result.status == 0, "\(result.stderr)")
            let lines = try String(contentsOfFile: folder.path + "/captions.csv", encoding: .utf8).components(separatedBy: "\r\n")
            #expect(lines[0] == "path,ok,text,error,model,prompt_tokens,completion_tokens,cost")
            #expect(lines.filter { $0.contains(",true,") }.count == 3)
            #expect(emulator.chats.allSatisfy { $0.promptText.contains("Name the colour.") })
        }
    }

    @Test("a step with json_schema asks for structured output and gets JSON back")
    func jsonSchema() async throws {
        try await withEmulator { emulator in
            let folder = try TemporaryFolder()
            let images = try TestPNG.folder(2, in: folder.path)
            try """
                inputs:
                  folder: \(images)
                steps:
                  - name: photos
                    images: "{{folder}}"
                  - name: facts
                    map: photos
                    prompt: Give the main colour of {{name}}.
                    json_schema:
                      type: object
                      properties:
                        colour: {type: string}
                      required: [colour]
                      additionalProperties: false
                  - name: out
                    write: facts
                    to: facts.jsonl
                """.write(toFile: folder.path + "/facts.yaml", atomically: true, encoding: .utf8)
            let result = try await peruse(["run", "facts.yaml", "--base-url", emulator.baseURL], in: folder.path)
            #expect(result.status == 0, "\(result.stderr)")
            #expect(emulator.chats.allSatisfy { $0.jsonSchema != nil })
            let rows = try String(contentsOfFile: folder.path + "/facts.jsonl", encoding: .utf8).split(separator: "\n").map {
                try #require(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
            }
            #expect(rows.count == 2)
            for row in rows {
                let answer = try #require((row["text"] as? String)?.data(using: .utf8))
                let object = try #require(JSONSerialization.jsonObject(with: answer) as? [String: Any])
                #expect(object["colour"] is String)
            }
        }
    }

    @Test("a refused key: nothing can run, exit 3, and the key is never printed")
    func refusedKey() async throws {
        try await withEmulator { emulator in
            let folder = try TemporaryFolder()
            let images = try TestPNG.folder(3, in: folder.path)
            let secret = "sk-or-v1-not-a-real-key-\(UUID().uuidString)"
            let result = try await PeruseProcess(
                ["caption", images, "--base-url", emulator.baseURL, "--verbose"], environment: ["OPENROUTER_API_KEY": secret], in: folder.path
            ).wait()
            #expect(result.status == 3, "\(result.stderr)")
            #expect(!result.stdout.contains(secret) && !result.stderr.contains(secret))
            // The store and its write-ahead log.
            for name in try FileManager.default.contentsOfDirectory(atPath: folder.path + "/.peruse") {
                let bytes = try Data(contentsOf: URL(fileURLWithPath: folder.path + "/.peruse/" + name))
                #expect(bytes.range(of: Data(secret.utf8)) == nil, "\(name) holds the key")
            }
        }
    }

    @Test("an unreachable endpoint: exit 3")
    func unreachable() async throws {
        let folder = try TemporaryFolder()
        let images = try TestPNG.folder(1, in: folder.path)
        let result = try await peruse(["caption", images, "--base-url", "http://127.0.0.1:9/api/v1"], in: folder.path)
        #expect(result.status == 3, "\(result.stderr)")
        #expect(result.stderr.contains("unreachable"))
    }
}

/// done-when 6: the gallery screenshot script runs and produces non-blank screenshots
/// (look at them: `scripts/gallery-screenshot.sh` prints where they are).
@Suite("Gallery screenshot")
struct GalleryScreenshotTests {
    static let chromium = FileManager.default.isExecutableFile(atPath: "/usr/bin/chromium")

    @Test(
        "scripts/gallery-screenshot.sh screenshots the samples' gallery",
        .enabled(if: TestEnvironment.requires(chromium), "chromium is not installed"))
    func screenshot() throws {
        let folder = try TemporaryFolder()
        let script = Process()
        script.executableURL = URL(fileURLWithPath: "/bin/bash")
        script.arguments = [TestPaths.packageRoot.appendingPathComponent("scripts/gallery-screenshot.sh").path, folder.path + "/out"]
        var environment = ProcessInfo.processInfo.environment
        environment["PERUSE_BIN"] = URL(fileURLWithPath: peruseExecutable).deletingLastPathComponent().path
        script.environment = environment
        script.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
        try script.run()
        script.waitUntilExit()
        #expect(script.terminationStatus == 0)
        for name in ["gallery-phone.png", "gallery-desktop.png"] {
            let size = (try? FileManager.default.attributesOfItem(atPath: folder.path + "/out/" + name)[.size] as? Int) ?? 0
            // A blank page compresses to a few KB; eight photos do not.
            #expect(size > 100_000, "\(name): \(size) bytes")
        }
        let html = try String(contentsOfFile: folder.path + "/out/gallery.html", encoding: .utf8)
        #expect(html.components(separatedBy: "<img src=\"data:image/").count - 1 == 8)
        #expect(html.contains("class=\"error\""))
    }
}
