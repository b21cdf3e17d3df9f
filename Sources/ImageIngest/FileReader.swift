#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads whole regular files with POSIX calls: never blocks on a fifo or reads a device forever.
enum FileReader {
    static func errnoText(_ code: Int32) -> String { String(cString: strerror(code)) }

    static func contents(of path: String, limit: Int) throws(ImageIngestError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else {
            let e = errno
            throw ImageIngestError(.unreadable, "cannot open: \(errnoText(e))", path: path, cause: errnoText(e))
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            throw ImageIngestError(.unreadable, "cannot stat: \(errnoText(errno))", path: path)
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            let kind = (info.st_mode & S_IFMT) == S_IFDIR ? "a directory" : "not a regular file"
            throw ImageIngestError(.unreadable, "cannot read: \(kind)", path: path)
        }
        let size = Int(info.st_size)
        guard size <= limit else {
            throw ImageIngestError(.tooLarge, "file is \(size) bytes, over the limit of \(limit)", path: path)
        }
        var bytes = [UInt8](repeating: 0, count: size)
        var filled = 0
        let failure: Int32? = bytes.withUnsafeMutableBytes { buffer in
            while filled < size {
                let n = read(fd, buffer.baseAddress! + filled, size - filled)
                if n < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                if n == 0 { break }
                filled += n
            }
            return nil
        }
        if let failure {
            throw ImageIngestError(.unreadable, "read failed: \(errnoText(failure))", path: path, cause: errnoText(failure))
        }
        if filled < size { bytes.removeLast(size - filled) }
        return bytes
    }
}
