import Foundation
import PeruseTesting

#if canImport(Glibc)
import Glibc
#endif

/// The `peruse` executable built beside the test bundle.
let peruseExecutable: String = {
    let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    for folder in [beside, beside.deletingLastPathComponent(), TestPaths.packageRoot.appendingPathComponent(".build/debug")] {
        let candidate = folder.appendingPathComponent("peruse").path
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
    }
    return TestPaths.packageRoot.appendingPathComponent(".build/debug/peruse").path
}()

/// What a finished `peruse` process did.
struct ProcessResult {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// A started `peruse` process whose output goes to files (no pipe can fill up and block it).
final class PeruseProcess {
    let process = Process()
    let stdoutPath: String
    let stderrPath: String

    init(_ arguments: [String], environment: [String: String] = [:], keyed: Bool = true, in folder: String, wrapper: [String] = []) throws {
        stdoutPath = folder + "/stdout-\(UUID().uuidString)"
        stderrPath = folder + "/stderr-\(UUID().uuidString)"
        FileManager.default.createFile(atPath: stdoutPath, contents: nil)
        FileManager.default.createFile(atPath: stderrPath, contents: nil)
        if wrapper.isEmpty {
            process.executableURL = URL(fileURLWithPath: peruseExecutable)
            process.arguments = arguments
        } else {
            process.executableURL = URL(fileURLWithPath: wrapper[0])
            process.arguments = Array(wrapper.dropFirst()) + [peruseExecutable] + arguments
        }
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "OPENROUTER_API_KEY")
        env.removeValue(forKey: "OPENROUTER_BASE_URL")
        if keyed { env["OPENROUTER_API_KEY"] = "sk-or-v1-emulator" }
        env["XDG_CACHE_HOME"] = folder + "/cache"
        for (key, value) in environment { env[key] = value }
        process.environment = env
        process.currentDirectoryURL = URL(fileURLWithPath: folder)
        process.standardOutput = FileHandle(forWritingAtPath: stdoutPath)
        process.standardError = FileHandle(forWritingAtPath: stderrPath)
        try process.run()
    }

    /// Waits for the process without blocking a thread of the cooperative pool: the emulator
    /// and the test's own tasks run there too, and on two cores two blocked waits starve them.
    func wait() async -> ProcessResult {
        while process.isRunning { try? await Task.sleep(for: .milliseconds(10)) }
        process.waitUntilExit()
        return ProcessResult(
            status: process.terminationStatus,
            stdout: (try? String(contentsOfFile: stdoutPath, encoding: .utf8)) ?? "",
            stderr: (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "")
    }

    func kill9() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }
}

/// Runs `peruse` to completion.
func peruse(
    _ arguments: [String], environment: [String: String] = [:], keyed: Bool = true, in folder: String,
    wrapper: [String] = []
) async throws -> ProcessResult {
    try await PeruseProcess(arguments, environment: environment, keyed: keyed, in: folder, wrapper: wrapper).wait()
}

/// Small valid PNGs of distinct solid colours (stored deflate blocks: no image library), so
/// every image gives a different request.
enum TestPNG {
    static func make(width: Int, height: Int, index: Int) -> Data {
        let colour: [UInt8] = [UInt8(index * 37 % 256), UInt8(index * 91 % 256), UInt8(255 - index % 256)]
        var raw: [UInt8] = []
        for _ in 0..<height {
            raw.append(0)
            for _ in 0..<width { raw += colour }
        }
        var png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        chunk("IHDR", be(UInt32(width)) + be(UInt32(height)) + [8, 2, 0, 0, 0], into: &png)
        chunk("IDAT", zlibStored(raw), into: &png)
        chunk("IEND", [], into: &png)
        return Data(png)
    }

    static func zlibStored(_ data: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [0x78, 0x01]
        var offset = 0
        repeat {
            let length = min(65_535, data.count - offset)
            let final: UInt8 = offset + length == data.count ? 1 : 0
            out += [final, UInt8(length & 0xFF), UInt8(length >> 8), UInt8(~length & 0xFF), UInt8((~length >> 8) & 0xFF)]
            out += data[offset..<offset + length]
            offset += length
        } while offset < data.count
        var a: UInt32 = 1, b: UInt32 = 0
        for byte in data {
            a = (a + UInt32(byte)) % 65_521
            b = (b + a) % 65_521
        }
        return out + be(b << 16 | a)
    }

    static func chunk(_ type: String, _ data: [UInt8], into png: inout [UInt8]) {
        let body = Array(type.utf8) + data
        png += be(UInt32(data.count)) + body + be(crc32(body))
    }

    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? 0xEDB8_8320 ^ (crc >> 1) : crc >> 1 }
        }
        return ~crc
    }

    static func be(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
    }

    /// A folder of `count` distinct PNGs.
    static func folder(_ count: Int, in parent: String) throws -> String {
        let folder = parent + "/images"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for index in 0..<count {
            try make(width: 48, height: 32, index: index).write(to: URL(fileURLWithPath: folder + String(format: "/pic%03d.png", index)))
        }
        return folder
    }
}
