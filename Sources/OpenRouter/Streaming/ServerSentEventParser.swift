/// Incremental Server-Sent Events parser (the subset OpenRouter uses): feed it bytes as they
/// arrive, get back the `data` payload of each completed event. Comment lines (`: OPENROUTER
/// PROCESSING` keep-alives) are skipped; `\n`, `\r\n` and `\r` all end a line; multi-line data
/// is joined with `\n` as the SSE specification says.
package struct ServerSentEventParser: Sendable {
    private var pending: [UInt8] = []
    private var data: [UInt8] = []
    private var hasData = false
    private var lastWasCR = false

    package init() {}

    /// Feeds bytes; returns the data of every event they complete.
    package mutating func feed<Bytes: Sequence>(_ bytes: Bytes) -> [[UInt8]] where Bytes.Element == UInt8 {
        var events: [[UInt8]] = []
        for byte in bytes {
            if byte == 0x0A && lastWasCR {  // the \n of a \r\n
                lastWasCR = false
                continue
            }
            lastWasCR = byte == 0x0D
            if byte == 0x0A || byte == 0x0D {
                if let event = endLine() { events.append(event) }
            } else {
                pending.append(byte)
            }
        }
        return events
    }

    /// Ends the stream: an event not followed by a blank line is still delivered.
    package mutating func finish() -> [UInt8]? {
        if !pending.isEmpty { _ = endLine() }
        return dispatch()
    }

    private mutating func endLine() -> [UInt8]? {
        defer { pending.removeAll(keepingCapacity: true) }
        if pending.isEmpty { return dispatch() }
        if pending[0] == UInt8(ascii: ":") { return nil }  // comment / keep-alive
        let colon = pending.firstIndex(of: UInt8(ascii: ":")) ?? pending.endIndex
        let field = pending[..<colon]
        guard field.elementsEqual("data".utf8) else { return nil }  // event:, id:, retry: unused
        var valueStart = colon < pending.endIndex ? colon + 1 : colon
        if valueStart < pending.endIndex, pending[valueStart] == UInt8(ascii: " ") { valueStart += 1 }
        if hasData { data.append(0x0A) }
        data.append(contentsOf: pending[valueStart...])
        hasData = true
        return nil
    }

    private mutating func dispatch() -> [UInt8]? {
        guard hasData else { return nil }
        defer {
            data.removeAll(keepingCapacity: true)
            hasData = false
        }
        return data
    }
}
