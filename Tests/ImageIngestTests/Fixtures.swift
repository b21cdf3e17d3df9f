import Foundation
import PeruseTesting
import Testing
@testable import ImageIngest

/// The shared corpus, the generated fixtures, and how the tests read them.
enum Fixtures {
    static let corpus = TestPaths.corpus
    static let generated = TestPaths.generatedFixtures

    /// True when the generated fixture exists, or when running in CI (where a missing fixture
    /// must fail the test rather than skip it).
    static func available(_ relative: String) -> Bool {
        TestEnvironment.requires(FileManager.default.fileExists(atPath: generated.appendingPathComponent(relative).path))
    }

    static func bytes(_ url: URL) throws -> [UInt8] { [UInt8](try Data(contentsOf: url)) }

    /// Rows of a tab-separated list file.
    static func rows(_ url: URL) throws -> [[String]] {
        try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map {
            $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
        }
    }

    /// Reads a binary PPM (P6, maxval 255) as an RGB raster.
    static func ppm(_ url: URL) throws -> Raster {
        let data = try bytes(url)
        var fields: [String] = [], i = 0
        while fields.count < 4 && i < data.count {
            while i < data.count, data[i] == 0x20 || data[i] == 0x0A || data[i] == 0x0D || data[i] == 0x09 { i += 1 }
            var token = ""
            while i < data.count, !(data[i] == 0x20 || data[i] == 0x0A || data[i] == 0x0D || data[i] == 0x09) {
                token.append(Character(UnicodeScalar(data[i]))); i += 1
            }
            fields.append(token)
        }
        i += 1
        guard fields.count == 4, fields[0] == "P6", let w = Int(fields[1]), let h = Int(fields[2]) else {
            throw CocoaError(.fileReadCorruptFile)
        }
        return Raster(width: w, height: h, channels: 3, pixels: Array(data[i..<(i + w * h * 3)]))
    }

    /// Peak signal-to-noise ratio over the first `channels` samples of each pixel.
    static func psnr(_ a: Raster, _ b: Raster, channels: Int = 3) -> Double {
        precondition(a.width == b.width && a.height == b.height)
        var sum = 0.0
        for p in 0..<(a.width * a.height) {
            for k in 0..<channels {
                let d = Double(a.pixels[p * a.channels + k]) - Double(b.pixels[p * b.channels + k])
                sum += d * d
            }
        }
        let mse = sum / Double(a.width * a.height * channels)
        return mse == 0 ? 99 : 10 * log10(255 * 255 / mse)
    }

    /// Luma (BT.601) as a one-channel raster.
    static func luma(_ r: Raster) -> Raster {
        var out = [UInt8](repeating: 0, count: r.width * r.height)
        for p in 0..<out.count {
            let s = p * r.channels
            let red = 299 * Int(r.pixels[s]), green = 587 * Int(r.pixels[s + 1]), blue = 114 * Int(r.pixels[s + 2])
            out[p] = UInt8((red + green + blue + 500) / 1000)
        }
        return Raster(width: r.width, height: r.height, channels: 1, pixels: out)
    }
}
