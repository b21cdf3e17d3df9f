import ArgumentParser

struct ModelsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "models", abstract: "(not yet implemented)")
    func run() async throws { throw ExitCode(2) }
}
