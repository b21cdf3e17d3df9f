import ArgumentParser

struct BenchClientCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "client", abstract: "(not yet implemented)")
    func run() async throws { throw ExitCode(2) }
}
