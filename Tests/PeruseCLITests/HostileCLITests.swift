import Foundation
import OpenRouterEmulator
import PeruseTesting
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Issue 9, the command line's part: outputs that cannot be written, outputs that name inputs,
/// runs where nothing ran, `--no-cache` and resuming, the store's permissions, escaping in
/// result files and on the terminal, hints that work, SIGINT, and usage errors.
@Suite("Hostile use of the commands", .serialized)
struct HostileCLITests {
    static let fixtures = TestPaths.generatedFixtures.appendingPathComponent("forms").path
    static let haveFixtures = FileManager.default.fileExists(atPath: fixtures + "/photo1-truncated.png")

    /// Runs peruse with standard output redirected by the shell (`>/dev/full`, `>&-`).
    static func shell(_ redirect: String) -> [String] { ["/bin/sh", "-c", "exec \"$0\" \"$@\" " + redirect] }

    // MARK: 1. Standard output that cannot be written

    @Test(
        "results to a full or closed standard output: an error message and exit 1, no crash",
        arguments: [">/dev/full", ">&-"])
    func unwritableStandardOutput(_ redirect: String) async throws {
        try await withEmulator { emulator in
            let folder = try TemporaryFolder()
            let images = try TestPNG.folder(2, in: folder.path)
            try Data("Some text to count.\n".utf8).write(to: URL(fileURLWithPath: folder.path + "/doc.txt"))
            let commands: [[String]] = [
                ["caption", images, "--base-url", emulator.baseURL],
                ["inspect", images],
                ["inspect", "--json", images],
                ["tokens", "doc.txt"],
                ["models", "--base-url", "http://127.0.0.1:9/api/v1"],
                ["caption", images, "--dry-run"],
            ]
            for command in commands {
                let result = try await PeruseProcess(command, in: folder.path, wrapper: Self.shell(redirect)).wait()
                #expect(result.status == 1, "\(command) \(redirect): status \(result.status) \(result.stderr)")
                #expect(
                    result.stderr.contains("cannot write to standard output"), "\(command) \(redirect): \(result.stderr)")
            }
        }
    }

    // MARK: 2. --out or --store naming an input

    @Test("--out or --store that names an input is refused before any request, and the input is untouched")
    func outputNamesInput() async throws {
        try await withEmulator { emulator in
            let folder = try TemporaryFolder()
            let images = try TestPNG.folder(3, in: folder.path)
            let document = folder.path + "/doc.txt"
            try Data("A document worth keeping.\n".utf8).write(to: URL(fileURLWithPath: document))
            try FileManager.default.createSymbolicLink(
                atPath: folder.path + "/link.jsonl", withDestinationPath: images + "/pic001.png")
            let before = try FileManager.default.contentsOfDirectory(atPath: images).sorted().map {
                try Data(contentsOf: URL(fileURLWithPath: images + "/" + $0))
            }
            let url = ["--base-url", emulator.baseURL]
            let pipeline = try String(contentsOfFile: TestPaths.packageRoot.path + "/pipelines/caption-images.yaml", encoding: .utf8)
            try Data(pipeline.utf8).write(to: URL(fileURLWithPath: folder.path + "/p.yaml"))
            let cases: [[String]] = [
                ["summarize", "doc.txt", "--out", "doc.txt"] + url,
                ["summarize", "doc.txt", "--out", "./doc.txt"] + url,
                ["caption", "images/pic000.png", "--out", "images/pic000.png", "--format", "jsonl"] + url,
                ["caption", "images", "--out", "./images/../images/pic002.png", "--format", "csv"] + url,
                ["caption", "images", "--out", "link.jsonl"] + url,
                ["caption", "images", "--store", "images/pic001.png"] + url,
                ["summarize", "doc.txt", "--store", "doc.txt"] + url,
                ["caption", "images", "--out", "same.jsonl", "--store", "same.jsonl"] + url,
                ["run", "p.yaml", "--set", "folder=images", "--set", "out=p.yaml", "--set", "format=jsonl"] + url,
            ]
            for arguments in cases {
                let result = try await peruse(arguments, in: folder.path)
                #expect(result.status == 2, "\(arguments): \(result.status) \(result.stderr)")
                #expect(result.stderr.contains("choose another path"), "\(arguments): \(result.stderr)")
            }
            // A dry run refuses the same way.
            let planned = try await peruse(["summarize", "doc.txt", "--out", "doc.txt", "--dry-run"], in: folder.path)
            #expect(planned.status == 2, "\(planned.stderr)")
            #expect(emulator.chats.isEmpty)
            #expect(try String(contentsOfFile: document, encoding: .utf8) == "A document worth keeping.\n")
            #expect(try String(contentsOfFile: folder.path + "/p.yaml", encoding: .utf8) == pipeline)
            let after = try FileManager.default.contentsOfDirectory(atPath: images).sorted().map {
                try Data(contentsOf: URL(fileURLWithPath: images + "/" + $0))
            }
            #expect(after == before)
        }
    }

    @Test("inspect --save into the input folder does not overwrite the inputs")
    func inspectSaveIntoInputs() async throws {
        let folder = try TemporaryFolder()
        let images = try TestPNG.folder(2, in: folder.path)
        let before = try Data(contentsOf: URL(fileURLWithPath: images + "/pic000.png"))
        let result = try await peruse(["inspect", images, "--save", images], keyed: false, in: folder.path)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: images + "/pic000.png")) == before)
    }

    // MARK: 3. A run where nothing could run

    @Test("a run in which nothing could run leaves the earlier result file as it was, and says so")
    func nothingRanKeepsResults() async throws {
        try await withEmulator { emulator in
            let folder = try TemporaryFolder()
            let images = try TestPNG.folder(3, in: folder.path)
            let good = try await peruse(
                ["caption", images, "--out", "captions.jsonl", "--base-url", emulator.baseURL], in: folder.path)
            #expect(good.status == 0, "\(good.stderr)")
            let before = try String(contentsOfFile: folder.path + "/captions.jsonl", encoding: .utf8)
            #expect(before.contains("\"ok\":true"))
            let refused = try await PeruseProcess(
                [
                    "caption", images, "--out", "captions.jsonl", "--prompt", "Another prompt.", "--base-url",
                    emulator.baseURL,
                ],
                environment: ["OPENROUTER_API_KEY": "sk-or-v1-refused"], in: folder.path
            ).wait()
            #expect(refused.status == 3, "\(refused.stderr)")
            #expect(refused.stderr.contains("kept captions.jsonl"), "\(refused.stderr)")
            #expect(try String(contentsOfFile: folder.path + "/captions.jsonl", encoding: .utf8) == before)
        }
    }

    // MARK: 4. --no-cache and resuming

    @Test(
        "--no-cache killed halfway: the same command with --no-cache resumes its fresh run; once finished, it starts anew"
    )
    func noCacheResumes() async throws {
        var configuration = EmulatorConfiguration()
        configuration.latency = .milliseconds(150)
        try await withEmulator(configuration) { emulator in
            let folder = try TemporaryFolder()
            let images = try TestPNG.folder(30, in: folder.path)
            let concurrency = 3
            let arguments = [
                "caption", images, "--out", "captions.jsonl", "--no-cache", "--base-url", emulator.baseURL,
                "--concurrency", String(concurrency),
            ]
            let first = try PeruseProcess(arguments, in: folder.path)
            try await poll { emulator.chats.filter({ $0.outcome != nil }).count >= 15 || !first.process.isRunning }
            try #require(emulator.chats.filter({ $0.outcome != nil }).count >= 15, "the first run never answered 15 requests")
            first.kill9()
            let second = try await PeruseProcess(arguments, in: folder.path).wait()
            #expect(second.status == 0, "\(second.stderr)")
            #expect(second.stderr.contains("resumed run"), "\(second.stderr)")
            let afterResume = emulator.chats.count
            #expect(afterResume <= 30 + concurrency, "\(afterResume) requests for 30 images")
            let rows = try String(contentsOfFile: folder.path + "/captions.jsonl", encoding: .utf8).split(separator: "\n")
            #expect(rows.count == 30)
            // A finished --no-cache run is not resumed: the next one asks for everything again.
            let third = try await PeruseProcess(arguments, in: folder.path).wait()
            #expect(third.status == 0, "\(third.stderr)")
            #expect(emulator.chats.count == afterResume + 30)
        }
    }

    // MARK: 5. The store's permissions

    @Test("the run store's folder is 0700 and its files 0600, also when an older store was 0644")
    func storeModes() async throws {
        try await withEmulator { emulator in
            let folder = try TemporaryFolder()
            let images = try TestPNG.folder(2, in: folder.path)
            let result = try await peruse(["caption", images, "--base-url", emulator.baseURL], in: folder.path)
            #expect(result.status == 0, "\(result.stderr)")
            func mode(_ path: String) throws -> Int {
                try ((FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)?.intValue ?? -1)
                    & 0o777
            }
            #expect(try mode(folder.path + "/.peruse") == 0o700)
            let names = try FileManager.default.contentsOfDirectory(atPath: folder.path + "/.peruse")
            #expect(names.contains("store.sqlite"))
            for name in names { #expect(try mode(folder.path + "/.peruse/" + name) == 0o600, "\(name)") }
            // An older store made 0644 is narrowed when it is opened.
            chmod(folder.path + "/.peruse/store.sqlite", 0o644)
            let again = try await peruse(["caption", images, "--base-url", emulator.baseURL], in: folder.path)
            #expect(again.status == 0, "\(again.stderr)")
            #expect(try mode(folder.path + "/.peruse/store.sqlite") == 0o600)
            // A store in a new folder given with --store.
            let moved = try await peruse(
                ["caption", images, "--base-url", emulator.baseURL, "--store", "runs/deep/s.sqlite"], in: folder.path)
            #expect(moved.status == 0, "\(moved.stderr)")
            #expect(try mode(folder.path + "/runs/deep") == 0o700)
            #expect(try mode(folder.path + "/runs/deep/s.sqlite") == 0o600)
        }
    }

    // MARK: 6. Escaping

    static let htmlName = "<img src=x onerror=alert(1)>.png"
    static let escapeName = "\u{1B}[31mred\u{1B}]0;owned\u{07}.png"

    @Test(
        "hostile file names and answers: escaped in Markdown, defused in CSV, escaped on standard error and in inspect")
    func escaping() async throws {
        var configuration = EmulatorConfiguration()
        configuration.responder = { _ in "=HYPERLINK(\"http://evil.example\",\"click\") <script>alert(2)</script>" }
        try await withEmulator(configuration) { emulator in
            let folder = try TemporaryFolder()
            let images = folder.path + "/images"
            try FileManager.default.createDirectory(atPath: images, withIntermediateDirectories: true)
            try TestPNG.make(width: 40, height: 30, index: 1).write(to: URL(fileURLWithPath: images + "/" + Self.htmlName))
            try TestPNG.make(width: 40, height: 30, index: 2).write(
                to: URL(fileURLWithPath: images + "/" + Self.escapeName))
            try Data("not a picture".utf8).write(to: URL(fileURLWithPath: images + "/\u{1B}[2Jbad.png"))
            let md = try await peruse(["caption", "images", "--out", "r.md", "--base-url", emulator.baseURL], in: folder.path)
            #expect(md.status == 1, "\(md.stderr)")
            let markdown = try String(contentsOfFile: folder.path + "/r.md", encoding: .utf8)
            #expect(!markdown.contains("<img"), "\(markdown)")
            #expect(!markdown.contains("<script"), "\(markdown)")
            #expect(markdown.contains("&lt;img src=x onerror=alert(1)&gt;.png"), "\(markdown)")
            #expect(!markdown.contains("\u{1B}"))
            // Standard error: the failure and the summary show the escape sequences as text.
            #expect(!md.stderr.contains("\u{1B}"), "\(md.stderr.debugDescription)")
            #expect(md.stderr.contains("\\x1b[2Jbad.png"), "\(md.stderr.debugDescription)")

            let csv = try await peruse(["caption", "images", "--out", "r.csv", "--base-url", emulator.baseURL], in: folder.path)
            #expect(csv.status == 1, "\(csv.stderr)")
            let table = try String(contentsOfFile: folder.path + "/r.csv", encoding: .utf8)
            #expect(!table.contains(",=HYPERLINK") && !table.contains(",\"=HYPERLINK"), "\(table)")
            #expect(table.contains("'=HYPERLINK"), "\(table)")

            let inspect = try await peruse(["inspect", "images"], keyed: false, in: folder.path)
            #expect(
                !inspect.stdout.contains("\u{1B}") && !inspect.stderr.contains("\u{1B}"),
                "\(inspect.stdout.debugDescription)")
            #expect(inspect.stdout.contains("\\x1b[31mred"), "\(inspect.stdout.debugDescription)")
            let tokens = try await peruse(["tokens", "images/" + Self.escapeName], keyed: false, in: folder.path)
            #expect(
                !tokens.stdout.contains("\u{1B}") && !tokens.stderr.contains("\u{1B}"), "\(tokens.stderr.debugDescription)")
        }
    }

    // MARK: 7. Hints that work where they are given

    @Test(
        "the hints --allow-truncated and --max-pixels work on caption, ask and run",
        .enabled(if: TestEnvironment.requires(haveFixtures), "no forms fixtures in $PERUSE_FIXTURES or .fixtures (scripts/test.sh makes them)"))
    func imageHints() async throws {
        try await withEmulator { emulator in
            let folder = try TemporaryFolder()
            let images = folder.path + "/images"
            try FileManager.default.createDirectory(atPath: images, withIntermediateDirectories: true)
            try FileManager.default.copyItem(
                atPath: Self.fixtures + "/photo1-truncated.png", toPath: images + "/cut.png")
            let url = ["--base-url", emulator.baseURL]
            let refused = try await peruse(["caption", "images", "--out", "a.jsonl"] + url, in: folder.path)
            #expect(refused.status == 1)
            #expect(refused.stderr.contains("--allow-truncated"), "\(refused.stderr)")
            for command in [
                ["caption", "images", "--out", "b.jsonl", "--allow-truncated"],
                ["ask", "images", "What is this?", "--allow-truncated"],
                [
                    "run", TestPaths.packageRoot.path + "/pipelines/caption-images.yaml", "--set", "folder=images", "--set",
                    "out=c.jsonl", "--allow-truncated",
                ],
            ] {
                let result = try await peruse(command + url, in: folder.path)
                #expect(result.status == 0, "\(command): \(result.stderr)")
            }
            let small = try TestPNG.folder(1, in: folder.path + "/small")
            let big = try await peruse(["caption", small, "--out", "d.jsonl", "--max-pixels", "100"] + url, in: folder.path)
            #expect(big.status == 1)
            #expect(big.stderr.contains("--max-pixels"), "\(big.stderr)")
            let bad = try await peruse(["caption", small, "--max-pixels", "0"] + url, in: folder.path)
            #expect(bad.status == 2)
        }
    }

    @Test("the hint --lossy works on summarize and run")
    func lossyHint() async throws {
        try await withEmulator { emulator in
            let folder = try TemporaryFolder()
            try Data("Caf\u{E9} au lait\n".utf8.map { $0 } + [0xE9, 0x0A]).write(
                to: URL(fileURLWithPath: folder.path + "/latin.txt"))
            let url = ["--base-url", emulator.baseURL]
            let refused = try await peruse(["summarize", "latin.txt"] + url, in: folder.path)
            #expect(refused.status != 0)
            #expect(refused.stderr.contains("--lossy"), "\(refused.stderr)")
            let lossy = try await peruse(["summarize", "latin.txt", "--lossy"] + url, in: folder.path)
            #expect(lossy.status == 0, "\(lossy.stderr)")
            let run = try await peruse(
                ["run", TestPaths.packageRoot.path + "/pipelines/summarize-document.yaml", "--set", "file=latin.txt", "--lossy"]
                    + url, in: folder.path)
            #expect(run.status == 0, "\(run.stderr)")
        }
    }

    // MARK: 8. Outputs and the store checked before the first request

    @Test("an unwritable --out or --store: exit 2 with the reason, before any request")
    func unwritableOutputs() async throws {
        try await withEmulator { emulator in
            let folder = try TemporaryFolder()
            let images = try TestPNG.folder(2, in: folder.path)
            try Data("a file, not a folder".utf8).write(to: URL(fileURLWithPath: folder.path + "/plain"))
            try FileManager.default.createDirectory(atPath: folder.path + "/adir", withIntermediateDirectories: true)
            let url = ["--base-url", emulator.baseURL]
            for (arguments, reason) in [
                (["caption", images, "--out", "plain/captions.jsonl"], "Not a directory"),
                (["caption", images, "--out", "adir", "--format", "jsonl"], "Is a directory"),
                (["caption", images, "--store", "plain/store.sqlite"], "Not a directory"),
                (["caption", images, "--store", "adir"], "Is a directory"),
                (["caption", images, "--store", "plain"], "not a database"),
            ] {
                let result = try await peruse(arguments + url, in: folder.path)
                #expect(result.status == 2, "\(arguments): \(result.status) \(result.stderr)")
                #expect(result.stderr.contains(reason), "\(arguments): \(result.stderr)")
            }
            #expect(emulator.chats.isEmpty)
            #expect(try String(contentsOfFile: folder.path + "/plain", encoding: .utf8) == "a file, not a folder")
        }
    }

    // MARK: 9. SIGINT

    @Test(
        "SIGINT mid-run: what is done is saved, a message says how much, exit 130; the same command finishes the rest")
    func interrupt() async throws {
        var configuration = EmulatorConfiguration()
        configuration.latency = .milliseconds(200)
        try await withEmulator(configuration) { emulator in
            let folder = try TemporaryFolder()
            let images = try TestPNG.folder(30, in: folder.path)
            let arguments = [
                "caption", images, "--out", "captions.jsonl", "--base-url", emulator.baseURL, "--concurrency", "2",
            ]
            let first = try PeruseProcess(arguments, in: folder.path)
            try await poll { emulator.chats.filter({ $0.outcome != nil }).count >= 8 || !first.process.isRunning }
            try #require(emulator.chats.filter({ $0.outcome != nil }).count >= 8, "the first run never answered 8 requests")
            kill(first.process.processIdentifier, SIGINT)
            let stopped = await first.wait()
            #expect(stopped.status == 130, "\(stopped.stderr)")
            #expect(first.process.terminationReason == .exit)
            #expect(stopped.stderr.contains("interrupted: "), "\(stopped.stderr)")
            #expect(stopped.stderr.contains("saved; run the same command to resume"), "\(stopped.stderr)")
            let sentBefore = emulator.chats.count
            #expect(sentBefore < 30)
            let second = try await PeruseProcess(arguments, in: folder.path).wait()
            #expect(second.status == 0, "\(second.stderr)")
            let all = emulator.chats
            // Only the rest (and at most the requests in flight at the interrupt) was sent again.
            #expect(all.count <= 30 + 2, "\(all.count) requests for 30 images")
            var seen: [String: Int] = [:]
            for request in all { for image in request.images { seen[image.sha256, default: 0] += 1 } }
            #expect(seen.count == 30)
            let rows = try String(contentsOfFile: folder.path + "/captions.jsonl", encoding: .utf8).split(separator: "\n")
            #expect(rows.count == 30)
        }
    }

    // MARK: 10. Usage errors and --version

    @Test("empty model, prompt or question, and --out formats a command cannot write: exit 2, nothing sent")
    func usageErrors() async throws {
        try await withEmulator { emulator in
            let folder = try TemporaryFolder()
            let images = try TestPNG.folder(1, in: folder.path)
            let url = ["--base-url", emulator.baseURL]
            for (arguments, expected) in [
                (["caption", images, "--model", ""], "--model is empty"),
                (["caption", images, "--model", "  "], "--model is empty"),
                (["caption", images, "--prompt", ""], "--prompt is empty"),
                (["ask", images, ""], "the question is empty"),
                (["ask", images, "What?", "--out", "r.html"], ".jsonl"),
                (["caption", images, "--out", "r.pdf"], "--format (jsonl, csv, md or html)"),
                (["caption", images, "--out", "results"], "cannot tell the format"),
                (["summarize", "x.txt", "--out", "s.docx"], "cannot tell the format"),
            ] {
                let result = try await peruse(arguments + url, in: folder.path)
                #expect(result.status == 2, "\(arguments): \(result.status) \(result.stderr)")
                #expect(result.stderr.contains(expected), "\(arguments): \(result.stderr)")
            }
            // A pipeline file whose write step's format cannot be told from its file name.
            let pipeline =
                "steps:\n  - name: photos\n    images: \(images)\n  - name: captions\n    map: photos\n    prompt: Describe it.\n  - name: out\n    write: captions\n    to: results.dat\n"
            try Data(pipeline.utf8).write(to: URL(fileURLWithPath: folder.path + "/p.yaml"))
            let run = try await peruse(["run", "p.yaml"] + url, in: folder.path)
            #expect(run.status == 2, "\(run.stderr)")
            #expect(run.stderr.contains("cannot tell the format of results.dat"), "\(run.stderr)")
            #expect(emulator.chats.isEmpty)
            // An explicit --format is honoured whatever the extension.
            let explicit = try await peruse(["caption", images, "--out", "r.data", "--format", "csv"] + url, in: folder.path)
            #expect(explicit.status == 0, "\(explicit.stderr)")
            #expect(try String(contentsOfFile: folder.path + "/r.data", encoding: .utf8).hasPrefix("path,ok,"))
        }
    }

    @Test("peruse --version prints the version")
    func version() async throws {
        let folder = try TemporaryFolder()
        let result = try await peruse(["--version"], keyed: false, in: folder.path)
        #expect(result.status == 0)
        #expect(result.stdout.range(of: #"^\d+\.\d+\.\d+\n$"#, options: .regularExpression) != nil, "\(result.stdout)")
    }
}
