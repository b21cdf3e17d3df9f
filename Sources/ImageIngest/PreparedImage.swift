import Foundation

/// An image ready to send: upright, flattened, downscaled, re-encoded, with its token estimate.
public struct PreparedImage: Sendable {
    /// The file it came from, as given (nil when prepared from bytes).
    public var path: String?
    /// Format of the input, from its bytes.
    public var sourceFormat: ImageFormat
    /// Upright size of the input (after EXIF orientation): the picture the user sees.
    public var width: Int
    public var height: Int
    /// The input's EXIF orientation (applied to the output).
    public var orientation: ExifOrientation
    /// Size of the output.
    public var outWidth: Int
    public var outHeight: Int
    /// Format of the output: JPEG, or PNG where it is smaller or the picture is flat-colour.
    public var outFormat: ImageFormat
    /// The exact bytes that are sent.
    public var bytes: [UInt8]
    /// Estimated prompt tokens for Llama 4 Maverick.
    public var tokens: Int
    /// Things the user should know (truncated data accepted, background chosen, …).
    public var warnings: [String]

    /// MIME type of `bytes`.
    public var mimeType: String { outFormat.mimeType }

    /// `data:` URL of the output, for a chat-completions `image_url` content part.
    public var dataURL: String {
        "data:\(mimeType);base64,\(Data(bytes).base64EncodedString())"
    }
}

/// Decoded pixels, upright, alpha flattened: what the model sees.
public struct DecodedImage: Sendable, Equatable {
    public var width: Int
    public var height: Int
    /// RGB, 8 bits per sample, rows top to bottom, `width * height * 3` bytes.
    public var rgb: [UInt8]
}
