import Foundation
import PeruseTesting
import Testing

@testable import TextChunking

/// Where the tests find their inputs: `../shared` beside the package root (Meta's
/// tokenizer.model, the text corpus) and `$PERUSE_FIXTURES/text` (or `.fixtures/text`),
/// made by `scripts/fixtures/text.sh` with tiktoken's reference counts.
enum Fixtures {
    static let corpus = TestPaths.corpus
    static let tokenizerPath = TestPaths.shared.appendingPathComponent("llama4/tokenizer.model").path
    static let textFixtures = TestPaths.generatedFixtures.appendingPathComponent("text")

    /// Meta's tokenizer, loaded once for all tests.
    static let tokenizer: LlamaTokenizer? = try? LlamaTokenizer(contentsOf: tokenizerPath)

    static func requireTokenizer() throws -> LlamaTokenizer {
        try #require(tokenizer, "missing \(tokenizerPath): the tests need Meta's Llama 4 tokenizer.model in ../shared/llama4")
    }

    struct Entry: Decodable {
        var tokens: Int
        var fnv: String
    }

    struct EdgeEntry: Decodable {
        var text: String
        var tokens: Int
        var fnv: String
    }

    struct Reference: Decodable {
        var files: [String: Entry]
        var corpus: [String: Entry]
        var edge: [EdgeEntry]
    }

    /// tiktoken's counts, written by scripts/fixtures/text.sh.
    static let reference: Reference? = {
        let url = textFixtures.appendingPathComponent("reference.json")
        guard let data = try? Data(contentsOf: url) else { return nil }
        return try? JSONDecoder().decode(Reference.self, from: data)
    }()

    static func requireReference() throws -> Reference {
        try #require(
            reference,
            "missing \(textFixtures.path)/reference.json: run scripts/fixtures/text.sh .fixtures (needs tiktoken)")
    }

    /// A fixture document ("vim-manual.txt") or corpus file ("text/en/newton-opticks.txt").
    static func path(_ name: String) -> String {
        name.hasPrefix("text/") ? corpus.appendingPathComponent(name).path : textFixtures.appendingPathComponent(name).path
    }

    /// FNV-1a 64 over each id as 4 little-endian bytes, as the fixture script computes it.
    static func fnv(_ ids: [Int]) -> String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for id in ids {
            for k in 0..<4 {
                h ^= UInt64((id >> (8 * k)) & 0xFF)
                h = h &* 0x0000_0100_0000_01b3
            }
        }
        let hex = String(h, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
