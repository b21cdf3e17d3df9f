import Foundation
import PeruseTesting
import Testing

@testable import OpenRouterEmulator

/// The emulator's answers must parse with OpenRouter's official Python SDK exactly as real
/// answers do (`../shared/openrouter/parse_response.py`), and its image decoding must match
/// the project's decoder.
@Suite("Emulator conformance")
struct EmulatorConformanceTests {
    /// python3 with what `parse_response.py` imports.
    static let sdkAvailable = Python.hasModules("openrouter", "httpx", "pydantic")

    /// Runs `parse_response.py FILE` on `text`.
    private static func parseWithSDK(_ text: String, suffix: String) throws -> (status: Int32, output: String) {
        let script = TestPaths.shared.appendingPathComponent("openrouter/parse_response.py").path
        let folder = try TemporaryFolder()
        let file = folder.file("emulator.\(suffix)")
        try Data(text.utf8).write(to: URL(fileURLWithPath: file))
        let result = try Python.run([script, file])
        return (result.status, result.stdout)
    }

    @Test(
        .enabled(if: TestEnvironment.requires(sdkAvailable), "needs python3 with the openrouter SDK (required when CI=true)"),
        arguments: [EmulatedModel.maverickFree.id, EmulatedModel.maiDSR1Free.id])
    func answersParseWithTheOfficialSDK(model: String) async throws {
        try await withEmulator { emulator in
            let plain = try await EmulatorHTTP.send(emulator, body: EmulatorHTTP.chatBody(model: model))
            let streamed = try await EmulatorHTTP.send(
                emulator, body: EmulatorHTTP.chatBody(model: model, stream: true))
            let json = try Self.parseWithSDK(plain.body, suffix: "json")
            #expect(json.status == 0, "\(json.output)")
            #expect(json.output.contains("finish_reason=stop"))
            let sse = try Self.parseWithSDK(streamed.body, suffix: "sse")
            #expect(sse.status == 0, "\(sse.output)")
            #expect(sse.output.contains("usage (final chunk, empty choices)"))
            if model == EmulatedModel.maiDSR1Free.id {
                #expect(sse.output.contains("reasoning='Reading"))
            }
        }
    }

    @Test(
        .enabled(if: TestEnvironment.requires(sdkAvailable), "needs python3 with the openrouter SDK (required when CI=true)"),
        arguments: [Fault.ErrorCode.integer(429), .string("server_error")])
    func midStreamErrorsParseAsTheSDKReportsThem(code: Fault.ErrorCode) async throws {
        try await withEmulator(configure: { $0.faults = .scripted([.midStreamError(afterTokens: 1, code: code)]) }) { emulator in
            let streamed = try await EmulatorHTTP.send(emulator, body: EmulatorHTTP.chatBody(stream: true))
            let sse = try Self.parseWithSDK(streamed.body, suffix: "sse")
            // Exit 1 and an in-stream error: what the script reports for the real fixtures.
            #expect(sse.status == 1, "\(sse.output)")
            #expect(sse.output.lowercased().contains("error"))
        }
    }

    @Test func imagesAreDecodedUprightByTheProjectDecoder() async throws {
        let rotated = try SharedCorpus.bytes("corpus/jpeg/exif-orientation-examples/Portrait_6.jpg")
        try await withEmulator { emulator in
            let response = try await EmulatorHTTP.send(
                emulator, body: EmulatorHTTP.chatBody(images: [("image/jpeg", rotated)]))
            #expect(response.status == 200)
            // Stored 1800×1200 with EXIF orientation 6: the model sees it upright.
            #expect(emulator.received.first?.images.first.map { [$0.width, $0.height] } == [1200, 1800])
        }
        try await withEmulator(configure: { $0.imageDecoding = .headerOnly }) { emulator in
            _ = try await EmulatorHTTP.send(emulator, body: EmulatorHTTP.chatBody(images: [("image/jpeg", rotated)]))
            #expect(emulator.received.first?.images.first.map { [$0.width, $0.height] } == [1800, 1200])
        }
    }

    @Test func truncatedImagesAreRefusedWhenFullyDecoded() async throws {
        let jpeg = try SharedCorpus.bytes("corpus/jpeg/libjpeg-turbo-testimages/testorig.jpg")
        let truncated = Array(jpeg.prefix(jpeg.count / 2))
        try await withEmulator { emulator in
            let response = try await EmulatorHTTP.send(
                emulator, body: EmulatorHTTP.chatBody(images: [("image/jpeg", truncated)]))
            #expect(response.status == 400)
            #expect(response.errorMessage?.contains("could not decode the image/jpeg data") == true)
        }
        try await withEmulator(configure: { $0.imageDecoding = .headerOnly }) { emulator in
            let response = try await EmulatorHTTP.send(
                emulator, body: EmulatorHTTP.chatBody(images: [("image/jpeg", truncated)]))
            #expect(response.status == 200)
        }
    }
}
