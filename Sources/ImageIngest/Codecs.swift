import CImageCodecs

/// Swift side of CImageCodecs: calls the C functions, copies results out, frees C memory here
/// and nowhere else.
enum Codecs {
    static let messageCapacity = 512

    struct Decoded {
        var raster: Raster
        var warnings: Int
        var firstWarning: String
        var truncated: Bool
    }

    struct JPEGHeader {
        var width: Int
        var height: Int
        var precision: Int
        var colorSpace: Int
    }

    static func jpegHeader(_ bytes: UnsafeRawBufferPointer) throws(ImageIngestError) -> JPEGHeader {
        var header = cic_jpeg_header()
        var message = [CChar](repeating: 0, count: messageCapacity)
        let status = cic_jpeg_read_header(
            bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), bytes.count, &header,
            &message, message.count)
        try check(status, message, format: "JPEG")
        return JPEGHeader(width: Int(header.width), height: Int(header.height),
                          precision: Int(header.precision), colorSpace: Int(header.color_space))
    }

    /// Decodes straight into a Swift array sized from the header: the largest buffer of the
    /// pipeline is never copied.
    static func decodeJPEG(
        _ bytes: UnsafeRawBufferPointer, header: JPEGHeader, scaleDenominator: Int, maxPixels: Int,
        allowTruncated: Bool
    ) throws(ImageIngestError) -> Decoded {
        let d = scaleDenominator
        let width = (header.width + d - 1) / d, height = (header.height + d - 1) / d
        if header.width * header.height > maxPixels || header.width == 0 || header.height == 0 {
            // Let the C side word the refusal, before anything is allocated here.
            return try decode(bytes, channels: 3, width: 0, height: 0, format: "JPEG") { _, _, image, message in
                cic_jpeg_decode(bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), bytes.count, Int32(d),
                                UInt64(max(0, maxPixels)), allowTruncated ? 1 : 0, nil, 0, image, message, messageCapacity)
            }
        }
        return try decode(bytes, channels: 3, width: width, height: height, format: "JPEG") { destination, capacity, image, message in
            cic_jpeg_decode(bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), bytes.count, Int32(d),
                            UInt64(max(0, maxPixels)), allowTruncated ? 1 : 0, destination, capacity, image, message,
                            messageCapacity)
        }
    }

    static func decodePNG(
        _ bytes: UnsafeRawBufferPointer, maxPixels: Int, allowTruncated: Bool
    ) throws(ImageIngestError) -> Decoded {
        var width: UInt32 = 0, height: UInt32 = 0, channels: UInt32 = 0
        var message = [CChar](repeating: 0, count: messageCapacity)
        let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self)
        let status = cic_png_read_header(base, bytes.count, UInt64(max(0, maxPixels)), &width, &height, &channels,
                                         &message, message.count)
        try check(status, message, format: "PNG")
        return try decode(bytes, channels: Int(channels), width: Int(width), height: Int(height), format: "PNG") {
            destination, capacity, image, message in
            cic_png_decode(base, bytes.count, UInt64(max(0, maxPixels)), allowTruncated ? 1 : 0, destination, capacity,
                           image, message, messageCapacity)
        }
    }

    /// Runs a C decoder writing into a new array of `width * height * channels` bytes (or, when
    /// that is 0, lets it fail and reports why).
    private static func decode(
        _ bytes: UnsafeRawBufferPointer, channels: Int, width: Int, height: Int, format: String,
        _ call: (UnsafeMutablePointer<UInt8>?, Int, UnsafeMutablePointer<cic_image>, UnsafeMutablePointer<CChar>) -> cic_status
    ) throws(ImageIngestError) -> Decoded {
        var image = cic_image()
        var message = [CChar](repeating: 0, count: messageCapacity)
        var status = cic_status.CIC_ERROR
        let count = width * height * channels
        let pixels = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            status = message.withUnsafeMutableBufferPointer { text in
                call(count > 0 ? buffer.baseAddress : nil, count, &image, text.baseAddress!)
            }
            initialized = status == .CIC_OK ? count : 0
        }
        try check(status, message, format: format)
        guard Int(image.width) == width, Int(image.height) == height, Int(image.channels) == channels else {
            throw ImageIngestError(.corrupt, "\(format) decoder returned an unexpected size")
        }
        return Decoded(
            raster: Raster(width: width, height: height, channels: channels, pixels: pixels),
            warnings: Int(image.warnings), firstWarning: string(message), truncated: image.truncated != 0)
    }

    static func encodeJPEG(_ raster: Raster, quality: Int) throws(ImageIngestError) -> [UInt8] {
        let fullChroma = fullChromaBelowSide > min(raster.width, raster.height)
        return try encode(raster) { pixels, output, message in
            cic_jpeg_encode(pixels, UInt32(raster.width), UInt32(raster.height),
                            Int32(raster.channels), Int32(quality), fullChroma ? 1 : 0, output, message,
                            messageCapacity)
        }
    }

    /// Outputs with a side under this many pixels are encoded 4:4:4 (full-resolution colour)
    /// instead of 4:2:0. 4:2:0 keeps one colour sample per 2×2 pixels: on a picture a few
    /// pixels thick every colour edge is an image edge and the halved, edge-padded chroma
    /// smears colour over most of it (a 4000×3 stripe image scored 24.6 dB against Pillow's
    /// reference at 4:2:0). Below 64 px a side spans at most four 16-px blocks, so most of the
    /// picture is near an edge; and such pictures have few pixels, so the larger chroma planes
    /// cost few bytes (up to twice the 4:2:0 size on saturated stripes). Larger pictures keep
    /// 4:2:0's size saving, where it is invisible.
    static let fullChromaBelowSide = 64

    static func encodePNG(_ raster: Raster) throws(ImageIngestError) -> [UInt8] {
        try encode(raster) { pixels, output, message in
            cic_png_encode(pixels, UInt32(raster.width), UInt32(raster.height),
                           Int32(raster.channels), output, message, messageCapacity)
        }
    }

    private static func encode(
        _ raster: Raster,
        _ call: (UnsafePointer<UInt8>?, UnsafeMutablePointer<cic_buffer>, UnsafeMutablePointer<CChar>) -> cic_status
    ) throws(ImageIngestError) -> [UInt8] {
        var output = cic_buffer()
        var message = [CChar](repeating: 0, count: messageCapacity)
        let status = raster.pixels.withUnsafeBufferPointer { pixels in
            message.withUnsafeMutableBufferPointer { text in
                call(pixels.baseAddress, &output, text.baseAddress!)
            }
        }
        defer { cic_free(output.bytes) }
        guard status == .CIC_OK, let bytes = output.bytes else {
            throw ImageIngestError(.encodeFailed, "could not encode the output image",
                                   cause: string(message))
        }
        return Array(UnsafeBufferPointer(start: bytes, count: output.count))
    }

    private static func check(_ status: cic_status, _ message: [CChar], format: String) throws(ImageIngestError) {
        let reason = string(message)
        switch status {
        case .CIC_OK: return
        case .CIC_TOO_LARGE:
            throw ImageIngestError(.tooLarge, "\(reason); refused before decoding (--max-pixels raises the limit)", cause: reason)
        case .CIC_UNSUPPORTED:
            throw ImageIngestError(.unsupported, "unsupported \(format): \(reason)", cause: reason)
        case .CIC_TRUNCATED:
            // Data that ends early and entropy data the decoder had to skip or guess are both
            // lost picture; one code, so one option (--allow-truncated) accepts either.
            throw ImageIngestError(
                .truncated,
                "truncated or damaged \(format): \(reason); refused because part of the picture is missing"
                    + " (--allow-truncated accepts it)",
                cause: reason)
        case .CIC_NO_MEMORY:
            throw ImageIngestError(.corrupt, "out of memory decoding \(format): \(reason)", cause: reason)
        case .CIC_ERROR:
            throw ImageIngestError(.corrupt, "corrupt \(format): \(reason)", cause: reason)
        }
    }

    static func string(_ message: [CChar]) -> String {
        let bytes = message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        return String(decoding: bytes, as: UTF8.self)
    }
}
