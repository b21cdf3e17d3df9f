import Foundation
import ImageIngest

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Images through `ImageIngest`: the folder walker, decode/orient/downscale/encode, token
/// estimates, gallery thumbnails.
public struct IngestImageSource: ImageSource {
    public var quality: Int
    /// `--max-pixels`: images whose header declares more pixels are refused before decoding.
    public var maxPixels: Int
    /// `--allow-truncated`: files whose data ends early are sent (the missing part grey).
    public var allowTruncated: Bool

    public init(quality: Int = 85, maxPixels: Int = 100_000_000, allowTruncated: Bool = false) {
        self.quality = quality
        self.maxPixels = maxPixels
        self.allowTruncated = allowTruncated
    }

    /// Walks a folder (or each match of a glob). Files the walker could not read, and files
    /// named like images that are not PNG or JPEG, are listed too so they get a failed row
    /// with the reason; other files (notes, `.DS_Store`) are left out.
    public func list(_ pattern: String, recursive: Bool) throws -> [String] {
        try listWithNotes(pattern, recursive: recursive).paths
    }

    /// `list`, and a note for each file left out. Fifos, devices and sockets are left out
    /// whatever their name (`pipe.png`): they are not images, and reading one could block.
    public func listWithNotes(_ pattern: String, recursive: Bool) throws -> (paths: [String], notes: [String]) {
        var roots = [pattern]
        if pattern.contains(where: { "*?[".contains($0) }) {
            roots = Self.expand(pattern)
            if roots.isEmpty { throw PipelineError(.invalidInput, "no file matches \(pattern)") }
        } else if !FileManager.default.fileExists(atPath: pattern) {
            throw PipelineError(.invalidInput, "\(pattern) does not exist; expected a folder of images or a glob such as 'photos/*.jpg'")
        }
        let listing = ImageFolderWalker().walk(roots)
        var files = Set(listing.files)
        for note in listing.notes where note.kind == .unreadable
            || (!note.isSpecialFile && (Self.namedLikeImage(note.path) || note.reason.contains("only PNG and JPEG"))) {
            files.insert(note.path)
        }
        let isRow = { (path: String) in files.contains(path) && !listing.files.contains(path) }
        var ordered = listing.files + listing.notes.map(\.path).filter(isRow)
        ordered.sort { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
        var skipped = listing.notes.filter { !files.contains($0.path) }
        if !recursive {
            let base = pattern.hasSuffix("/") ? String(pattern.dropLast()) : pattern
            let inScope = { (path: String) in
                (path as NSString).deletingLastPathComponent == base || roots.contains(path)
            }
            ordered = ordered.filter(inScope)
            skipped = skipped.filter { inScope($0.path) }
        }
        return (ordered, skipped.map { "\($0.path): skipped: \($0.reason)" })
    }

    static func namedLikeImage(_ path: String) -> Bool {
        ["jpg", "jpeg", "jpe", "png", "gif", "webp", "heic", "heif", "bmp", "tif", "tiff", "avif"]
            .contains((path as NSString).pathExtension.lowercased())
    }

    /// The paths a shell glob matches, sorted (glob(3)).
    static func expand(_ pattern: String) -> [String] {
        var result = glob_t()
        defer { globfree(&result) }
        guard glob(pattern, 0, nil, &result) == 0 else { return [] }
        return (0..<Int(result.gl_pathc)).compactMap { index in
            result.gl_pathv[index].map { String(cString: $0) }
        }
    }

    public func prepare(_ path: String, maxSide: Int?) throws -> ImageAttachment {
        do {
            let image = try ImageIngest.prepare(
                path: path,
                options: ImageIngestOptions(
                    maxSide: maxSide, quality: quality, maxPixels: maxPixels, allowTruncated: allowTruncated))
            return ImageAttachment(path: path, dataURL: image.dataURL, width: image.outWidth, height: image.outHeight, tokens: image.tokens)
        } catch {
            // The row already names the file: keep only what is wrong with it.
            throw PipelineError(.itemFailed, error.message)
        }
    }

    public func estimateTokens(_ path: String, maxSide: Int?) throws -> Int {
        // A full prepare: exact, and batches are packed once per run.
        try prepare(path, maxSide: maxSide).tokens
    }

    public func thumbnail(_ path: String, maxSide: Int) -> String? {
        try? ImageIngest.prepare(path: path, options: ImageIngestOptions(maxSide: maxSide, quality: 75)).dataURL
    }
}
