import ArgumentParser
import Foundation
import TextChunking

/// `peruse tokens FILE...`: each file's Llama 4 token count, exact with a tokenizer file
/// (`--tokenizer` or `PERUSE_TOKENIZER`), else the calibrated estimate, and says which.
struct TokensCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokens",
        abstract: "Count the Llama 4 tokens of text files.",
        discussion: """
            Exact with Meta's tokenizer.model (--tokenizer PATH or PERUSE_TOKENIZER); without it, \
            an estimate that overcounts by design. Files must be UTF-8 (a BOM is skipped), or \
            UTF-16/UTF-32 with a byte order mark (converted); --lossy replaces invalid bytes \
            instead of failing. Only regular files up to 1 GiB are read.
            """)

    @Argument(help: "UTF-8 text or Markdown files.")
    var files: [String]

    @Option(help: "Meta's Llama 4 tokenizer.model (tiktoken format). Default: $PERUSE_TOKENIZER.")
    var tokenizer: String?

    @Flag(help: "Print one JSON object per file: {path, tokens, exact}.")
    var json = false

    @Flag(help: "Replace invalid UTF-8 and NUL bytes with U+FFFD instead of failing.")
    var lossy = false

    func run() async throws {
        let counter: any TokenCounter
        do {
            counter = try TokenCounterResolver.resolve(
                tokenizerPath: tokenizer, environment: ProcessInfo.processInfo.environment)
        } catch {
            Console.error("peruse tokens: \(Terminal.escape("\(error)"))")
            throw ExitCode(2)
        }
        var failed = 0
        for path in files {
            do {
                let document = try TextDocument(contentsOf: path, lossy: lossy)
                let tokens = document.utf8.withUnsafeBufferPointer { counter.count(utf8: $0) }
                if json {
                    // The same keys as a failure row (`error` null), as `inspect --json` does.
                    let fields = "\"path\":\(JSONText.string(path)),\"tokens\":\(tokens),\"exact\":\(counter.isExact)"
                    try Console.line("{" + fields + ",\"error\":null}")
                } else {
                    try Console.line("\(tokens)\t\(Terminal.escape(path))")
                }
            } catch let failure as Console.WriteError {
                throw failure
            } catch {
                failed += 1
                Console.error("peruse tokens: \(Terminal.escape("\(error)"))")
                if json {
                    try Console.line("{\"path\":\(JSONText.string(path)),\"tokens\":null,\"exact\":\(counter.isExact),\"error\":\(JSONText.string("\(error)"))}")
                }
            }
        }
        if !json {
            let how = counter.isExact ? "exact, \(counter.summary)" : counter.summary
            Console.error("(\(how))")
        }
        if failed > 0 { throw ExitCode(1) }
    }
}
