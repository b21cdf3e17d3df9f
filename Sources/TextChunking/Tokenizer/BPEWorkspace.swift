/// Scratch space for BPE merges and a cache of recent pre-token counts, for one pass over
/// one text (so it is never shared between threads and needs no lock).
final class BPEWorkspace {
    private let ranks: BPERanks
    /// Boundaries of the parts of the last merged piece: `starts[0] = 0 … starts[n] = length`.
    private var starts: UnsafeMutablePointer<Int>
    private var pairRanks: UnsafeMutablePointer<Int>
    private var capacity: Int

    // Direct-mapped cache of piece → token count for pieces of up to `cacheKeyLength` bytes.
    // Words repeat a lot in real text, so most multi-token pieces are merged only once.
    private static let cacheKeyLength = 32
    private let cacheMask: Int
    private let cacheHashes: UnsafeMutablePointer<UInt64>
    private let cacheCounts: UnsafeMutablePointer<Int32>  // 0 marks an empty slot
    private let cacheKeys: UnsafeMutablePointer<UInt8>

    /// Pieces longer than this merge with a heap (O(n log n)) instead of rescanning (O(n²)).
    static let heapThreshold = 128

    init(ranks: BPERanks, textLength: Int) {
        self.ranks = ranks
        capacity = 256
        starts = .allocate(capacity: capacity + 1)
        pairRanks = .allocate(capacity: capacity + 1)
        var slots = 64
        while slots < 16384, slots * 16 < textLength { slots <<= 1 }
        cacheMask = slots - 1
        cacheHashes = .allocate(capacity: slots)
        cacheCounts = .allocate(capacity: slots)
        cacheCounts.initialize(repeating: 0, count: slots)
        cacheKeys = .allocate(capacity: slots * Self.cacheKeyLength)
    }

    deinit {
        starts.deallocate()
        pairRanks.deallocate()
        cacheHashes.deallocate()
        cacheCounts.deallocate()
        cacheKeys.deallocate()
    }

    /// The number of tokens of one pre-token.
    @inline(__always)
    func tokenCount(_ piece: UnsafePointer<UInt8>, _ length: Int) -> Int {
        if length == 1 { return 1 }
        if length > ranks.maxTokenLength { return mergeBoundaries(piece, length) }
        let hash = BPERanks.hash(piece, length)
        // tiktoken's own fast path: a piece that is a token is that one token.
        if ranks.rank(piece, length, hash: hash) >= 0 { return 1 }
        guard length < Self.cacheKeyLength else { return mergeBoundaries(piece, length) }
        let slot = Int(truncatingIfNeeded: hash >> 7) & cacheMask
        let key = cacheKeys + slot * Self.cacheKeyLength
        let cached = Int(cacheCounts[slot])
        if cached > 0, cacheHashes[slot] == hash, Int(key[Self.cacheKeyLength - 1]) == length,
            (0..<length).allSatisfy({ key[$0] == piece[$0] })
        {
            return cached
        }
        let count = mergeBoundaries(piece, length)
        cacheHashes[slot] = hash
        cacheCounts[slot] = Int32(count)
        for k in 0..<length { key[k] = piece[k] }
        key[Self.cacheKeyLength - 1] = UInt8(length)
        return count
    }

    /// Appends the token ids of one pre-token to `ids`.
    func encode(_ piece: UnsafePointer<UInt8>, _ length: Int, into ids: inout [Int]) {
        let whole = ranks.rank(piece, length)
        if whole >= 0 {
            ids.append(whole)
            return
        }
        let parts = mergeBoundaries(piece, length)
        for k in 0..<parts {
            let rank = ranks.rank(piece + starts[k], starts[k + 1] - starts[k])
            ids.append(max(rank, 0))  // every single byte has a rank (checked at load)
        }
    }

    /// The start of part `k` of the last merged piece (part `n` is the piece's end).
    func boundary(_ k: Int) -> Int { starts[k] }

    /// Runs the BPE merges on one pre-token and returns the number of parts (tokens); the
    /// parts' boundaries are left in `starts`. Equal to tiktoken's `byte_pair_merge`: the
    /// adjacent pair of lowest rank merges first, the leftmost on ties.
    func mergeBoundaries(_ piece: UnsafePointer<UInt8>, _ length: Int) -> Int {
        if length > capacity { grow(to: length) }
        if ranks.rank(piece, length) >= 0 {
            starts[0] = 0
            starts[1] = length
            return 1
        }
        if length > Self.heapThreshold { return heapMerge(piece, length) }
        return scanMerge(piece, length)
    }

    private func grow(to length: Int) {
        starts.deallocate()
        pairRanks.deallocate()
        capacity = length
        starts = .allocate(capacity: capacity + 1)
        pairRanks = .allocate(capacity: capacity + 1)
    }

    /// tiktoken's algorithm: rescan for the lowest-ranked pair after each merge (fast for
    /// the short pieces of real text).
    private func scanMerge(_ piece: UnsafePointer<UInt8>, _ length: Int) -> Int {
        let none = Int.max
        for k in 0...length { starts[k] = k }
        for k in 0..<(length - 1) {
            let rank = ranks.rank(piece + k, 2)
            pairRanks[k] = rank >= 0 ? rank : none
        }
        pairRanks[length - 1] = none
        pairRanks[length] = none
        var n = length + 1  // boundaries
        // Rank of the span from boundary i to boundary i + 3 (the pair i, i+1 after merging).
        func spanRank(_ i: Int) -> Int {
            guard i + 3 < n else { return none }
            let rank = ranks.rank(piece + starts[i], starts[i + 3] - starts[i])
            return rank >= 0 ? rank : none
        }
        while true {
            var best = none
            var i = -1
            for k in 0..<(n - 1) where pairRanks[k] < best {
                best = pairRanks[k]
                i = k
            }
            if i < 0 { break }
            if i > 0 { pairRanks[i - 1] = spanRank(i - 1) }
            pairRanks[i] = spanRank(i)
            // Remove boundary i + 1.
            var k = i + 1
            while k < n - 1 {
                starts[k] = starts[k + 1]
                pairRanks[k] = pairRanks[k + 1]
                k += 1
            }
            n -= 1
        }
        return n - 1
    }

    /// The same merges with a linked list of parts and a min-heap of (rank, position) pairs,
    /// for very long pieces (a line of CJK without punctuation, a long run of symbols).
    /// Stale heap entries are skipped by comparing with the pair's current rank: a pair's
    /// rank depends only on its bytes, so an entry that still matches is still valid.
    private func heapMerge(_ piece: UnsafePointer<UInt8>, _ length: Int) -> Int {
        let none = Int.max
        var next = [Int](repeating: 0, count: length)
        var prev = [Int](repeating: 0, count: length)
        var heap = MinHeap()
        for k in 0..<length {
            next[k] = k + 1
            prev[k] = k - 1
            let rank = k + 1 < length ? ranks.rank(piece + k, 2) : -1
            pairRanks[k] = rank >= 0 ? rank : none
            if rank >= 0 { heap.push(UInt64(rank) << 32 | UInt64(k)) }
        }
        func pairRank(_ i: Int) -> Int {
            let j = next[i]
            guard j < length else { return none }
            let end = next[j]
            let rank = ranks.rank(piece + i, end - i)
            return rank >= 0 ? rank : none
        }
        var parts = length
        while let top = heap.pop() {
            let i = Int(top & 0xFFFF_FFFF)
            let rank = Int(top >> 32)
            guard pairRanks[i] == rank else { continue }
            let j = next[i]
            let k = next[j]
            next[i] = k
            if k < length { prev[k] = i }
            pairRanks[j] = none  // j is gone
            parts -= 1
            pairRanks[i] = pairRank(i)
            if pairRanks[i] != none { heap.push(UInt64(pairRanks[i]) << 32 | UInt64(i)) }
            let p = prev[i]
            if p >= 0 {
                pairRanks[p] = pairRank(p)
                if pairRanks[p] != none { heap.push(UInt64(pairRanks[p]) << 32 | UInt64(p)) }
            }
        }
        var k = 0
        var i = 0
        while i < length {
            starts[k] = i
            k += 1
            i = next[i]
        }
        starts[k] = length
        return parts
    }
}

/// A binary min-heap of packed (rank << 32 | position) keys: ordering by the packed value
/// orders by rank, then by position, which is tiktoken's leftmost-first tie break.
struct MinHeap {
    private var items: [UInt64] = []

    mutating func push(_ value: UInt64) {
        items.append(value)
        var child = items.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard items[parent] > items[child] else { break }
            items.swapAt(parent, child)
            child = parent
        }
    }

    mutating func pop() -> UInt64? {
        guard let first = items.first else { return nil }
        let last = items.removeLast()
        if items.isEmpty { return first }
        items[0] = last
        var parent = 0
        while true {
            let left = 2 * parent + 1
            guard left < items.count else { break }
            var smallest = left
            if left + 1 < items.count, items[left + 1] < items[left] { smallest = left + 1 }
            guard items[smallest] < items[parent] else { break }
            items.swapAt(smallest, parent)
            parent = smallest
        }
        return first
    }
}
