import ArgumentParser

struct BenchCaptionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "caption", abstract: "(not yet implemented)")
    func run() async throws { throw ExitCode(2) }
}
