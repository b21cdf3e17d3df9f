import Foundation
import ImageIngest
import OpenRouterEmulator
import PeruseTesting
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Image ingestion as a user meets it (issue 9): lost JPEG data, thin images' colour, special
/// files in folders, `inspect --json` rows, identical images in one folder.
@Suite("Image ingestion through the CLI", .serialized)
struct ImageIngestionCLITests {
    static let corpus = TestPaths.corpus
    static let baselineJPEG = corpus.appendingPathComponent("jpeg/libjpeg-turbo-testimages/testorig.jpg").path

    static func jsonLines(_ text: String) throws -> [[String: Any]] {
        try text.split(separator: "\n").map {
            try #require(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any], "not JSON: \($0)")
        }
    }

    /// A real baseline JPEG cut in the middle of its entropy-coded data, with an EOI marker
    /// appended: the file looks complete, but libjpeg hits the marker mid-scan ("premature end
    /// of data segment") and fills the rest with grey.
    static func cutInsideScan(_ jpeg: [UInt8]) throws -> [UInt8] {
        var sos: Int?
        var i = 2
        while i + 3 < jpeg.count {
            guard jpeg[i] == 0xFF else { break }
            let marker = jpeg[i + 1]
            let length = Int(jpeg[i + 2]) << 8 | Int(jpeg[i + 3])
            if marker == 0xDA {
                sos = i + 2 + length
                break
            }
            i += 2 + length
        }
        let start = try #require(sos, "no SOS marker")
        #expect(jpeg.suffix(2) == [0xFF, 0xD9])
        var cut = start + (jpeg.count - 2 - start) / 2
        while jpeg[cut - 1] == 0xFF { cut -= 1 }  // never leave half a marker or a stuffed byte
        return Array(jpeg[..<cut]) + [0xFF, 0xD9]
    }

    @Test(
        "a JPEG cut inside its scan data is refused (inspect, caption), and accepted with a warning under --allow-truncated",
        .enabled(if: TestEnvironment.requires(FileManager.default.fileExists(atPath: baselineJPEG)), "needs ../shared/corpus (required when CI=true)"))
    func jpegCutInsideScanData() async throws {
        let folder = try TemporaryFolder()
        let images = folder.path + "/images"
        try FileManager.default.createDirectory(atPath: images, withIntermediateDirectories: true)
        let original = try [UInt8](Data(contentsOf: URL(fileURLWithPath: Self.baselineJPEG)))
        try Data(Self.cutInsideScan(original)).write(to: URL(fileURLWithPath: images + "/cut.jpg"))

        let refused = try await peruse(["inspect", "--json", images + "/cut.jpg"], keyed: false, in: folder.path)
        #expect(refused.status == 1, "\(refused.stdout)\(refused.stderr)")
        let row = try #require(try Self.jsonLines(refused.stdout).first)
        #expect(row["ok"] as? Bool == false)
        let error = try #require(row["error"] as? String)
        #expect(error.contains("truncated"), "\(error)")
        #expect(error.contains("premature end of data segment"), "\(error)")
        #expect(error.contains("--allow-truncated"), "\(error)")

        let accepted = try await peruse(["inspect", "--json", "--allow-truncated", images + "/cut.jpg"], keyed: false, in: folder.path)
        #expect(accepted.status == 0, "\(accepted.stderr)")
        let acceptedRow = try #require(try Self.jsonLines(accepted.stdout).first)
        #expect(acceptedRow["ok"] as? Bool == true)
        let warnings = try #require(acceptedRow["warnings"] as? [String])
        #expect(warnings.contains { $0.contains("truncated") && $0.contains("premature end of data segment") }, "\(warnings)")

        // caption: a failed row with the reason, nothing sent for it.
        try await withEmulator { emulator in
            let caption = try await peruse(["caption", images, "--out", "rows.jsonl", "--base-url", emulator.baseURL], in: folder.path)
            #expect(caption.status == 1, "\(caption.stderr)")
            let rows = try Self.jsonLines(String(contentsOfFile: folder.path + "/rows.jsonl", encoding: .utf8))
            #expect(rows.count == 1)
            #expect(rows.first?["ok"] as? Bool == false)
            #expect((rows.first?["error"] as? String)?.contains("premature end of data segment") == true, "\(rows)")
            #expect(emulator.chats.isEmpty)
        }
    }

    /// 1200×6 PNG, each row a different saturated colour family, smooth along the row (so
    /// more than 1,024 colours: the output is JPEG).
    static func thinColourPNG() -> (png: Data, rgb: [UInt8], width: Int, height: Int) {
        let width = 1200, height = 6
        var rgb: [UInt8] = []
        var raw: [UInt8] = []
        for y in 0..<height {
            raw.append(0)
            for x in 0..<width {
                let g = UInt8(x * 255 / (width - 1)), b = UInt8(255 - x * 200 / (width - 1))
                let pixel: [UInt8] = [[255, g, b], [b, g, 255], [g, 255, b], [255, b, g], [b, 255, g], [g, b, 255]][y]
                rgb += pixel
                raw += pixel
            }
        }
        var png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        TestPNG.chunk("IHDR", TestPNG.be(UInt32(width)) + TestPNG.be(UInt32(height)) + [8, 2, 0, 0, 0], into: &png)
        TestPNG.chunk("IDAT", TestPNG.zlibStored(raw), into: &png)
        TestPNG.chunk("IEND", [], into: &png)
        return (Data(png), rgb, width, height)
    }

    @Test("a thin coloured image keeps its colour in what inspect --save writes (4:4:4 where a side is small)")
    func thinImageKeepsColour() async throws {
        let folder = try TemporaryFolder()
        let image = Self.thinColourPNG()
        try image.png.write(to: URL(fileURLWithPath: folder.path + "/thin.png"))
        let result = try await peruse(
            ["inspect", "--json", "--max-side", String(image.width), "--save", "sent", "thin.png"], keyed: false, in: folder.path)
        #expect(result.status == 0, "\(result.stderr)")
        let row = try #require(try Self.jsonLines(result.stdout).first)
        #expect(row["out_format"] as? String == "JPEG")
        #expect(row["out_width"] as? Int == image.width)
        #expect(row["out_height"] as? Int == image.height)
        let saved = try [UInt8](Data(contentsOf: URL(fileURLWithPath: folder.path + "/sent/thin.jpg")))
        let decoded = try ImageIngest.decode(bytes: saved)
        #expect(decoded.width == image.width && decoded.height == image.height)
        var squared = 0.0
        for (a, b) in zip(decoded.rgb, image.rgb) { squared += Double((Int(a) - Int(b)) * (Int(a) - Int(b))) }
        let psnr = 10 * log10(255.0 * 255.0 / (squared / Double(image.rgb.count)))
        // 4:2:0 mixes each pair of rows' colours: about 12 dB. 4:4:4 at quality 85: about 38 dB.
        #expect(psnr > 30, "PSNR \(psnr) dB")
    }

    @Test("fifos and devices in a folder are skipped with a note by caption and ask, never a row, never read")
    func specialFilesAreSkipped() async throws {
        try await withEmulator { emulator in
            let folder = try TemporaryFolder()
            let images = try TestPNG.folder(2, in: folder.path)
            #expect(mkfifo(images + "/pipe.png", 0o644) == 0)
            try FileManager.default.createSymbolicLink(atPath: images + "/null.jpg", withDestinationPath: "/dev/null")

            let caption = try await peruse(["caption", images, "--out", "rows.jsonl", "--base-url", emulator.baseURL], in: folder.path)
            #expect(caption.status == 0, "\(caption.stderr)")
            let rows = try Self.jsonLines(String(contentsOfFile: folder.path + "/rows.jsonl", encoding: .utf8))
            #expect(rows.compactMap { $0["path"] as? String }.map { ($0 as NSString).lastPathComponent } == ["pic000.png", "pic001.png"])
            #expect(rows.allSatisfy { $0["ok"] as? Bool == true })
            #expect(caption.stderr.contains(images + "/pipe.png: skipped: not a regular file"), "\(caption.stderr)")
            #expect(caption.stderr.contains(images + "/null.jpg: skipped: not a regular file"), "\(caption.stderr)")

            let ask = try await peruse(["ask", images, "What is in these pictures?", "--base-url", emulator.baseURL], in: folder.path)
            #expect(ask.status == 0, "\(ask.stderr)")
            #expect(ask.stderr.contains("pipe.png: skipped"), "\(ask.stderr)")
            #expect(!ask.stdout.contains("pipe.png"), "\(ask.stdout)")

            // Named directly, a fifo is tried and reported as what it is, without blocking.
            let direct = try await peruse(["caption", images + "/pipe.png", "--out", "direct.jsonl", "--base-url", emulator.baseURL], in: folder.path)
            #expect(direct.status == 1, "\(direct.stderr)")
            let directRows = try Self.jsonLines(String(contentsOfFile: folder.path + "/direct.jsonl", encoding: .utf8))
            #expect((directRows.first?["error"] as? String)?.contains("not a regular file") == true, "\(directRows)")
        }
    }

    @Test("inspect --json: failure rows have the same keys, in the same order, as success rows")
    func inspectRowsShareKeys() async throws {
        let folder = try TemporaryFolder()
        let images = try TestPNG.folder(1, in: folder.path)
        try Data("not an image".utf8).write(to: URL(fileURLWithPath: folder.path + "/text.png"))
        try TestPNG.make(width: 40, height: 30, index: 9).prefix(40).write(to: URL(fileURLWithPath: folder.path + "/cut.png"))
        let result = try await peruse(
            ["inspect", "--json", images + "/pic000.png", "text.png", "cut.png", "missing.png"], keyed: false, in: folder.path)
        #expect(result.status == 1)
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 4, "\(result.stdout)")
        func keys(_ line: String) -> [String] {
            // Key order as printed: every `"key":` at the top level of these flat objects.
            let pattern = try! NSRegularExpression(pattern: "[{,]\"([a-z_]+)\":")
            return pattern.matches(in: line, range: NSRange(line.startIndex..., in: line)).compactMap {
                Range($0.range(at: 1), in: line).map { String(line[$0]) }
            }
        }
        let rows = try Self.jsonLines(result.stdout)
        let ok = try #require(rows.firstIndex { $0["ok"] as? Bool == true })
        let expected = keys(lines[ok])
        #expect(expected.contains("out_format") && expected.contains("mime_type") && expected.contains("warnings"))
        for (index, row) in rows.enumerated() where row["ok"] as? Bool == false {
            #expect(keys(lines[index]) == expected, "\(lines[index])")
            #expect(row["warnings"] as? [Any] != nil && (row["warnings"] as? [Any])?.isEmpty == true)
            #expect(row["out_format"] is NSNull && row["mime_type"] is NSNull)
        }
        #expect(rows.filter { $0["ok"] as? Bool == false }.count == 3)
    }

    @Test(
        "a tiny PNG declaring a 1 GB ancillary chunk is refused without the memory (found by scripts/fuzz/image.sh)",
        .enabled(if: TestEnvironment.requires(FileManager.default.isExecutableFile(atPath: "/usr/bin/time")), "needs /usr/bin/time (required when CI=true)"))
    func hugeDeclaredChunkIsNotAllocated() async throws {
        let folder = try TemporaryFolder()
        var names: [String] = []
        for type in ["sPLT", "iCCP", "tEXt", "zTXt", "iTXt", "eXIf", "pCAL"] {
            var png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
            TestPNG.chunk("IHDR", TestPNG.be(1) + TestPNG.be(1) + [1, 3, 0, 0, 0], into: &png)
            // A chunk header declaring 0x3FFFFFFF bytes, then the file ends.
            png += TestPNG.be(0x3FFF_FFFF) + Array(type.utf8) + [0x04, 0xB8, 0x6B, 0x3A]
            TestPNG.chunk("IEND", [], into: &png)
            names.append("huge-\(type).png")
            try Data(png).write(to: URL(fileURLWithPath: folder.path + "/" + names.last!))
        }
        let result = try await peruse(["inspect", "--json"] + names, keyed: false, in: folder.path, wrapper: ["/usr/bin/time", "-f", "maxrss %M"])
        #expect(result.status == 1, "\(result.stderr)")
        let rows = try Self.jsonLines(result.stdout)
        #expect(rows.count == names.count)
        #expect(rows.allSatisfy { $0["ok"] as? Bool == false && ($0["error"] as? String)?.contains("truncated") == true }, "\(rows)")
        let line = try #require(result.stderr.split(separator: "\n").last { $0.hasPrefix("maxrss ") })
        let kilobytes = try #require(Int(line.dropFirst("maxrss ".count)))
        // Before: libpng allocated (and touched) the declared gigabyte.
        #expect(kilobytes < 300_000, "peak RSS \(kilobytes) KB")
    }

    @Test("tokens --json (a sibling): success and failure rows have the same keys")
    func tokensRowsShareKeys() async throws {
        let folder = try TemporaryFolder()
        try "Some words to count.".write(toFile: folder.path + "/notes.txt", atomically: true, encoding: .utf8)
        let result = try await peruse(["tokens", "--json", "notes.txt", "missing.txt"], keyed: false, in: folder.path)
        #expect(result.status == 1)
        let rows = try Self.jsonLines(result.stdout)
        #expect(rows.count == 2, "\(result.stdout)")
        #expect(Set(rows[0].keys) == Set(rows[1].keys), "\(result.stdout)")
        #expect(rows[0]["error"] is NSNull)
    }

    @Test("identical images in one folder: one request, its answer shared, one ok row each")
    func identicalImagesSentOnce() async throws {
        var configuration = EmulatorConfiguration()
        // Slow answers, so the copies are all in flight together (the cache alone would
        // already serve copies that start after the first answer).
        configuration.latency = .milliseconds(300)
        try await withEmulator(configuration) { emulator in
            let folder = try TemporaryFolder()
            let images = try TestPNG.folder(2, in: folder.path)
            let copy = TestPNG.make(width: 48, height: 32, index: 7)
            for name in ["same-a.png", "same-b.png", "same-c.png"] {
                try copy.write(to: URL(fileURLWithPath: images + "/" + name))
            }
            let result = try await peruse(
                ["caption", images, "--out", "rows.jsonl", "--concurrency", "8", "--base-url", emulator.baseURL], in: folder.path)
            #expect(result.status == 0, "\(result.stderr)")
            let rows = try Self.jsonLines(String(contentsOfFile: folder.path + "/rows.jsonl", encoding: .utf8))
            #expect(rows.count == 5)
            #expect(rows.allSatisfy { $0["ok"] as? Bool == true })
            #expect(emulator.chats.count == 3, "\(emulator.chats.count) requests")
            let copies = rows.filter { ($0["path"] as? String)?.contains("same-") == true }
            #expect(copies.count == 3)
            #expect(Set(copies.compactMap { $0["text"] as? String }).count == 1)
        }
    }
}
