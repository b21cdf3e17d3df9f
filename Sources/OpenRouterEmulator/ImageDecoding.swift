import ImageIngest

/// How the emulator decodes the images it receives: PNG and JPEG through the project's own
/// decoder (`ImageIngest.decode`, libpng / libjpeg-turbo, EXIF orientation applied), so a
/// damaged or truncated image is refused like the service refuses it; GIF and WebP, which
/// Peruse never sends, by their headers only.
enum ImageDecoding {
    struct Decoded: Equatable {
        var mimeType: String
        var width: Int
        var height: Int
    }

    enum Failure: Error, Equatable {
        case unknownFormat
        case corrupt(format: String, reason: String)
    }

    static func decode(_ bytes: [UInt8], mode: EmulatorConfiguration.ImageDecodingMode) -> Result<Decoded, Failure> {
        let probed: ImageProbe.Probed
        switch ImageProbe.probe(bytes) {
        case .success(let header):
            probed = header
        case .failure(.unknownFormat):
            return .failure(.unknownFormat)
        case .failure(.corrupt(let mime)):
            return .failure(.corrupt(format: mime, reason: "unreadable header"))
        }
        guard mode == .full, probed.mimeType == "image/png" || probed.mimeType == "image/jpeg" else {
            return .success(Decoded(mimeType: probed.mimeType, width: probed.width, height: probed.height))
        }
        do {
            let image = try ImageIngest.decode(bytes: bytes)
            return .success(Decoded(mimeType: probed.mimeType, width: image.width, height: image.height))
        } catch {
            return .failure(.corrupt(format: probed.mimeType, reason: error.message))
        }
    }
}
