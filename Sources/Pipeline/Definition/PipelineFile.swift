#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reads a pipeline file with POSIX calls: only a regular file, and at most a limit, so a
/// FIFO, a directory or `/dev/zero` given as a pipeline is refused instead of blocking or
/// filling memory.
enum PipelineFile {
    struct Problem: Error {
        var message: String
    }

    static func read(_ path: String, limit: Int) throws(Problem) -> [UInt8] {
        // O_NONBLOCK: opening a FIFO with no writer must not wait; it is refused below.
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else {
            throw Problem(message: "cannot read the pipeline file: \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            throw Problem(message: "cannot read the pipeline file: \(String(cString: strerror(errno)))")
        }
        let type = info.st_mode & S_IFMT
        guard type == S_IFREG else {
            let what: String = switch type {
            case S_IFDIR: "a directory"
            case S_IFIFO: "a FIFO (named pipe)"
            case S_IFCHR: "a character device"
            case S_IFBLK: "a block device"
            case S_IFSOCK: "a socket"
            default: "not a regular file"
            }
            throw Problem(message: "this is \(what); expected a YAML pipeline file")
        }
        let tooLarge = Problem(
            message: "the file is larger than \(limit >> 20) MiB; a pipeline file is a few kilobytes of YAML")
        guard Int(info.st_size) <= limit else { throw tooLarge }
        var bytes: [UInt8] = []
        var block = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let n = block.withUnsafeMutableBytes { readBlock(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw Problem(message: "cannot read the pipeline file: \(String(cString: strerror(errno)))")
            }
            if n == 0 { break }
            guard bytes.count + n <= limit else { throw tooLarge }
            bytes.append(contentsOf: block[0..<n])
        }
        return bytes
    }

    /// "UTF-16LE" … when the bytes start with a UTF-16 or UTF-32 byte order mark.
    static func wideEncoding(_ bytes: [UInt8]) -> String? {
        let head = Array(bytes.prefix(4))
        if head.starts(with: [0xFF, 0xFE, 0, 0]) { return "UTF-32LE" }
        if head.starts(with: [0, 0, 0xFE, 0xFF]) { return "UTF-32BE" }
        if head.starts(with: [0xFF, 0xFE]) { return "UTF-16LE" }
        if head.starts(with: [0xFE, 0xFF]) { return "UTF-16BE" }
        return nil
    }

    /// The offset of the first byte that does not start a valid UTF-8 sequence, if any.
    static func firstInvalidUTF8(_ bytes: [UInt8]) -> Int? {
        var iterator = bytes.makeIterator()
        var decoder = UTF8()
        var offset = 0
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar): offset += UTF8.width(scalar)
            case .emptyInput: return nil
            case .error: return offset
            }
        }
    }
}

@inline(__always)
private func readBlock(_ fd: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
    read(fd, buffer, count)
}
