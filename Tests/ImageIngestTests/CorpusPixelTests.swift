import Foundation
import Testing
@testable import ImageIngest

/// Every corpus PNG and JPEG that libpng/libjpeg-turbo decode comes out with the pixels
/// Pillow (an independent decoder) gives for the upright picture.
@Suite struct CorpusPixelTests {
    @Test(.enabled(if: Fixtures.available("refs/corpus/list.tsv")))
    func decodesLikePillow() throws {
        let list = Fixtures.generated.appendingPathComponent("refs/corpus/list.tsv")
        let rows = try Fixtures.rows(list)
        #expect(rows.count > 300)
        var compared = 0
        // Pillow takes these PNGs' orientation from XMP or an ImageMagick text chunk; Peruse
        // reads EXIF only (JPEG APP1, PNG eXIf), so their pixels stay as stored.
        let orientedOutsideExif: Set = [
            "pngsuite/pillow-tests/exif_imagemagick_orientation.png",
            "pngsuite/pillow-tests/xmp_tags_orientation.png",
            "pngsuite/pillow-tests/xmp_tags_orientation_exiftool.png",
        ]
        for row in rows where row.count == 4 && !orientedOutsideExif.contains(row[0]) {
            let path = row[0]
            guard let w = Int(row[1]), let h = Int(row[2]) else { continue }
            let raster: Raster
            do {
                raster = try ImageIngest.decodeUpright(bytes: Fixtures.bytes(Fixtures.corpus.appendingPathComponent(path)))
            } catch {
                // libjpeg-turbo refuses truncated data by our rule; those are tested elsewhere.
                if case let error as ImageIngestError = error, error.code == .truncated { continue }
                Issue.record("\(path): \(error)")
                continue
            }
            guard raster.width == w, raster.height == h else {
                Issue.record("\(path): \(raster.width)x\(raster.height), Pillow says \(w)x\(h)")
                continue
            }
            let reference = Raster(width: w, height: h, channels: 4,
                                   pixels: try Fixtures.bytes(Fixtures.generated.appendingPathComponent("refs/corpus/\(row[3])")))
            var maxDiff = 0, total = 0
            for p in 0..<(w * h) {
                let refAlpha = Int(reference.pixels[p * 4 + 3])
                let alpha = raster.channels == 4 ? Int(raster.pixels[p * 4 + 3]) : 255
                maxDiff = max(maxDiff, abs(alpha - refAlpha))
                if refAlpha == 0 && alpha == 0 { continue }  // colour of invisible pixels is free
                for k in 0..<3 {
                    let d = abs(Int(raster.pixels[p * raster.channels + k]) - Int(reference.pixels[p * 4 + k]))
                    maxDiff = max(maxDiff, d)
                    total += d
                }
            }
            let mean = Double(total) / Double(w * h * 3)
            // Same libjpeg-turbo IDCT in both for JPEG; PNG must match exactly but for
            // 16-bit rounding. A wrong colour type, palette or orientation differs by far more.
            let isJPEG = path.hasPrefix("jpeg/")
            #expect(maxDiff <= (isJPEG ? 24 : 1) && mean <= (isJPEG ? 1.0 : 0.01),
                    "\(path): max difference \(maxDiff), mean \(mean)")
            compared += 1
        }
        #expect(compared > 300)
    }
}
