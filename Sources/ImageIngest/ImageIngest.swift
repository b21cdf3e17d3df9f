import Foundation

/// Turns PNG and JPEG files into model-ready images.
///
/// ```swift
/// let image = try ImageIngest.prepare(path: "photo.jpg", options: ImageIngestOptions())
/// print(image.outWidth, image.outHeight, image.tokens)   // e.g. 1344 1008 1887
/// ```
public enum ImageIngest {
    /// Reads, decodes, orients, flattens, downscales and re-encodes one file. Synchronous and
    /// CPU-bound: call it from a bounded task group (see `ImageBatch`).
    public static func prepare(path: String, options: ImageIngestOptions = .init()) throws(ImageIngestError) -> PreparedImage {
        do {
            let bytes = try FileReader.contents(of: path, limit: options.maxFileBytes)
            var image = try prepare(bytes: bytes, options: options)
            image.path = path
            return image
        } catch {
            throw error.path == nil ? error.with(path: path) : error
        }
    }

    /// Like `prepare(path:options:)`, from bytes in memory.
    public static func prepare(bytes: [UInt8], options: ImageIngestOptions = .init()) throws(ImageIngestError) -> PreparedImage {
        let decoded = try decode(bytes: bytes, options: options, targetMaxSide: options.maxSide, fitGrid: true)
        var warnings = decoded.warnings
        var (raster, background) = decoded.raster.flattened()
        if background == .dark {
            warnings.append("transparent areas put on a dark background (the visible pixels are mostly light)")
        }
        // Resize in stored orientation (cheaper), then turn the small result upright.
        let swap = decoded.orientation.swapsDimensions
        let target = decoded.target
        raster = Resampler.resize(raster, width: swap ? target.height : target.width,
                                  height: swap ? target.width : target.height)
        raster = raster.oriented(decoded.orientation)
        let (format, encoded) = try encode(raster, source: decoded.format, quality: options.quality)
        return PreparedImage(
            path: nil, sourceFormat: decoded.format, width: decoded.uprightWidth,
            height: decoded.uprightHeight, orientation: decoded.orientation,
            outWidth: raster.width, outHeight: raster.height, outFormat: format, bytes: encoded,
            tokens: ImageTokens.estimate(width: raster.width, height: raster.height),
            warnings: warnings)
    }

    /// Decodes a PNG or JPEG to upright RGB pixels at full size, alpha flattened as in
    /// `prepare`. The emulator uses it on every image it receives.
    public static func decode(bytes: [UInt8], options: ImageIngestOptions = .init()) throws(ImageIngestError) -> DecodedImage {
        let raster = try decodeUpright(bytes: bytes, options: options).flattened().0
        return DecodedImage(width: raster.width, height: raster.height, rgb: raster.pixels)
    }

    /// Upright pixels at full size, alpha kept (3 or 4 channels): for tests against other decoders.
    package static func decodeUpright(bytes: [UInt8], options: ImageIngestOptions = .init()) throws(ImageIngestError) -> Raster {
        let decoded = try decode(bytes: bytes, options: options, targetMaxSide: nil, fitGrid: false)
        return decoded.raster.oriented(decoded.orientation)
    }

    /// The downscaled upright raster before encoding: for fidelity tests against Pillow.
    package static func resizedUpright(bytes: [UInt8], options: ImageIngestOptions) throws(ImageIngestError) -> Raster {
        let decoded = try decode(bytes: bytes, options: options, targetMaxSide: options.maxSide, fitGrid: true)
        let swap = decoded.orientation.swapsDimensions
        let raster = Resampler.resize(decoded.raster.flattened().0,
                                      width: swap ? decoded.target.height : decoded.target.width,
                                      height: swap ? decoded.target.width : decoded.target.height)
        return raster.oriented(decoded.orientation)
    }

    struct Decoded {
        var format: ImageFormat
        var raster: Raster
        var orientation: ExifOrientation
        var uprightWidth: Int
        var uprightHeight: Int
        /// Upright output size.
        var target: (width: Int, height: Int)
        var warnings: [String]
    }

    static func decode(bytes: [UInt8], options: ImageIngestOptions, targetMaxSide: Int?, fitGrid: Bool) throws(ImageIngestError) -> Decoded {
        guard let format = ImageFormat.sniff(bytes) else {
            let what = bytes.isEmpty ? "the file is empty" : "the bytes are not a PNG or JPEG image"
            throw ImageIngestError(.notAnImage, "not an image: \(what)")
        }
        guard format.isDecodable else {
            throw ImageIngestError(.notAnImage, "\(format.rawValue) image: only PNG and JPEG are supported (convert it first)")
        }
        let result: Result<Decoded, ImageIngestError> = bytes.withUnsafeBytes { buffer in
            do throws(ImageIngestError) {
                return .success(try decode(buffer, format: format, options: options, targetMaxSide: targetMaxSide, fitGrid: fitGrid))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    private static func decode(_ buffer: UnsafeRawBufferPointer, format: ImageFormat, options: ImageIngestOptions,
                               targetMaxSide: Int?, fitGrid: Bool) throws(ImageIngestError) -> Decoded {
        let orientation = ExifOrientation.read(from: buffer, format: format)
        let decoded: Codecs.Decoded
        var uprightWidth = 0, uprightHeight = 0
        var target = (width: 0, height: 0)
        switch format {
        case .jpeg:
            let header = try Codecs.jpegHeader(buffer)
            if header.precision != 8 {
                throw ImageIngestError(.unsupported, "unsupported JPEG: \(header.precision)-bit samples (only 8-bit JPEG is supported)")
            }
            (uprightWidth, uprightHeight) = orientation.swapsDimensions ? (header.height, header.width) : (header.width, header.height)
            var denominator = 1
            if fitGrid {
                target = ImageTokens.targetSize(width: uprightWidth, height: uprightHeight, maxSide: targetMaxSide)
                let stored = orientation.swapsDimensions ? (target.height, target.width) : (target.width, target.height)
                denominator = dctDenominator(width: header.width, height: header.height, targetWidth: stored.0, targetHeight: stored.1)
            }
            decoded = try Codecs.decodeJPEG(buffer, header: header, scaleDenominator: denominator, maxPixels: options.maxPixels,
                                            allowTruncated: options.allowTruncated)
        default:
            decoded = try Codecs.decodePNG(buffer, maxPixels: options.maxPixels, allowTruncated: options.allowTruncated)
            let r = decoded.raster
            (uprightWidth, uprightHeight) = orientation.swapsDimensions ? (r.height, r.width) : (r.width, r.height)
            if fitGrid {
                target = ImageTokens.targetSize(width: uprightWidth, height: uprightHeight, maxSide: targetMaxSide)
            }
        }
        var warnings: [String] = []
        if decoded.truncated {
            warnings.append(
                "truncated or damaged data accepted: part of the picture is missing (grey) or garbled"
                    + " (\(decoded.firstWarning))")
        } else if decoded.warnings > 0 {
            let more = decoded.warnings > 1 ? " and \(decoded.warnings - 1) more" : ""
            warnings.append("\(format.rawValue) decoder warning: \(decoded.firstWarning)\(more)")
        }
        return Decoded(format: format, raster: decoded.raster, orientation: orientation,
                       uprightWidth: uprightWidth, uprightHeight: uprightHeight, target: target, warnings: warnings)
    }

    /// libjpeg's DCT scaling (1/2, 1/4, 1/8), the largest that still decodes at least the
    /// target size in both axes; Lanczos does the rest. Stopping at twice the target
    /// (libvips's rule) was measured too: against Pillow's LANCZOS at max side 1024 over the
    /// fixture photos it scores median 56.6 dB (worst 42.8) where this rule scores 53.1 dB
    /// (worst 41.6), both visually lossless, but costs 40% more CPU (2.20 s vs 1.56 s for 36
    /// photos), which decides the speed target against vipsthumbnail. See docs/images.md.
    static func dctDenominator(width: Int, height: Int, targetWidth: Int, targetHeight: Int) -> Int {
        var chosen = 1
        for d in [2, 4, 8] {
            let w = (width + d - 1) / d, h = (height + d - 1) / d
            if w >= targetWidth && h >= targetHeight { chosen = d }
        }
        return chosen
    }

    /// JPEG for photos; PNG when the source was PNG and PNG is smaller, or the picture has so
    /// few colours (screenshots, line art, text) that JPEG would blur it for little gain.
    static func encode(_ raster: Raster, source: ImageFormat, quality: Int) throws(ImageIngestError) -> (ImageFormat, [UInt8]) {
        let jpeg = try Codecs.encodeJPEG(raster, quality: quality)
        // Many colours means a photo or artwork PNG: PNG would not be smaller, skip the try.
        guard source == .png, raster.hasFewColours(limit: 1024) else { return (.jpeg, jpeg) }
        let png = try Codecs.encodePNG(raster)
        if png.count <= jpeg.count { return (.png, png) }
        if png.count <= jpeg.count * 4 && raster.hasFewColours(limit: 256) { return (.png, png) }
        return (.jpeg, jpeg)
    }
}

extension Raster {
    /// Whether there are at most `limit` distinct colours (stops counting past the limit).
    func hasFewColours(limit: Int) -> Bool {
        var seen = Set<UInt32>()
        var i = 0
        while i + channels <= pixels.count {
            let key = UInt32(pixels[i]) << 16 | UInt32(pixels[i + 1]) << 8 | UInt32(pixels[i + 2])
            if seen.insert(key).inserted && seen.count > limit { return false }
            i += channels
        }
        return true
    }
}
