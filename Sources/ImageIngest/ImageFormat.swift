/// A file format recognised from the first bytes of a file (never from its name).
public enum ImageFormat: String, Sendable, Equatable, CaseIterable {
    case png = "PNG"
    case jpeg = "JPEG"
    case gif = "GIF"
    case webp = "WebP"
    case bmp = "BMP"
    case tiff = "TIFF"
    case openEXR = "OpenEXR"
    case heif = "HEIF"

    /// The MIME type for a `data:` URL.
    public var mimeType: String {
        switch self {
        case .png: "image/png"
        case .jpeg: "image/jpeg"
        case .gif: "image/gif"
        case .webp: "image/webp"
        case .bmp: "image/bmp"
        case .tiff: "image/tiff"
        case .openEXR: "image/x-exr"
        case .heif: "image/heif"
        }
    }

    /// Whether Peruse can decode it (PNG and JPEG, through libpng and libjpeg-turbo).
    public var isDecodable: Bool { self == .png || self == .jpeg }

    /// Bytes needed by `sniff` to recognise every format.
    public static let sniffLength = 16

    /// Recognises the format from the first bytes, or nil for anything else (text, empty).
    public static func sniff<Bytes: Collection>(_ bytes: Bytes) -> ImageFormat? where Bytes.Element == UInt8 {
        let head = Array(bytes.prefix(sniffLength))
        func starts(_ magic: [UInt8], at offset: Int = 0) -> Bool {
            head.count >= offset + magic.count && Array(head[offset..<offset + magic.count]) == magic
        }
        if starts([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return .png }
        if starts([0xFF, 0xD8, 0xFF]) { return .jpeg }
        if starts(Array("GIF8".utf8)) { return .gif }
        if starts(Array("RIFF".utf8)) && starts(Array("WEBP".utf8), at: 8) { return .webp }
        if starts(Array("BM".utf8)) { return .bmp }
        if starts([0x49, 0x49, 0x2A, 0x00]) || starts([0x4D, 0x4D, 0x00, 0x2A]) { return .tiff }
        if starts([0x76, 0x2F, 0x31, 0x01]) { return .openEXR }
        if starts(Array("ftyp".utf8), at: 4) { return .heif }
        return nil
    }
}
