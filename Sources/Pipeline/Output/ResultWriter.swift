import Foundation

/// Renders result rows as JSON Lines, CSV, Markdown, a self-contained HTML gallery, or plain
/// text, and writes files atomically (a temporary file renamed into place), so an
/// interrupted run never leaves a half-written result.
public struct ResultWriter: Sendable {
    /// Returns a thumbnail `data:` URL for an image path (HTML galleries), or nil.
    public var thumbnail: @Sendable (String) -> String?
    /// The gallery's title.
    public var title: String

    public init(title: String = "Peruse results", thumbnail: @escaping @Sendable (String) -> String? = { _ in nil }) {
        self.title = title
        self.thumbnail = thumbnail
    }

    /// The rows in `format`.
    public func render(_ rows: [ResultRow], format: ResultFormat) -> String {
        switch format {
        case .jsonl: rows.map { $0.jsonLine + "\n" }.joined()
        case .csv: csv(rows)
        case .md: markdown(rows)
        case .html: html(rows)
        case .text: rows.map { ($0.ok ? $0.text ?? "" : "error: \($0.path): \($0.error ?? "failed")") + "\n" }.joined(separator: "\n")
        }
    }

    /// Writes rendered rows to `path` atomically.
    public func write(_ rows: [ResultRow], format: ResultFormat, to path: String) throws {
        let text = render(rows, format: format)
        do {
            let url = URL(fileURLWithPath: path)
            let folder = url.deletingLastPathComponent()
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url, options: .atomic)
        } catch {
            throw PipelineError(.output, "cannot write results to \(path): \(FileProblem.reason(error))", cause: error)
        }
    }

    func csv(_ rows: [ResultRow]) -> String {
        func field(_ raw: String) -> String {
            let value = Self.defused(raw)
            return value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
                ? "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : value
        }
        var lines = ["path,ok,text,error,model,prompt_tokens,completion_tokens,cost"]
        for row in rows {
            lines.append([
                field(row.path), row.ok ? "true" : "false", field(row.text ?? ""), field(row.error ?? ""),
                field(row.model ?? ""), String(row.promptTokens), String(row.completionTokens),
                row.cost.map(ResultRow.number) ?? "",
            ].joined(separator: ","))
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    /// A CSV cell that a spreadsheet would run as a formula (it starts with `=`, `+`, `-`,
    /// `@`, a tab or a carriage return) gets a leading `'`, which spreadsheets show as text.
    static func defused(_ value: String) -> String {
        guard let first = value.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first) else { return value }
        return "'" + value
    }

    /// Markdown: file names are literal text (markup characters backslash-escaped, `<` and
    /// `&` as entities), answers keep their Markdown but no raw HTML (`<` as `&lt;`), and
    /// image links are percent-encoded, so a file named `<img src=x onerror=…>.png` or an
    /// answer with a `<script>` stays text in any renderer.
    func markdown(_ rows: [ResultRow]) -> String {
        var out = "# \(Self.markdownLiteral(title))\n\n"
        for row in rows {
            let name = (row.path as NSString).lastPathComponent
            out += "## \(name.isEmpty ? "result" : Self.markdownLiteral(name))\n\n"
            if !row.path.isEmpty && Self.looksLikeImage(row.path) {
                out += "![\(Self.markdownLiteral(name))](\(Self.markdownLink(row.path)))\n\n"
            }
            if row.ok {
                out += Self.noHTML(row.text ?? "") + "\n\n"
            } else {
                out += "> **Error:** \(Self.markdownLiteral(row.error ?? "failed"))\n\n"
            }
        }
        return out
    }

    static func markdownLiteral(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "&": out += "&amp;"
            case "\n", "\r", "\r\n": out += " "
            case _ where character.unicodeScalars.contains(where: isControl):
                for scalar in character.unicodeScalars {
                    out += isControl(scalar) ? String(format: "\\x%02x", scalar.value) : String(scalar)
                }
            case "\\", "`", "*", "_", "[", "]", "#", "!", "|", "~":
                out += "\\" + String(character)
            default: out.append(character)
            }
        }
        return out
    }

    /// An answer without raw HTML or terminal control characters (line breaks and tabs kept).
    static func noHTML(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if scalar == "<" {
                out.append(contentsOf: "&lt;".unicodeScalars)
            } else if isControl(scalar) && scalar != "\n" && scalar != "\t" && scalar != "\r" {
                out.append(contentsOf: String(format: "\\x%02x", scalar.value).unicodeScalars)
            } else {
                out.append(scalar)
            }
        }
        return String(out)
    }

    /// C0 and C1 control characters and DEL: a `cat` of the file would run them on a terminal.
    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F..<0xA0).contains(scalar.value)
    }

    /// A relative link to `path`: every byte outside `A-Z a-z 0-9 - . _ ~ /` percent-encoded
    /// (no scheme, no `)` or `>` can end the link early).
    static func markdownLink(_ path: String) -> String {
        let allowed = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~/")
        return path.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
    }

    static func looksLikeImage(_ path: String) -> Bool {
        ["jpg", "jpeg", "png", "jpe"].contains((path as NSString).pathExtension.lowercased())
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    func html(_ rows: [ResultRow]) -> String {
        let failed = rows.filter { !$0.ok }.count
        var cards = ""
        for row in rows {
            let name = Self.escape((row.path as NSString).lastPathComponent)
            var picture = "<div class=\"noimg\">no preview</div>"
            if let url = thumbnail(row.path) {
                picture = "<img src=\"\(Self.escape(url))\" alt=\"\(name)\" loading=\"lazy\">"
            }
            let body = row.ok
                ? "<p>\(Self.escape(row.text ?? "").replacingOccurrences(of: "\n", with: "<br>"))</p>"
                : "<p class=\"error\">\(Self.escape(row.error ?? "failed"))</p>"
            cards += """
                <figure class="\(row.ok ? "ok" : "failed")">\(picture)<figcaption><b>\(name)</b>\(body)</figcaption></figure>

                """
        }
        return """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(Self.escape(title))</title>
            <style>
            body{font:16px/1.45 system-ui,sans-serif;margin:0;padding:12px;background:#f6f6f4;color:#222}
            h1{font-size:1.3em;margin:4px 4px 12px}
            .grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(260px,1fr));gap:12px}
            figure{margin:0;background:#fff;border-radius:8px;overflow:hidden;box-shadow:0 1px 3px #0002}
            figure img{display:block;width:100%;height:240px;object-fit:contain;background:#e8e8e4}
            .noimg{height:220px;display:flex;align-items:center;justify-content:center;background:#eee;color:#888}
            figcaption{padding:10px 12px;overflow-wrap:anywhere}
            figcaption p{margin:6px 0 0}
            .error{color:#b00020}
            figure.failed{outline:2px solid #b00020}
            </style></head><body>
            <h1>\(Self.escape(title)) · \(rows.count) files\(failed > 0 ? " · \(failed) failed" : "")</h1>
            <div class="grid">
            \(cards)</div>
            </body></html>

            """
    }
}
