import Testing

@Suite struct PeruseCLISmokeTests {
    @Test func builds() { #expect(1 + 1 == 2) }
}
