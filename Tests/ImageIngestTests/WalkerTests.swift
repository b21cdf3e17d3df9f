import Foundation
import Testing
@testable import ImageIngest

@Suite struct WalkerTests {
    /// A folder with make-special.sh's objects (loops, fifo, devices, unreadable) and images.
    static func specialFolder() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("peruse-walk-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let script = Process()
        script.executableURL = URL(fileURLWithPath: "/bin/bash")
        script.arguments = [Fixtures.corpus.appendingPathComponent("make-special.sh").path, dir.path]
        try script.run()
        script.waitUntilExit()
        #expect(script.terminationStatus == 0)
        let corpus = Fixtures.corpus
        try FileManager.default.copyItem(at: corpus.appendingPathComponent("jpeg/exif-orientation-examples/Landscape_3.jpg"),
                                         to: dir.appendingPathComponent("b.jpg"))
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("sub"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: corpus.appendingPathComponent("pngsuite/libpng-contrib-pngsuite/basn2c08.png"),
                                         to: dir.appendingPathComponent("sub/a.png"))
        try Data("not an image".utf8).write(to: dir.appendingPathComponent("notes.txt"))
        return dir
    }

    @Test func walksSpecialObjectsWithoutHangingOrLooping() throws {
        let dir = try Self.specialFolder()
        defer {
            _ = chmod(dir.appendingPathComponent("unreadable_dir").path, 0o755)
            try? FileManager.default.removeItem(at: dir)
        }
        let listing = ImageFolderWalker().walk([dir.path])
        let names = listing.files.map { String($0.dropFirst(dir.path.count + 1)) }
        // Sorted, recursive; the directory loop is not followed twice.
        #expect(names.contains("b.jpg") && names.contains("sub/a.png"))
        #expect(names == names.sorted())
        #expect(!names.contains { $0.hasPrefix("dir_loop/") })
        let notes = Dictionary(listing.notes.map { (String($0.path.dropFirst(dir.path.count + 1)), $0) }, uniquingKeysWith: { a, _ in a })
        #expect(notes["loop_a.png"]?.kind == .unreadable)
        #expect(notes["self_loop.jpg"]?.reason == "symlink loop")
        #expect(notes["dangling.png"]?.reason == "dangling symlink")
        #expect(notes["fifo.jpg"]?.kind == .skipped)
        #expect(notes["devzero.png"]?.kind == .skipped)
        #expect(notes["notes.txt"]?.kind == .skipped)
        #expect(notes["dir_loop"] != nil)
        // Every ingestable file ingests; nothing in the walk blocks or fails the rest.
        for path in listing.files {
            let result = Result { () throws(ImageIngestError) in try ImageIngest.prepare(path: path, options: .init(maxSide: 64)) }
            if getuid() != 0 || !path.contains("unreadable") { #expect((try? result.get()) != nil, "\(path)") }
        }
    }

    @Test func aFileGivenByNameIsListedAsGiven() {
        let text = Fixtures.corpus.appendingPathComponent("hostile/mislabeled/text_devils_dictionary.png").path
        let listing = ImageFolderWalker().walk([text, "/does/not/exist.png"])
        #expect(listing.files == [text])
        #expect(listing.notes.first?.path == "/does/not/exist.png")
    }

    @Test func batchKeepsOrderAndReportsFailures() async throws {
        let corpus = Fixtures.corpus
        let paths = [
            corpus.appendingPathComponent("jpeg/exif-orientation-examples/Landscape_1.jpg").path,
            corpus.appendingPathComponent("hostile/corrupt/png_bad_crc_idat.png").path,
            corpus.appendingPathComponent("pngsuite/libpng-contrib-pngsuite/basn2c08.png").path,
            corpus.appendingPathComponent("jpeg/exif-orientation-examples/Portrait_6.jpg").path,
        ]
        var seen: [(Int, Bool)] = []
        try await ImageBatch(options: .init(maxSide: 128), concurrency: 2).prepare(paths) { index, path, result in
            #expect(path == paths[index])
            seen.append((index, (try? result.get()) != nil))
        }
        #expect(seen.map(\.0) == [0, 1, 2, 3])
        #expect(seen.map(\.1) == [true, false, true, true])
    }
}
