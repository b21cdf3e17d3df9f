// libFuzzer harness for document loading: compiled together with Sources/TextChunking by
// scripts/fuzz/document.sh (see docs/tokens.md, "Fuzzing").
//
// Each input is a file's bytes. Loading must either succeed or throw `TextChunkingError`; a
// loaded document must be valid UTF-8 without NUL (lossy repairs everything), and splitting
// it must give chunks inside the text, in order, with sane line numbers.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDocument(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    for lossy in [false, true] {
        let kind: TextDocument.Kind = size % 2 == 0 ? .markdown : .plainText
        let document: TextDocument
        do {
            document = try TextDocument(bytes: bytes, path: "fuzz", kind: kind, lossy: lossy)
        } catch {
            // Only the strict load may refuse, and only for what the lossy one repairs.
            check(!lossy, "lossy load threw: \(error)")
            continue
        }
        check(String(validating: document.utf8, as: UTF8.self) != nil, "document is not valid UTF-8")
        check(!document.utf8.contains(0), "document contains NUL")
        if !lossy { check(document.replacements == 0, "strict load replaced bytes") }
        split(document)
    }
    return 0
}

// Built once: the estimator's tables are costly to make and are not what is under test.
private let estimator = TokenEstimator()

private func split(_ document: TextDocument) {
    guard let splitter = try? TextSplitter(counter: estimator, chunkTokens: 16, overlapTokens: 4) else {
        check(false, "splitter refused valid sizes")
        return
    }
    let start = document.fileOffset
    let end = document.fileOffset + document.utf8.count
    let lines = document.utf8.reduce(1) { $1 == 0x0A ? $0 + 1 : $0 }
    var previous: TextChunk?
    splitter.split(document) { chunk in
        check(chunk.byteRange.lowerBound >= start && chunk.byteRange.upperBound <= end, "chunk outside the text")
        check(!chunk.byteRange.isEmpty, "empty chunk")
        check(chunk.lineRange.lowerBound >= 1 && chunk.lineRange.upperBound <= lines, "line out of range")
        check(chunk.overlapBytes >= 0 && chunk.overlapBytes <= chunk.byteRange.count, "overlap larger than chunk")
        if let previous {
            check(chunk.index == previous.index + 1, "chunk indexes not consecutive")
            check(chunk.byteRange.lowerBound + chunk.overlapBytes == previous.byteRange.upperBound, "gap or overlap mismatch")
        } else {
            check(chunk.byteRange.lowerBound == start, "first chunk does not start the text")
        }
        previous = chunk
    }
    if let previous { check(previous.byteRange.upperBound == end, "last chunk does not end the text") }
}

/// A failed invariant is a crash, which libFuzzer reports with the input.
private func check(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String) {
    if !condition() { fatalError("invariant: \(message())") }
}
