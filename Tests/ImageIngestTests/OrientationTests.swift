import Foundation
import Testing
@testable import ImageIngest

/// Every EXIF-rotated photo comes out upright: the same picture as the orientation-1 file.
@Suite struct OrientationTests {
    static let examples = Fixtures.corpus.appendingPathComponent("jpeg/exif-orientation-examples")

    @Test(arguments: ["Landscape", "Portrait"], 0...8)
    func exampleComesOutUpright(kind: String, orientation: Int) throws {
        let reference = try ImageIngest.prepare(path: Self.examples.appendingPathComponent("\(kind)_1.jpg").path, options: .init(maxSide: 300))
        let image = try ImageIngest.prepare(path: Self.examples.appendingPathComponent("\(kind)_\(orientation).jpg").path, options: .init(maxSide: 300))
        #expect(image.orientation.rawValue == max(1, orientation))
        #expect(image.outWidth == reference.outWidth && image.outHeight == reference.outHeight)
        #expect((image.width > image.height) == (kind == "Landscape"))
        let a = try ImageIngest.decode(bytes: image.bytes), b = try ImageIngest.decode(bytes: reference.bytes)
        let psnr = Fixtures.psnr(Raster(width: a.width, height: a.height, channels: 3, pixels: a.rgb),
                                 Raster(width: b.width, height: b.height, channels: 3, pixels: b.rgb))
        // Each file was saved separately (different JPEG noise); a wrong turn scores about 12 dB.
        #expect(psnr > 25, "\(kind)_\(orientation): \(psnr) dB against orientation 1")
    }

    @Test(arguments: ExifOrientation.allCases)
    func orientationMapsCornersLikeExif(orientation: ExifOrientation) {
        // 3x2 image with distinct pixels; the stored top-left corner must land where EXIF says.
        let stored = Raster(width: 3, height: 2, channels: 3, pixels: (0..<18).map { UInt8($0) })
        let upright = stored.oriented(orientation)
        #expect(upright.width == (orientation.swapsDimensions ? 2 : 3))
        // Where the stored first pixel (0,0) ends up, per the EXIF 2.32 table.
        let corner: (Int, Int) = switch orientation {
        case .up: (0, 0)
        case .mirrored: (2, 0)
        case .down: (2, 1)
        case .downMirrored: (0, 1)
        case .leftMirrored: (0, 0)
        case .right: (1, 0)
        case .rightMirrored: (1, 2)
        case .left: (0, 2)
        }
        let index = (corner.1 * upright.width + corner.0) * 3
        #expect(Array(upright.pixels[index..<index + 3]) == [0, 1, 2])
    }
}
