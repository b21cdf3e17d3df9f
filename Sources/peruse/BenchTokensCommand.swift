import ArgumentParser

struct BenchTokensCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "tokens", abstract: "(not yet implemented)")
    func run() async throws { throw ExitCode(2) }
}
