import ArgumentParser

struct SummarizeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "summarize", abstract: "(not yet implemented)")
    func run() async throws { throw ExitCode(2) }
}
