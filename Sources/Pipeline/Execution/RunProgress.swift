import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

#if canImport(Glibc)
    private let systemWrite = Glibc.write
#elseif canImport(Darwin)
    private let systemWrite = Darwin.write
#endif

/// Counts what a run has done and shows it: a live bar (redrawn in place) on a terminal,
/// plain periodic lines otherwise (logs, CI). Writes to standard error so results on
/// standard output stay clean.
public actor RunProgress {
    public struct Snapshot: Sendable, Equatable {
        public var step = ""
        public var total = 0
        public var done = 0
        public var failed = 0
        public var inFlight = 0
        public var sent = 0
        public var cached = 0
        public var promptTokens = 0
        public var completionTokens = 0
        public var cost = 0.0
    }

    public private(set) var snapshot = Snapshot()
    private let live: Bool
    private let interval: Duration
    private let write: @Sendable (String) -> Void
    private var stepStart = ContinuousClock.now
    private var lastDraw = ContinuousClock.now
    private var drawn = false
    private var heartbeat: Task<Void, Never>?

    /// - Parameters:
    ///   - live: redraw one line in place (a terminal); otherwise print a line per `interval`.
    ///   - write: where text goes (standard error by default).
    public init(
        live: Bool, interval: Duration = .seconds(5),
        write: @escaping @Sendable (String) -> Void = RunProgress.standardError
    ) {
        self.live = live
        self.interval = live ? .milliseconds(100) : interval
        self.write = write
    }

    /// Writes to standard error with `write(2)`, ignoring failures: Foundation's legacy
    /// `FileHandle.write(_:)` traps when standard error is full or closed, and progress is
    /// not worth a crash.
    public static let standardError: @Sendable (String) -> Void = { text in
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { systemWrite(STDERR_FILENO, $0.baseAddress, $0.count) }
            if written < 0 && errno == EINTR { continue }
            if written <= 0 { return }
            offset += written
        }
    }

    /// A progress that is never shown (tests, library use).
    public static func silent() -> RunProgress { RunProgress(live: false, interval: .seconds(1_000_000)) { _ in } }

    func beginStep(_ name: String, total: Int) {
        finishLine()
        snapshot.step = name
        snapshot.total = total
        snapshot.done = 0
        snapshot.failed = 0
        stepStart = .now
        draw(force: true)
    }

    func requestStarted() {
        snapshot.inFlight += 1
        startHeartbeat()
        draw()
    }
    func requestEnded() { snapshot.inFlight -= 1 }

    func itemFinished(ok: Bool, answer: ModelAnswer?, cached: Bool, sent: Bool) {
        snapshot.done += 1
        if !ok { snapshot.failed += 1 }
        if cached { snapshot.cached += 1 }
        if sent { snapshot.sent += 1 }
        if let answer, sent {
            snapshot.promptTokens += answer.promptTokens
            snapshot.completionTokens += answer.completionTokens
            snapshot.cost += answer.cost ?? 0
        }
        draw(force: snapshot.done == snapshot.total)
    }

    /// Prints a line of its own (a skipped file), keeping the progress line intact.
    public func note(_ text: String) {
        finishLine()
        write(text + "\n")
    }

    /// Ends the current line (call before printing anything else).
    public func finishLine() {
        heartbeat?.cancel()
        heartbeat = nil
        if live && drawn { write("\n") }
        drawn = false
    }

    /// Plain lines also while nothing completes (a slow or silent server): without it a log
    /// showed nothing for minutes. The bar on a terminal needs none.
    private func startHeartbeat() {
        guard !live, heartbeat == nil else { return }
        heartbeat = Task { [weak self] in
            while !Task.isCancelled {
                guard let wait = await self?.untilNextBeat() else { return }
                try? await Task.sleep(for: wait)
                await self?.beat()
            }
        }
    }

    private func untilNextBeat() -> Duration {
        max(.milliseconds(20), interval - (ContinuousClock.now - lastDraw))
    }

    private func beat() {
        if snapshot.inFlight > 0 { draw() }
    }

    private func draw(force: Bool = false) {
        let now = ContinuousClock.now
        guard force || now - lastDraw >= interval else { return }
        lastDraw = now
        let line = Self.format(snapshot, elapsed: now - stepStart, width: live ? 24 : 0)
        if live {
            write("\r\u{1B}[2K" + line)
            drawn = true
        } else {
            write(line + "\n")
        }
    }

    /// One progress line: `captions [######----] 40/100 · 2 failed · 8 in flight · 12.3k tok · $0.0012 · ETA 0:42`.
    static func format(_ s: Snapshot, elapsed: Duration, width: Int) -> String {
        var parts: [String] = []
        var head = s.step
        if width > 0 {
            let filled = s.total > 0 ? min(width, s.done * width / s.total) : 0
            head += " [" + String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled) + "]"
        }
        parts.append("\(head) \(s.done)/\(s.total)")
        if s.failed > 0 { parts.append("\(s.failed) failed") }
        parts.append("\(s.inFlight) in flight")
        let tokens = s.promptTokens + s.completionTokens
        parts.append(tokens >= 10_000 ? String(format: "%.1fk tok", Double(tokens) / 1000) : "\(tokens) tok")
        parts.append(String(format: "$%.4f", s.cost))
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        if s.done > 0 && s.done < s.total {
            let eta = Int((seconds / Double(s.done) * Double(s.total - s.done)).rounded())
            parts.append(String(format: "ETA %d:%02d", eta / 60, eta % 60))
        }
        return parts.joined(separator: " · ")
    }
}
