import ArgumentParser
import Foundation
import Pipeline

/// `peruse run PIPELINE.yaml [--set NAME=VALUE]...`
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Run a pipeline file (see pipelines/ and docs/pipeline.md).")

    @Argument(help: "The pipeline file (YAML).")
    var pipeline: String

    @Option(name: .customLong("set"), help: ArgumentHelp("Set an input of the pipeline.", valueName: "NAME=VALUE"))
    var settings: [String] = []

    @OptionGroup var common: CommonOptions

    @OptionGroup var imageOptions: ImageInputOptions

    @OptionGroup var textOptions: TextInputOptions

    func run() async throws {
        var inputs: [String: String] = [:]
        for setting in settings {
            guard let equals = setting.firstIndex(of: "="), equals != setting.startIndex else {
                throw usageError("--set expects NAME=VALUE, got `\(setting)`")
            }
            inputs[String(setting[..<equals])] = String(setting[setting.index(after: equals)...])
        }
        let text: String
        do {
            // Only a regular UTF-8 file of bounded size; errors carry `file:line:column:`.
            text = try PipelineParser.text(ofFile: pipeline)
        } catch {
            PipelineInvocation.standardError("error: \(error)")
            throw ExitCode(2)
        }
        try await PipelineInvocation.run(
            text: text, file: pipeline, inputs: inputs, common: common,
            inputOptions: InputOptions(images: imageOptions, text: textOptions), pipelineFile: pipeline)
    }
}
