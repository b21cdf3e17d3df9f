import Testing
@testable import ImageIngest

@Suite struct ImageTokensTests {
    @Test func maverickTileFormula() {
        #expect(ImageTokens.estimate(width: 336, height: 336) == 147)
        #expect(ImageTokens.estimate(width: 1344, height: 1008) == 147 + 145 * 12)
        #expect(ImageTokens.estimate(width: 1344, height: 1008) == 1887)
        // 1024x1024 needs the 4x4 canvas, like 1344x1344.
        #expect(ImageTokens.estimate(width: 1024, height: 1024) == 2467)
        #expect(ImageTokens.estimate(width: 1344, height: 1344) == 2467)
        // Larger than every canvas: the one that downscales least.
        #expect(ImageTokens.estimate(width: 8000, height: 6000) == 1887)
        #expect(ImageTokens.estimate(width: 100, height: 50) == 147)
    }

    @Test func defaultSizeFitsTheGridWithoutPadding() {
        // A 4:3 photo fills 4x3 whole tiles.
        #expect(ImageTokens.targetSize(width: 4000, height: 3000, maxSide: nil) == (1344, 1008))
        #expect(ImageTokens.targetSize(width: 3000, height: 4000, maxSide: nil) == (1008, 1344))
        // Never upscaled.
        #expect(ImageTokens.targetSize(width: 100, height: 50, maxSide: nil) == (100, 50))
        // 4% smaller fits one tile instead of four.
        #expect(ImageTokens.targetSize(width: 350, height: 340, maxSide: nil) == (336, 326))
        // Never more than 16 tiles.
        for (w, h) in [(6000, 4000), (10000, 1000), (1000, 10000), (5000, 5000), (1400, 1050)] {
            let size = ImageTokens.targetSize(width: w, height: h, maxSide: nil)
            let grid = ImageTokens.canvas(width: size.width, height: size.height)
            #expect(grid.columns * grid.rows <= 16)
            #expect(size.width <= w && size.height <= h)
        }
    }

    @Test func maxSideOverrides() {
        #expect(ImageTokens.targetSize(width: 4000, height: 3000, maxSide: 1024) == (1024, 768))
        #expect(ImageTokens.targetSize(width: 3000, height: 4000, maxSide: 1024) == (768, 1024))
        #expect(ImageTokens.targetSize(width: 500, height: 300, maxSide: 1024) == (500, 300))
    }
}
