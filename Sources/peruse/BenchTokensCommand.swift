import ArgumentParser
import Foundation
import TextChunking

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `peruse bench tokens`: tokenizer speed side by side with tiktoken on the same file, and
/// the time and peak memory of splitting a large document.
struct BenchTokensCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokens",
        abstract: "Benchmark token counting (against tiktoken) and document splitting.",
        discussion: """
            --count FILE times counting FILE with the Swift tokenizer and with tiktoken (python3, \
            same tokenizer file and pattern), best of --runs each, one thread each. --split FILE \
            loads and splits FILE and reports wall time and the process's peak RSS (run it \
            alone for a clean RSS figure). Without either, both run on the text fixtures \
            (bench-10mb.txt, bench-100mb.txt from scripts/fixtures/text.sh).
            """)

    @Option(help: "Meta's Llama 4 tokenizer.model. Default: $PERUSE_TOKENIZER, else ../shared/llama4/tokenizer.model.")
    var tokenizer: String?

    @Option(help: "Text file to count with both tokenizers.")
    var count: String?

    @Option(help: "Text file to split.")
    var split: String?

    @Option(help: "Chunk size in tokens for --split.")
    var chunkTokens = 100_000

    @Option(help: "Overlap in tokens for --split.")
    var overlap = 1_000

    @Option(help: "Timed runs of each tokenizer (the best is reported).")
    var runs = 3

    @Option(help: "Python with tiktoken installed.")
    var python = "python3"

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let fixtures = environment["PERUSE_FIXTURES"].map { $0 + "/text" } ?? ".fixtures/text"
        let tokenizerPath = tokenizer ?? environment[TokenCounterResolver.environmentVariable] ?? "../shared/llama4/tokenizer.model"
        var countFile = count
        var splitFile = split
        if countFile == nil && splitFile == nil {
            countFile = fixtures + "/bench-10mb.txt"
            splitFile = fixtures + "/bench-100mb.txt"
        }
        let loadStart = ContinuousClock.now
        let llama = try LlamaTokenizer(contentsOf: tokenizerPath)
        try Console.line("tokenizer: \(tokenizerPath), \(llama.rankCount) ranks, loaded in \(format(ContinuousClock.now - loadStart))")
        if let countFile { try benchCount(countFile, llama, tokenizerPath) }
        if let splitFile { try benchSplit(splitFile, llama) }
    }

    private func benchCount(_ path: String, _ llama: LlamaTokenizer, _ tokenizerPath: String) throws {
        let document = try TextDocument(contentsOf: path)
        let megabytes = Double(document.utf8.count) / 1_000_000
        var best = Duration.seconds(1_000_000)
        var bestCPU = Double.infinity
        var tokens = 0
        for _ in 0..<max(1, runs) {
            let start = ContinuousClock.now
            let cpuStart = cpuSeconds()
            tokens = document.utf8.withUnsafeBufferPointer { llama.count(utf8: $0) }
            best = min(best, ContinuousClock.now - start)
            bestCPU = min(bestCPU, cpuSeconds() - cpuStart)
        }
        let swiftSeconds = seconds(best)
        try Console.line(String(format: "swift    %@: %.1f MB, %d tokens, best of %d: %.3f s wall (%.1f MB/s), %.3f s CPU", path, megabytes, tokens, runs, swiftSeconds, megabytes / swiftSeconds, bestCPU))
        var estimateBest = Duration.seconds(1_000_000)
        var estimate = 0
        for _ in 0..<max(1, runs) {
            let start = ContinuousClock.now
            estimate = document.utf8.withUnsafeBufferPointer { TokenEstimator().count(utf8: $0) }
            estimateBest = min(estimateBest, ContinuousClock.now - start)
        }
        try Console.line(String(format: "estimate %@: %d tokens (%+.1f%%), %.3f s", path, estimate, 100 * (Double(estimate) / Double(max(tokens, 1)) - 1), seconds(estimateBest)))
        guard let (referenceTokens, referenceSeconds, referenceCPU) = try runTiktoken(path, tokenizerPath) else { return }
        try Console.line(String(format: "tiktoken %@: %d tokens, best of %d: %.3f s wall (%.1f MB/s), %.3f s CPU", path, referenceTokens, runs, referenceSeconds, megabytes / referenceSeconds, referenceCPU))
        try Console.line(String(format: "ratio swift/tiktoken: %.2f× wall, %.2f× CPU; counts %@", swiftSeconds / referenceSeconds, bestCPU / referenceCPU, referenceTokens == tokens ? "equal" : "DIFFER"))
        if referenceTokens != tokens { throw ExitCode(1) }
    }

    /// Runs tiktoken on the same file with the same ranks and pattern, timing only encoding.
    private func runTiktoken(_ path: String, _ tokenizerPath: String) throws -> (Int, Double, Double)? {
        let script = """
            import sys, time, tiktoken
            from tiktoken.load import load_tiktoken_bpe
            pat = r\"\"\"\(TokenizerPattern.o200k)\"\"\"
            enc = tiktoken.Encoding(name="llama4", pat_str=pat, mergeable_ranks=load_tiktoken_bpe(sys.argv[1]), special_tokens={})
            text = open(sys.argv[2], "rb").read().decode("utf-8-sig")
            best, cpu = 1e9, 1e9
            for _ in range(int(sys.argv[3])):
                t, c = time.perf_counter(), time.process_time()
                n = len(enc.encode_ordinary(text))
                best, cpu = min(best, time.perf_counter() - t), min(cpu, time.process_time() - c)
            print(n, best, cpu)
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [python, "-c", script, tokenizerPath, path, String(max(1, runs))]
        let output = Pipe()
        process.standardOutput = output
        do { try process.run() } catch {
            try Console.line("tiktoken: cannot run \(python) (\(error)); skipped")
            return nil
        }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let fields = String(decoding: data, as: UTF8.self).split(whereSeparator: { $0 == " " || $0 == "\n" })
        guard process.terminationStatus == 0, fields.count == 3, let n = Int(fields[0]),
            let wall = Double(fields[1]), let cpu = Double(fields[2])
        else {
            try Console.line("tiktoken: \(python) failed (is tiktoken installed? scripts/setup.sh --bench); skipped")
            return nil
        }
        return (n, wall, cpu)
    }

    /// CPU time of this process so far (wall time on a loaded machine says little).
    private func cpuSeconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    private func benchSplit(_ path: String, _ llama: LlamaTokenizer) throws {
        let start = ContinuousClock.now
        let cpuStart = cpuSeconds()
        let document = try TextDocument(contentsOf: path)
        let loaded = ContinuousClock.now - start
        let splitter = try TextSplitter(counter: llama, chunkTokens: chunkTokens, overlapTokens: overlap)
        var chunks = 0
        var tokens = 0
        var largest = 0
        splitter.split(document) { chunk in
            chunks += 1
            tokens += chunk.tokens
            largest = max(largest, chunk.tokens)
        }
        let total = ContinuousClock.now - start
        try Console.line(String(format: "split    %@: %.1f MB, loaded in %@, %d chunks of ≤ %d tokens (largest %d, overlap %d), total %@ wall, %.2f s CPU, peak RSS %.0f MB",
            path, Double(document.utf8.count) / 1_000_000, format(loaded), chunks, chunkTokens, largest, overlap, format(total), cpuSeconds() - cpuStart, peakRSSMegabytes()))
    }

    private func peakRSSMegabytes() -> Double {
        var usage = rusage()
        #if os(Linux)
            getrusage(RUSAGE_SELF.rawValue, &usage)
        #else
            getrusage(RUSAGE_SELF, &usage)
        #endif
        #if os(Linux)
            return Double(usage.ru_maxrss) / 1024  // kilobytes on Linux
        #else
            return Double(usage.ru_maxrss) / 1_048_576  // bytes on macOS
        #endif
    }

    private func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }

    private func format(_ d: Duration) -> String { String(format: "%.2f s", seconds(d)) }
}
