import CImageCodecs
import Foundation

/// Prepares many files at once: at most `concurrency` decodes run together and results come
/// back in input order, so memory grows with the images in flight, not with the folder.
///
/// ```swift
/// let listing = ImageFolderWalker().walk(["photos"])
/// try await ImageBatch(options: .init(maxSide: 1024)).prepare(listing.files) { index, path, result in
///     print(path, (try? result.get())?.tokens ?? 0)
/// }
/// ```
public struct ImageBatch: Sendable {
    public var options: ImageIngestOptions
    /// Images decoded at the same time (default: the number of cores).
    public var concurrency: Int

    public init(options: ImageIngestOptions = .init(), concurrency: Int? = nil) {
        self.options = options
        self.concurrency = max(1, concurrency ?? ProcessInfo.processInfo.activeProcessorCount)
    }

    @concurrent
    private static func prepareOne(_ index: Int, _ path: String, _ options: ImageIngestOptions) async
        -> (Int, Result<PreparedImage, ImageIngestError>)
    {
        do throws(ImageIngestError) {
            return (index, .success(try ImageIngest.prepare(path: path, options: options)))
        } catch {
            return (index, .failure(error))
        }
    }

    /// Calls `body` once per path, in the order of `paths`, with the prepared image or the
    /// reason it failed. Stops early (and rethrows) if `body` throws or the task is cancelled.
    public func prepare(
        _ paths: [String],
        isolation: isolated (any Actor)? = #isolation,
        _ body: (_ index: Int, _ path: String, _ result: Result<PreparedImage, ImageIngestError>) async throws -> Void
    ) async throws {
        let options = self.options
        // Finished results waiting for an earlier, slower one are held too: cap them.
        let window = concurrency * 4
        try await withThrowingTaskGroup(of: (Int, Result<PreparedImage, ImageIngestError>).self, isolation: isolation) { group in
            var next = 0, emitted = 0, running = 0
            var ready: [Int: Result<PreparedImage, ImageIngestError>] = [:]
            func fill() {
                while next < paths.count && running < concurrency && next - emitted < window {
                    let index = next, path = paths[index]
                    // @Sendable and @concurrent: a closure formed here would otherwise inherit
                    // the caller's actor, and every decode would run on it one at a time.
                    group.addTask { @Sendable in await Self.prepareOne(index, path, options) }
                    next += 1
                    running += 1
                }
            }
            fill()
            while let (index, result) = try await group.next() {
                running -= 1
                ready[index] = result
                while let result = ready.removeValue(forKey: emitted) {
                    try Task.checkCancellation()
                    try await body(emitted, paths[emitted], result)
                    emitted += 1
                }
                fill()
            }
        }
    }
}
