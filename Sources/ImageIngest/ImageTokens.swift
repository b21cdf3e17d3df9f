/// Llama 4 Maverick's image token cost (facts in shared/llama4/NOTES.md): tiles of 336×336,
/// 144 tokens each; canvases of at most 16 tiles; a global tile when there is more than one.
public enum ImageTokens {
    /// Side of one tile in pixels.
    public static let tileSide = 336
    /// Most tiles in one canvas.
    public static let maxTiles = 16

    /// The canvas (columns × rows of tiles) the preprocessor picks for an image: the smallest
    /// that holds it without upscaling past it, else the one that downscales least.
    public static func canvas(width: Int, height: Int) -> (columns: Int, rows: Int) {
        let w = Double(max(1, width)), h = Double(max(1, height))
        typealias Candidate = (columns: Int, rows: Int, scale: Double)
        // Prefer the larger scale (less downscaling), then the smaller canvas; among canvases
        // that need no downscaling, the smallest scale (least padding), then the smaller canvas.
        func better(_ a: Candidate, than b: Candidate?, largerScale: Bool) -> Bool {
            guard let b else { return true }
            if a.scale != b.scale { return largerScale ? a.scale > b.scale : a.scale < b.scale }
            return a.columns * a.rows < b.columns * b.rows
        }
        var best: Candidate? = nil
        var bestUp: Candidate? = nil
        for columns in 1...maxTiles {
            for rows in 1...(maxTiles / columns) {
                let scale = min(Double(columns * tileSide) / w, Double(rows * tileSide) / h)
                let candidate: Candidate = (columns, rows, scale)
                if scale >= 1 {
                    if better(candidate, than: bestUp, largerScale: false) { bestUp = candidate }
                } else if better(candidate, than: best, largerScale: true) {
                    best = candidate
                }
            }
        }
        let chosen = bestUp ?? best ?? (1, 1, 1)
        return (chosen.columns, chosen.rows)
    }

    /// Estimated prompt tokens for one image of this size: 147 for one tile, 147 + 145·n for n.
    public static func estimate(width: Int, height: Int) -> Int {
        let grid = canvas(width: width, height: height)
        let tiles = grid.columns * grid.rows
        return tiles == 1 ? 147 : 147 + 145 * tiles
    }

    /// The output size for an upright `width`×`height` image: the longest side capped at
    /// `maxSide` when given; otherwise the largest size that fits the tile grid, made slightly
    /// smaller (at most 10% per side) when that fits fewer whole tiles. Never upscaled.
    public static func targetSize(width: Int, height: Int, maxSide: Int?) -> (width: Int, height: Int) {
        let w = max(1, width), h = max(1, height)
        func scaled(_ s: Double) -> (width: Int, height: Int) {
            if s >= 1 { return (w, h) }
            return (max(1, Int((Double(w) * s).rounded())), max(1, Int((Double(h) * s).rounded())))
        }
        if let maxSide {
            return scaled(Double(max(1, maxSide)) / Double(max(w, h)))
        }
        var options: [(tiles: Int, scale: Double)] = []
        for columns in 1...maxTiles {
            for rows in 1...(maxTiles / columns) {
                let s = min(1, Double(columns * tileSide) / Double(w), Double(rows * tileSide) / Double(h))
                options.append((columns * rows, s))
            }
        }
        let bestScale = options.map(\.scale).max() ?? 1
        let chosen = options.filter { $0.scale >= bestScale * 0.9 }
            .min { ($0.tiles, -$0.scale) < ($1.tiles, -$1.scale) }
        var size = scaled(chosen?.scale ?? bestScale)
        // Rounding must not push a side over the canvas edge.
        if let chosen, chosen.scale < 1 {
            let grid = canvas(width: size.width, height: size.height)
            if grid.columns * grid.rows > chosen.tiles {
                size = scaled(chosen.scale * 0.999)
            }
        }
        return size
    }
}
