import ArgumentParser

struct BenchImagesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "images", abstract: "(not yet implemented)")
    func run() async throws { throw ExitCode(2) }
}
