/// How images are prepared for the model.
///
/// ```swift
/// let image = try ImageIngest.prepare(path: "cat.jpg", options: .init(maxSide: 1024))
/// ```
public struct ImageIngestOptions: Sendable, Equatable {
    /// Longest side of the output in pixels; nil fits the Llama 4 tile grid (at most 16 tiles,
    /// whole tiles when a slightly smaller size allows it). Images are never upscaled.
    public var maxSide: Int?
    /// JPEG quality of the output, 1–100.
    public var quality: Int
    /// Images whose header declares more pixels than this are refused before decoding.
    public var maxPixels: Int
    /// Accept files whose data ends early (the missing part is mid-grey) with a warning.
    public var allowTruncated: Bool
    /// Largest file read from disk, in bytes.
    public var maxFileBytes: Int

    public init(
        maxSide: Int? = nil, quality: Int = 85, maxPixels: Int = 100_000_000,
        allowTruncated: Bool = false, maxFileBytes: Int = 512 << 20
    ) {
        self.maxSide = maxSide
        self.quality = quality
        self.maxPixels = maxPixels
        self.allowTruncated = allowTruncated
        self.maxFileBytes = maxFileBytes
    }
}
