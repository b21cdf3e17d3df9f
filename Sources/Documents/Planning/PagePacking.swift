/// What one page costs in a request: its text's tokens, or the tokens of its page image.
public struct PageCost: Sendable, Equatable {
    public var page: Int
    public var tokens: Int
    public var isImage: Bool

    public init(page: Int, tokens: Int, isImage: Bool) {
        self.page = page
        self.tokens = tokens
        self.isImage = isImage
    }
}

/// Consecutive pages that go in one request.
public struct PageGroup: Sendable, Equatable {
    public var pages: ClosedRange<Int>
    public var tokens: Int
    public var images: Int
    /// True when this one page alone is over the budget: its text has to be split further
    /// (a page image cannot be, and is sent as it is).
    public var overBudget: Bool

    public init(pages: ClosedRange<Int>, tokens: Int, images: Int, overBudget: Bool = false) {
        self.pages = pages
        self.tokens = tokens
        self.images = images
        self.overBudget = overBudget
    }
}

/// Packs a document's pages into as few requests as fit.
///
/// On the free models requests are the scarce thing (20 a minute, 50 or 1,000 a day), so a
/// document goes in the fewest requests its pages fit. Groups are runs of consecutive pages,
/// so each request, its evidence and its citations cover one page range. Filling each group
/// before starting the next is optimal for runs in order: no packing of consecutive pages
/// uses fewer groups.
public enum PagePacking {
    /// - Parameters:
    ///   - pages: the pages in order, with their costs.
    ///   - budget: tokens one request may give to pages (the context less the prompt, the
    ///     answer and a margin).
    ///   - maxImages: page images one request may carry.
    /// - Returns: groups covering every page once, in order.
    public static func pack(_ pages: [PageCost], budget: Int, maxImages: Int) -> [PageGroup] {
        // A prompt that leaves no room (budget 0 or less) makes every page its own
        // over-budget group rather than a trap: the caller reports it.
        let maxImages = max(1, maxImages)
        var groups: [PageGroup] = []
        var current: PageGroup?
        for page in pages {
            let image = page.isImage ? 1 : 0
            if var group = current, group.tokens + page.tokens <= budget, group.images + image <= maxImages {
                group.pages = group.pages.lowerBound...page.page
                group.tokens += page.tokens
                group.images += image
                current = group
                continue
            }
            if let group = current { groups.append(group) }
            current = PageGroup(
                pages: page.page...page.page, tokens: page.tokens, images: image, overBudget: page.tokens > budget)
        }
        if let group = current { groups.append(group) }
        return groups
    }
}
