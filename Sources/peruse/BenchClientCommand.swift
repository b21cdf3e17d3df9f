import ArgumentParser
import Foundation
import OpenRouter

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `peruse bench client`: throughput and CPU cost of the OpenRouter client against a local
/// endpoint (the emulator). Compare with `scripts/bench/openai_client_bench.py`, which runs
/// Python's official `openai.AsyncOpenAI` the same way.
struct BenchClientCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "client",
        abstract: "Requests per second and CPU time per request of the OpenRouter client.",
        discussion: """
            Start the emulator first (`openrouter-emulator --port 8089`), then \
            `peruse bench client --base-url http://127.0.0.1:8089/api/v1 --concurrency 16 --requests 2000 --image-kb 200`. \
            Every request carries one image of about --image-kb KB (a synthetic PNG, or --image FILE).
            """)

    @Option(name: .long, help: "API root of a local endpoint (e.g. the emulator's).")
    var baseURL: String

    @Option(name: .long, help: "Requests in flight at once.")
    var concurrency = 16

    @Option(name: .long, help: "Requests to send (after --warmup).")
    var requests = 500

    @Option(name: .long, help: "Warm-up requests, not measured.")
    var warmup = 32

    @Option(name: .long, help: "Approximate size of the synthetic PNG sent with each request, in KB.")
    var imageKB = 200

    @Option(name: .long, help: "Send this image file instead of a synthetic PNG.")
    var image: String?

    /// The emulator's default key (`EmulatorConfiguration.defaultAPIKey`); never a real one.
    @Option(name: .long, help: "Bearer key the endpoint accepts (default: the emulator's).")
    var apiKey = "sk-or-v1-emulator"

    @Option(name: .long, help: "Model id to ask.")
    var model = SeedModels.maverick

    @Option(name: .long, help: "Also write the image sent to this file (to check or to reuse).")
    var saveImage: String?

    @Flag(name: .long, help: "Stream the answers (SSE) instead of one JSON body.")
    var stream = false

    @Flag(name: .long, help: "Print the result as one JSON object.")
    var json = false

    func validate() throws {
        guard concurrency > 0, requests > 0, warmup >= 0, imageKB > 0 else {
            throw ValidationError("--concurrency, --requests and --image-kb must be positive.")
        }
    }

    func run() async throws {
        let data = try image.map { try Data(contentsOf: URL(fileURLWithPath: $0)) }
            ?? Data(SyntheticPNG.make(approximateBytes: imageKB * 1024))
        let mime = data.starts(with: [0x89, 0x50, 0x4E, 0x47]) ? "image/png" : "image/jpeg"
        let imageURL = ImageURL(mimeType: mime, base64: data.base64EncodedString())
        let imageBytes = data.count
        if let saveImage { try data.write(to: URL(fileURLWithPath: saveImage)) }

        var configuration = OpenRouterConfiguration(
            baseURL: baseURL, apiKey: apiKey,
            requestsPerMinute: Int.max / 2, maxConcurrency: concurrency, retryPolicy: .none)
        configuration.modelCacheDirectory = nil
        let client = OpenRouterClient(configuration: configuration)
        let streamAnswers = stream
        let model = self.model
        @Sendable func one(_ index: Int) async -> Bool {
            var request = ChatRequest(
                model: model, messages: [.user(text: "Describe image \(index) in one sentence.", images: [imageURL])])
            request.maxTokens = 64
            return (try? await client.complete(request, streamed: streamAnswers)) != nil
        }

        do {
            _ = try await runAll(count: warmup, concurrency: concurrency, one)
            let before = cpuSeconds()
            let clock = ContinuousClock()
            let start = clock.now
            let (ok, latencies) = try await runAll(count: requests, concurrency: concurrency, one)
            let wall = (clock.now - start).seconds
            let cpu = cpuSeconds() - before
            try await client.shutdown()

            let sorted = latencies.sorted()
            let result = BenchResult(
                client: "peruse (Swift, AsyncHTTPClient)", requests: requests, ok: ok, concurrency: concurrency,
                imageBytes: imageBytes, stream: stream, wallSeconds: wall, requestsPerSecond: Double(requests) / wall,
                cpuMillisecondsPerRequest: cpu * 1000 / Double(requests),
                p50Milliseconds: sorted[sorted.count / 2] * 1000,
                p95Milliseconds: sorted[min(sorted.count - 1, sorted.count * 95 / 100)] * 1000)
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys]
                try Console.line(String(decoding: try encoder.encode(result), as: UTF8.self))
            } else {
                try Console.line(result.text)
            }
            if ok < requests { throw ExitCode(1) }
        } catch {
            try? await client.shutdown()
            throw error
        }
    }

    /// Runs `count` requests with at most `concurrency` in flight; returns successes and latencies.
    private func runAll(count: Int, concurrency: Int, _ one: @escaping @Sendable (Int) async -> Bool) async throws
        -> (Int, [Double])
    {
        guard count > 0 else { return (0, [0]) }
        return await withTaskGroup(of: (Bool, Double).self) { group in
            let clock = ContinuousClock()
            var next = 0
            var ok = 0
            var latencies: [Double] = []
            latencies.reserveCapacity(count)
            func launch(_ index: Int) {
                group.addTask {
                    let start = clock.now
                    let success = await one(index)
                    return (success, (clock.now - start).seconds)
                }
            }
            while next < min(concurrency, count) {
                launch(next)
                next += 1
            }
            for await (success, latency) in group {
                if success { ok += 1 }
                latencies.append(latency)
                if next < count {
                    launch(next)
                    next += 1
                }
            }
            return (ok, latencies)
        }
    }

    private func cpuSeconds() -> Double {
        var usage = rusage()
        #if canImport(Glibc)
            getrusage(RUSAGE_SELF.rawValue, &usage)
        #else
            getrusage(RUSAGE_SELF, &usage)
        #endif
        func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }
}

private struct BenchResult: Encodable {
    var client: String
    var requests: Int
    var ok: Int
    var concurrency: Int
    var imageBytes: Int
    var stream: Bool
    var wallSeconds: Double
    var requestsPerSecond: Double
    var cpuMillisecondsPerRequest: Double
    var p50Milliseconds: Double
    var p95Milliseconds: Double

    var text: String {
        String(
            format: "%@: %d/%d ok, concurrency %d, image %d bytes%@\n  %.1f requests/s, %.2f ms CPU per request, latency p50 %.1f ms, p95 %.1f ms (%.2f s wall)",
            client, ok, requests, concurrency, imageBytes, stream ? ", streamed" : "", requestsPerSecond,
            cpuMillisecondsPerRequest, p50Milliseconds, p95Milliseconds, wallSeconds)
    }
}

extension Duration {
    fileprivate var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}

/// A valid PNG of about the requested size: deterministic noise (incompressible, like a photo's
/// JPEG) in stored deflate blocks, so it needs no image library. The Python benchmark builds the
/// same image byte for byte.
enum SyntheticPNG {
    static func make(approximateBytes: Int) -> [UInt8] {
        let width = 256
        let rowBytes = 1 + width * 3
        let height = max(1, approximateBytes / rowBytes)
        var raw: [UInt8] = []
        raw.reserveCapacity(rowBytes * height)
        var state: UInt32 = 0x1234_5678
        for _ in 0..<height {
            raw.append(0)  // filter: none
            for _ in 0..<(width * 3) {
                state = state &* 1_664_525 &+ 1_013_904_223  // Numerical Recipes LCG
                raw.append(UInt8(truncatingIfNeeded: state >> 24))
            }
        }
        var png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        var ihdr: [UInt8] = []
        ihdr += bigEndian(UInt32(width)) + bigEndian(UInt32(height))
        ihdr += [8, 2, 0, 0, 0]  // 8-bit RGB, deflate, no filter method, no interlace
        chunk("IHDR", ihdr, into: &png)
        chunk("IDAT", zlibStored(raw), into: &png)
        chunk("IEND", [], into: &png)
        return png
    }

    private static func zlibStored(_ data: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [0x78, 0x01]
        var offset = 0
        repeat {
            let length = min(65_535, data.count - offset)
            let final: UInt8 = offset + length == data.count ? 1 : 0
            out.append(final)
            out += [UInt8(length & 0xFF), UInt8(length >> 8), UInt8(~length & 0xFF), UInt8((~length >> 8) & 0xFF)]
            out += data[offset..<offset + length]
            offset += length
        } while offset < data.count
        var a: UInt32 = 1
        var b: UInt32 = 0
        for byte in data {
            a = (a + UInt32(byte)) % 65_521
            b = (b + a) % 65_521
        }
        out += bigEndian(b << 16 | a)
        return out
    }

    private static func chunk(_ type: String, _ data: [UInt8], into png: inout [UInt8]) {
        png += bigEndian(UInt32(data.count))
        let typed = Array(type.utf8) + data
        png += typed
        png += bigEndian(crc32(typed))
    }

    private static let crcTable: [UInt32] = (0..<256).map { n -> UInt32 in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    private static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        for byte in bytes { c = crcTable[Int((c ^ UInt32(byte)) & 0xFF)] ^ (c >> 8) }
        return c ^ 0xFFFF_FFFF
    }

    private static func bigEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)]
    }
}
