import Foundation
import Testing
@testable import ImageIngest

@Suite struct EncodeTests {
    /// A flat-colour "screenshot": black text-like strokes on white.
    static func screenshotPNG() throws -> [UInt8] {
        var raster = Raster(width: 400, height: 300, channels: 3)
        for y in 0..<300 {
            for x in 0..<400 {
                let ink = (y / 12) % 2 == 0 && (x / 3 + y) % 7 < 2
                let v: UInt8 = ink ? 0 : 255
                let i = (y * 400 + x) * 3
                raster.pixels[i] = v; raster.pixels[i + 1] = v; raster.pixels[i + 2] = v
            }
        }
        return try Codecs.encodePNG(raster)
    }

    @Test func flatColourPNGStaysPNG() throws {
        let image = try ImageIngest.prepare(bytes: Self.screenshotPNG())
        #expect(image.outFormat == .png)
        #expect(image.dataURL.hasPrefix("data:image/png;base64,"))
        // Nothing is lost: same size (under one tile's worth of shrinking) and the same pixels.
        let decoded = try ImageIngest.decode(bytes: image.bytes)
        let source = try ImageIngest.decode(bytes: Self.screenshotPNG())
        #expect(decoded == source)
    }

    @Test(.enabled(if: Fixtures.available("forms/photo1.png")))
    func photoPNGBecomesJPEG() throws {
        let image = try ImageIngest.prepare(bytes: Fixtures.bytes(Fixtures.generated.appendingPathComponent("forms/photo1.png")))
        #expect(image.outFormat == .jpeg)
        #expect(image.mimeType == "image/jpeg")
        #expect(image.dataURL.hasPrefix("data:image/jpeg;base64,/9j/"))
        #expect(Array(image.bytes.prefix(3)) == [0xFF, 0xD8, 0xFF])
    }

    @Test func metadataIsNotCarriedAndOrientationIsBakedIn() throws {
        let path = Fixtures.corpus.appendingPathComponent("jpeg/exif-orientation-examples/Landscape_6.jpg").path
        let image = try ImageIngest.prepare(path: path, options: .init(maxSide: 200))
        // No APP1 (EXIF) segment in the output, so no viewer can rotate it a second time.
        #expect(!image.bytes.indices.dropLast().contains { image.bytes[$0] == 0xFF && image.bytes[$0 + 1] == 0xE1 })
        #expect(ExifOrientation.read(from: UnsafeRawBufferPointer(start: nil, count: 0), format: .jpeg) == .up)
        #expect(image.outWidth == 200 && image.outHeight == 133)
    }

    @Test func transparencyGetsAVisibleBackground() throws {
        // White strokes on a transparent background: on white they would vanish.
        var light = Raster(width: 64, height: 64, channels: 4)
        for i in stride(from: 0, to: light.pixels.count, by: 4) {
            let stroke = (i / 4) % 64 < 8
            light.pixels[i] = 255; light.pixels[i + 1] = 255; light.pixels[i + 2] = 255
            light.pixels[i + 3] = stroke ? 255 : 0
        }
        let (flat, background) = light.flattened()
        #expect(background == .dark)
        #expect(flat.pixels[0] == 255 && flat.pixels[(10) * 3] < 64)
        // Dark content on transparency goes on white.
        var dark = light
        for i in stride(from: 0, to: dark.pixels.count, by: 4) { dark.pixels[i] = 0; dark.pixels[i + 1] = 0; dark.pixels[i + 2] = 0 }
        #expect(dark.flattened().1 == .white)
        #expect(dark.flattened().0.pixels[10 * 3] == 255)
    }
}
