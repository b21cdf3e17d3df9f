import ArgumentParser
import Foundation
import ImageIngest

/// `peruse inspect PATH...`: shows what the model would receive for each image, and can save it.
struct InspectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Decode, orient, downscale and re-encode images exactly as they would be sent.",
        discussion: """
            Folders are walked recursively; files that are not PNG or JPEG are skipped with a note \
            on stderr. Exit status: 0 if every image was prepared, 1 if any failed.
            """)

    @Argument(help: "Image files or folders.")
    var paths: [String]

    @Option(help: "Longest side of the output in pixels (default: fit Llama 4's 16-tile grid).")
    var maxSide: Int?

    @Option(help: "JPEG quality of the output, 1-100.")
    var quality: Int = 85

    @Flag(help: "Print one JSON object per file.")
    var json = false

    @Option(help: "Write each output image (the exact bytes that would be sent) into this folder.")
    var save: String?

    @Flag(help: "Accept files whose data ends early (the missing part is grey), with a warning.")
    var allowTruncated = false

    @Option(help: "Refuse images whose header declares more pixels than this.")
    var maxPixels: Int = 100_000_000

    @Option(help: "Images decoded at the same time (default: number of cores).")
    var concurrency: Int?

    func validate() throws {
        if let maxSide, maxSide < 1 { throw ValidationError("--max-side must be at least 1") }
        if !(1...100).contains(quality) { throw ValidationError("--quality must be between 1 and 100") }
        if maxPixels < 1 { throw ValidationError("--max-pixels must be at least 1") }
    }

    func run() async throws {
        let options = ImageIngestOptions(
            maxSide: maxSide, quality: quality, maxPixels: maxPixels, allowTruncated: allowTruncated)
        let listing = ImageFolderWalker().walk(paths)
        var failed = 0
        for note in listing.notes {
            if note.kind == .unreadable {
                failed += 1
                if json { try Console.line(InspectReport.json(path: note.path, error: note.reason)) } else { printError("\(Terminal.escape(note.path)): error: \(note.reason)") }
            } else {
                printError("\(Terminal.escape(note.path)): skipped: \(note.reason)")
            }
        }
        if let save {
            do { try FileManager.default.createDirectory(atPath: save, withIntermediateDirectories: true) } catch {
                throw ValidationError("cannot create --save folder \(save): \(error.localizedDescription)")
            }
        }
        // Saved images never replace an input (`--save` may be the folder being inspected).
        var names = SaveNames(inputs: Set(listing.files.compactMap(SaveNames.realPath)))
        try await ImageBatch(options: options, concurrency: concurrency).prepare(listing.files) { _, path, result in
            switch result {
            case .success(let image):
                if let save {
                    let file = names.file(in: save, for: path, format: image.outFormat)
                    do { try Data(image.bytes).write(to: URL(fileURLWithPath: file)) } catch {
                        failed += 1
                        printError("\(Terminal.escape(path)): error: cannot save \(Terminal.escape(file)): \(error.localizedDescription)")
                        return
                    }
                }
                try Console.line(json ? InspectReport.json(image, path: path) : InspectReport.line(image, path: path))
            case .failure(let error):
                failed += 1
                if json { try Console.line(InspectReport.json(path: path, error: error.message)) } else { printError("\(Terminal.escape(path)): error: \(error.message)") }
            }
        }
        if failed > 0 { throw ExitCode(1) }
    }
}

/// Output names for `--save`: the input's name with the output's extension, made unique
/// among the saved files and never the path of an input.
private struct SaveNames {
    private var used = Set<String>()
    let inputs: Set<String>

    init(inputs: Set<String>) { self.inputs = inputs }

    mutating func file(in folder: String, for path: String, format: ImageFormat) -> String {
        let base = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        let ext = format == .png ? "png" : "jpg"
        var candidate = "\(base).\(ext)", n = 2
        while used.contains(candidate) || Self.realPath(folder + "/" + candidate).map(inputs.contains) == true {
            candidate = "\(base)-\(n).\(ext)"
            n += 1
        }
        used.insert(candidate)
        return folder + "/" + candidate
    }

    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}

private func printError(_ line: String) {
    Console.error(line)
}
/// How `inspect` prints one image: a readable line, or one JSON object (the keys the README lists).
private enum InspectReport {
    static func line(_ image: PreparedImage, path: String) -> String {
        var text = "\(Terminal.escape(path)): \(image.sourceFormat.rawValue) \(image.width)x\(image.height)"
        if image.orientation != .up { text += " (EXIF orientation \(image.orientation.rawValue), turned upright)" }
        text += " -> \(image.outFormat.rawValue) \(image.outWidth)x\(image.outHeight), \(image.bytes.count) bytes, ~\(image.tokens) tokens"
        for warning in image.warnings { text += "\n  warning: \(warning)" }
        return text
    }

    static func json(_ image: PreparedImage, path: String) -> String {
        object([
            ("path", JSONText.string(path)), ("ok", "true"), ("format", JSONText.string(image.sourceFormat.rawValue)),
            ("width", "\(image.width)"), ("height", "\(image.height)"),
            ("orientation", "\(image.orientation.rawValue)"),
            ("out_format", JSONText.string(image.outFormat.rawValue)), ("mime_type", JSONText.string(image.mimeType)),
            ("out_width", "\(image.outWidth)"), ("out_height", "\(image.outHeight)"),
            ("out_bytes", "\(image.bytes.count)"), ("tokens", "\(image.tokens)"),
            ("warnings", "[" + image.warnings.map(JSONText.string).joined(separator: ",") + "]"),
            ("error", "null"),
        ])
    }

    /// A failure row has every key of a success row, in the same order (null where unknown,
    /// no warnings), so consumers read both with one schema.
    static func json(path: String, error: String) -> String {
        object([
            ("path", JSONText.string(path)), ("ok", "false"), ("format", "null"), ("width", "null"),
            ("height", "null"), ("orientation", "null"), ("out_format", "null"), ("mime_type", "null"),
            ("out_width", "null"), ("out_height", "null"), ("out_bytes", "null"), ("tokens", "null"),
            ("warnings", "[]"), ("error", JSONText.string(error)),
        ])
    }

    private static func object(_ fields: [(String, String)]) -> String {
        "{" + fields.map { "\(JSONText.string($0.0)):\($0.1)" }.joined(separator: ",") + "}"
    }
}
