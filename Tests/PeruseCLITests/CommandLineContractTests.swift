import Foundation
import PeruseTesting
import Testing

/// The parts of the README's command-line contract that scripts depend on: exit codes for bad
/// usage, and the JSON that `inspect --json` and `tokens --json` print.
@Suite("Command-line contract")
struct CommandLineContractTests {
    @Test("usage errors exit 2 with one message, not ArgumentParser's 64", arguments: [
        ["inspect", "--no-such-option", "x.png"],
        ["tokens"],
        ["inspect", "--quality", "many", "x.png"],
        ["no-such-command"],
    ])
    func usageErrorsExitTwo(_ arguments: [String]) async throws {
        let folder = try TemporaryFolder()
        let result = try await peruse(arguments, keyed: false, in: folder.path)
        #expect(result.status == 2, "\(arguments): \(result.stderr)")
        #expect(!result.stderr.isEmpty)
    }

    @Test("help exits 0")
    func helpExitsZero() async throws {
        let folder = try TemporaryFolder()
        let result = try await peruse(["--help"], keyed: false, in: folder.path)
        #expect(result.status == 0)
        #expect(result.stdout.contains("caption"))
    }

    @Test("inspect --json: one object per file with the documented keys; a bad file fails the run (exit 1)")
    func inspectJSON() async throws {
        let folder = try TemporaryFolder()
        let samples = TestPaths.packageRoot.appendingPathComponent("samples/images").path
        let broken = folder.path + "/broken.jpg"
        try Data("this is not a JPEG".utf8).write(to: URL(fileURLWithPath: broken))
        let result = try await peruse(["inspect", "--json", "--max-side", "512", samples, broken], keyed: false, in: folder.path)
        #expect(result.status == 1, "\(result.stderr)")
        let rows = try result.stdout.split(separator: "\n").map {
            try #require(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        let sampleCount = try FileManager.default.contentsOfDirectory(atPath: samples).count
        #expect(rows.count == sampleCount + 1)
        for key in ["path", "ok", "format", "width", "height", "orientation", "out_width", "out_height", "out_bytes", "tokens", "error"] {
            #expect(rows.allSatisfy { $0.keys.contains(key) }, "missing \(key)")
        }
        let good = rows.filter { $0["ok"] as? Bool == true }
        #expect(good.count == sampleCount)
        #expect(good.allSatisfy { max($0["out_width"] as? Int ?? 0, $0["out_height"] as? Int ?? 0) <= 512 })
        let bad = try #require(rows.first { $0["path"] as? String == broken })
        #expect(bad["ok"] as? Bool == false)
        #expect((bad["error"] as? String)?.isEmpty == false)
    }

    @Test("tokens --json prints {path, tokens, exact}; the estimate says it is not exact")
    func tokensJSON() async throws {
        let folder = try TemporaryFolder()
        let text = folder.path + "/t.txt"
        try Data("Hello, world! Peruse counts tokens.\n".utf8).write(to: URL(fileURLWithPath: text))
        let result = try await peruse(["tokens", "--json", text], keyed: false, in: folder.path)
        #expect(result.status == 0, "\(result.stderr)")
        let row = try #require(JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(row["path"] as? String == text)
        #expect(row["exact"] as? Bool == false)
        #expect((row["tokens"] as? Int ?? 0) > 0)
    }
}
