import Foundation
import Testing

@testable import TextChunking

@Suite("Splitting documents into chunks that fit")
struct TextSplitterTests {
    struct Case: Sendable, CustomStringConvertible {
        var name: String
        var chunkTokens: Int
        var overlap: Int
        var description: String { "\(name) @\(chunkTokens)/\(overlap)" }
    }

    static let cases: [Case] = [
        Case(name: "vim-manual.txt", chunkTokens: 30_000, overlap: 0),
        Case(name: "vim-manual.txt", chunkTokens: 4_000, overlap: 400),
        Case(name: "tang300.txt", chunkTokens: 1_000, overlap: 100),
        Case(name: "song100.txt", chunkTokens: 300, overlap: 0),
        Case(name: "pydecimal.py", chunkTokens: 2_000, overlap: 200),
        Case(name: "text/markdown/nodejs-fs.md", chunkTokens: 3_000, overlap: 0),
        Case(name: "text/markdown/nodejs-crypto.md", chunkTokens: 1_500, overlap: 300),
        Case(name: "text/longlines/ja-soseki-hiragana-dasher.noeol.txt", chunkTokens: 5_000, overlap: 500),
        Case(name: "text/longlines/jquery-3.6.1.min.js", chunkTokens: 1_000, overlap: 0),
        Case(name: "text/longlines/pi-100k-digits.txt", chunkTokens: 2_000, overlap: 100),
        Case(name: "text/intl/unicode-emoji-test.txt", chunkTokens: 3_000, overlap: 0),
        Case(name: "text/intl/fa-persian-dasher.txt", chunkTokens: 2_000, overlap: 200),
        Case(name: "text/intl/bn-bengali-dasher.txt", chunkTokens: 8_000, overlap: 0),
    ]

    @Test("every chunk fits by the exact count, and chunks cover the text exactly", arguments: cases)
    func fitsAndCovers(testCase: Case) throws {
        let tokenizer = try Fixtures.requireTokenizer()
        let document = try TextDocument(contentsOf: Fixtures.path(testCase.name))
        let splitter = try TextSplitter(counter: tokenizer, chunkTokens: testCase.chunkTokens, overlapTokens: testCase.overlap)
        let chunks = splitter.split(document)
        try checkChunks(chunks, of: document, splitter: splitter, exact: tokenizer)
        checkLargestStructure(chunks, splitter: splitter, exact: tokenizer)
        // A document larger than one chunk needs several, and they are well filled.
        let total = document.utf8.withUnsafeBufferPointer { tokenizer.count(utf8: $0) }
        #expect(chunks.count >= total / testCase.chunkTokens)
        if testCase.overlap == 0, chunks.count > 2 {
            #expect(chunks.count <= 2 * (total / testCase.chunkTokens) + 2)
        }
    }

    @Test("chunks planned with the estimator never overflow the exact count", arguments: [
        "vim-manual.txt", "tang300.txt", "pydecimal.py", "text/intl/unicode-emoji-test.txt",
        "text/markdown/nodejs-fs.md", "text/intl/ru-russian-dasher.txt", "text/longlines/pi-100k-digits.txt",
    ])
    func estimatorNeverOverflows(name: String) throws {
        let tokenizer = try Fixtures.requireTokenizer()
        let document = try TextDocument(contentsOf: Fixtures.path(name))
        let splitter = try TextSplitter(counter: TokenEstimator(), chunkTokens: 2_000, overlapTokens: 100)
        let chunks = splitter.split(document)
        #expect(chunks.count > 1)
        for chunk in chunks {
            #expect(tokenizer.count(chunk.text) <= 2_000, "\(name) chunk \(chunk.index)")
            #expect(TokenEstimator().count(chunk.text) == chunk.tokens)
        }
        try checkCoverage(chunks, of: document)
    }

    @Test("cuts fall on the largest structure: headings in Markdown")
    func headingsWin() throws {
        let tokenizer = try Fixtures.requireTokenizer()
        var text = ""
        for section in 1...40 {
            text += "## Section \(section)\n\n"
            for paragraph in 1...3 {
                text += "Paragraph \(paragraph) of section \(section). "
                text += String(repeating: "Some words that fill the paragraph with ordinary prose. ", count: 8)
                text += "\n\n"
            }
        }
        text += "```sh\n# not a heading, a comment in code\necho hi\n```\n"
        let document = TextDocument(text: text, path: "doc.md", kind: .markdown)
        let sectionTokens = tokenizer.count(String(text.prefix(upTo: text.range(of: "## Section 2")!.lowerBound)))
        let splitter = try TextSplitter(counter: tokenizer, chunkTokens: sectionTokens * 3 + 10)
        let chunks = splitter.split(document)
        try checkChunks(chunks, of: document, splitter: splitter, exact: tokenizer)
        for chunk in chunks.dropLast() {
            #expect(chunk.boundary == .heading, "chunk \(chunk.index) ends on \(chunk.boundary)")
        }
        for chunk in chunks { #expect(chunk.text.hasPrefix("## Section")) }
    }

    @Test("paragraphs, then lines, then sentences, then words")
    func smallerStructures() throws {
        let tokenizer = try Fixtures.requireTokenizer()
        let sentence = "This sentence has exactly some words in it. "
        let paragraphs = (0..<30).map { _ in String(repeating: sentence, count: 6) }.joined(separator: "\n\n")
        let chunksP = try TextSplitter(counter: tokenizer, chunkTokens: 200).split(TextDocument(text: paragraphs))
        for chunk in chunksP.dropLast() { #expect(chunk.boundary == .paragraph) }
        let oneParagraph = String(repeating: sentence, count: 200)
        let chunksS = try TextSplitter(counter: tokenizer, chunkTokens: 100).split(TextDocument(text: oneParagraph))
        for chunk in chunksS.dropLast() {
            #expect(chunk.boundary == .sentence)
            #expect(chunk.text.hasSuffix("."))
        }
        let words = String(repeating: "word ", count: 3_000)
        let chunksW = try TextSplitter(counter: tokenizer, chunkTokens: 100).split(TextDocument(text: words))
        for chunk in chunksW.dropLast() { #expect(chunk.boundary == .word) }
        try checkCoverage(chunksW, of: TextDocument(text: words))
    }

    @Test("a single enormous word and a CJK line without spaces are cut at tokens")
    func enormousWord() throws {
        let tokenizer = try Fixtures.requireTokenizer()
        for text in [
            "start " + String(repeating: "abcdefghijklmnopqrstuvwxyz", count: 2_000) + " end",
            String(repeating: "中文没有空格的一整行文字会成为一个预分词", count: 500),
        ] {
            let document = TextDocument(text: text)
            let splitter = try TextSplitter(counter: tokenizer, chunkTokens: 64)
            let chunks = splitter.split(document)
            #expect(chunks.count > 10)
            #expect(chunks.contains { $0.boundary == .token })
            try checkChunks(chunks, of: document, splitter: splitter, exact: tokenizer)
            let estimated = try TextSplitter(counter: TokenEstimator(), chunkTokens: 64).split(document)
            for chunk in estimated { #expect(tokenizer.count(chunk.text) <= 64) }
            try checkCoverage(estimated, of: document)
        }
    }

    @Test("invalid splitter settings are refused")
    func invalidSettings() throws {
        #expect(throws: TextChunkingError.self) { _ = try TextSplitter(counter: TokenEstimator(), chunkTokens: 4) }
        #expect(throws: TextChunkingError.self) {
            _ = try TextSplitter(counter: TokenEstimator(), chunkTokens: 100, overlapTokens: 60)
        }
    }

    // MARK: - Checks shared by the tests

    /// Cuts fall on the largest structure available: when a chunk ends on something smaller
    /// than a paragraph (or a line), there is no blank line (or line start) in the part of
    /// the chunk past `minimumFill` of the budget, where the splitter could have cut instead.
    /// Found independently of the splitter, by looking for `\n\n` and `\n` in the text.
    private func checkLargestStructure(_ chunks: [TextChunk], splitter: TextSplitter, exact: LlamaTokenizer) {
        let floor = Int(Double(splitter.chunkTokens) * splitter.minimumFill)
        for chunk in chunks where chunk.boundary > .paragraph && chunk.boundary < .end {
            var text = chunk.text
            text.withUTF8 { bytes in
                var tokensBefore: [Int: Int] = [:]  // pre-token start → tokens before it
                var sum = 0
                exact.forEachPiece(utf8: bytes) { range, tokens in
                    tokensBefore[range.lowerBound] = sum
                    sum += tokens
                }
                for p in max(1, chunk.overlapBytes + 1)..<bytes.count where bytes[p - 1] == 0x0A {
                    guard let before = tokensBefore[p], before >= floor else { continue }
                    let paragraph = p >= 2 && bytes[p - 2] == 0x0A
                    if chunk.boundary == .line && !paragraph { continue }
                    Issue.record(
                        "chunk \(chunk.index) ends on \(chunk.boundary) but a \(paragraph ? "paragraph" : "line") starts at byte \(p) after \(before) tokens")
                }
            }
        }
    }

    /// Every chunk fits, its count is its text's exact count, and coverage is exact.
    private func checkChunks(_ chunks: [TextChunk], of document: TextDocument, splitter: TextSplitter, exact: LlamaTokenizer) throws {
        for chunk in chunks {
            #expect(chunk.tokens <= splitter.chunkTokens, "chunk \(chunk.index): \(chunk.tokens) tokens")
            #expect(exact.count(chunk.text) == chunk.tokens, "chunk \(chunk.index): planned \(chunk.tokens)")
            #expect(chunk.overlapBytes <= chunk.byteRange.count)
            if chunk.overlapBytes > 0 {
                let overlap = String(decoding: Array(chunk.text.utf8.prefix(chunk.overlapBytes)), as: UTF8.self)
                #expect(exact.count(overlap) <= splitter.overlapTokens)
            }
        }
        try checkCoverage(chunks, of: document)
    }

    /// Chunks in order reproduce the document exactly once (overlaps removed), their byte
    /// ranges are the document's bytes, and line ranges match the bytes.
    private func checkCoverage(_ chunks: [TextChunk], of document: TextDocument) throws {
        var position = document.fileOffset
        var lineCursor = 0
        var newlines = 0
        var rebuilt: [UInt8] = []
        rebuilt.reserveCapacity(document.utf8.count)
        for (index, chunk) in chunks.enumerated() {
            #expect(chunk.index == index)
            #expect(chunk.byteRange.lowerBound + chunk.overlapBytes == position, "chunk \(index) starts where the last ended")
            let bytes = Array(chunk.text.utf8)
            #expect(bytes.count == chunk.byteRange.count)
            let local = (chunk.byteRange.lowerBound - document.fileOffset)..<(chunk.byteRange.upperBound - document.fileOffset)
            #expect(Array(document.utf8[local]) == bytes, "chunk \(index) text is the document's bytes")
            // Lines counted independently of the splitter, moving a cursor along the text.
            while lineCursor < local.lowerBound {
                if document.utf8[lineCursor] == 0x0A { newlines += 1 }
                lineCursor += 1
            }
            while lineCursor > local.lowerBound {
                lineCursor -= 1
                if document.utf8[lineCursor] == 0x0A { newlines -= 1 }
            }
            let firstLine = 1 + newlines
            let lastLine = firstLine + bytes.dropLast().reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
            #expect(chunk.lineRange == firstLine...lastLine, "chunk \(index) lines")
            rebuilt += bytes.dropFirst(chunk.overlapBytes)
            position = chunk.byteRange.upperBound
        }
        #expect(rebuilt == document.utf8, "chunks without overlap reproduce the document")
    }
}
