import ArgumentParser

/// The `peruse` command: thin; each subcommand parses, calls the library, prints, and maps
/// errors to the exit codes of DESIGN.md (0 ok, 1 some items failed, 2 bad usage, 3 nothing ran).
@main
struct Peruse: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "peruse",
        abstract: "Ask a multimodal model about your own files.",
        subcommands: [
            InspectCommand.self, TokensCommand.self, CaptionCommand.self, AskCommand.self,
            SummarizeCommand.self, RunCommand.self, ModelsCommand.self, BenchCommand.self,
        ])
}
