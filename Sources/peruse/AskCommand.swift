import ArgumentParser

struct AskCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ask", abstract: "(not yet implemented)")
    func run() async throws { throw ExitCode(2) }
}
