/// The state of one `TextSplitter.split`: the pre-tokens of the chunk being built (from its
/// first byte, overlap included), fed in document order.
struct SplitRun {
    let budget: Int
    let overlapTokens: Int
    let fillFloor: Int
    let counter: any TokenCounter
    let document: TextDocument
    let bytes: UnsafeBufferPointer<UInt8>
    let emit: (TextChunk) -> Void

    // Buffered pre-tokens: start, end, tokens, and the boundary level at their start.
    private var starts: [Int] = []
    private var ends: [Int] = []
    private var tokens: [Int] = []
    private var levels: [TextBoundary] = []
    /// Pre-tokens at the head of the buffer that repeat the previous chunk.
    private var overlapPieces = 0
    private var total = 0
    private var nextIndex = 0
    private var lines = LineCursor()
    private var fences = FenceTracker()

    init(splitter: TextSplitter, document: TextDocument, bytes: UnsafeBufferPointer<UInt8>, emit: @escaping (TextChunk) -> Void) {
        self.budget = splitter.chunkTokens
        self.overlapTokens = splitter.overlapTokens
        self.fillFloor = Int(Double(splitter.chunkTokens) * splitter.minimumFill)
        self.counter = splitter.counter
        self.document = document
        self.bytes = bytes
        self.emit = emit
    }

    mutating func push(_ start: Int, _ end: Int, _ count: Int) {
        let level = boundaryLevel(at: start)
        while total + count > budget {
            if starts.count > overlapPieces {
                cut(pendingLevel: level)
            } else if !starts.isEmpty {
                // Only the overlap is left and the next pre-token does not fit beside it.
                dropAll()
            } else {
                splitOversized(start, end)
                return
            }
        }
        starts.append(start)
        ends.append(end)
        tokens.append(count)
        levels.append(level)
        total += count
    }

    mutating func finish() {
        guard starts.count > overlapPieces else { return }
        emitChunk(upTo: starts.count, tokens: total, boundary: .end)
    }

    /// Emits one chunk from the buffer, cutting at the best boundary, and keeps the overlap.
    /// Candidates are the starts of buffered pre-tokens after the overlap, and the start of
    /// the pre-token that did not fit (index `starts.count`, level `pendingLevel`).
    private mutating func cut(pendingLevel: TextBoundary) {
        var prefix = 0
        for k in 0...overlapPieces { prefix += tokens[k] }
        var best = -1
        var bestLevel = TextBoundary.end
        var bestPrefix = 0
        var fallback = -1
        var fallbackLevel = TextBoundary.end
        var fallbackPrefix = 0
        for j in (overlapPieces + 1)...starts.count {
            let level = j == starts.count ? pendingLevel : levels[j]
            if prefix >= fillFloor {
                if level <= bestLevel { best = j; bestLevel = level; bestPrefix = prefix }
            } else if level <= fallbackLevel {
                fallback = j; fallbackLevel = level; fallbackPrefix = prefix
            }
            if j < starts.count { prefix += tokens[j] }
        }
        if best < 0 { (best, bestLevel, bestPrefix) = (fallback, fallbackLevel, fallbackPrefix) }
        emitChunk(upTo: best, tokens: bestPrefix, boundary: bestLevel)
        keepOverlap(before: best)
    }

    /// Drops the emitted pre-tokens, keeping those of the overlap window that start at its
    /// largest structure.
    private mutating func keepOverlap(before cut: Int) {
        var keepFrom = cut
        if overlapTokens > 0 {
            var window = 0
            var bestLevel = TextBoundary.end
            var i = cut - 1
            while i >= 1, window + tokens[i] <= overlapTokens {
                window += tokens[i]
                if levels[i] <= bestLevel {
                    bestLevel = levels[i]
                    keepFrom = i
                }
                i -= 1
            }
        }
        starts.removeFirst(keepFrom)
        ends.removeFirst(keepFrom)
        tokens.removeFirst(keepFrom)
        levels.removeFirst(keepFrom)
        overlapPieces = cut - keepFrom
        total = tokens.reduce(0, +)
    }

    private mutating func dropAll() {
        starts.removeAll(keepingCapacity: true)
        ends.removeAll(keepingCapacity: true)
        tokens.removeAll(keepingCapacity: true)
        levels.removeAll(keepingCapacity: true)
        overlapPieces = 0
        total = 0
    }

    private mutating func emitChunk(upTo end: Int, tokens count: Int, boundary: TextBoundary) {
        let lower = starts[0]
        let upper = ends[end - 1]
        let overlapEnd = overlapPieces > 0 ? ends[overlapPieces - 1] : lower
        emitRange(lower..<upper, tokens: count, overlapBytes: overlapEnd - lower, boundary: boundary)
    }

    private mutating func emitRange(_ range: Range<Int>, tokens count: Int, overlapBytes: Int, boundary: TextBoundary) {
        let firstLine = lines.line(at: range.lowerBound, in: bytes)
        let lastLine = lines.line(at: max(range.lowerBound, range.upperBound - 1), in: bytes)
        let offset = document.fileOffset
        emit(
            TextChunk(
                index: nextIndex,
                text: String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self),
                tokens: count,
                byteRange: (range.lowerBound + offset)..<(range.upperBound + offset),
                lineRange: firstLine...lastLine,
                overlapBytes: overlapBytes,
                boundary: boundary))
        nextIndex += 1
    }

    /// A single pre-token larger than the budget: cut it at token boundaries (character
    /// boundaries for an estimate), each part counted on its own, with no overlap.
    private mutating func splitOversized(_ start: Int, _ end: Int) {
        var cuts: [Int] = []
        let piece = UnsafeBufferPointer(rebasing: bytes[start..<end])
        if let tokenizer = counter as? LlamaTokenizer {
            cuts = tokenizer.tokenRanges(utf8: piece).map { start + $0.upperBound }
        } else {
            cuts = (start + 1...end).filter { $0 == end || bytes[$0] & 0xC0 != 0x80 }
        }
        cuts = cuts.filter { $0 == end || bytes[$0] & 0xC0 != 0x80 }
        var lower = start
        var first = 0  // index of the first cut after `lower`
        while lower < end {
            // Gallop to bracket the furthest cut whose part still fits, then bisect: a part's
            // count grows with its length, and counting the whole rest each time would be
            // quadratic on a megabyte-long line.
            var good = first
            var goodCount = count(lower, cuts[first])
            var bad = cuts.count
            var step = 1
            while good + step < cuts.count {
                let c = count(lower, cuts[good + step])
                if c > budget {
                    bad = good + step
                    break
                }
                good += step
                goodCount = c
                step *= 2
            }
            while bad - good > 1 {
                let mid = (good + bad) / 2
                let c = count(lower, cuts[mid])
                if c <= budget {
                    good = mid
                    goodCount = c
                } else {
                    bad = mid
                }
            }
            let upper = cuts[good]
            emitRange(lower..<upper, tokens: goodCount, overlapBytes: 0, boundary: upper == end ? boundaryAfter(end) : .token)
            lower = upper
            first = good + 1
        }
    }

    private func count(_ lower: Int, _ upper: Int) -> Int {
        counter.count(utf8: UnsafeBufferPointer(rebasing: bytes[lower..<upper]))
    }

    private func boundaryAfter(_ position: Int) -> TextBoundary {
        guard position < bytes.count else { return .end }
        let next = bytes[position]
        return next == 0x20 || next == 0x09 || next == 0x0A || next == 0x0D ? .word : .token
    }

    /// The structure at byte `b`, the start of a pre-token (see `TextBoundary`).
    private mutating func boundaryLevel(at b: Int) -> TextBoundary {
        guard b > 0 else { return .end }
        let before = bytes[b - 1]
        if before == 0x0A {
            if document.kind == .markdown, !fences.isInFence(at: b, in: bytes),
                MarkdownLine.isHeading(at: b, in: bytes)
            {
                return .heading
            }
            var k = b - 2
            while k >= 0, bytes[k] == 0x20 || bytes[k] == 0x09 || bytes[k] == 0x0D { k -= 1 }
            return k < 0 || bytes[k] == 0x0A ? .paragraph : .line
        }
        let here = bytes[b]
        let hereIsSpace = here == 0x20 || here == 0x09 || here == 0x0A || here == 0x0D
        if SentenceEnd.isSentenceEnd(before: b, in: bytes, followedBySpace: hereIsSpace) { return .sentence }
        if hereIsSpace || before == 0x20 || before == 0x09 || before == 0x0D { return .word }
        return .token
    }
}
