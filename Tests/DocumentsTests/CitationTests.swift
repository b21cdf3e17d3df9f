import Testing

@testable import Documents

@Suite("Citations and quote checks")
struct CitationTests {
    @Test("locators print as answers cite them")
    func labels() {
        #expect(Locator.page(12, of: "docs/report.pdf").description == "[report.pdf p. 12]")
        #expect(Locator(path: "report.pdf", span: .pages(3...4)).description == "[report.pdf pp. 3-4]")
        #expect(Locator(path: "a/notes.md", span: .lines(40...52)).description == "[notes.md L40-52]")
        #expect(Locator(path: "notes.md", span: .lines(7...7)).description == "[notes.md L7]")
    }

    @Test("citations are read back from an answer, in any of the forms models write")
    func parse() {
        let answer = """
            Termination needs 30 days' notice [contract.pdf p. 12], except for cause [contract.pdf pp. 13–14].
            The notes agree [notes.md L40-52; notes.md L7]. Not citations: [1], [see above], [x.pdf p. 0].
            """
        let found = Locator.citations(in: answer)
        #expect(found == [
            Locator(path: "contract.pdf", span: .pages(12...12)),
            Locator(path: "contract.pdf", span: .pages(13...14)),
            Locator(path: "notes.md", span: .lines(40...52)),
            Locator(path: "notes.md", span: .lines(7...7)),
        ])
        #expect(Locator.citations(in: "[my report 2024.pdf p. 3]") == [Locator(path: "my report 2024.pdf", span: .pages(3...3))])
    }

    @Test("containment: a page within a chunk's page range, lines within lines, never across files")
    func containment() {
        let chunk = Locator(path: "r.pdf", span: .pages(10...14))
        #expect(chunk.contains(.page(12, of: "r.pdf")))
        #expect(!chunk.contains(.page(15, of: "r.pdf")))
        #expect(!chunk.contains(.page(12, of: "other.pdf")))
        #expect(!chunk.contains(Locator(path: "r.pdf", span: .lines(10...12))))
    }

    @Test("quotes are verified up to case, spacing, line-end hyphenation, quote marks and dashes")
    func forgiven() {
        let page = """
            The Contractor may termi-
            nate this Agreement upon   thirty (30) days’ written
            notice — delivered by “registered” mail.
            """
        #expect(QuoteCheck.isVerified("may terminate this agreement upon thirty (30) days' written notice", in: page))
        #expect(QuoteCheck.isVerified("notice - delivered by \"registered\" mail", in: page))
        #expect(QuoteCheck.isVerified("The Contractor may terminate ... by \"registered\" mail", in: page))
    }

    @Test("changed words, too-short quotes and pieces out of order are not verified")
    func refused() {
        let page = "The Contractor may terminate this Agreement upon thirty (30) days' written notice."
        #expect(!QuoteCheck.isVerified("may terminate this Agreement upon sixty (60) days' written notice", in: page))
        #expect(!QuoteCheck.isVerified("The Client may terminate this Agreement", in: page))
        #expect(!QuoteCheck.isVerified("notice", in: page))
        #expect(!QuoteCheck.isVerified("written notice ... The Contractor may", in: page))
        #expect(!QuoteCheck.isVerified("", in: page))
    }

    @Test("a hyphen that is part of a word stays: well-known is not wellknown")
    func realHyphens() {
        #expect(QuoteCheck.isVerified("a well-known result", in: "This is a well-\nknown result."))
        #expect(!QuoteCheck.isVerified("a wellknown result", in: "This is a well-known result."))
    }
}
