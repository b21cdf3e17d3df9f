import Foundation

/// An image ready to send: re-encoded, as a `data:` URL, with its token cost.
public struct ImageAttachment: Sendable {
    public var path: String
    public var dataURL: String
    public var width: Int
    public var height: Int
    /// Estimated prompt tokens for the target model.
    public var tokens: Int

    public init(path: String, dataURL: String, width: Int, height: Int, tokens: Int) {
        self.path = path
        self.dataURL = dataURL
        self.width = width
        self.height = height
        self.tokens = tokens
    }
}

/// Where images come from: the production implementation wraps `ImageIngest`.
public protocol ImageSource: Sendable {
    /// Every file an `images:` step covers (a folder, walked, or a glob), sorted, paths as
    /// the user would write them. Non-images are included: they become failed rows.
    func list(_ pattern: String, recursive: Bool) throws -> [String]
    /// `list`, with a note (`path: skipped: reason`) for every file it left out on purpose
    /// (fifos, devices, sockets, files that are not images), for the user to see.
    func listWithNotes(_ pattern: String, recursive: Bool) throws -> (paths: [String], notes: [String])
    /// Decodes, orients, downscales and re-encodes one image.
    /// - Throws: an error whose description says why the file cannot be sent.
    func prepare(_ path: String, maxSide: Int?) throws -> ImageAttachment
    /// The prompt tokens the image will cost once prepared, read cheaply (header or a
    /// scaled decode) to pack batches.
    /// - Throws: an error saying why the file cannot be sent.
    func estimateTokens(_ path: String, maxSide: Int?) throws -> Int
    /// A small JPEG `data:` URL for galleries, or nil when the file is not an image.
    func thumbnail(_ path: String, maxSide: Int) -> String?
}

extension ImageSource {
    public func listWithNotes(_ pattern: String, recursive: Bool) throws -> (paths: [String], notes: [String]) {
        (try list(pattern, recursive: recursive), [])
    }
}

/// A piece of a document with where it came from.
public struct DocumentChunk: Sendable, Equatable {
    public var text: String
    public var startLine: Int
    public var endLine: Int
    public var tokens: Int

    public init(text: String, startLine: Int, endLine: Int, tokens: Int) {
        self.text = text
        self.startLine = startLine
        self.endLine = endLine
        self.tokens = tokens
    }
}

/// Where text comes from and how it is measured: the production implementation wraps
/// `TextChunking`.
public protocol TextSource: Sendable {
    /// Loads a document as text.
    func load(_ path: String) throws -> String
    /// Tokens of `text` for the model (exact or a safe over-estimate).
    func tokens(in text: String) -> Int
    /// Splits `text` into chunks of at most `maxTokens`, with `overlap` tokens repeated.
    func chunks(of text: String, maxTokens: Int, overlap: Int) throws -> [DocumentChunk]
}
