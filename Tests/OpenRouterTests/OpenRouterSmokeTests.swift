import Testing

@Suite struct OpenRouterSmokeTests {
    @Test func builds() { #expect(1 + 1 == 2) }
}
