import ArgumentParser
import Foundation
import Pipeline

/// `peruse ask FOLDER QUESTION`: runs pipelines/ask-images.yaml.
struct AskCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ask", abstract: "Ask a question about a folder of images; the answer names the images it relies on.")

    @Argument(help: "Folder (walked recursively) or glob of images.")
    var folder: String

    @Argument(help: "The question.")
    var question: String

    @Option(help: "Images per request, 1-8 (default: as many as fit, at most 5).")
    var batch: Int?

    @Option(help: "Also write each batch's answer to this file (JSON Lines: .jsonl).")
    var out: String?

    @OptionGroup var common: CommonOptions

    @OptionGroup var imageOptions: ImageInputOptions

    func validate() throws {
        if question.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            throw usageError("the question is empty; ask something, e.g. peruse ask photos \"Which pictures show a dog?\"")
        }
        // The batch rows are JSON Lines; another extension would hold JSON Lines under a false name.
        if let out, ResultFormat.inferred(fromPath: out) != .jsonl {
            throw usageError("ask --out writes JSON Lines; give a .jsonl file name, got `\(out)`")
        }
        if let batch, !(1...RequestLimits.maxImagesPerRequest).contains(batch) {
            throw usageError("--batch must be from 1 to \(RequestLimits.maxImagesPerRequest) images per request, got \(batch)")
        }
    }

    func run() async throws {
        var inputs = ["folder": folder, "question": question, "out": out ?? ""]
        if let batch { inputs["batch"] = String(batch) }
        try await PipelineInvocation.run(
            text: PipelineInvocation.shipped("ask-images.yaml"), file: "pipelines/ask-images.yaml",
            inputs: inputs, common: common, inputOptions: InputOptions(images: imageOptions))
    }
}
