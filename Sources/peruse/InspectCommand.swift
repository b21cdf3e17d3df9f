import ArgumentParser

struct InspectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "inspect", abstract: "(not yet implemented)")
    func run() async throws { throw ExitCode(2) }
}
