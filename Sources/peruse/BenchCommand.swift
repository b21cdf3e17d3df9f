import ArgumentParser

/// `peruse bench …`: benchmarks that report throughput and peak memory. Timing lives here,
/// never in tests (a slow machine must not fail a test).
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure speed and peak memory of Peruse's stages.",
        subcommands: [
            BenchImagesCommand.self, BenchTokensCommand.self, BenchClientCommand.self,
            BenchCaptionCommand.self,
        ])
}
