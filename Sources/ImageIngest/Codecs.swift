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

    static func decodeJPEG(
        _ bytes: UnsafeRawBufferPointer, scaleDenominator: Int, maxPixels: Int, allowTruncated: Bool
    ) throws(ImageIngestError) -> Decoded {
        var image = cic_image()
        var message = [CChar](repeating: 0, count: messageCapacity)
        let status = cic_jpeg_decode(
            bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), bytes.count,
            Int32(scaleDenominator), UInt64(max(0, maxPixels)), allowTruncated ? 1 : 0, &image,
            &message, message.count)
        try check(status, message, format: "JPEG")
        return adopt(image, message)
    }

    static func decodePNG(
        _ bytes: UnsafeRawBufferPointer, maxPixels: Int, allowTruncated: Bool
    ) throws(ImageIngestError) -> Decoded {
        var image = cic_image()
        var message = [CChar](repeating: 0, count: messageCapacity)
        let status = cic_png_decode(
            bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), bytes.count,
            UInt64(max(0, maxPixels)), allowTruncated ? 1 : 0, &image, &message, message.count)
        try check(status, message, format: "PNG")
        return adopt(image, message)
    }

    static func encodeJPEG(_ raster: Raster, quality: Int) throws(ImageIngestError) -> [UInt8] {
        try encode(raster) { pixels, output, message in
            cic_jpeg_encode(pixels, UInt32(raster.width), UInt32(raster.height),
                            Int32(raster.channels), Int32(quality), output, message, messageCapacity)
        }
    }

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

    private static func adopt(_ image: cic_image, _ message: [CChar]) -> Decoded {
        defer { cic_free(image.pixels) }
        let count = Int(image.width) * Int(image.height) * Int(image.channels)
        let pixels = image.pixels.map { Array(UnsafeBufferPointer(start: $0, count: count)) } ?? []
        return Decoded(
            raster: Raster(width: Int(image.width), height: Int(image.height),
                           channels: Int(image.channels), pixels: pixels),
            warnings: Int(image.warnings), firstWarning: string(message),
            truncated: image.truncated != 0)
    }

    private static func check(_ status: cic_status, _ message: [CChar], format: String) throws(ImageIngestError) {
        let reason = string(message)
        switch status {
        case .CIC_OK: return
        case .CIC_TOO_LARGE:
            throw ImageIngestError(.tooLarge, "\(reason); refused before decoding (raise the pixel limit to accept it)", cause: reason)
        case .CIC_UNSUPPORTED:
            throw ImageIngestError(.unsupported, "unsupported \(format): \(reason)", cause: reason)
        case .CIC_TRUNCATED:
            throw ImageIngestError(.truncated, "truncated \(format): \(reason); refused because part of the picture is missing (--allow-truncated accepts it)", cause: reason)
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
