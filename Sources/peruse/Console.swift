import ArgumentParser
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Every byte the CLI prints goes through here: `write(2)` with its errors reported, because
/// Foundation's legacy `FileHandle.write(_:)` traps on a full disk or a closed descriptor
/// (`peruse caption DIR > /dev/full`).
enum Console {
    /// A failed write to standard output: the command reports it and exits 1.
    struct WriteError: Error, CustomStringConvertible {
        var reason: String
        var description: String { "cannot write to standard output: \(reason)" }
    }

    /// The version `peruse --version` prints.
    static let version = "0.9.0"

    /// Makes failed writes errors instead of signals, and keeps descriptors 0-2 taken.
    ///
    /// A closed standard output (`>&-`) would let the next `open` take descriptor 1, and
    /// results printed "to standard output" would land in that file (a store, an image):
    /// a closed 0, 1 or 2 is filled with a read-only /dev/null, on which writes fail with
    /// EBADF like on the closed descriptor. SIGPIPE is ignored so a reader that went away
    /// is an EPIPE error with a message, not a silent death.
    static func setUp() {
        for descriptor in [STDIN_FILENO, STDOUT_FILENO, STDERR_FILENO] where fcntl(descriptor, F_GETFD) == -1 {
            let null = open("/dev/null", O_RDONLY)
            if null >= 0 && null != descriptor {
                dup2(null, descriptor)
                close(null)
            }
        }
        signal(SIGPIPE, SIG_IGN)
    }

    /// Writes `text` to standard output.
    /// - Throws: `WriteError` with the reason (errno text), e.g. "No space left on device".
    static func out(_ text: String) throws {
        let shown = isatty(STDOUT_FILENO) == 1 ? Terminal.escape(text, keepLayout: true) : text
        if let reason = writeAll(STDOUT_FILENO, Array(shown.utf8)) { throw WriteError(reason: reason) }
    }

    /// Writes one line (a newline is added) to standard output.
    static func line(_ text: String) throws { try out(text + "\n") }

    /// Writes `text` to standard error, adding a final newline when missing. Control
    /// characters (a file name's escape sequences) are shown escaped; line breaks are kept.
    /// A failed write is ignored: there is nowhere left to report it.
    static func error(_ text: String) {
        let line = text.hasSuffix("\n") ? text : text + "\n"
        _ = writeAll(STDERR_FILENO, Array(Terminal.escape(line, keepLayout: true).utf8))
    }

    /// Writes bytes already made safe (the live progress bar's own escape sequences).
    static func rawError(_ text: String) {
        _ = writeAll(STDERR_FILENO, Array(text.utf8))
    }

    /// Writes every byte, retrying short writes and EINTR; returns the errno text on failure.
    private static func writeAll(_ descriptor: Int32, _ bytes: [UInt8]) -> String? {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                return String(cString: strerror(errno))
            }
            offset += written
        }
        return nil
    }
}

/// Makes text safe to show on a terminal.
enum Terminal {
    /// Escapes control characters (C0, DEL, C1, bidirectional overrides) as `\xHH` or
    /// `\u{HHHH}`, so a file name cannot move the cursor, recolour or retitle the terminal,
    /// or fake a line. With `keepLayout`, line feeds and tabs stay as they are (for text
    /// made of several lines; names inside it are escaped with `keepLayout: false`).
    static func escape(_ text: String, keepLayout: Bool = false) -> String {
        guard text.unicodeScalars.contains(where: { needsEscape($0, keepLayout: keepLayout) }) else { return text }
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            guard needsEscape(scalar, keepLayout: keepLayout) else {
                out.append(scalar)
                continue
            }
            let shown: String
            switch scalar {
            case "\n": shown = "\\n"
            case "\r": shown = "\\r"
            case "\t": shown = "\\t"
            case _ where scalar.value < 0x100: shown = String(format: "\\x%02x", scalar.value)
            default: shown = String(format: "\\u{%04x}", scalar.value)
            }
            out.append(contentsOf: shown.unicodeScalars)
        }
        return String(out)
    }

    private static func needsEscape(_ scalar: Unicode.Scalar, keepLayout: Bool) -> Bool {
        switch scalar.value {
        case 0x0A, 0x09: !keepLayout
        case 0x00..<0x20, 0x7F, 0x80..<0xA0: true
        case 0x202A...0x202E, 0x2066...0x2069: true
        default: false
        }
    }
}
