import Testing

@testable import OpenRouterEmulator

@Suite("Emulator parts")
struct EmulatorUnitTests {
    @Test(arguments: [
        (300, 300, 147), (336, 336, 147), (337, 336, 147 + 145 * 2), (1344, 1008, 1_887),
        (1008, 1344, 1_887), (1024, 1024, 2_467), (4000, 3000, 1_887), (5000, 5000, 2_467),
    ])
    func imageTokensFollowLlama4Tiles(width: Int, height: Int, tokens: Int) {
        #expect(PromptTokens.image(width: width, height: height) == tokens)
    }

    @Test func randomPlansAreReproducibleAndHitTheirRate() {
        let plan = FaultPlan.random(probability: 0.3, seed: 42)
        let first = (0..<10_000).map { plan.fault(forRequest: $0) }
        let again = (0..<10_000).map { FaultPlan.random(probability: 0.3, seed: 42).fault(forRequest: $0) }
        #expect(first == again)
        let rate = Double(first.compactMap { $0 }.count) / 10_000
        #expect((0.28...0.32).contains(rate))
        #expect(Set(first.compactMap { $0 }).count == Fault.fullMix.count)
        let other = (0..<10_000).map { FaultPlan.random(probability: 0.3, seed: 43).fault(forRequest: $0) }
        #expect(first != other)
    }

    @Test func scriptedPlansEndOrRepeat() {
        let once = FaultPlan.scripted([.timeout, nil])
        #expect([0, 1, 2, 3].map { once.fault(forRequest: $0) } == [.timeout, nil, nil, nil])
        let looped = FaultPlan.scripted([.timeout, nil], repeating: true)
        #expect([0, 1, 2, 3].map { looped.fault(forRequest: $0) } == [.timeout, nil, .timeout, nil])
    }

    @Test func probesHeadersOfEveryAcceptedFormat() throws {
        let gif: [UInt8] = Array("GIF89a".utf8) + [0x20, 0x01, 0x10, 0x00] + [UInt8](repeating: 0, count: 8)
        #expect(try ImageProbe.probe(gif).get() == .init(mimeType: "image/gif", width: 288, height: 16))
        var webp: [UInt8] =
            Array("RIFF".utf8) + [0, 0, 0, 0] + Array("WEBPVP8X".utf8) + [UInt8](repeating: 0, count: 22)
        webp[24] = 0x3F
        webp[25] = 0x01  // width - 1 = 319
        webp[27] = 0xEF
        webp[28] = 0x00  // height - 1 = 239
        #expect(try ImageProbe.probe(webp).get() == .init(mimeType: "image/webp", width: 320, height: 240))
        #expect(ImageProbe.sniffMIMEType(Array("hello".utf8)) == nil)
        #expect((try? ImageProbe.probe([0xFF, 0xD8, 0xFF, 0xD9]).get()) == nil)
    }

    @Test func answerPiecesRebuildTheText() {
        let text = "line one\nline  two ends"
        #expect(Answer.pieces(of: text).joined() == text)
        #expect(Answer.prefix(of: "héllo", utf8Bytes: 2) == "h")
    }
}
