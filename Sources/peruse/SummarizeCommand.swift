import ArgumentParser
import Pipeline

/// `peruse summarize FILE`: runs pipelines/summarize-document.yaml.
struct SummarizeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "summarize", abstract: "Summarize a long text or Markdown document, however long.")

    @Argument(help: "The document (UTF-8 text or Markdown).")
    var file: String

    @Option(help: "Result file (default: standard output).")
    var out: String?

    @Option(help: "text, md, jsonl, csv or html (default: from --out's extension, else text).")
    var format: String?

    @OptionGroup var common: CommonOptions

    @OptionGroup var textOptions: TextInputOptions

    func validate() throws {
        if let format, ResultFormat(rawValue: format) == nil {
            throw usageError("--format must be text, md, jsonl, csv or html, got `\(format)`")
        }
        try requireFormat(out: out, format: format, accepted: "text, md, jsonl, csv or html")
    }

    func run() async throws {
        var inputs = ["file": file, "out": out ?? "-"]
        inputs["format"] = format ?? out.flatMap { ResultFormat.inferred(fromPath: $0)?.rawValue } ?? "text"
        try await PipelineInvocation.run(
            text: PipelineInvocation.shipped("summarize-document.yaml"), file: "pipelines/summarize-document.yaml",
            inputs: inputs, common: common, inputOptions: InputOptions(text: textOptions))
    }
}
