import Foundation
import Testing
@testable import ImageIngest

/// Real photos rewritten in every JPEG form (scripts/fixtures/images.sh) decode to the
/// source pixels; truncated copies are refused unless truncation is allowed.
@Suite struct JPEGFormTests {
    static let forms = Fixtures.generated.appendingPathComponent("forms")
    static let photos = ["photo1", "photo2", "photo3"]
    static let colourForms = [
        "420", "422", "444", "progressive", "arithmetic", "restart", "jpegtran-progressive",
        "jpegtran-arithmetic", "jpegtran-restart", "pillow-progressive", "pillow-444",
    ]

    @Test(.enabled(if: Fixtures.available("forms/photo1.ppm")), arguments: photos)
    func everyFormDecodesToTheSourcePixels(photo: String) throws {
        let source = try Fixtures.ppm(Self.forms.appendingPathComponent("\(photo).ppm"))
        for form in Self.colourForms {
            let raster = try ImageIngest.decodeUpright(bytes: Fixtures.bytes(Self.forms.appendingPathComponent("\(photo)-\(form).jpg")))
            #expect(raster.width == source.width && raster.height == source.height, "\(photo)-\(form)")
            guard raster.width == source.width && raster.height == source.height else { continue }
            let psnr = Fixtures.psnr(raster, source)
            #expect(psnr > 32, "\(photo)-\(form): \(psnr) dB")
        }
        let gray = try ImageIngest.decodeUpright(bytes: Fixtures.bytes(Self.forms.appendingPathComponent("\(photo)-gray.jpg")))
        #expect(Fixtures.psnr(Fixtures.luma(gray), Fixtures.luma(source), channels: 1) > 32, "\(photo)-gray")
        // Grey stays grey: R = G = B.
        var colourful = 0
        for i in stride(from: 0, to: gray.pixels.count, by: 3) where gray.pixels[i] != gray.pixels[i + 1] || gray.pixels[i] != gray.pixels[i + 2] {
            colourful += 1
        }
        #expect(colourful == 0)
        // CMYK through ImageMagick (plain) and Pillow (Adobe, inverted): both must come back
        // with the right colours, not a negative.
        for form in ["cmyk-magick", "pillow-cmyk"] {
            let cmyk = try ImageIngest.decodeUpright(bytes: Fixtures.bytes(Self.forms.appendingPathComponent("\(photo)-\(form).jpg")))
            let psnr = Fixtures.psnr(cmyk, source)
            #expect(psnr > 22, "\(photo)-\(form): \(psnr) dB")
        }
    }

    @Test(.enabled(if: Fixtures.available("forms/photo1.ppm")), arguments: ["truncated.jpg", "truncated-progressive.jpg", "truncated.png"])
    func truncatedFilesAreRefusedUnlessAllowed(suffix: String) throws {
        let bytes = try Fixtures.bytes(Self.forms.appendingPathComponent("photo1-\(suffix)"))
        #expect(throws: ImageIngestError.self) { try ImageIngest.prepare(bytes: bytes) }
        do {
            _ = try ImageIngest.prepare(bytes: bytes)
        } catch {
            #expect(error.code == .truncated)
            #expect(error.message.contains("truncated"))
        }
        let accepted = try ImageIngest.prepare(bytes: bytes, options: .init(maxSide: 512, allowTruncated: true))
        #expect(accepted.warnings.contains { $0.contains("truncated") })
        #expect(max(accepted.outWidth, accepted.outHeight) == 512)
    }

    @Test func twelveBitJPEGIsRefusedClearly() throws {
        let bytes = try Fixtures.bytes(Fixtures.corpus.appendingPathComponent("jpeg/libjpeg-turbo-testimages/testorig12.jpg"))
        do {
            _ = try ImageIngest.prepare(bytes: bytes)
            Issue.record("a 12-bit JPEG was accepted")
        } catch {
            #expect(error.code == .unsupported)
            #expect(error.message.contains("12"))
        }
    }
}
