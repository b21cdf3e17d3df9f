import Foundation
import PeruseTesting
import Testing

@testable import Documents

/// The PDF corpus in ../shared/corpus/pdf and what poppler 22.12 says of each file there.
enum PDFCorpus {
    static let folder = TestPaths.corpus.appendingPathComponent("pdf")

    /// poppler-utils on PATH, or CI (where a missing tool must fail, not skip).
    static var popplerOrCI: Bool { TestEnvironment.requires((try? PopplerTools.locate()) != nil) }

    static func path(_ name: String) -> String { folder.appendingPathComponent(name).path }

    struct Row: Sendable, CustomTestStringConvertible {
        var path: String
        var pages: Int?
        var encrypted: String
        var pagesWithText: Int?
        var poppler: String
        var testDescription: String { path }
    }

    /// manifest.tsv's rows (empty when the corpus is missing, which the tests then report).
    static let rows: [Row] = {
        guard let text = try? String(contentsOf: folder.appendingPathComponent("manifest.tsv"), encoding: .utf8) else { return [] }
        let lines = text.split(separator: "\n").map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
        guard let header = lines.first else { return [] }
        func column(_ name: String) -> Int { header.firstIndex(of: name) ?? 0 }
        return lines.dropFirst().map { fields in
            func field(_ name: String) -> String { column(name) < fields.count ? fields[column(name)] : "" }
            return Row(
                path: field("path"), pages: Int(field("pages")), encrypted: field("encrypted"),
                pagesWithText: Int(field("pages_with_text")), poppler: field("poppler"))
        }
    }()
}
