#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reads whole files into one buffer, block by block: the buffer is sized from `fstat` up
/// front, so a 100 MB file costs 100 MB once (no intermediate `Data`, no regrowth copies).
enum FileBytes {
    static let blockSize = 1 << 20

    /// The bytes of the file at `path`.
    /// - Throws: `TextChunkingError.unreadableFile` with the system's reason.
    static func read(_ path: String) throws -> [UInt8] {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw failure(path, "cannot open") }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw failure(path, "cannot stat") }
        guard (info.st_mode & S_IFMT) != S_IFDIR else {
            throw TextChunkingError(.unreadableFile, "\(path): is a directory, expected a text file")
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
            bytes.append(contentsOf: block[0..<n])
        }
        return bytes
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
