import Foundation
import PeruseTesting
import Pipeline

/// A chat service that answers from what it receives and remembers every request.
final class RecordingChat: ChatService, @unchecked Sendable {
    // @unchecked: every access to `sent` goes through `lock`.
    private let lock = NSLock()
    private var sent: [ModelRequest] = []
    let answer: @Sendable (ModelRequest) throws -> String

    init(answer: @escaping @Sendable (ModelRequest) throws -> String) {
        self.answer = answer
    }

    var requests: [ModelRequest] { lock.withLock { sent } }

    func send(_ request: ModelRequest) async throws -> ModelAnswer {
        lock.withLock { sent.append(request) }
        let text = try answer(request)
        return ModelAnswer(text: text, model: request.model, promptTokens: 100, completionTokens: 10, cost: 0.001)
    }
}

/// Images from disk, "prepared" by checking the signature and inlining the bytes: enough
/// to test the runner without ImageIngest.
struct DiskImages: ImageSource {
    func list(_ pattern: String, recursive: Bool) throws -> [String] {
        let names = try FileManager.default.contentsOfDirectory(atPath: pattern).filter { !$0.hasPrefix(".") }.sorted()
        return names.map { (pattern as NSString).appendingPathComponent($0) }
    }

    func isImage(_ path: String) -> Bool {
        guard let data = FileManager.default.contents(atPath: path), data.count > 8 else { return false }
        return data.starts(with: [0x89, 0x50, 0x4E, 0x47]) || data.starts(with: [0xFF, 0xD8, 0xFF])
    }

    func prepare(_ path: String, maxSide: Int?) throws -> ImageAttachment {
        guard isImage(path), let data = FileManager.default.contents(atPath: path) else {
            throw PipelineError(.itemFailed, "not a PNG or JPEG image")
        }
        return ImageAttachment(path: path, dataURL: "data:image/jpeg;base64," + data.base64EncodedString(), width: 64, height: 64, tokens: 150)
    }

    func estimateTokens(_ path: String, maxSide: Int?) throws -> Int { try prepare(path, maxSide: maxSide).tokens }

    func thumbnail(_ path: String, maxSide: Int) -> String? { nil }
}

/// Text measured at four characters a token, split on lines.
struct LineText: TextSource {
    func load(_ path: String) throws -> String { try String(contentsOfFile: path, encoding: .utf8) }

    func tokens(in text: String) -> Int { (text.utf8.count + 3) / 4 }

    func chunks(of text: String, maxTokens: Int, overlap: Int) throws -> [DocumentChunk] {
        var chunks: [DocumentChunk] = []
        var current: [Substring] = []
        var start = 1
        var line = 0
        for piece in text.split(separator: "\n", omittingEmptySubsequences: false) {
            line += 1
            if !current.isEmpty && tokens(in: (current + [piece]).joined(separator: "\n")) > maxTokens {
                let body = current.joined(separator: "\n")
                chunks.append(DocumentChunk(text: body, startLine: start, endLine: line - 1, tokens: tokens(in: body)))
                current = []
                start = line
            }
            current.append(piece)
        }
        if !current.isEmpty {
            let body = current.joined(separator: "\n")
            chunks.append(DocumentChunk(text: body, startLine: start, endLine: line, tokens: tokens(in: body)))
        }
        return chunks
    }
}

/// A folder with `good` real images and `bad` broken files named like JPEGs. Images are the
/// samples' photos (distinct pictures) while they last, then copies of a corpus JPEG made
/// distinct files by a byte after the end marker.
func imageFolder(good: Int, bad: Int, in folder: TemporaryFolder) throws -> String {
    let images = folder.file("images")
    try FileManager.default.createDirectory(atPath: images, withIntermediateDirectories: true)
    let samples = TestPaths.packageRoot.appendingPathComponent("samples/images").path
    let photos = try FileManager.default.contentsOfDirectory(atPath: samples).sorted().map { samples + "/" + $0 }
    let source = TestPaths.packageRoot.appendingPathComponent("../shared/corpus/jpeg/libjpeg-turbo-testimages/testorig.jpg").standardized.path
    let data = try Data(contentsOf: URL(fileURLWithPath: source))
    for index in 0..<good {
        let name = (images as NSString).appendingPathComponent(String(format: "img%03d.jpg", index))
        if good <= photos.count {
            try FileManager.default.copyItem(atPath: photos[index], toPath: name)
        } else {
            try (data + Data([UInt8(index % 256)])).write(to: URL(fileURLWithPath: name))
        }
    }
    for index in 0..<bad {
        try Data("not an image \(index)".utf8).write(to: URL(fileURLWithPath: (images as NSString).appendingPathComponent(String(format: "bad%02d.jpg", index))))
    }
    return images
}

let testFacts: @Sendable (String) -> ModelFacts? = { id in
    ModelFacts(id: id, contextLength: id.contains("small") ? 8192 : 131_072, acceptsImages: !id.contains("text"), promptPrice: 1e-7, completionPrice: 2e-7)
}

/// A thread-safe counter.
final class Counter: @unchecked Sendable {
    // @unchecked: `value` is only touched under `lock`.
    private let lock = NSLock()
    private var value = 0

    func next() -> Int { lock.withLock { value += 1; return value } }
}
