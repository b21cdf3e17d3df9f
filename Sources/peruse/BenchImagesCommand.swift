import ArgumentParser
import Foundation
import ImageIngest

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `peruse bench images FOLDER...`: images per second and peak memory of the ingest stage.
struct BenchImagesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "images",
        abstract: "Prepare every image under the given folders; report images/s and peak RSS.",
        discussion: """
            Compare with: /usr/bin/time -v vipsthumbnail --size 1024x1024 ... (see docs/images.md).
            """)

    @Argument(help: "Image files or folders.")
    var paths: [String]

    @Option(help: "Longest side of the output in pixels (default: fit the tile grid).")
    var maxSide: Int?

    @Option(help: "JPEG quality of the output.")
    var quality: Int = 85

    @Option(help: "Go over the file list this many times (a large folder from a few photos).")
    var `repeat`: Int = 1

    @Option(help: "Images decoded at the same time (default: number of cores).")
    var concurrency: Int?

    @Flag(help: "Print the result as one JSON object.")
    var json = false

    func run() async throws {
        let listing = ImageFolderWalker().walk(paths)
        let files = Array(Array(repeating: listing.files, count: max(1, self.repeat)).joined())
        guard !files.isEmpty else { throw ValidationError("no PNG or JPEG files under \(paths.joined(separator: " "))") }
        let batch = ImageBatch(options: ImageIngestOptions(maxSide: maxSide, quality: quality), concurrency: concurrency)
        var ok = 0, failed = 0, outBytes = 0, tokens = 0
        let clock = ContinuousClock()
        let start = clock.now
        try await batch.prepare(files) { _, _, result in
            switch result {
            case .success(let image):
                ok += 1
                outBytes += image.bytes.count
                tokens += image.tokens
            case .failure:
                failed += 1
            }
        }
        let elapsed = clock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        var usage = rusage()
        #if canImport(Darwin)
        getrusage(RUSAGE_SELF, &usage)
        let peakMB = Double(usage.ru_maxrss) / 1_048_576
        #else
        getrusage(RUSAGE_SELF.rawValue, &usage)
        let peakMB = Double(usage.ru_maxrss) / 1024
        #endif
        let rate = Double(files.count) / max(seconds, 1e-9)
        if json {
            try Console.line("""
                {"images":\(files.count),"ok":\(ok),"failed":\(failed),"seconds":\(String(format: "%.3f", seconds)),\
                "images_per_second":\(String(format: "%.2f", rate)),"peak_rss_mb":\(String(format: "%.1f", peakMB)),\
                "out_bytes":\(outBytes),"tokens":\(tokens),"concurrency":\(batch.concurrency)}
                """)
        } else {
            try Console.line("""
                images: \(files.count) (\(ok) ok, \(failed) failed), concurrency \(batch.concurrency)
                time: \(String(format: "%.2f", seconds)) s, \(String(format: "%.1f", rate)) images/s
                peak RSS: \(String(format: "%.1f", peakMB)) MB
                output: \(outBytes) bytes, ~\(tokens) tokens
                """)
        }
    }
}
