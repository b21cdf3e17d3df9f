#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reads whole regular files into one buffer, block by block: the buffer is sized from
/// `fstat` up front, so a 100 MB file costs 100 MB once (no intermediate `Data`, no regrowth
/// copies).
///
/// Only regular files are read, and at most `limit` bytes: a FIFO would block forever and a
/// device such as `/dev/zero` never ends, so both are refused before the first read.
enum FileBytes {
    static let blockSize = 1 << 20

    /// The bytes of the file at `path`.
    /// - Parameter limit: the largest file accepted, in bytes.
    /// - Throws: `TextChunkingError.unreadableFile` with the system's reason, or when the path
    ///   is not a regular file; `.tooLarge` past `limit`.
    static func read(_ path: String, limit: Int = TextDocument.maximumBytes) throws -> [UInt8] {
        // O_NONBLOCK: opening a FIFO with no writer must not wait; it is refused below.
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { throw failure(path, "cannot open") }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw failure(path, "cannot stat") }
        let type = info.st_mode & S_IFMT
        guard type == S_IFREG else {
            throw TextChunkingError(
                .unreadableFile, "\(path): is \(describe(type)), expected a regular text file")
        }
        guard Int(info.st_size) <= limit else {
            throw tooLarge(path, limit)
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Int(info.st_size) + 1)
        var block = [UInt8](repeating: 0, count: blockSize)
        while true {
            let n = block.withUnsafeMutableBytes { systemRead(fd, $0.baseAddress, blockSize) }
            if n < 0 {
                if errno == EINTR { continue }
                throw failure(path, "cannot read")
            }
            if n == 0 { break }
            // A file that grows while it is read (a log being written) still stops at the limit.
            guard bytes.count + n <= limit else { throw tooLarge(path, limit) }
            bytes.append(contentsOf: block[0..<n])
        }
        return bytes
    }

    /// "a directory", "a FIFO (named pipe)", … for a `st_mode` file type.
    static func describe(_ type: mode_t) -> String {
        switch type {
        case S_IFDIR: "a directory"
        case S_IFIFO: "a FIFO (named pipe)"
        case S_IFCHR: "a character device"
        case S_IFBLK: "a block device"
        case S_IFSOCK: "a socket"
        default: "not a regular file"
        }
    }

    private static func tooLarge(_ path: String, _ limit: Int) -> TextChunkingError {
        let readable = limit % (1 << 30) == 0 ? "\(limit >> 30) GiB" : "\(limit >> 20) MiB"
        return TextChunkingError(
            .tooLarge, "\(path): larger than the limit of \(limit) bytes (\(readable)); split it first")
    }

    private static func failure(_ path: String, _ what: String) -> TextChunkingError {
        let reason = String(cString: strerror(errno))
        return TextChunkingError(.unreadableFile, "\(path): \(what) (\(reason))")
    }
}

@inline(__always)
private func systemRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
    read(fd, buffer, count)
}
