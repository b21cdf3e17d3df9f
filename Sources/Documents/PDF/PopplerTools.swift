import Foundation

/// The poppler-utils programs Peruse runs, found on `PATH`.
///
/// poppler is GPL and parses hostile input, so it is run, never linked (see docs/documents.md).
public struct PopplerTools: Sendable, Equatable {
    public var pdfinfo: String
    public var pdftotext: String
    public var pdftoppm: String
    public var pdfimages: String

    /// The Debian package that provides the tools, named in the error when they are missing.
    public static let package = "poppler-utils"

    /// Finds the tools on `PATH` (or in `searchPath`).
    /// - Throws: `DocumentError` `.toolMissing`, naming the package to install.
    public static func locate(searchPath: String? = ProcessInfo.processInfo.environment["PATH"]) throws(DocumentError) -> PopplerTools {
        let folders = (searchPath ?? "/usr/bin:/bin").split(separator: ":").map(String.init)
        func find(_ name: String) -> String? {
            folders.lazy.map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
        }
        guard let pdfinfo = find("pdfinfo"), let pdftotext = find("pdftotext"), let pdftoppm = find("pdftoppm"),
            let pdfimages = find("pdfimages")
        else {
            throw DocumentError(
                .toolMissing, path: "pdfinfo",
                "reading PDFs needs poppler-utils (pdfinfo, pdftotext, pdftoppm, pdfimages): install it with `apt-get install \(package)` (or `brew install poppler`); images and text files work without it")
        }
        return PopplerTools(pdfinfo: pdfinfo, pdftotext: pdftotext, pdftoppm: pdftoppm, pdfimages: pdfimages)
    }
}
