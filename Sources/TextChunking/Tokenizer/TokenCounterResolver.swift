/// Picks the token counter for a run: the exact `LlamaTokenizer` when a tokenizer file is
/// available, else the `TokenEstimator`.
///
/// Where the file comes from, first match wins: the `--tokenizer PATH` option, the
/// `PERUSE_TOKENIZER` environment variable. An explicitly named file that cannot be loaded
/// is an error (a typo must not silently fall back to estimates).
public enum TokenCounterResolver {
    /// The environment variable naming a tokenizer file.
    public static let environmentVariable = "PERUSE_TOKENIZER"

    /// The best counter available.
    /// - Parameters:
    ///   - tokenizerPath: the `--tokenizer` option, if given.
    ///   - environment: the process environment (pass `ProcessInfo.processInfo.environment`).
    /// - Throws: `TextChunkingError` when a named file is missing or not a tokenizer.
    public static func resolve(tokenizerPath: String?, environment: [String: String]) throws -> any TokenCounter {
        if let path = tokenizerPath, !path.isEmpty { return try load(path, source: "--tokenizer") }
        if let path = environment[environmentVariable], !path.isEmpty {
            return try load(path, source: environmentVariable)
        }
        return TokenEstimator()
    }

    private static func load(_ path: String, source: String) throws -> LlamaTokenizer {
        do {
            return try LlamaTokenizer(contentsOf: path)
        } catch let error as TextChunkingError where error.code == .unreadableFile {
            throw TextChunkingError(
                .tokenizerNotFound,
                "tokenizer file from \(source) cannot be read: \(error.message); point it at Meta's Llama 4 tokenizer.model, or leave it unset to use estimates")
        }
    }
}
