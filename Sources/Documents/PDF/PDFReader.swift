import Foundation
import Synchronization

/// Reads PDFs through poppler-utils run as child processes: page count and sizes
/// (`pdfinfo`), each page's text (`pdftotext`, streamed), image coverage of pages with little
/// text (`pdfimages -list`), and page images (`pdftoppm`).
///
/// ```swift
/// let reader = try PDFReader()
/// let document = try await reader.read("report.pdf")
/// for page in document.pages where page.route == .text { print(page.number, page.text.prefix(80)) }
/// let png = try await reader.render("report.pdf", page: 3, maxSide: 1568)
/// ```
///
/// Every failure is a `DocumentError` about that one file; nothing poppler does can end the
/// caller's process.
public struct PDFReader: Sendable {
    public var tools: PopplerTools
    public var limits: ChildLimits
    /// The user password for encrypted files (`--password` or `PERUSE_PDF_PASSWORD`).
    public var password: String?
    public var routing: PageRouting
    /// Documents with more pages are refused (one constant, stated in the error).
    public var maxPages: Int

    public static let defaultMaxPages = 10_000

    public init(
        tools: PopplerTools? = nil, limits: ChildLimits = .poppler, password: String? = nil,
        routing: PageRouting = PageRouting(), maxPages: Int = PDFReader.defaultMaxPages
    ) throws(DocumentError) {
        if let tools { self.tools = tools } else { self.tools = try PopplerTools.locate() }
        self.limits = limits
        self.password = password
        self.routing = routing
        self.maxPages = maxPages
    }

    /// A read PDF: its facts and its pages.
    public struct Document: Sendable {
        public var path: String
        public var info: PDFInfo
        public var pages: [PDFPage]
    }

    /// Page count, encryption and page boxes.
    public func info(_ path: String) async throws(DocumentError) -> PDFInfo {
        try Self.checkFile(path)
        let arguments = passwordArguments + ["-f", "1", "-l", String(maxPages), path]
        let (outcome, output) = try await capture(tools.pdfinfo, arguments, path: path, what: "pdfinfo")
        guard outcome.succeeded else { throw failure(outcome, path: path, tool: "pdfinfo") }
        let info = PDFInfo(parsing: String(decoding: output, as: UTF8.self))
        if info.pages == 0 {
            throw DocumentError(.noPages, path: path, "the PDF has no pages" + Self.popplerSaid(outcome))
        }
        if info.pages > maxPages {
            throw DocumentError(.tooLarge, path: path, "the PDF has \(info.pages) pages; at most \(maxPages) are read")
        }
        return info
    }

    /// Every page's text and route.
    public func read(_ path: String) async throws(DocumentError) -> Document {
        let info = try await info(path)
        let texts = try await pageTexts(path, pages: info.pages)
        // Only pages with some but little text can be "mostly figures"; asking pdfimages about
        // them alone keeps a text document's cost at one pdftotext pass.
        let qualities = texts.map(TextQuality.init)
        let candidates = qualities.indices.filter {
            let visible = qualities[$0].visibleCharacters
            return visible >= routing.minimumCharacters && visible < routing.figureCharacters
        }
        var coverage: [Int: Double] = [:]
        if routing.mode == .auto, let first = candidates.first, let last = candidates.last {
            coverage = (try? await imageCoverage(path, pages: (first + 1)...(last + 1), boxes: info.boxes)) ?? [:]
        }
        let pages = texts.enumerated().map { index, text in
            let number = index + 1
            let covered = coverage[number] ?? 0
            return PDFPage(
                number: number, text: text, route: routing.route(qualities[index], imageCoverage: covered),
                box: index < info.boxes.count ? info.boxes[index] : nil, imageCoverage: covered)
        }
        return Document(path: path, info: info, pages: pages)
    }

    /// The page rendered as a PNG whose longer side is `maxSide` pixels, whatever the page
    /// box says (a 200-inch page is not rendered at 150 dpi).
    public func render(_ path: String, page: Int, maxSide: Int) async throws(DocumentError) -> [UInt8] {
        try Self.checkFile(path)
        let arguments = passwordArguments + [
            "-f", String(page), "-l", String(page), "-singlefile", "-scale-to", String(maxSide), "-png", path,
        ]
        let (outcome, output) = try await capture(tools.pdftoppm, arguments, path: path, what: "pdftoppm")
        guard outcome.succeeded, output.starts(with: [0x89, 0x50, 0x4E, 0x47]) else {
            throw failure(outcome, path: path, tool: "pdftoppm", detail: "cannot render page \(page)")
        }
        return output
    }

    // MARK: - Steps

    private var passwordArguments: [String] {
        password.map { ["-upw", $0] } ?? []
    }

    /// pdftotext's pages, split at the form feed it ends each page with, collected as they
    /// stream so a long document is never held twice.
    private func pageTexts(_ path: String, pages: Int) async throws(DocumentError) -> [String] {
        let splitter = Mutex(PageSplitter())
        let arguments = passwordArguments + ["-enc", "UTF-8", "-f", "1", "-l", String(pages), path, "-"]
        let outcome: ChildOutcome
        do {
            outcome = try await ChildProcess.run(tools.pdftotext, arguments, limits: limits) { bytes in
                splitter.withLock { $0.add(bytes) }
            }
        } catch {
            throw DocumentError(.toolFailed, path: path, "cannot run pdftotext: \(error)")
        }
        guard outcome.succeeded else { throw failure(outcome, path: path, tool: "pdftotext") }
        var texts = splitter.withLock { $0.finish() }
        // pdftotext ends every page with a form feed; a document whose last pages are empty
        // still has them.
        if texts.count > pages { texts.removeLast(texts.count - pages) }
        while texts.count < pages { texts.append("") }
        return texts
    }

    /// Share of each page's area covered by raster images, from `pdfimages -list`.
    private func imageCoverage(_ path: String, pages: ClosedRange<Int>, boxes: [PDFInfo.PageBox]) async throws(DocumentError) -> [Int: Double] {
        let arguments = passwordArguments + ["-list", "-f", String(pages.lowerBound), "-l", String(pages.upperBound), path]
        let (outcome, output) = try await capture(tools.pdfimages, arguments, path: path, what: "pdfimages")
        guard outcome.succeeded else { throw failure(outcome, path: path, tool: "pdfimages") }
        var covered: [Int: Double] = [:]
        for line in String(decoding: output, as: UTF8.self).split(separator: "\n") {
            // page num type width height color comp bpc enc interp object ID x-ppi y-ppi size ratio
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 14, let page = Int(fields[0]), fields[2] == "image",
                let width = Double(fields[3]), let height = Double(fields[4]),
                let xppi = Double(fields[12]), let yppi = Double(fields[13]), xppi > 0, yppi > 0,
                page >= 1, page <= boxes.count
            else { continue }
            let box = boxes[page - 1]
            let pageArea = box.width * box.height
            guard pageArea > 0 else { continue }
            let area = (width / xppi * 72) * (height / yppi * 72)
            covered[page, default: 0] = min(1, covered[page, default: 0] + area / pageArea)
        }
        return covered
    }

    // MARK: - Running and failing

    private func capture(_ tool: String, _ arguments: [String], path: String, what: String) async throws(DocumentError) -> (ChildOutcome, [UInt8]) {
        let collected = Mutex([UInt8]())
        do {
            let outcome = try await ChildProcess.run(tool, arguments, limits: limits) { bytes in
                collected.withLock { $0.append(contentsOf: bytes) }
            }
            return (outcome, collected.withLock { $0 })
        } catch {
            throw DocumentError(.toolFailed, path: path, "cannot run \(what): \(error)")
        }
    }

    private func failure(_ outcome: ChildOutcome, path: String, tool: String, detail: String? = nil) -> DocumentError {
        let lead = detail.map { "\($0): " } ?? ""
        if outcome.timedOut {
            return DocumentError(.timedOut, path: path, "\(lead)\(tool) ran past its \(Int(limits.seconds)) s limit and was stopped")
        }
        if outcome.outputTooLarge {
            return DocumentError(.tooLarge, path: path, "\(lead)\(tool) wrote more than \(limits.outputBytes >> 20) MB")
        }
        let said = outcome.errorTail.joined(separator: "\n")
        if said.contains("Incorrect password") {
            return password == nil
                ? DocumentError(.encrypted, path: path, "the PDF is encrypted: give its password with --password or PERUSE_PDF_PASSWORD")
                : DocumentError(.wrongPassword, path: path, "the PDF is encrypted and the password given does not open it")
        }
        if let signal = outcome.signal {
            let memory = signal == SIGSEGV || signal == SIGABRT || signal == SIGKILL
            return DocumentError(
                .toolFailed, path: path,
                "\(lead)\(tool) was ended by signal \(signal)" + (memory ? " (a crash, or its \(limits.memoryBytes >> 20) MB memory limit)" : "") + Self.popplerSaid(outcome))
        }
        return DocumentError(.damaged, path: path, "\(lead)not a readable PDF" + Self.popplerSaid(outcome))
    }

    /// poppler's most telling line, quoted after a message.
    static func popplerSaid(_ outcome: ChildOutcome) -> String {
        let lines = outcome.errorTail.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard let line = lines.first(where: { $0.contains("Error") }) ?? lines.last else { return "" }
        return " (poppler: \(line.prefix(200)))"
    }

    // MARK: - Before poppler

    /// Refuses what is not a regular, non-empty file that starts like a PDF, saying what it
    /// looks like instead (a failed download's HTML page, a gzip or ZIP file).
    static func checkFile(_ path: String) throws(DocumentError) {
        var status = stat()
        guard stat(path, &status) == 0 else {
            throw DocumentError(.notAFile, path: path, "cannot read it: \(String(cString: strerror(errno)))")
        }
        guard (status.st_mode & S_IFMT) == S_IFREG else {
            throw DocumentError(.notAFile, path: path, "not a regular file (a folder, FIFO or device)")
        }
        guard status.st_size > 0 else { throw DocumentError(.empty, path: path, "the file is empty (0 bytes)") }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw DocumentError(.notAFile, path: path, "cannot open it: \(String(cString: strerror(errno)))")
        }
        defer { try? handle.close() }
        let head = [UInt8]((try? handle.read(upToCount: 1024)) ?? Data())
        // The header may follow up to 1 KB of junk (ISO 32000-1, 7.5.2); poppler allows it too.
        if Self.find(Array("%PDF-".utf8), in: head) { return }
        throw DocumentError(.damaged, path: path, "not a PDF: it starts like \(Self.describe(head))")
    }

    static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Bool {
        guard haystack.count >= needle.count else { return false }
        for start in 0...(haystack.count - needle.count) where haystack[start] == needle[0] {
            if Array(haystack[start..<(start + needle.count)]) == needle { return true }
        }
        return false
    }

    static func describe(_ head: [UInt8]) -> String {
        if head.starts(with: [0x1F, 0x8B]) { return "gzip data (decompress it first)" }
        if head.starts(with: Array("PK".utf8)) { return "a ZIP archive (an office document?)" }
        if head.starts(with: [0x89, 0x50, 0x4E, 0x47]) { return "a PNG image" }
        if head.starts(with: [0xFF, 0xD8, 0xFF]) { return "a JPEG image" }
        let text = String(decoding: head.prefix(64), as: UTF8.self).lowercased()
        if text.contains("<html") || text.contains("<!doctype") { return "an HTML page (a failed download?)" }
        return "something else (no %PDF- header in its first 1 KB)"
    }
}

/// Splits a stream of pdftotext output at form feeds into page texts.
struct PageSplitter {
    private var pages: [String] = []
    private var current: [UInt8] = []

    mutating func add(_ bytes: [UInt8]) {
        var start = 0
        for (index, byte) in bytes.enumerated() where byte == 0x0C {
            current.append(contentsOf: bytes[start..<index])
            pages.append(String(decoding: current, as: UTF8.self))
            current.removeAll(keepingCapacity: true)
            start = index + 1
        }
        current.append(contentsOf: bytes[start...])
    }

    mutating func finish() -> [String] {
        if !current.isEmpty && current.contains(where: { $0 != 0x0A && $0 != 0x20 }) {
            pages.append(String(decoding: current, as: UTF8.self))
        }
        current = []
        return pages
    }
}
