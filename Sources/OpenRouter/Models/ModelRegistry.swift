import AsyncHTTPClient
import Foundation
import Logging
import NIOCore

/// The models an endpoint offers (`GET /models`), fetched once per run and cached on disk with a
/// TTL; falls back to the built-in facts of the seed models when the endpoint can't be reached.
public actor ModelRegistry {
    /// Where a catalog came from.
    public enum Source: String, Sendable, Codable {
        case endpoint, diskCache, builtIn
    }

    /// A list of models with its origin.
    public struct Catalog: Sendable {
        public var models: [ModelInfo]
        public var source: Source
        /// Why the endpoint could not be used, when `source` is `builtIn`.
        public var problem: OpenRouterError?

        /// The model with this id (the `:free` suffix and case must match exactly).
        public func model(_ id: String) -> ModelInfo? {
            models.first(where: { $0.id == id })
        }
    }

    private let configuration: OpenRouterConfiguration
    private let transport: any HTTPTransport
    private var cached: Catalog?
    private var inFlight: Task<Catalog, Never>?

    package init(configuration: OpenRouterConfiguration, transport: any HTTPTransport) {
        self.configuration = configuration
        self.transport = transport
    }

    /// The catalog: from memory, else the disk cache (if fresh), else the endpoint, else the
    /// built-in facts. Never throws: offline is a normal state for planning.
    /// - Parameter refresh: skip the memory and disk caches.
    public func catalog(refresh: Bool = false) async -> Catalog {
        if !refresh, let cached { return cached }
        if let inFlight { return await inFlight.value }
        let task = Task { await self.load(refresh: refresh) }
        inFlight = task
        let catalog = await task.value
        inFlight = nil
        cached = catalog
        return catalog
    }

    /// Facts about one model: the catalog's, else the built-in ones; nil when unknown.
    public func info(for id: String) async -> ModelInfo? {
        if let known = await catalog().model(id) { return known }
        return SeedModels.builtIn.first(where: { $0.id == id })
    }

    /// The models of a fresh disk cache for this endpoint, without touching the network (a
    /// plan made offline uses them).
    public static func cachedModels(configuration: OpenRouterConfiguration) -> [ModelInfo]? {
        readDiskCache(configuration: configuration)
    }

    private func load(refresh: Bool) async -> Catalog {
        if !refresh, let fromDisk = readDiskCache() {
            return Catalog(models: fromDisk, source: .diskCache, problem: nil)
        }
        do {
            let models = try await fetch()
            writeDiskCache(models)
            return Catalog(models: models, source: .endpoint, problem: nil)
        } catch let error as OpenRouterError {
            configuration.logger.info("model list unavailable, using built-in facts: \(error.message)")
            return Catalog(models: SeedModels.builtIn, source: .builtIn, problem: error)
        } catch {
            return Catalog(
                models: SeedModels.builtIn, source: .builtIn,
                problem: OpenRouterError(
                    .transport, "Could not list models: \(TransportFailure.safeDescription(of: error))"))
        }
    }

    private func fetch() async throws -> [ModelInfo] {
        let request = TransportRequest(
            method: "GET", url: configuration.baseURL + "/models",
            headers: RequestHeaders.make(configuration: configuration, json: false), body: nil,
            timeout: .seconds(30))
        let response: TransportResponse
        do {
            response = try await transport.send(request)
        } catch {
            throw OpenRouterError(
                .transport, "Could not reach \(configuration.baseURL) to list models.",
                cause: TransportFailure(error))
        }
        let body = try await response.body.collect(upTo: 64 << 20)
        guard response.status == 200 else {
            let envelope = try? JSONDecoder().decode(WireErrorEnvelope.self, from: Data(body.readableBytesView))
            throw OpenRouterError.fromResponse(
                status: response.status, headers: response.headers, error: envelope?.error,
                rawBody: String(buffer: body), model: nil, redactor: Redactor(secret: configuration.apiKey))
        }
        do {
            return try JSONDecoder().decode(WireModelList.self, from: Data(body.readableBytesView)).data.map(\.info)
        } catch {
            throw OpenRouterError(.invalidResponse, "The model list from \(configuration.baseURL) is not in the expected shape.")
        }
    }

    // MARK: disk cache (model facts only; never the key)

    private struct DiskEntry: Codable {
        var baseURL: String
        var savedAt: Date
        var models: [ModelInfo]
    }

    private static func cacheFile(configuration: OpenRouterConfiguration) -> URL? {
        guard let directory = configuration.modelCacheDirectory else { return nil }
        // One file per endpoint: a stable, filesystem-safe name derived from the base URL.
        let safe = configuration.baseURL.map { $0.isLetter || $0.isNumber ? $0 : "_" }
        return directory.appendingPathComponent("models-\(String(safe.prefix(120))).json")
    }

    private var cacheFile: URL? { Self.cacheFile(configuration: configuration) }

    private func readDiskCache() -> [ModelInfo]? { Self.readDiskCache(configuration: configuration) }

    private static func readDiskCache(configuration: OpenRouterConfiguration) -> [ModelInfo]? {
        guard let file = cacheFile(configuration: configuration), let data = try? Data(contentsOf: file),
            let entry = try? JSONDecoder().decode(DiskEntry.self, from: data),
            entry.baseURL == configuration.baseURL
        else { return nil }
        let age = Date().timeIntervalSince(entry.savedAt)
        let ttl = Double(configuration.modelCacheTTL.components.seconds)
        return age >= 0 && age < ttl ? entry.models : nil
    }

    private func writeDiskCache(_ models: [ModelInfo]) {
        guard let file = cacheFile else { return }
        do {
            try FileManager.default.createDirectory(
                at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            let entry = DiskEntry(baseURL: configuration.baseURL, savedAt: Date(), models: models)
            try JSONEncoder().encode(entry).write(to: file, options: .atomic)
        } catch {
            configuration.logger.debug("could not write the model cache: \(error)")
        }
    }
}

/// Wraps a transport error so it can travel as an `OpenRouterError.cause` (Sendable) and prints
/// without request details.
package struct TransportFailure: Error, Sendable, CustomStringConvertible {
    package let description: String
    package init(_ error: any Error) {
        description = Self.safeDescription(of: error)
    }

    /// A transport error as text that can carry no header value. AsyncHTTPClient's errors
    /// print their payloads (`invalidHeaderFieldValues(["Bearer sk-…\r"])` held the whole
    /// key), so only the case name of an `HTTPClientError` is kept; for any other error, text
    /// from a mention of a header or "Bearer" on is cut off.
    package static func safeDescription(of error: any Error) -> String {
        let text = String(describing: error)
        if error is HTTPClientError || text.hasPrefix("HTTPClientError") {
            return String(text.prefix { $0 != "(" })
        }
        var safe = Substring(text)
        for marker in ["Bearer", "bearer", "Authorization", "authorization", "header", "Header"] {
            if let range = safe.range(of: marker) { safe = safe[..<range.lowerBound] }
        }
        let cleaned = String(safe.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? " " : Character($0) })
            .trimmingCharacters(in: .whitespaces)
        return cleaned.isEmpty ? String(describing: type(of: error)) : cleaned
    }
}
