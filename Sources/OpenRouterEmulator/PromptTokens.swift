/// The emulator's prompt-token count: an overestimate for text (UTF-8 bytes / 4, rounded up,
/// plus Llama 4's per-message wrapping) and Llama 4's exact tile arithmetic for images
/// (`../shared/llama4/NOTES.md`). Real providers count differently; tests only need numbers
/// that follow from what was received.
enum PromptTokens {
    /// `<|begin_of_text|>`.
    static let promptStart = 1
    /// `<|header_start|>ROLE<|header_end|>\n\n … <|eot|>`.
    static let perMessage = 4
    static let tileSide = 336
    static let maxTiles = 16

    static func text(_ text: String) -> Int { (text.utf8.count + 3) / 4 }

    /// Tokens of one image: 147 for a single tile, 147 + 145·n for n > 1 tiles (the extra
    /// global tile and separators included).
    static func image(width: Int, height: Int) -> Int {
        let (columns, rows) = canvas(width: width, height: height)
        let tiles = columns * rows
        return tiles == 1 ? 147 : 147 + 145 * tiles
    }

    /// The canvas Llama 4's preprocessor picks (Hugging Face `get_best_fit`): among canvases
    /// of at most 16 whole tiles, the smallest upscale if any canvas holds the image, else
    /// the least downscale; ties go to the smallest canvas.
    static func canvas(width: Int, height: Int) -> (columns: Int, rows: Int) {
        var candidates: [(columns: Int, rows: Int, scale: Double)] = []
        for columns in 1...maxTiles {
            for rows in 1...maxTiles where columns * rows <= maxTiles {
                let scale = min(
                    Double(columns * tileSide) / Double(max(width, 1)),
                    Double(rows * tileSide) / Double(max(height, 1)))
                candidates.append((columns, rows, scale))
            }
        }
        let upscales = candidates.filter { $0.scale >= 1 }
        let chosenScale =
            upscales.isEmpty
            ? candidates.map(\.scale).max() ?? 1
            : upscales.map(\.scale).min() ?? 1
        let best = candidates.filter { $0.scale == chosenScale }
            .min { $0.columns * $0.rows < $1.columns * $1.rows }
        return (best?.columns ?? 1, best?.rows ?? 1)
    }
}
