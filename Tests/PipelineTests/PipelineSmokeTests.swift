import Testing

@Suite struct PipelineSmokeTests {
    @Test func builds() { #expect(1 + 1 == 2) }
}
