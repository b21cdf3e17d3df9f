import Foundation
import PeruseTesting
import Testing

@testable import TextChunking

@Suite("Loading documents")
struct TextDocumentTests {
    /// One per test (Swift Testing makes a suite value per test), removed after it.
    let folder: TemporaryFolder

    init() throws { folder = try TemporaryFolder() }

    private func write(_ bytes: [UInt8], name: String = "doc.txt") throws -> String {
        let path = folder.file(name)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test("a BOM is skipped and counted in file offsets; CRLF is kept")
    func bomAndCRLF() throws {
        let path = try write([0xEF, 0xBB, 0xBF] + Array("one\r\ntwo\r\n".utf8))
        let document = try TextDocument(contentsOf: path)
        #expect(document.utf8 == Array("one\r\ntwo\r\n".utf8))
        #expect(document.fileOffset == 3)
        #expect(document.kind == .plainText)
        let chunks = try TextSplitter(counter: TokenEstimator(), chunkTokens: 100).split(document)
        #expect(chunks.count == 1)
        #expect(chunks.first?.byteRange == 3..<13)
        #expect(chunks.first?.lineRange == 1...2)
    }

    @Test("invalid UTF-8 is refused with the byte offset and line")
    func invalidUTF8() throws {
        let path = try write(Array("line one\nline two \u{e9}".utf8) + [0xC3, 0x28] + Array(" more".utf8))
        #expect {
            _ = try TextDocument(contentsOf: path)
        } throws: { error in
            let e = error as? TextChunkingError
            return e?.code == .invalidUTF8 && e?.message.contains("byte 20 (line 2)") == true
        }
        let lossy = try TextDocument(contentsOf: path, lossy: true)
        #expect(lossy.replacements == 1)
        #expect(lossy.text == "line one\nline two \u{e9}\u{FFFD}( more")
    }

    @Test("NUL bytes are refused (binary), or replaced with --lossy")
    func nulByte() throws {
        let path = try write(Array("abc".utf8) + [0] + Array("def".utf8))
        #expect {
            _ = try TextDocument(contentsOf: path)
        } throws: { error in
            let e = error as? TextChunkingError
            return e?.code == .nulByte && e?.message.contains("byte 3 (line 1)") == true
        }
        #expect(try TextDocument(contentsOf: path, lossy: true).text == "abc\u{FFFD}def")
    }

    @Test("overlongs, surrogates and truncated sequences are invalid")
    func invalidForms() throws {
        for bad: [UInt8] in [[0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xE2, 0x82], [0xFF], [0x80]] {
            #expect(throws: TextChunkingError.self) {
                _ = try TextDocument(bytes: Array("ok ".utf8) + bad, path: "x", kind: .plainText)
            }
        }
        let good = try TextDocument(bytes: Array("é中😀\u{10FFFF}".utf8), path: "x", kind: .plainText)
        #expect(good.text == "é中😀\u{10FFFF}")
    }

    @Test("legacy encodings in the corpus are refused, UTF-8 ones load", arguments: [
        "text/legacy-encodings/vim-tutor.ru.cp1251.txt", "text/legacy-encodings/vim-tutor.ja.euc-jp.txt",
        "text/legacy-encodings/vim-tutor.el.cp737.txt",
    ])
    func legacy(name: String) throws {
        #expect(throws: TextChunkingError.self) { _ = try TextDocument(contentsOf: Fixtures.path(name)) }
        let lossy = try TextDocument(contentsOf: Fixtures.path(name), lossy: true)
        #expect(lossy.replacements > 0)
    }

    @Test("empty files, missing files, Markdown by extension")
    func misc() throws {
        let empty = try TextDocument(contentsOf: Fixtures.path("text/empty.md"))
        #expect(empty.utf8.isEmpty)
        #expect(empty.kind == .markdown)
        #expect(try TextSplitter(counter: TokenEstimator(), chunkTokens: 100).split(empty).isEmpty)
        #expect {
            _ = try TextDocument(contentsOf: "/nonexistent/file.txt")
        } throws: { error in
            (error as? TextChunkingError)?.code == .unreadableFile
        }
        let bengali = try TextDocument(contentsOf: Fixtures.path("text/intl/bn-bengali-dasher.txt"))
        #expect(bengali.fileOffset == 3)
    }
}
