import Foundation
import Testing
@testable import ImageIngest

/// Everything in corpus/hostile is decoded or refused with a clear error, never a crash;
/// bombs are refused from the header.
@Suite struct HostileTests {
    static func files(_ folder: String) -> [String] {
        ImageFolderWalker().walk([Fixtures.corpus.appendingPathComponent("hostile/\(folder)").path]).files
    }

    @Test(arguments: ["bombs", "corrupt", "empty", "mislabeled", "names"])
    func everyFileIsDecodedOrRefusedClearly(folder: String) throws {
        let folderURL = Fixtures.corpus.appendingPathComponent("hostile/\(folder)")
        let names = try FileManager.default.contentsOfDirectory(atPath: folderURL.path).sorted()
        #expect(!names.isEmpty)
        for name in names {
            let path = folderURL.appendingPathComponent(name).path
            do {
                let image = try ImageIngest.prepare(path: path, options: .init(maxSide: 256))
                #expect(image.outWidth > 0 && image.outHeight > 0 && !image.bytes.isEmpty, "\(name)")
            } catch {
                #expect(!error.message.isEmpty && error.path == path, "\(name): \(error)")
            }
        }
    }

    @Test func bombsAreRefusedBeforeDecoding() throws {
        let bombs = Fixtures.corpus.appendingPathComponent("hostile/bombs")
        for name in ["jpeg_sof_claims_50000x50000.jpg", "jpeg_sof_claims_65500x65500_progressive.jpg",
                     "png_ihdr_claims_50000x50000_rgba16.png", "png_valid_zeros_50000x50000_gray1.png"] {
            do {
                _ = try ImageIngest.prepare(path: bombs.appendingPathComponent(name).path)
                Issue.record("\(name) was accepted")
            } catch {
                #expect(error.code == .tooLarge, "\(name): \(error)")
                #expect(error.message.contains("50000") || error.message.contains("65500"))
            }
        }
        // The pixel limit is configurable, and checked on the header.
        let small = try Fixtures.bytes(Fixtures.corpus.appendingPathComponent("jpeg/exif-orientation-examples/Landscape_1.jpg"))
        do {
            _ = try ImageIngest.prepare(bytes: small, options: .init(maxPixels: 1000))
            Issue.record("a 1800x1200 image passed a 1000-pixel limit")
        } catch {
            #expect(error.code == .tooLarge)
        }
    }

    @Test func formatComesFromTheBytesNotTheName() throws {
        let mislabeled = Fixtures.corpus.appendingPathComponent("hostile/mislabeled")
        for (name, code) in [("text_devils_dictionary.jpg", ImageIngestError.Code.notAnImage),
                             ("gif_named.png", .notAnImage), ("bmp_named.jpg", .notAnImage)] {
            do {
                _ = try ImageIngest.prepare(path: mislabeled.appendingPathComponent(name).path)
                Issue.record("\(name) was accepted")
            } catch {
                #expect(error.code == code, "\(name): \(error)")
            }
        }
        #expect(ImageFormat.sniff([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) == .png)
        #expect(ImageFormat.sniff([0xFF, 0xD8, 0xFF, 0xE0]) == .jpeg)
        #expect(ImageFormat.sniff(Array("GIF89a".utf8)) == .gif)
        #expect(ImageFormat.sniff([UInt8]()) == nil)
    }

    @Test func corruptFilesCarryTheLibraryReason() throws {
        let corrupt = Fixtures.corpus.appendingPathComponent("hostile/corrupt")
        do {
            _ = try ImageIngest.prepare(path: corrupt.appendingPathComponent("png_bad_crc_idat.png").path)
            Issue.record("bad IDAT CRC accepted")
        } catch {
            #expect(error.code == .corrupt)
            #expect(error.message.contains("CRC"))
        }
        do {
            _ = try ImageIngest.prepare(path: corrupt.appendingPathComponent("jpeg_truncated_50pct.jpg").path)
            Issue.record("truncated JPEG accepted")
        } catch {
            #expect(error.code == .truncated)
            #expect(error.message.contains("Premature end of JPEG file"))
        }
    }
}
