import ArgumentParser
import ImageIngest

import Foundation

/// The `peruse` command: thin; each subcommand parses, calls the library, prints, and maps
/// errors to the README's exit codes (0 ok, 1 some items failed, 2 bad usage, 3 nothing ran).
@main
struct Peruse: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "peruse",
        abstract: "Ask a multimodal model about your own files.",
        version: Console.version,
        subcommands: [
            InspectCommand.self, TokensCommand.self, CaptionCommand.self, AskCommand.self,
            SummarizeCommand.self, RunCommand.self, ModelsCommand.self, BenchCommand.self,
        ])

    /// Runs the command like ArgumentParser's own `main()`, except that a usage error (an
    /// unknown option, a missing argument, a bad value) exits 2 as the README promises, not
    /// ArgumentParser's 64: scripts test for 2.
    static func main() async {
        Console.setUp()
        // Process-wide, so set here by the program, never by the library (docs/images.md).
        ImageMemory.keepLargeBuffers()
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let failure as Console.WriteError {
            Console.error("error: \(failure)")
            exit(withError: ExitCode(1))
        } catch {
            if exitCode(for: error) == .validationFailure {
                let message = fullMessage(for: error)
                if !message.isEmpty { Console.error(message) }
                exit(withError: ExitCode(2))
            }
            exit(withError: error)
        }
    }
}
