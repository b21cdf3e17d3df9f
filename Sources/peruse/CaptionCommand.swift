import ArgumentParser
import Foundation
import Pipeline

/// `peruse caption FOLDER`: runs pipelines/caption-images.yaml.
struct CaptionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "caption", abstract: "Caption every image in a folder (one result row per file).")

    @Argument(help: "Folder (walked recursively) or glob of images.")
    var folder: String

    @Option(help: "Result file (default: standard output).")
    var out: String?

    @Option(help: "jsonl, csv, md or html (default: from --out's extension, else jsonl).")
    var format: String?

    @Option(help: "The prompt sent with each image.")
    var prompt: String?

    @OptionGroup var common: CommonOptions

    @OptionGroup var imageOptions: ImageInputOptions

    func validate() throws {
        if let format, ResultFormat(rawValue: format) == nil {
            throw usageError("--format must be jsonl, csv, md or html, got `\(format)`")
        }
        try requireFormat(out: out, format: format, accepted: "jsonl, csv, md or html")
        if let prompt, prompt.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            throw usageError("--prompt is empty; give the text to send with each image, or leave --prompt out")
        }
    }

    func run() async throws {
        var inputs = ["folder": folder, "out": out ?? "-"]
        inputs["format"] = format ?? out.flatMap { ResultFormat.inferred(fromPath: $0)?.rawValue } ?? "jsonl"
        if let prompt { inputs["prompt"] = prompt }
        try await PipelineInvocation.run(
            text: PipelineInvocation.shipped("caption-images.yaml"), file: "pipelines/caption-images.yaml",
            inputs: inputs, common: common, inputOptions: InputOptions(images: imageOptions))
    }
}
