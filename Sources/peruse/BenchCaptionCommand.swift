import ArgumentParser
import Foundation
import ImageIngest
import Pipeline

/// `peruse bench caption`: the pipeline's own overhead on a caption run against a local
/// endpoint that answers after a fixed delay. With N images, latency L and concurrency C, a
/// runner with no overhead takes N·L/C; the benchmark reports how much longer the real run
/// (decode, downscale, encode, hash, store, write) takes.
struct BenchCaptionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "caption",
        abstract: "Overhead of a caption run over many small images against a slow local endpoint.",
        discussion: """
            Start the emulator with a fixed answer delay, then run, in a release build: \
            `peruse bench caption --base-url http://127.0.0.1:8089/api/v1 --latency-ms 200 --images 1000 --concurrency 8`. \
            scripts/bench-caption.sh does both.
            """)

    @Option(name: .long, help: "API root of a local endpoint (e.g. the emulator's).")
    var baseURL: String

    @Option(name: .long, help: "The endpoint's answer delay in milliseconds (for the ideal time).")
    var latencyMs: Double = 200

    @Option(name: .long, help: "Number of images to caption.")
    var images = 1000

    @Option(name: .long, help: "Requests in flight at once.")
    var concurrency = 8

    @Option(name: .long, help: "Folder of photos the test images are made from (each downscaled to --side).")
    var source = "samples/images"

    @Option(name: .long, help: "Longest side of the test images, in pixels.")
    var side = 640

    @Option(name: .long, help: "API key for the endpoint (default: $OPENROUTER_API_KEY, else the emulator's key).")
    var apiKey: String?

    @Flag(name: .long, help: "Print the result as one JSON object.")
    var json = false

    func validate() throws {
        guard images > 0, concurrency > 0, latencyMs >= 0, side >= 16 else {
            throw ValidationError("--images, --concurrency and --side must be positive, --latency-ms not negative.")
        }
    }

    func run() async throws {
        let folder = NSTemporaryDirectory() + "peruse-bench-caption-" + UUID().uuidString
        let imageFolder = folder + "/images"
        try FileManager.default.createDirectory(atPath: imageFolder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let photos = ImageFolderWalker().walk([source]).files
        guard !photos.isEmpty else { throw ValidationError("no PNG or JPEG images in \(source)") }
        let small = try photos.map { try ImageIngest.prepare(path: $0, options: ImageIngestOptions(maxSide: side)) }
        for index in 0..<images {
            let photo = small[index % small.count]
            let name = String(format: "%@/img%05d.%@", imageFolder, index, photo.outFormat == .png ? "png" : "jpg")
            try Data(photo.bytes).write(to: URL(fileURLWithPath: name))
        }
        let services = try await PeruseServices.make(baseURL: baseURL, apiKey: apiKey ?? ProcessInfo.processInfo.environment["OPENROUTER_API_KEY"] ?? "sk-or-v1-emulator", tokenizerPath: nil, concurrency: concurrency)
        var options = RunOptions()
        options.concurrency = concurrency
        options.useCache = false
        options.inputs = ["folder": imageFolder, "out": folder + "/captions.jsonl"]
        let text = ShippedPipelines.all["caption-images.yaml"] ?? ""
        let runner = try await PipelineRunner(
            definition: try PipelineParser().parse(text, file: "pipelines/caption-images.yaml"), options: options,
            environment: RunEnvironment(
                chat: services.chat, images: services.images, text: services.text, facts: services.facts,
                store: try await RunStore(path: folder + "/store.sqlite"), progress: .silent()))
        let clock = ContinuousClock()
        let start = clock.now
        let report = try await runner.run()
        let elapsed = clock.now - start
        await services.shutdown()
        let wall = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let ideal = Double(images) * latencyMs / 1000 / Double(concurrency)
        let overhead = ideal > 0 ? (wall / ideal - 1) * 100 : 0
        let sizes = small.map { "\($0.outWidth)x\($0.outHeight)" }.joined(separator: ", ")
        if json {
            try Console.line(#"{"images":\#(images),"failed":\#(report.failed),"sent":\#(report.sent),"concurrency":\#(concurrency),"latency_ms":\#(latencyMs),"wall_seconds":\#(String(format: "%.3f", wall)),"ideal_seconds":\#(String(format: "%.3f", ideal)),"overhead_percent":\#(String(format: "%.1f", overhead))}"#)
        } else {
            try Console.line(String(
                format: "caption: %d images (%@), %d sent, %d failed, concurrency %d, endpoint latency %.0f ms\n  %.2f s wall, ideal %.2f s (N·L/C): overhead %.1f%%",
                images, sizes, report.sent, report.failed, concurrency, latencyMs, wall, ideal, overhead))
        }
        if let first = report.failures.first {
            Console.error("\(report.failed) failed, the first: \(Terminal.escape(first))")
            throw ExitCode(1)
        }
    }
}
