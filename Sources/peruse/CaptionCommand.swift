import ArgumentParser

struct CaptionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "caption", abstract: "(not yet implemented)")
    func run() async throws { throw ExitCode(2) }
}
