import Testing

@testable import OpenRouter

@Suite struct ServerSentEventParserTests {
    func parse(_ text: String, splitEvery size: Int) -> [String] {
        var parser = ServerSentEventParser()
        var events: [String] = []
        let bytes = Array(text.utf8)
        for start in stride(from: 0, to: bytes.count, by: size) {
            events += parser.feed(bytes[start..<min(start + size, bytes.count)]).map { String(decoding: $0, as: UTF8.self) }
        }
        if let last = parser.finish() { events.append(String(decoding: last, as: UTF8.self)) }
        return events
    }

    @Test(arguments: [1, 2, 3, 5, 1000])
    func commentsSkippedAndEventsSplitOnBlankLines(size: Int) {
        let text = ": OPENROUTER PROCESSING\n\ndata: {\"a\":1}\n\n: OPENROUTER PROCESSING\n\ndata: [DONE]\n\n"
        #expect(parse(text, splitEvery: size) == [#"{"a":1}"#, "[DONE]"])
    }

    @Test(arguments: [1, 4, 1000])
    func crlfAndCRLineEndings(size: Int) {
        #expect(parse("data: one\r\n\r\ndata: two\r\rdata:three\n\n", splitEvery: size) == ["one", "two", "three"])
    }

    @Test func multiLineDataIsJoinedAndOtherFieldsIgnored() {
        #expect(parse("event: message\nid: 7\ndata: a\ndata: b\nretry: 10\n\n", splitEvery: 3) == ["a\nb"])
    }

    @Test func lastEventWithoutBlankLineIsDelivered() {
        #expect(parse("data: x\n\ndata: tail", splitEvery: 2) == ["x", "tail"])
    }

    @Test func emptyInputAndOnlyCommentsYieldNothing() {
        #expect(parse("", splitEvery: 1).isEmpty)
        #expect(parse(": keep-alive\n\n: again\n\n", splitEvery: 1).isEmpty)
    }
}

@Suite struct ThinkTagSplitterTests {
    func run(_ pieces: [String]) -> (String, String) {
        var splitter = ThinkTagSplitter()
        var content = ""
        var reasoning = ""
        for piece in pieces {
            let out = splitter.feed(piece)
            content += out.content
            reasoning += out.reasoning
        }
        let rest = splitter.finish()
        return (content + rest.content, reasoning + rest.reasoning)
    }

    @Test func wholeBlockMovesToReasoning() {
        let (content, reasoning) = run(["<think>2+2 is 4</think>\n\nThe answer is 4."])
        #expect(content == "The answer is 4.")
        #expect(reasoning == "2+2 is 4")
    }

    @Test func tagsSplitAcrossEveryCharacter() {
        let text = "  <think>step one</think>Answer"
        let (content, reasoning) = run(text.map { String($0) })
        #expect(content == "Answer")
        #expect(reasoning == "step one")
    }

    @Test func contentWithoutThinkIsUntouched() {
        #expect(run(["<th", "is is not a tag"]) == ("<this is not a tag", ""))
        #expect(run(["Plain ", "answer <think>late</think>"]) == ("Plain answer <think>late</think>", ""))
    }

    @Test func unclosedThinkIsReasoning() {
        #expect(run(["<think>never closed </th"]) == ("", "never closed </th"))
    }
}
