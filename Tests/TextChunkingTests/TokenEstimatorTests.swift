import Foundation
import Testing

@testable import TextChunking

@Suite("The estimator overcounts, but not by much")
struct TokenEstimatorTests {
    static let documents: [String] = {
        guard let reference = Fixtures.reference else { return ["vim-manual.txt"] }
        return reference.files.keys.sorted() + reference.corpus.keys.sorted()
    }()

    /// Never undercounts by more than 2% on any test document (done-when 5).
    @Test("never more than 2% under the exact count", arguments: documents)
    func neverUndercounts(name: String) throws {
        let reference = try Fixtures.requireReference()
        let exact = try #require(reference.files[name] ?? reference.corpus[name]).tokens
        let document = try TextDocument(contentsOf: Fixtures.path(name))
        let estimate = document.utf8.withUnsafeBufferPointer { TokenEstimator().count(utf8: $0) }
        #expect(Double(estimate) >= Double(exact) * 0.98, "\(name): estimate \(estimate), exact \(exact)")
        if exact > 1_000 {
            #expect(Double(estimate) <= Double(exact) * 2.5, "\(name): estimate \(estimate) is far too high (exact \(exact))")
        }
    }

    @Test("edge strings: never under by more than a token or 2%")
    func edgeStrings() throws {
        let reference = try Fixtures.requireReference()
        for entry in reference.edge {
            let estimate = TokenEstimator().count(entry.text)
            #expect(Double(estimate) >= Double(entry.tokens) * 0.98 - 1, "\(entry.text.debugDescription)")
        }
    }
}
