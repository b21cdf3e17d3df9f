import CImageCodecs

/// Process-wide memory settings for programs that decode many large images.
///
/// A library must not change how the whole process allocates behind its caller's back, so
/// this is opt-in: an executable calls it once at start (the `peruse` command does).
public enum ImageMemory {
    /// Reuses large decode buffers from the heap instead of mapping them afresh per image,
    /// in one malloc arena (glibc only; a no-op elsewhere). For a stream of 10-50 MB decode
    /// buffers this saves about 15% of the time, and one arena keeps the retained memory of
    /// parallel decodes from multiplying (docs/images.md has the figures).
    public static func keepLargeBuffers() {
        cic_keep_large_buffers()
    }
}
