import Testing

@Suite struct TextChunkingSmokeTests {
    @Test func builds() { #expect(1 + 1 == 2) }
}
