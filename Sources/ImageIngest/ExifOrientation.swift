/// EXIF orientation (1–8): how the stored pixels must be turned to show the picture upright.
public enum ExifOrientation: Int, Sendable, Equatable, CaseIterable {
    case up = 1, mirrored = 2, down = 3, downMirrored = 4
    case leftMirrored = 5, right = 6, rightMirrored = 7, left = 8

    /// Whether showing the picture upright swaps width and height.
    public var swapsDimensions: Bool { rawValue >= 5 }

    /// Reads the orientation tag from a JPEG's APP1 Exif segment or a PNG's eXIf chunk.
    /// Missing, unreadable or out-of-range values (e.g. 0) mean `.up`.
    public static func read(from bytes: UnsafeRawBufferPointer, format: ImageFormat) -> ExifOrientation {
        let tiff: Range<Int>?
        switch format {
        case .jpeg: tiff = jpegExif(bytes)
        case .png: tiff = pngExif(bytes)
        default: tiff = nil
        }
        guard let tiff, let value = orientationTag(bytes, tiff) else { return .up }
        return ExifOrientation(rawValue: value) ?? .up
    }

    private static func be16(_ b: UnsafeRawBufferPointer, _ i: Int) -> Int { Int(b[i]) << 8 | Int(b[i + 1]) }
    private static func be32(_ b: UnsafeRawBufferPointer, _ i: Int) -> Int { be16(b, i) << 16 | be16(b, i + 2) }

    /// The TIFF block inside the first APP1 "Exif\0\0" segment before the scan data.
    private static func jpegExif(_ b: UnsafeRawBufferPointer) -> Range<Int>? {
        var i = 2
        while i + 4 <= b.count {
            guard b[i] == 0xFF else { i += 1; continue }  // tolerate junk before markers
            let marker = b[i + 1]
            if marker == 0xFF { i += 1; continue }
            if marker == 0xD8 || (0xD0...0xD7).contains(marker) || marker == 0x01 { i += 2; continue }
            if marker == 0xDA || marker == 0xD9 { return nil }
            let length = be16(b, i + 2)
            guard length >= 2, i + 2 + length <= b.count else { return nil }
            let body = i + 4
            if marker == 0xE1, length >= 8, b[body] == 0x45, b[body + 1] == 0x78, b[body + 2] == 0x69,
               b[body + 3] == 0x66, b[body + 4] == 0, b[body + 5] == 0 {
                return (body + 6)..<(i + 2 + length)
            }
            i += 2 + length
        }
        return nil
    }

    /// The eXIf chunk's data, if it comes before the image data.
    private static func pngExif(_ b: UnsafeRawBufferPointer) -> Range<Int>? {
        var i = 8
        while i + 12 <= b.count {
            let length = be32(b, i)
            let type = (b[i + 4], b[i + 5], b[i + 6], b[i + 7])
            guard length >= 0, i + 12 + length <= b.count else { return nil }
            if type == (0x65, 0x58, 0x49, 0x66) { return (i + 8)..<(i + 8 + length) }  // eXIf
            if type == (0x49, 0x44, 0x41, 0x54) || type == (0x49, 0x45, 0x4E, 0x44) { return nil }
            i += 12 + length
        }
        return nil
    }

    /// Tag 0x0112 in IFD0 of a TIFF block; every offset is bounds-checked.
    private static func orientationTag(_ b: UnsafeRawBufferPointer, _ tiff: Range<Int>) -> Int? {
        let start = tiff.lowerBound, end = tiff.upperBound
        guard end - start >= 8 else { return nil }
        let little: Bool
        switch (b[start], b[start + 1]) {
        case (0x49, 0x49): little = true
        case (0x4D, 0x4D): little = false
        default: return nil
        }
        func u16(_ o: Int) -> Int? {
            guard o >= start, o + 2 <= end else { return nil }
            return little ? Int(b[o]) | Int(b[o + 1]) << 8 : Int(b[o]) << 8 | Int(b[o + 1])
        }
        func u32(_ o: Int) -> Int? {
            guard let a = u16(o), let c = u16(o + 2) else { return nil }
            return little ? a | c << 16 : a << 16 | c
        }
        guard u16(start + 2) == 42, let ifd = u32(start + 4), let count = u16(start + ifd) else { return nil }
        for entry in 0..<min(count, 512) {
            let o = start + ifd + 2 + entry * 12
            guard let tag = u16(o) else { return nil }
            if tag == 0x0112 {
                guard u16(o + 2) == 3 else { return nil }  // SHORT
                return u16(o + 8)
            }
        }
        return nil
    }
}

extension Raster {
    /// The pixels turned upright for `orientation`.
    package func oriented(_ orientation: ExifOrientation) -> Raster {
        if orientation == .up { return self }
        let w = width, h = height, c = channels
        let outW = orientation.swapsDimensions ? h : w
        let outH = orientation.swapsDimensions ? w : h
        var out = [UInt8](repeating: 0, count: pixels.count)
        pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for y in 0..<outH {
                    for x in 0..<outW {
                        let sx: Int, sy: Int
                        switch orientation {
                        case .up: (sx, sy) = (x, y)
                        case .mirrored: (sx, sy) = (w - 1 - x, y)
                        case .down: (sx, sy) = (w - 1 - x, h - 1 - y)
                        case .downMirrored: (sx, sy) = (x, h - 1 - y)
                        case .leftMirrored: (sx, sy) = (y, x)
                        case .right: (sx, sy) = (y, h - 1 - x)
                        case .rightMirrored: (sx, sy) = (w - 1 - y, h - 1 - x)
                        case .left: (sx, sy) = (w - 1 - y, x)
                        }
                        let s = (sy * w + sx) * c, d = (y * outW + x) * c
                        for k in 0..<c { dst[d + k] = src[s + k] }
                    }
                }
            }
        }
        return Raster(width: outW, height: outH, channels: c, pixels: out)
    }
}
