/// Line numbers of byte offsets, for offsets that mostly move forward (chunk starts and
/// ends, stepping back only over an overlap): counts newlines from the last answer.
struct LineCursor {
    private var offset = 0
    private var line = 1

    /// 1-based line of the byte at `target`.
    mutating func line(at target: Int, in bytes: UnsafeBufferPointer<UInt8>) -> Int {
        while offset < target {
            if bytes[offset] == 0x0A { line += 1 }
            offset += 1
        }
        while offset > target {
            offset -= 1
            if bytes[offset] == 0x0A { line -= 1 }
        }
        return line
    }
}
