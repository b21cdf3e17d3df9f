import Testing

@Suite struct ImageIngestSmokeTests {
    @Test func builds() { #expect(1 + 1 == 2) }
}
