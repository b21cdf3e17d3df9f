import Foundation
import Pipeline
import PeruseTesting
import Testing

@Suite("Result writers and progress lines")
struct ResultWriterTests {
    static let rows = [
        ResultRow(path: "photos/a, \"quoted\".jpg", ok: true, text: "A cat\non a <mat> & more", error: nil, model: "m", promptTokens: 1887, completionTokens: 12, cost: 0.00025),
        ResultRow(path: "photos/b.jpg", ok: false, text: nil, error: "not an image: the file is empty", model: "m", promptTokens: 0, completionTokens: 0, cost: nil),
    ]

    @Test("JSON Lines: documented keys in order, error only on failed rows, valid JSON")
    func jsonLines() throws {
        let text = ResultWriter().render(Self.rows, format: .jsonl)
        let lines = text.split(separator: "\n")
        #expect(lines.count == 2)
        #expect(lines[0].hasPrefix(#"{"path":"photos/a, \"quoted\".jpg","ok":true,"text":"A cat\non a <mat> & more","model":"m","prompt_tokens":1887"#))
        #expect(!lines[0].contains("\"error\""))
        let failed = try #require(JSONSerialization.jsonObject(with: Data(lines[1].utf8)) as? [String: Any])
        #expect(failed["ok"] as? Bool == false)
        #expect(failed["error"] as? String == "not an image: the file is empty")
        #expect(failed["cost"] is NSNull)
    }

    @Test("CSV: RFC 4180 quoting of commas, quotes and newlines")
    func csv() {
        let text = ResultWriter().render(Self.rows, format: .csv)
        #expect(text.hasPrefix("path,ok,text,error,model,prompt_tokens,completion_tokens,cost\r\n"))
        #expect(text.contains("\"photos/a, \"\"quoted\"\".jpg\",true,\"A cat\non a <mat> & more\",,m,1887,12,0.00025\r\n"))
        #expect(text.contains("photos/b.jpg,false,,not an image: the file is empty,m,0,0,\r\n"))
    }

    @Test("HTML: self-contained, escaped, errors in place, thumbnails embedded")
    func html() {
        let writer = ResultWriter(title: "Gallery") { path in path.hasSuffix("a, \"quoted\".jpg") ? "data:image/jpeg;base64,AAAA" : nil }
        let html = writer.render(Self.rows, format: .html)
        #expect(html.contains("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"))
        #expect(html.contains("A cat<br>on a &lt;mat&gt; &amp; more"))
        #expect(html.contains("<img src=\"data:image/jpeg;base64,AAAA\""))
        #expect(html.contains("<p class=\"error\">not an image: the file is empty</p>"))
        #expect(!html.contains("<script"))
        #expect(!html.contains("http://") && !html.contains("https://"))
    }

    @Test("Markdown and text")
    func markdownAndText() {
        let md = ResultWriter(title: "T").render(Self.rows, format: .md)
        #expect(md.contains("## b.jpg\n\n![b.jpg](photos/b.jpg)\n\n> **Error:** not an image: the file is empty"))
        let text = ResultWriter().render([Self.rows[0]], format: .text)
        #expect(text == "A cat\non a <mat> & more\n")
    }

    @Test("files are written whole, replacing the old one")
    func atomicWrite() throws {
        let folder = try TemporaryFolder()
        let path = folder.file("out/results.jsonl")
        try ResultWriter().write(Self.rows, format: .jsonl, to: path)
        try ResultWriter().write([Self.rows[1]], format: .jsonl, to: path)
        #expect(try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").count == 1)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.file("out")) == ["results.jsonl"])
    }
}
