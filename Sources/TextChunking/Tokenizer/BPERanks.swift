/// The merge ranks of a byte-level BPE vocabulary (tiktoken format), with a lookup from a
/// byte span to its rank that neither allocates nor copies.
///
/// Token bytes live in one flat buffer; an open-addressing hash table maps them to ranks.
/// `Dictionary<[UInt8], Int>` would allocate an array for every lookup, and lookups are the
/// hot loop of BPE.
// @unchecked Sendable: every stored property is written once in `init` and only read after.
final class BPERanks: @unchecked Sendable {
    /// Number of ranks (tokens) in the file.
    let count: Int
    /// The longest token in bytes: longer spans are not looked up at all.
    let maxTokenLength: Int
    private let bytes: UnsafeMutablePointer<UInt8>
    private let offsets: UnsafeMutablePointer<Int32>  // count + 1 entries, indexed by rank
    private let slots: UnsafeMutablePointer<Int32>  // rank, or -1 for an empty slot
    private let mask: Int

    /// Parses a tiktoken ranks file: one `base64(token bytes) rank` line per token, ranks
    /// 0..<n each exactly once.
    /// - Throws: `TextChunkingError.invalidTokenizerFile` naming the line that is wrong.
    init(fileContents data: UnsafeBufferPointer<UInt8>, path: String) throws {
        var tokenBytes: [UInt8] = []
        tokenBytes.reserveCapacity(data.count)
        var spans: [(rank: Int, start: Int, end: Int)] = []
        spans.reserveCapacity(data.count / 12)
        var line = 0
        var i = 0
        while i < data.count {
            line += 1
            var lineEnd = i
            while lineEnd < data.count, data[lineEnd] != 0x0A { lineEnd += 1 }
            var end = lineEnd
            if end > i, data[end - 1] == 0x0D { end -= 1 }
            defer { i = lineEnd + 1 }
            if end == i { continue }  // blank line
            var space = i
            while space < end, data[space] != 0x20 { space += 1 }
            guard space < end, let rank = Self.parseRank(data, space + 1, end) else {
                throw TextChunkingError(
                    .invalidTokenizerFile,
                    "\(path): line \(line) is not `base64 rank`; expected a tiktoken ranks file such as Meta's Llama 4 tokenizer.model")
            }
            let start = tokenBytes.count
            guard Self.decodeBase64(data, i, space, into: &tokenBytes) else {
                throw TextChunkingError(
                    .invalidTokenizerFile, "\(path): line \(line) has invalid base64 before the rank")
            }
            spans.append((rank, start, tokenBytes.count))
        }
        guard !spans.isEmpty else {
            throw TextChunkingError(.invalidTokenizerFile, "\(path): no ranks found (empty file?)")
        }
        let n = spans.count
        let offsets = UnsafeMutablePointer<Int32>.allocate(capacity: n + 1)
        let ordered = UnsafeMutablePointer<UInt8>.allocate(capacity: max(1, tokenBytes.count))
        var seen = [Bool](repeating: false, count: n)
        // Ranks must be a permutation of 0..<n so that rank can index the token table.
        var byRank = [Int](repeating: -1, count: n)
        for (index, span) in spans.enumerated() {
            guard span.rank < n, !seen[span.rank] else {
                offsets.deallocate()
                ordered.deallocate()
                throw TextChunkingError(
                    .invalidTokenizerFile,
                    "\(path): rank \(span.rank) is repeated or out of range 0..<\(n)")
            }
            seen[span.rank] = true
            byRank[span.rank] = index
        }
        var position = 0
        var longest = 0
        for rank in 0..<n {
            let span = spans[byRank[rank]]
            offsets[rank] = Int32(position)
            for k in span.start..<span.end { ordered[position] = tokenBytes[k]; position += 1 }
            longest = max(longest, span.end - span.start)
        }
        offsets[n] = Int32(position)
        var size = 1
        while size < n * 2 { size <<= 1 }
        let slots = UnsafeMutablePointer<Int32>.allocate(capacity: size)
        slots.initialize(repeating: -1, count: size)
        self.count = n
        self.maxTokenLength = longest
        self.bytes = ordered
        self.offsets = offsets
        self.slots = slots
        self.mask = size - 1
        for rank in 0..<n {
            let start = Int(offsets[rank])
            let length = Int(offsets[rank + 1]) - start
            var slot = Int(truncatingIfNeeded: Self.hash(UnsafePointer(ordered + start), length)) & mask
            while slots[slot] >= 0 { slot = (slot + 1) & mask }
            slots[slot] = Int32(rank)
        }
    }

    deinit {
        bytes.deallocate()
        offsets.deallocate()
        slots.deallocate()
    }

    /// The rank of the `length` bytes at `start`, or -1 when they are not a token.
    @inline(__always)
    func rank(_ start: UnsafePointer<UInt8>, _ length: Int) -> Int {
        guard length <= maxTokenLength else { return -1 }
        return rank(start, length, hash: Self.hash(start, length))
    }

    /// As `rank(_:_:)` with the span's hash already computed.
    @inline(__always)
    func rank(_ start: UnsafePointer<UInt8>, _ length: Int, hash: UInt64) -> Int {
        guard length <= maxTokenLength else { return -1 }
        var slot = Int(truncatingIfNeeded: hash) & mask
        while true {
            let candidate = Int(slots[slot])
            if candidate < 0 { return -1 }
            let tokenStart = Int(offsets[candidate])
            if Int(offsets[candidate + 1]) - tokenStart == length,
                memoryEqual(bytes + tokenStart, start, length)
            {
                return candidate
            }
            slot = (slot + 1) & mask
        }
    }

    /// The bytes of the token of `rank`.
    func tokenBytes(_ rank: Int) -> UnsafeBufferPointer<UInt8> {
        let start = Int(offsets[rank])
        return UnsafeBufferPointer(start: bytes + start, count: Int(offsets[rank + 1]) - start)
    }

    /// A fast 64-bit hash of a short byte span (8 bytes per step, then a final mix).
    @inline(__always)
    static func hash(_ start: UnsafePointer<UInt8>, _ length: Int) -> UInt64 {
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(length)
        var i = 0
        let raw = UnsafeRawPointer(start)
        while i + 8 <= length {
            let word = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            h = (h ^ word) &* 0xFF51_AFD7_ED55_8CCD
            h ^= h >> 32
            i += 8
        }
        if i < length {
            var tail: UInt64 = 0
            var shift: UInt64 = 0
            while i < length {
                tail |= UInt64(start[i]) << shift
                shift += 8
                i += 1
            }
            h = (h ^ tail) &* 0xC4CE_B9FE_1A85_EC53
        }
        h ^= h >> 29
        h = h &* 0xFF51_AFD7_ED55_8CCD
        return h ^ (h >> 32)
    }

    @inline(__always)
    private func memoryEqual(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ n: Int) -> Bool {
        var i = 0
        while i < n {
            if a[i] != b[i] { return false }
            i += 1
        }
        return true
    }

    private static func parseRank(_ data: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Int? {
        guard start < end, end - start <= 9 else { return nil }
        var value = 0
        for k in start..<end {
            let digit = Int(data[k]) - 0x30
            guard digit >= 0, digit <= 9 else { return nil }
            value = value * 10 + digit
        }
        return value
    }

    private static func decodeBase64(
        _ data: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, into out: inout [UInt8]
    ) -> Bool {
        var accumulator: UInt32 = 0
        var bits = 0
        var k = start
        while k < end {
            let c = data[k]
            let value: UInt32
            switch c {
            case 0x41...0x5A: value = UInt32(c - 0x41)
            case 0x61...0x7A: value = UInt32(c - 0x61 + 26)
            case 0x30...0x39: value = UInt32(c - 0x30 + 52)
            case 0x2B: value = 62
            case 0x2F: value = 63
            case 0x3D: return true  // padding ends the token
            default: return false
            }
            accumulator = (accumulator << 6) | value
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(bits)))
            }
            k += 1
        }
        return true
    }
}
