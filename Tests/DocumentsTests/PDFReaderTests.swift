import Foundation
import PeruseTesting
import Testing

@testable import Documents

@Suite("PDF reader on the corpus", .enabled(if: PDFCorpus.popplerOrCI, "needs poppler-utils (scripts/setup.sh; required when CI=true)"))
struct PDFReaderTests {
    let reader: PDFReader

    init() throws {
        reader = try PDFReader()
    }

    @Test("the corpus is there")
    func corpusPresent() {
        #expect(PDFCorpus.rows.count >= 60, "missing ../shared/corpus/pdf/manifest.tsv")
    }

    /// Every file: the page count pdfinfo gives, or one clear error of the right kind.
    @Test("every corpus PDF gives pdfinfo's page count or one clear error", arguments: PDFCorpus.rows)
    func pageCountOrError(_ row: PDFCorpus.Row) async throws {
        let path = PDFCorpus.path(row.path)
        do {
            let info = try await reader.info(path)
            #expect(row.encrypted != "yes", "an encrypted file opened without a password")
            #expect(info.pages == row.pages, "pdfinfo says \(row.pages.map(String.init) ?? "nothing")")
            #expect(info.boxes.count == info.pages)
        } catch {
            #expect(row.pages == nil || row.encrypted == "yes", "a readable file failed: \(error)")
            #expect(!error.message.isEmpty)
            #expect(error.path == path)
            if row.encrypted == "yes" {
                #expect(error.code == .encrypted)
                #expect(error.message.contains("--password"))
            }
            if row.path.hasSuffix("/empty.pdf") { #expect(error.code == .empty) }
            if row.path.contains("not-a-pdf") { #expect(error.code == .damaged) }
        }
    }

    /// Reading every page (text, routes, image coverage) ends for every file: pages or one error.
    @Test("every corpus PDF reads to its pages and routes, or one clear error", arguments: PDFCorpus.rows)
    func readAll(_ row: PDFCorpus.Row) async throws {
        do {
            let document = try await reader.read(PDFCorpus.path(row.path))
            #expect(document.pages.count == row.pages)
            #expect(document.pages.map(\.number) == Array(1...max(1, document.pages.count)).prefix(document.pages.count).map { $0 })
            if row.pagesWithText == 0 && row.path.hasPrefix("scanned/") {
                #expect(document.pages.allSatisfy { $0.route != .text }, "a scan has no text pages")
            }
        } catch {
            #expect(row.pages == nil || row.encrypted == "yes", "a readable file failed: \(error)")
        }
    }

    @Test("files that are not PDFs say what they look like")
    func notAPDF() async throws {
        for (name, looks) in [("hostile/not-a-pdf-gzip.pdf", "gzip"), ("hostile/not-a-pdf-odt.pdf", "ZIP"), ("hostile/not-a-pdf-html.pdf", "HTML")] {
            let error = try await #require(throws: DocumentError.self) { try await reader.info(PDFCorpus.path(name)) }
            #expect(error.message.contains(looks), "\(name): \(error.message)")
        }
    }

    @Test("zero pages and a bogus page count are refused as having no pages or damaged")
    func noPages() async throws {
        for name in ["hostile/zero-pages.pdf", "hostile/bogus-page-count.pdf"] {
            let error = try await #require(throws: DocumentError.self) { try await reader.info(PDFCorpus.path(name)) }
            #expect([.noPages, .damaged].contains(error.code), "\(name): \(error)")
            #expect(error.message.contains("poppler:"), "poppler's own words are quoted: \(error.message)")
        }
    }

    @Test("the user password opens an encrypted file; a wrong one is said to be wrong")
    func password() async throws {
        var withPassword = reader
        withPassword.password = "corpus-user"
        for name in ["hostile/encrypted-user-password-aes128.pdf", "hostile/encrypted-user-password-aes256.pdf"] {
            let document = try await withPassword.read(PDFCorpus.path(name))
            #expect(document.pages.count == 3)
            #expect(document.pages.allSatisfy { $0.route == .text })
        }
        var wrong = reader
        wrong.password = "not-it"
        let error = try await #require(throws: DocumentError.self) {
            try await wrong.info(PDFCorpus.path("hostile/encrypted-user-password-aes128.pdf"))
        }
        #expect(error.code == .wrongPassword)
        #expect(!error.message.contains("not-it"), "the password is never printed")
    }

    @Test("a page count over the limit is refused before reading")
    func pageLimit() async throws {
        var small = reader
        small.maxPages = 1000
        let error = try await #require(throws: DocumentError.self) { try await small.read(PDFCorpus.path("hostile/blank-2000-pages.pdf")) }
        #expect(error.code == .tooLarge)
        #expect(error.message.contains("2000 pages"))
    }

    @Test("text documents: every page with text goes as text, text intact")
    func textDocuments() async throws {
        for name in ["real/r-intro-113p.pdf", "real/reportlab-userguide-134p.pdf", "real/latex-two-column.pdf", "real/cjk-chinese.pdf", "real/multiscript-hebrew-syriac-greek.pdf"] {
            let document = try await reader.read(PDFCorpus.path(name))
            let row = try #require(PDFCorpus.rows.first { $0.path == name })
            #expect(document.pages.count == row.pages)
            let textPages = document.pages.filter { $0.route == .text }.count
            #expect(textPages >= (row.pagesWithText ?? 0) - 1, "\(name): \(textPages) text pages of \(row.pagesWithText ?? 0) with text")
        }
        let intro = try await reader.read(PDFCorpus.path("real/r-intro-113p.pdf"))
        #expect(intro.pages[0].text.contains("An Introduction to R"))
    }

    @Test("scans go as images for having no text; a mixed file splits per page")
    func scans() async throws {
        for name in ["scanned/scan-gray-jpeg-3p.pdf", "scanned/scan-bilevel-ccitt.pdf", "scanned/photo-page-real.pdf", "scanned/scan-japanese-skewed.pdf"] {
            let document = try await reader.read(PDFCorpus.path(name))
            #expect(!document.pages.isEmpty)
            #expect(document.pages.allSatisfy { $0.route == .image(.noText) }, "\(name)")
        }
        let mixed = try await reader.read(PDFCorpus.path("scanned/mixed-text-and-scan.pdf"))
        #expect(mixed.pages.map(\.route) == [.text, .image(.noText), .text])
    }

    @Test("fonts without a Unicode map: the garbage they extract to goes as images")
    func garbageText() async throws {
        for name in ["real/ukrainian-no-tounicode.pdf", "real/mongolian-type3-garbage.pdf"] {
            let document = try await reader.read(PDFCorpus.path(name))
            #expect(document.pages.allSatisfy { $0.route == .image(.unreadableText) }, "\(name): \(document.pages.map(\.route))")
        }
    }

    @Test("--pages text and --pages images force the route")
    func forcedRoutes() async throws {
        var text = reader
        text.routing = PageRouting(mode: .text)
        #expect(try await text.read(PDFCorpus.path("scanned/mixed-text-and-scan.pdf")).pages.allSatisfy { $0.route == .text })
        var images = reader
        images.routing = PageRouting(mode: .images)
        #expect(try await images.read(PDFCorpus.path("real/google-docs.pdf")).pages.allSatisfy { $0.route == .image(.requested) })
    }

    @Test("pages render within the pixel bound, a 200-inch page included, rotation as displayed")
    func render() async throws {
        for (name, page) in [("hostile/huge-mediabox-200in.pdf", 1), ("real/mixed-page-sizes.pdf", 3), ("scanned/scan-rotated-page.pdf", 1)] {
            let png = try await reader.render(PDFCorpus.path(name), page: page, maxSide: 1024)
            let (width, height) = try Self.pngSize(png)
            #expect(max(width, height) == 1024, "\(name): \(width)x\(height)")
            let info = try await reader.info(PDFCorpus.path(name))
            let box = info.boxes[page - 1]
            #expect((width > height) == (box.width > box.height), "\(name) page \(page): \(width)x\(height) for a \(box.width)x\(box.height) box")
        }
    }

    @Test("a damaged file's render fails with a message, not a crash or a 1x1 image")
    func renderDamaged() async throws {
        let error = try await #require(throws: DocumentError.self) {
            try await reader.render(PDFCorpus.path("hostile/truncated-50pct.pdf"), page: 1, maxSide: 512)
        }
        #expect(error.code == .damaged)
    }

    static func pngSize(_ png: [UInt8]) throws -> (Int, Int) {
        try #require(png.count > 24 && png.starts(with: [0x89, 0x50, 0x4E, 0x47]))
        func be32(_ at: Int) -> Int { png[at..<(at + 4)].reduce(0) { $0 << 8 | Int($1) } }
        return (be32(16), be32(20))
    }
}

@Suite("Child process limits")
struct ChildLimitTests {
    static let folder = FileManager.default.temporaryDirectory.appendingPathComponent("peruse-child-\(getpid())")

    /// A stand-in for a poppler tool: a shell script.
    static func tool(_ name: String, _ body: String) throws -> String {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let path = folder.appendingPathComponent(name).path
        try "#!/bin/sh\n\(body)\n".write(toFile: path, atomically: true, encoding: .utf8)
        chmod(path, 0o755)
        return path
    }

    static func pdf() throws -> String {
        let path = folder.appendingPathComponent("one.pdf").path
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try "%PDF-1.4\n".write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test("a tool that hangs is stopped at its time limit: a timedOut error for that file")
    func hang() async throws {
        let hang = try Self.tool("hang", "exec sleep 600")
        let tools = PopplerTools(pdfinfo: hang, pdftotext: hang, pdftoppm: hang, pdfimages: hang)
        let reader = try PDFReader(tools: tools, limits: ChildLimits(seconds: 0.5, memoryBytes: 1 << 30, outputBytes: 1 << 20))
        let error = try await #require(throws: DocumentError.self) { try await reader.info(Self.pdf()) }
        #expect(error.code == .timedOut)
        #expect(error.message.contains("limit"))
    }

    @Test("a tool that prints without end is stopped at the output limit")
    func flood() async throws {
        let flood = try Self.tool("flood", "exec cat /dev/zero")
        let tools = PopplerTools(pdfinfo: flood, pdftotext: flood, pdftoppm: flood, pdfimages: flood)
        let reader = try PDFReader(tools: tools, limits: ChildLimits(seconds: 60, memoryBytes: 1 << 30, outputBytes: 4 << 20))
        let error = try await #require(throws: DocumentError.self) { try await reader.info(Self.pdf()) }
        #expect(error.code == .tooLarge)
    }

    @Test("a tool that crashes is a toolFailed error naming the signal")
    func crash() async throws {
        let crash = try Self.tool("crash", "kill -SEGV $$")
        let tools = PopplerTools(pdfinfo: crash, pdftotext: crash, pdftoppm: crash, pdfimages: crash)
        let reader = try PDFReader(tools: tools)
        let error = try await #require(throws: DocumentError.self) { try await reader.info(Self.pdf()) }
        #expect(error.code == .toolFailed)
        #expect(error.message.contains("signal \(SIGSEGV)"))
    }

    // Without python3 the stand-in would fail for want of it and the test would pass unchecked.
    @Test(
        "a tool over its memory limit fails that file",
        .enabled(if: TestEnvironment.requires(Python.isAvailable), "needs python3 (required when CI=true)"))
    func memory() async throws {
        // python3 asks for 2 GB under a 256 MB address-space limit.
        let hog = try Self.tool("hog", "exec python3 -c 'x = bytearray(2 << 30); print(len(x))'")
        let tools = PopplerTools(pdfinfo: hog, pdftotext: hog, pdftoppm: hog, pdfimages: hog)
        let reader = try PDFReader(tools: tools, limits: ChildLimits(seconds: 60, memoryBytes: 256 << 20, outputBytes: 1 << 20))
        let error = try await #require(throws: DocumentError.self) { try await reader.info(Self.pdf()) }
        #expect([.damaged, .toolFailed].contains(error.code), "\(error)")
    }

    @Test("without poppler-utils: one message naming the package")
    func missing() throws {
        let error = try #require(throws: DocumentError.self) { try PopplerTools.locate(searchPath: "/nonexistent") }
        #expect(error.code == .toolMissing)
        #expect(error.message.contains("apt-get install poppler-utils"))
    }

    @Test("folders, FIFOs and devices are refused before poppler sees them")
    func notFiles() async throws {
        let reader = try PDFReader(tools: PopplerTools(pdfinfo: "/bin/false", pdftotext: "/bin/false", pdftoppm: "/bin/false", pdfimages: "/bin/false"))
        let fifo = Self.folder.appendingPathComponent("pipe.pdf").path
        try FileManager.default.createDirectory(at: Self.folder, withIntermediateDirectories: true)
        unlink(fifo)
        #expect(mkfifo(fifo, 0o600) == 0)
        for path in [Self.folder.path, fifo, "/dev/zero"] {
            let error = try await #require(throws: DocumentError.self) { try await reader.info(path) }
            #expect(error.code == .notAFile, "\(path)")
        }
    }
}
