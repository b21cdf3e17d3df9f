import ArgumentParser
import Pipeline

/// How images are read, on the commands that read images (`caption`, `ask`, `run`): the
/// options ImageIngest's refusals name as the way out.
struct ImageInputOptions: ParsableArguments {
    @Flag(name: .customLong("allow-truncated"), help: "Send images whose data ends early (the missing part is grey).")
    var allowTruncated = false

    @Option(name: .customLong("max-pixels"), help: "Refuse images whose header declares more pixels than this.")
    var maxPixels: Int = 100_000_000

    func validate() throws {
        if maxPixels < 1 { throw usageError("--max-pixels must be at least 1, got \(maxPixels)") }
    }
}

/// How documents are read, on the commands that read text (`summarize`, `run`).
struct TextInputOptions: ParsableArguments {
    @Flag(help: "Replace invalid UTF-8 and NUL bytes with U+FFFD instead of failing.")
    var lossy = false
}

extension InputOptions {
    init(images: ImageInputOptions? = nil, text: TextInputOptions? = nil) {
        self.init()
        if let images {
            allowTruncated = images.allowTruncated
            maxPixels = images.maxPixels
        }
        if let text { lossy = text.lossy }
    }
}
