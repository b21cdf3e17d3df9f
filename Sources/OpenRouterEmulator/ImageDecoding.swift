/// How the emulator decodes the images it receives. Until the project's own decoder
/// (`ImageIngest`) lands, the size comes from the format's header.
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

    static func decode(_ bytes: [UInt8]) -> Result<Decoded, Failure> {
        switch ImageProbe.probe(bytes) {
        case .success(let probed):
            return .success(Decoded(mimeType: probed.mimeType, width: probed.width, height: probed.height))
        case .failure(.unknownFormat):
            return .failure(.unknownFormat)
        case .failure(.corrupt(let mime)):
            return .failure(.corrupt(format: mime, reason: "unreadable header"))
        }
    }
}
