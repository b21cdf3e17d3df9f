/// Reads an image's format and size from its header: PNG `IHDR`, JPEG `SOFn`, GIF logical
/// screen, WebP `VP8 ` / `VP8L` / `VP8X`. It is the emulator's check that what it was sent is
/// the image the data URL says it is.
enum ImageProbe {
    struct Probed: Equatable {
        var mimeType: String
        var width: Int
        var height: Int
    }

    /// The format named by the magic bytes, nil when none of the four accepted ones.
    static func sniffMIMEType(_ bytes: [UInt8]) -> String? {
        if bytes.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return "image/png" }
        if bytes.starts(with: [0xFF, 0xD8, 0xFF]) { return "image/jpeg" }
        if bytes.starts(with: Array("GIF87a".utf8)) || bytes.starts(with: Array("GIF89a".utf8)) { return "image/gif" }
        if bytes.count >= 12, bytes.starts(with: Array("RIFF".utf8)), Array(bytes[8..<12]) == Array("WEBP".utf8) {
            return "image/webp"
        }
        return nil
    }

    /// Format and size, or a reason the header is unreadable.
    static func probe(_ bytes: [UInt8]) -> Result<Probed, ProbeFailure> {
        guard let mime = sniffMIMEType(bytes) else { return .failure(.unknownFormat) }
        let size: (Int, Int)?
        switch mime {
        case "image/png": size = pngSize(bytes)
        case "image/jpeg": size = jpegSize(bytes)
        case "image/gif": size = gifSize(bytes)
        default: size = webpSize(bytes)
        }
        guard let (width, height) = size, width > 0, height > 0 else { return .failure(.corrupt(mime)) }
        return .success(Probed(mimeType: mime, width: width, height: height))
    }

    enum ProbeFailure: Error, Equatable {
        case unknownFormat
        case corrupt(String)
    }

    private static func be16(_ b: [UInt8], _ i: Int) -> Int { Int(b[i]) << 8 | Int(b[i + 1]) }
    private static func le16(_ b: [UInt8], _ i: Int) -> Int { Int(b[i]) | Int(b[i + 1]) << 8 }
    private static func le24(_ b: [UInt8], _ i: Int) -> Int { Int(b[i]) | Int(b[i + 1]) << 8 | Int(b[i + 2]) << 16 }
    private static func be32(_ b: [UInt8], _ i: Int) -> Int {
        Int(b[i]) << 24 | Int(b[i + 1]) << 16 | Int(b[i + 2]) << 8 | Int(b[i + 3])
    }

    private static func pngSize(_ b: [UInt8]) -> (Int, Int)? {
        guard b.count >= 24, Array(b[12..<16]) == Array("IHDR".utf8) else { return nil }
        return (be32(b, 16), be32(b, 20))
    }

    private static func gifSize(_ b: [UInt8]) -> (Int, Int)? {
        guard b.count >= 10 else { return nil }
        return (le16(b, 6), le16(b, 8))
    }

    private static func webpSize(_ b: [UInt8]) -> (Int, Int)? {
        guard b.count >= 30 else { return nil }
        switch String(decoding: b[12..<16], as: UTF8.self) {
        case "VP8 ":
            guard b[23] == 0x9D, b[24] == 0x01, b[25] == 0x2A else { return nil }
            return (le16(b, 26) & 0x3FFF, le16(b, 28) & 0x3FFF)
        case "VP8L":
            guard b[20] == 0x2F else { return nil }
            let bits = Int(b[21]) | Int(b[22]) << 8 | Int(b[23]) << 16 | Int(b[24]) << 24
            return ((bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1)
        case "VP8X":
            return (le24(b, 24) + 1, le24(b, 27) + 1)
        default:
            return nil
        }
    }

    /// Walks the marker segments up to the first start-of-frame.
    private static func jpegSize(_ b: [UInt8]) -> (Int, Int)? {
        var i = 2
        while i + 3 < b.count {
            guard b[i] == 0xFF else { return nil }
            var marker = b[i + 1]
            while marker == 0xFF, i + 2 < b.count {  // fill bytes
                i += 1
                marker = b[i + 1]
            }
            i += 2
            if marker == 0x01 || (0xD0...0xD7).contains(marker) { continue }
            if marker == 0xD9 || marker == 0xDA { return nil }  // no frame header before the scan
            guard i + 1 < b.count else { return nil }
            let length = be16(b, i)
            guard length >= 2 else { return nil }
            let isStartOfFrame = (0xC0...0xCF).contains(marker) && ![0xC4, 0xC8, 0xCC].contains(marker)
            if isStartOfFrame {
                guard i + 6 < b.count else { return nil }
                return (be16(b, i + 5), be16(b, i + 3))
            }
            i += length
        }
        return nil
    }
}
