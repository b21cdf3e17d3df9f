import Foundation
import PeruseTesting
import Testing

@testable import TextChunking

@Suite("Llama 4 tokenizer equals tiktoken")
struct LlamaTokenizerTests {
    /// Real documents from Debian packages and the whole shared corpus: count and the exact
    /// token ids (by hash) must equal tiktoken's.
    static let documents: [String] = {
        guard let reference = Fixtures.reference else {
            return ["vim-manual.txt", "tang300.txt", "song100.txt", "pydecimal.py", "pyio.py"]
        }
        return (reference.files.keys.sorted() + reference.corpus.keys.sorted())
    }()

    @Test("whole documents", arguments: documents)
    func wholeDocument(name: String) throws {
        let tokenizer = try Fixtures.requireTokenizer()
        let reference = try Fixtures.requireReference()
        let expected = try #require(reference.files[name] ?? reference.corpus[name], "no reference for \(name)")
        let document = try TextDocument(contentsOf: Fixtures.path(name))
        let ids = document.utf8.withUnsafeBufferPointer { tokenizer.encode(utf8: $0) }
        let count = document.utf8.withUnsafeBufferPointer { tokenizer.count(utf8: $0) }
        #expect(count == expected.tokens, "\(name): count")
        #expect(ids.count == expected.tokens, "\(name): ids")
        #expect(Fixtures.fnv(ids) == expected.fnv, "\(name): token ids differ from tiktoken's")
    }

    @Test("edge cases: emoji, combining marks, CRLF, tabs, digit runs, contractions")
    func edgeCases() throws {
        let tokenizer = try Fixtures.requireTokenizer()
        let reference = try Fixtures.requireReference()
        #expect(reference.edge.count > 50)
        for entry in reference.edge {
            let ids = tokenizer.encode(entry.text)
            #expect(ids.count == entry.tokens, "\(entry.text.debugDescription)")
            #expect(tokenizer.count(entry.text) == entry.tokens, "\(entry.text.debugDescription)")
            #expect(Fixtures.fnv(ids) == entry.fnv, "\(entry.text.debugDescription)")
        }
    }

    @Test("known values")
    func knownValues() throws {
        let tokenizer = try Fixtures.requireTokenizer()
        #expect(tokenizer.rankCount == 200_000)
        #expect(tokenizer.count("") == 0)
        // Special tokens are text inside user text: many tokens, never the one special id.
        let special = tokenizer.encode("<|begin_of_text|>")
        #expect(special.count > 1)
        #expect(special.allSatisfy { $0 < 200_000 })
        // Decoding the ids gives back the bytes.
        let text = "Peruse counts tokens: 12345, naïve café, 中文, 😀!"
        let bytes = tokenizer.encode(text).flatMap { tokenizer.bytes(ofToken: $0) ?? [] }
        #expect(String(decoding: bytes, as: UTF8.self) == text)
    }

    /// The heap merge used for long pieces must agree with tiktoken's rescanning merge.
    @Test("heap merge equals scan merge")
    func heapMergeEqualsScan() throws {
        let tokenizer = try Fixtures.requireTokenizer()
        var generator = SystemRandomNumberGenerator()
        let alphabets: [[Character]] = [
            Array("abcdefghij"), Array("的一是不了人我在有他"), Array("ﾟ=+-*/"), Array("ᐁᐃᐅ"), Array("etaoinshrdlu"),
        ]
        for alphabet in alphabets {
            for length in [129, 300, 700] {
                let text = String((0..<length).map { _ in alphabet.randomElement(using: &generator) ?? "a" })
                var bytes = Array(text.utf8)
                guard bytes.count > BPEWorkspace.heapThreshold else { continue }
                let workspace = BPEWorkspace(ranks: tokenizer.ranks, textLength: 0)
                let heap = bytes.withUnsafeMutableBufferPointer { buffer -> [Int] in
                    let base = UnsafePointer(buffer.baseAddress!)
                    let parts = workspace.mergeBoundaries(base, buffer.count)
                    return (0...parts).map { workspace.boundary($0) }
                }
                // Scan-merge the same bytes in windows that never cross a heap boundary would
                // be circular; instead compare with a direct quadratic reference here.
                let expected = referenceMerge(tokenizer, bytes)
                #expect(heap == expected, "alphabet \(alphabet.prefix(3)) length \(length)")
            }
        }
    }

    /// The textbook BPE: repeatedly merge the lowest-ranked adjacent pair, leftmost first.
    private func referenceMerge(_ tokenizer: LlamaTokenizer, _ bytes: [UInt8]) -> [Int] {
        var parts = bytes.map { [$0] }
        func rank(_ a: [UInt8]) -> Int? {
            a.withUnsafeBufferPointer { b in
                let r = tokenizer.ranks.rank(b.baseAddress!, b.count)
                return r >= 0 ? r : nil
            }
        }
        while parts.count > 1 {
            var best: (rank: Int, index: Int)? = nil
            for i in 0..<(parts.count - 1) {
                if let r = rank(parts[i] + parts[i + 1]), best == nil || r < best!.rank { best = (r, i) }
            }
            guard let (_, i) = best else { break }
            parts[i] += parts[i + 1]
            parts.remove(at: i + 1)
        }
        var boundaries = [0]
        for part in parts { boundaries.append(boundaries.last! + part.count) }
        return boundaries
    }

    @Test("a file that is not a ranks file is refused with its line")
    func invalidFile() throws {
        let folder = try TemporaryFolder()
        let url = folder.url.appendingPathComponent("not-a-tokenizer.model")
        try Data("IQ== 0\nnot base64 here\n".utf8).write(to: url)
        #expect {
            _ = try LlamaTokenizer(contentsOf: url.path)
        } throws: { error in
            let e = error as? TextChunkingError
            return e?.code == .invalidTokenizerFile && e?.message.contains("line 2") == true
        }
        #expect(throws: TextChunkingError.self) {
            _ = try TokenCounterResolver.resolve(tokenizerPath: "/nonexistent/tokenizer.model", environment: [:])
        }
    }

    @Test("resolver: option, then environment, then estimate")
    func resolver() throws {
        _ = try Fixtures.requireTokenizer()
        let fromOption = try TokenCounterResolver.resolve(tokenizerPath: Fixtures.tokenizerPath, environment: [:])
        #expect(fromOption.isExact)
        let fromEnvironment = try TokenCounterResolver.resolve(
            tokenizerPath: nil, environment: ["PERUSE_TOKENIZER": Fixtures.tokenizerPath])
        #expect(fromEnvironment.isExact)
        let none = try TokenCounterResolver.resolve(tokenizerPath: nil, environment: [:])
        #expect(!none.isExact)
    }
}
