#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Finds the images under files and folders: recursive, sorted by name, deterministic.
/// Symlink loops, unreadable entries and special files become notes, never failures of the
/// walk; files inside folders that are not PNG or JPEG are skipped with a note.
public struct ImageFolderWalker: Sendable {
    /// Something the walk met but did not yield as an image.
    public struct Note: Sendable, Equatable, CustomStringConvertible {
        public enum Kind: String, Sendable, Equatable {
            /// Not an image (text, another format, a special file): skipped on purpose.
            case skipped
            /// Could not be read or followed (permission, loop, dangling link): the user
            /// probably expected it to be read.
            case unreadable
        }
        public var path: String
        public var kind: Kind
        public var reason: String
        /// A fifo, device or socket met in a folder: skipped without being opened.
        public var isSpecialFile = false
        public var description: String { "\(path): \(kind == .skipped ? "skipped" : "unreadable"): \(reason)" }
    }

    /// The result of a walk.
    public struct Listing: Sendable {
        /// Files to ingest, in walk order (roots in the order given, folder entries by name).
        public var files: [String]
        public var notes: [Note]
    }

    public init() {}

    /// Walks `roots`. A root that is a file is listed as given, whatever its bytes (ingesting
    /// it reports what is wrong); files found inside folders are sniffed and only PNG and
    /// JPEG are listed.
    public func walk(_ roots: [String]) -> Listing {
        var listing = Listing(files: [], notes: [])
        var visited = Set<DirectoryID>()
        for root in roots {
            var info = stat()
            guard stat(root, &info) == 0 else {
                let e = errno
                listing.notes.append(Note(path: root, kind: .unreadable, reason: FileReader.errnoText(e)))
                continue
            }
            if (info.st_mode & S_IFMT) == S_IFDIR {
                walkDirectory(root, info, &visited, &listing)
            } else {
                listing.files.append(root)
            }
        }
        return listing
    }

    private struct DirectoryID: Hashable {
        var device: UInt64
        var inode: UInt64
    }

    private func walkDirectory(_ path: String, _ info: stat, _ visited: inout Set<DirectoryID>, _ listing: inout Listing) {
        let id = DirectoryID(device: UInt64(info.st_dev), inode: UInt64(info.st_ino))
        guard visited.insert(id).inserted else {
            listing.notes.append(Note(path: path, kind: .skipped, reason: "directory already visited (a symlink loop)"))
            return
        }
        guard let dir = opendir(path) else {
            listing.notes.append(Note(path: path, kind: .unreadable, reason: FileReader.errnoText(errno)))
            return
        }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        closedir(dir)
        // Byte order, so the walk is the same on every machine and locale.
        names.sort { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
        let prefix = path.hasSuffix("/") ? path : path + "/"
        for name in names {
            let child = prefix + name
            var own = stat()
            guard lstat(child, &own) == 0 else {
                listing.notes.append(Note(path: child, kind: .unreadable, reason: FileReader.errnoText(errno)))
                continue
            }
            var target = own
            if (own.st_mode & S_IFMT) == S_IFLNK {
                guard stat(child, &target) == 0 else {
                    let e = errno
                    let reason = e == ELOOP ? "symlink loop" : (e == ENOENT ? "dangling symlink" : FileReader.errnoText(e))
                    listing.notes.append(Note(path: child, kind: .unreadable, reason: reason))
                    continue
                }
            }
            switch target.st_mode & S_IFMT {
            case S_IFDIR:
                walkDirectory(child, target, &visited, &listing)
            case S_IFREG:
                classify(child, &listing)
            default:
                let reason = "not a regular file (device, fifo or socket)"
                listing.notes.append(Note(path: child, kind: .skipped, reason: reason, isSpecialFile: true))
            }
        }
    }

    private func classify(_ path: String, _ listing: inout Listing) {
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else {
            listing.notes.append(Note(path: path, kind: .unreadable, reason: FileReader.errnoText(errno)))
            return
        }
        defer { close(fd) }
        var head = [UInt8](repeating: 0, count: ImageFormat.sniffLength)
        let n = head.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        guard n >= 0 else {
            listing.notes.append(Note(path: path, kind: .unreadable, reason: FileReader.errnoText(errno)))
            return
        }
        switch ImageFormat.sniff(head.prefix(n)) {
        case .some(let format) where format.isDecodable:
            listing.files.append(path)
        case .some(let format):
            listing.notes.append(Note(path: path, kind: .skipped, reason: "\(format.rawValue) image (only PNG and JPEG are read)"))
        case .none:
            listing.notes.append(Note(path: path, kind: .skipped, reason: n == 0 ? "empty file" : "not an image"))
        }
    }
}
