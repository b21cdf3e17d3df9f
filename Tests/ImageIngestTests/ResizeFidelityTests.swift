import Foundation
import Testing
@testable import ImageIngest

/// Downscaling at --max-side 1024 matches Pillow's LANCZOS resize of the upright photo:
/// median PSNR at least 37 dB over the folder of real photos.
@Suite struct ResizeFidelityTests {
    @Test(.enabled(if: Fixtures.available("refs/lanczos1024/list.tsv")))
    func medianPSNRAgainstPillowLanczos() throws {
        let rows = try Fixtures.rows(Fixtures.generated.appendingPathComponent("refs/lanczos1024/list.tsv"))
        #expect(rows.count >= 10)
        var scores: [Double] = []
        for row in rows where row.count == 4 {
            guard let w = Int(row[1]), let h = Int(row[2]) else { continue }
            let bytes = try Fixtures.bytes(Fixtures.generated.appendingPathComponent(row[0]))
            let ours = try ImageIngest.resizedUpright(bytes: bytes, options: .init(maxSide: 1024))
            #expect(ours.width == w && ours.height == h, "\(row[0])")
            guard ours.width == w && ours.height == h else { continue }
            let reference = Raster(width: w, height: h, channels: 3,
                                   pixels: try Fixtures.bytes(Fixtures.generated.appendingPathComponent("refs/lanczos1024/\(row[3])")))
            scores.append(Fixtures.psnr(ours, reference))
        }
        let sorted = scores.sorted()
        let median = sorted.isEmpty ? 0 : sorted[sorted.count / 2]
        #expect(median >= 37, "median PSNR \(median) dB over \(sorted.count) photos: \(sorted)")
    }

    @Test func lanczosKeepsFlatAreasFlatAndHitsTheSize() {
        let grey = Raster(width: 999, height: 517, channels: 3, pixels: [UInt8](repeating: 77, count: 999 * 517 * 3))
        let small = Resampler.resize(grey, width: 100, height: 52)
        #expect(small.width == 100 && small.height == 52)
        #expect(small.pixels.allSatisfy { $0 == 77 })
    }
}
