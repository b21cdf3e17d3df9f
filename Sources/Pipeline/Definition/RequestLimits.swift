/// The numbers a plan and a run size requests with, each in one place. (The default model is
/// `SeedModels.maverick`, in the OpenRouter module; this file stays free of it so the
/// pipeline-file fuzz harness compiles the Definition sources alone.)
public enum RequestLimits {
    /// The context assumed for a model whose endpoint does not say (a local server's bare
    /// `/models` entry): the smallest of the seed models' windows.
    public static let assumedContextTokens = 131_072
    /// Images one request may carry: the API's limit for Llama 4.
    public static let maxImagesPerRequest = 8
    /// Items one `batch:` request may carry (text items; image items stop at
    /// `maxImagesPerRequest`).
    public static let maxBatchItems = 1000
    /// Tokens of chat markup around a message or an image's caption line
    /// ("Image 3: name.jpg"), added to what the tokenizer counts.
    public static let messageOverheadTokens = 16
    /// Tokens kept free below the context when packing a request: the tokenizer of the model
    /// behind an endpoint may count a little differently from ours.
    public static let contextSafetyTokens = 64
    /// Chunk size for a `chunk` step that no consumer sizes (`size: auto` with nothing
    /// reading it).
    public static let unsizedChunkTokens = 4096
}
