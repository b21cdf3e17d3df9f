import Crypto

import protocol Foundation.DataProtocol

/// SHA-256 as lowercase hex, the form the answers and the log use.
enum Digest {
    static func sha256Hex<Bytes: DataProtocol>(_ bytes: Bytes) -> String {
        SHA256.hash(data: bytes).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }
}
