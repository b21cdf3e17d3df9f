import Foundation
import OpenRouterEmulator
import PeruseTesting
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Documents and pipeline files that are not what they seem (issue 9): devices, FIFOs,
/// directories, huge or exploding files, UTF-16, Latin-1, and empty inputs.
@Suite("Documents and pipeline files", .serialized)
struct DocumentInputTests {
    /// The watchdog: a regression (a read of `/dev/zero`, a blocked FIFO) must fail the test,
    /// not hang it. `timeout` kills after a minute and exits 137; no check measures speed.
    static let timeout = "/usr/bin/timeout"
    static let hasTimeout = TestEnvironment.requires(FileManager.default.isExecutableFile(atPath: timeout))

    func bounded(_ arguments: [String], keyed: Bool = false, in folder: String) async throws -> ProcessResult {
        let result = try await peruse(arguments, keyed: keyed, in: folder, wrapper: [Self.timeout, "-s", "KILL", "60"])
        #expect(result.status != 137, "\(arguments) was killed by the watchdog: it blocked or kept reading")
        return result
    }

    static func fifo(_ path: String) throws -> String {
        #expect(mkfifo(path, 0o600) == 0, "mkfifo \(path)")
        return path
    }

    // MARK: Not regular files, too large

    @Test("summarize and tokens refuse /dev/zero and a FIFO, naming the path and what it is", .enabled(if: hasTimeout, "needs /usr/bin/timeout (required when CI=true)"))
    func devicesAndFIFOs() async throws {
        let folder = try TemporaryFolder()
        let pipe = try Self.fifo(folder.path + "/pipe.txt")
        for (path, what) in [("/dev/zero", "is a character device"), (pipe, "is a FIFO (named pipe)")] {
            let summary = try await bounded(["summarize", path, "--dry-run"], in: folder.path)
            #expect(summary.status == 2, "summarize \(path): \(summary.stderr)")
            #expect(summary.stderr.contains("\(path): \(what), expected a regular text file"), "\(summary.stderr)")
            let tokens = try await bounded(["tokens", path], in: folder.path)
            #expect(tokens.status == 1, "tokens \(path): \(tokens.stderr)")
            #expect(tokens.stderr.contains("\(path): \(what), expected a regular text file"), "\(tokens.stderr)")
        }
    }

    @Test("a document over the 1 GiB limit is refused before it is read (a sparse file)")
    func oversizedDocument() async throws {
        let folder = try TemporaryFolder()
        let path = folder.path + "/huge.txt"
        FileManager.default.createFile(atPath: path, contents: Data("a".utf8))
        let handle = try #require(FileHandle(forWritingAtPath: path))
        try handle.truncate(atOffset: (1 << 30) + 1)
        try handle.close()
        let result = try await peruse(["tokens", path], keyed: false, in: folder.path)
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stderr.contains("huge.txt: larger than the limit of 1073741824 bytes (1 GiB)"), "\(result.stderr)")
    }

    @Test("run refuses a FIFO, a device and a directory as the pipeline, at file:1:1, exit 2", .enabled(if: hasTimeout, "needs /usr/bin/timeout (required when CI=true)"))
    func pipelineNotAFile() async throws {
        let folder = try TemporaryFolder()
        let pipe = try Self.fifo(folder.path + "/pipe.yaml")
        try FileManager.default.createDirectory(atPath: folder.path + "/dir.yaml", withIntermediateDirectories: true)
        for (path, what) in [(pipe, "a FIFO (named pipe)"), ("/dev/zero", "a character device"), ("dir.yaml", "a directory")] {
            let result = try await bounded(["run", path, "--dry-run"], in: folder.path)
            #expect(result.status == 2, "\(path): \(result.stderr)")
            #expect(result.stderr.contains("\(path):1:1: this is \(what); expected a YAML pipeline file"), "\(result.stderr)")
        }
    }

    // MARK: YAML bombs

    @Test("alias expansion (billion laughs) and deep nesting: exit 2 with the line", .enabled(if: hasTimeout, "needs /usr/bin/timeout (required when CI=true)"))
    func yamlBombs() async throws {
        let folder = try TemporaryFolder()
        // The anchors live in a `json_schema`, which the parser turns into JSON: before the
        // limit, that expansion (9^9 strings) ran for minutes and past 3 GB.
        var laughs = "steps:\n  - name: doc\n    document: a.txt\n  - name: parts\n    chunk: doc\n"
        laughs += "  - name: notes\n    map: parts\n    prompt: x\n    json_schema:\n"
        laughs += "      a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
        for level in 1...9 {
            let previous = "*" + String(UnicodeScalar(UInt8(96 + level)))
            let name = String(UnicodeScalar(UInt8(97 + level)))
            laughs += "      \(name): &\(name) [\(Array(repeating: previous, count: 9).joined(separator: ","))]\n"
        }
        try laughs.write(toFile: folder.path + "/bad.yaml", atomically: true, encoding: .utf8)
        let result = try await bounded(["run", "bad.yaml", "--dry-run"], in: folder.path)
        #expect(result.status == 2, "\(result.stderr)")
        // Level f (line 15) is the first whose expansion passes 100,000 nodes; its first alias
        // is at column 14.
        #expect(result.stderr.contains("bad.yaml:15:14: the alias `*e` makes the file stand for more than 100000 YAML nodes"), "\(result.stderr)")

        // Deeper than 1,000 is libyaml's own limit; this stops at 100.
        let deep = String(repeating: "[", count: 200) + String(repeating: "]", count: 200) + "\n"
        try deep.write(toFile: folder.path + "/deep.yaml", atomically: true, encoding: .utf8)
        let nested = try await bounded(["run", "deep.yaml", "--dry-run"], in: folder.path)
        #expect(nested.status == 2, "\(nested.stderr)")
        #expect(nested.stderr.contains("deep.yaml:1:101: mappings and lists nested more than 100 deep"), "\(nested.stderr)")
    }

    // MARK: UTF-16 and UTF-32

    static let sample = "Grüße, 世界 — one line\nand a second: 🙂 emoji\r\nthird\n"

    static func encoded(_ text: String, _ encoding: String) -> Data {
        switch encoding {
        case "UTF-16LE": Data([0xFF, 0xFE]) + text.data(using: .utf16LittleEndian)!
        case "UTF-16BE": Data([0xFE, 0xFF]) + text.data(using: .utf16BigEndian)!
        case "UTF-32LE": Data([0xFF, 0xFE, 0, 0]) + text.data(using: .utf32LittleEndian)!
        default: Data([0, 0, 0xFE, 0xFF]) + text.data(using: .utf32BigEndian)!
        }
    }

    @Test("UTF-16 and UTF-32 files with a BOM count and plan like their UTF-8 text", arguments: ["UTF-16LE", "UTF-16BE", "UTF-32LE", "UTF-32BE"])
    func wideText(_ encoding: String) async throws {
        let folder = try TemporaryFolder()
        // Same-length folder names: the file's path is in the prompt, and costs tokens.
        for sub in ["u8", "wd"] {
            try FileManager.default.createDirectory(atPath: folder.path + "/" + sub, withIntermediateDirectories: true)
        }
        try Data(Self.sample.utf8).write(to: URL(fileURLWithPath: folder.path + "/u8/doc.txt"))
        try Self.encoded(Self.sample, encoding).write(to: URL(fileURLWithPath: folder.path + "/wd/doc.txt"))
        let reference = try await peruse(["tokens", "u8/doc.txt"], keyed: false, in: folder.path)
        let wide = try await peruse(["tokens", "wd/doc.txt"], keyed: false, in: folder.path)
        #expect(wide.status == 0, "\(encoding): \(wide.stderr)")
        let count = { (result: ProcessResult) in result.stdout.split(separator: "\t").first.map(String.init) }
        #expect(count(wide) != nil && count(wide) == count(reference), "\(encoding): \(wide.stdout) vs \(reference.stdout)")

        let plan = try await peruse(["summarize", "wd/doc.txt", "--dry-run"], keyed: false, in: folder.path)
        let utf8Plan = try await peruse(["summarize", "u8/doc.txt", "--dry-run"], keyed: false, in: folder.path)
        #expect(plan.status == 0, "\(encoding): \(plan.stderr)")
        #expect(plan.stdout.contains("wd/doc.txt: "), "\(plan.stdout)")
        #expect(plan.stdout.replacingOccurrences(of: "wd/", with: "u8/") == utf8Plan.stdout, "\(plan.stdout)")
    }

    @Test("a broken UTF-16 file names the encoding, the byte and the line")
    func brokenUTF16() async throws {
        let folder = try TemporaryFolder()
        var bytes = Self.encoded("line one\nline two ", "UTF-16LE")
        bytes.append(contentsOf: [0x00, 0xD8, 0x41, 0x00])  // a high surrogate, then "A"
        try bytes.write(to: URL(fileURLWithPath: folder.path + "/broken.txt"))
        let result = try await peruse(["tokens", "broken.txt"], keyed: false, in: folder.path)
        #expect(result.status == 1)
        #expect(result.stderr.contains("broken.txt: a UTF-16LE file (from its byte order mark), but at byte 38 (line 2): a high surrogate without its low half"), "\(result.stderr)")
        #expect(!result.stderr.contains("LATIN1"), "\(result.stderr)")
        let lossy = try await peruse(["tokens", "broken.txt", "--lossy"], keyed: false, in: folder.path)
        #expect(lossy.status == 0, "\(lossy.stderr)")
    }

    @Test("UTF-16 without a byte order mark is named as such, not as a binary file")
    func unmarkedUTF16() async throws {
        let folder = try TemporaryFolder()
        for (name, encoding) in [("le.txt", String.Encoding.utf16LittleEndian), ("be.txt", .utf16BigEndian)] {
            try #require("plain words\nand more\n".data(using: encoding)).write(to: URL(fileURLWithPath: folder.path + "/" + name))
        }
        let little = try await peruse(["tokens", "le.txt"], keyed: false, in: folder.path)
        #expect(little.stderr.contains("le.txt: NUL byte at byte 1 (line 1); this looks like UTF-16LE text without a byte order mark"), "\(little.stderr)")
        let big = try await peruse(["tokens", "be.txt"], keyed: false, in: folder.path)
        #expect(big.stderr.contains("be.txt: NUL byte at byte 0 (line 1); this looks like UTF-16BE text without a byte order mark"), "\(big.stderr)")
    }

    // MARK: Pipeline errors with file:line:column

    @Test("pipeline errors point at file:line:column", arguments: [
        ("Latin-1 byte", Data("steps:\n  - name: doc\n    document: caf".utf8) + Data([0xE9]) + Data(".txt\n".utf8),
         "bad.yaml:3:18: byte 0xE9 at byte offset 38 is not UTF-8"),
        ("unknown step kind", Data("steps:\n  - name: doc\n    document: a.txt\n  - name: notes\n    mapp: doc\n    prompt: x\n".utf8),
         "bad.yaml:5:5: unknown step kind `mapp`; expected one of `images`, `document`, `chunk`, `map`, `reduce`, `write` (did you mean `map`?)"),
        ("unclosed tag", Data("steps:\n  - name: doc\n    document: a.txt\n  - name: parts\n    chunk: doc\n  - name: notes\n    map: parts\n    prompt: |\n      Summarize this.\n      Text: {{text\n".utf8),
         "bad.yaml:10:13: in step `notes`: template tag `{{text` is never closed with `}}`"),
        ("unclosed section", Data("steps:\n  - name: doc\n    document: a.txt\n  - name: parts\n    chunk: doc\n  - name: notes\n    map: parts\n    prompt: Read {{text}} then {{#image}}x\n".utf8),
         "bad.yaml:8:32: in step `notes`: section `{{#image}}` is never closed"),
        // Yams's `node.any` force-unwrapped such a key as text: the process trapped (fuzzing).
        ("list as a json_schema key", Data("steps:\n  - name: doc\n    document: a.txt\n  - name: parts\n    chunk: doc\n  - name: notes\n    map: parts\n    prompt: x\n    json_schema:\n      type: object\n      ? [a, b]\n      : c\n".utf8),
         "bad.yaml:11:9: `json_schema` keys must be text, found a list"),
        ("UTF-16 pipeline", Self.encoded("steps: []\n", "UTF-16LE"),
         "bad.yaml:1:1: the file is UTF-16LE (from its byte order mark); pipeline files must be UTF-8"),
    ])
    func pipelineErrors(_ name: String, _ contents: Data, _ expected: String) async throws {
        let folder = try TemporaryFolder()
        try Data("some text\n".utf8).write(to: URL(fileURLWithPath: folder.path + "/a.txt"))
        try contents.write(to: URL(fileURLWithPath: folder.path + "/bad.yaml"))
        let result = try await peruse(["run", "bad.yaml", "--dry-run"], keyed: false, in: folder.path)
        #expect(result.status == 2, "\(name): \(result.stderr)")
        #expect(result.stderr.contains(expected), "\(name): \(result.stderr)")
    }

    // MARK: Empty inputs

    @Test("an empty folder or document: the plan says 0 requests and why, exit 1", arguments: [
        ["caption", "empty"], ["ask", "empty", "What is shown?"], ["summarize", "empty.txt"], ["summarize", "blank.md"],
    ])
    func emptyDryRun(_ arguments: [String]) async throws {
        let folder = try TemporaryFolder()
        try Self.emptyInputs(in: folder.path)
        let result = try await peruse(arguments + ["--dry-run"], keyed: false, in: folder.path)
        #expect(result.status == 1, "\(arguments): \(result.stderr)")
        let message = Self.message(for: arguments)
        #expect(result.stdout.contains("Total: 0 requests"), "\(arguments): \(result.stdout)")
        #expect(result.stdout.contains("Nothing to send: \(message)"), "\(arguments): \(result.stdout)")
        #expect(result.stderr.contains("error: \(message)"), "\(arguments): \(result.stderr)")
    }

    @Test("an empty folder or document against the emulator: nothing sent, the message, exit 1", arguments: [
        ["caption", "empty"], ["ask", "empty", "What is shown?"], ["summarize", "empty.txt"],
    ])
    func emptyLiveRun(_ arguments: [String]) async throws {
        try await withEmulator { emulator in
            let folder = try TemporaryFolder()
            try Self.emptyInputs(in: folder.path)
            let result = try await peruse(arguments + ["--base-url", emulator.baseURL], in: folder.path)
            #expect(result.status == 1, "\(arguments): \(result.stderr)")
            #expect(result.stderr.contains("error: \(Self.message(for: arguments))"), "\(arguments): \(result.stderr)")
            #expect(!result.stderr.contains("nothing to combine"), "\(result.stderr)")
            #expect(emulator.received.filter { $0.path.hasSuffix("/chat/completions") }.isEmpty, "\(arguments): a request was sent")
        }
    }

    static func emptyInputs(in folder: String) throws {
        try FileManager.default.createDirectory(atPath: folder + "/empty", withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: folder + "/empty.txt", contents: Data())
        FileManager.default.createFile(atPath: folder + "/blank.md", contents: Data(" \n\n\t\n".utf8))
    }

    static func message(for arguments: [String]) -> String {
        switch arguments[1] {
        case "empty": "no images in empty"
        case "blank.md": "blank.md: the document is empty (only white space)"
        default: "\(arguments[1]): the document is empty"
        }
    }
}
