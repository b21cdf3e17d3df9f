import Testing

@testable import Documents

@Suite("Packing pages into requests")
struct PagePackingTests {
    static func pages(_ tokens: [Int], images: Set<Int> = []) -> [PageCost] {
        tokens.enumerated().map { PageCost(page: $0.offset + 1, tokens: $0.element, isImage: images.contains($0.offset + 1)) }
    }

    @Test("a document that fits is one request")
    func fits() {
        let groups = PagePacking.pack(Self.pages(Array(repeating: 500, count: 100)), budget: 60_000, maxImages: 8)
        #expect(groups == [PageGroup(pages: 1...100, tokens: 50_000, images: 0)])
    }

    @Test("the token budget starts a new request; each holds as many pages as fit")
    func budget() {
        let groups = PagePacking.pack(Self.pages([400, 400, 400, 400, 400]), budget: 1_000, maxImages: 8)
        #expect(groups.map(\.pages) == [1...2, 3...4, 5...5])
        #expect(groups.map(\.tokens) == [800, 800, 400])
    }

    @Test("page images stop at the image limit even when tokens are left")
    func imageLimit() {
        let groups = PagePacking.pack(
            Self.pages(Array(repeating: 100, count: 10), images: Set(1...10)), budget: 100_000, maxImages: 4)
        #expect(groups.map(\.pages) == [1...4, 5...8, 9...10])
        #expect(groups.map(\.images) == [4, 4, 2])
    }

    @Test("a page over the budget alone is its own group, marked to be split")
    func oversize() {
        let groups = PagePacking.pack(Self.pages([100, 5_000, 100]), budget: 1_000, maxImages: 8)
        #expect(groups.map(\.pages) == [1...1, 2...2, 3...3])
        #expect(groups.map(\.overBudget) == [false, true, false])
    }

    @Test("no pages, no requests")
    func empty() {
        #expect(PagePacking.pack([], budget: 1_000, maxImages: 8).isEmpty)
    }

    /// On random documents: every page once, in order, every group within its limits (but an
    /// oversize page alone), and no two neighbouring groups that would have fitted as one.
    @Test("random documents: complete, in order, within limits, minimal", arguments: 0..<50)
    func random(seed: Int) {
        var generator = SplitMix(seed: UInt64(seed))
        let count = Int.random(in: 0...300, using: &generator)
        let pages = (0..<count).map { index in
            PageCost(
                page: index + 1, tokens: Int.random(in: 0...3_000, using: &generator),
                isImage: Int.random(in: 0..<4, using: &generator) == 0)
        }
        let budget = Int.random(in: 500...20_000, using: &generator)
        let maxImages = Int.random(in: 1...8, using: &generator)
        let groups = PagePacking.pack(pages, budget: budget, maxImages: maxImages)
        #expect(groups.flatMap { Array($0.pages) } == pages.map(\.page))
        for group in groups {
            let members = pages[(group.pages.lowerBound - 1)...(group.pages.upperBound - 1)]
            #expect(group.tokens == members.reduce(0) { $0 + $1.tokens })
            #expect(group.images == members.filter(\.isImage).count)
            #expect(group.images <= maxImages)
            #expect(group.tokens <= budget || (group.pages.count == 1 && group.overBudget))
        }
        // Greedy: the first page of each group did not fit in the group before it.
        for (before, after) in zip(groups, groups.dropFirst()) {
            let next = pages[after.pages.lowerBound - 1]
            #expect(before.tokens + next.tokens > budget || before.images + (next.isImage ? 1 : 0) > maxImages)
        }
    }
}

/// A small deterministic generator, so a failing seed can be rerun.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed &+ 0x9E37_79B9_7F4A_7C15 }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Suite("Packing pages: no room")
struct PagePackingNoRoomTests {
    @Test("a budget of 0 or less makes every page its own over-budget group, never a trap")
    func noRoom() {
        let pages = PagePackingTests.pages([10, 20])
        let groups = PagePacking.pack(pages, budget: -5, maxImages: 0)
        #expect(groups.map(\.pages) == [1...1, 2...2])
        #expect(groups.allSatisfy { $0.overBudget })
    }
}
