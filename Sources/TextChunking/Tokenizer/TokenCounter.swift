/// Something that counts the tokens a model will see for a text: the exact `LlamaTokenizer`
/// or the calibrated `TokenEstimator`. Use `TokenCounterResolver` to get the best available.
///
/// Counts are additive over pre-tokens: the count of a text is the sum of the counts of its
/// pre-tokens, and a text cut at a pre-token boundary counts the same in two halves as whole.
/// The splitter relies on this to count a document once and plan every chunk from it.
public protocol TokenCounter: Sendable {
    /// `true` when counts are exactly the model's, `false` for an estimate (which overcounts).
    var isExact: Bool { get }
    /// A short human description, e.g. `Llama 4 tokenizer (/path/tokenizer.model)`.
    var summary: String { get }
    /// The number of tokens of `text`.
    func count(_ text: String) -> Int
    /// The number of tokens of valid UTF-8 bytes.
    func count(utf8: UnsafeBufferPointer<UInt8>) -> Int
    /// Calls `body` with the byte range and token count of each pre-token of `utf8`, in order.
    func forEachPiece(utf8: UnsafeBufferPointer<UInt8>, _ body: (Range<Int>, Int) -> Void)
}

extension TokenCounter {
    public func count(_ text: String) -> Int {
        var text = text
        return text.withUTF8 { count(utf8: $0) }
    }

    public func count(utf8: UnsafeBufferPointer<UInt8>) -> Int {
        var total = 0
        forEachPiece(utf8: utf8) { total += $1 }
        return total
    }
}
