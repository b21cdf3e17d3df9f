// swift-tools-version:6.2
// Peruse: ask a multimodal model about your own files.
// Module layout: README "Design". One C target owns libpng/libjpeg; library modules; a
// test-support emulator and test library; the thin `peruse` command.
import PackageDescription

let package = Package(
    name: "Peruse",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "peruse", targets: ["peruse"]),
        .executable(name: "openrouter-emulator", targets: ["openrouter-emulator"]),
        .library(name: "Peruse", targets: ["ImageIngest", "TextChunking", "Documents", "OpenRouter", "Pipeline"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.80.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.0.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.24.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.0.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
        .package(url: "https://github.com/swiftlang/swift-subprocess", from: "1.0.0"),
    ],
    targets: [
        // System libraries, found through pkg-config. Only CImageCodecs may import them.
        .systemLibrary(
            name: "CLibPNG", pkgConfig: "libpng",
            providers: [.apt(["libpng-dev"]), .brew(["libpng"])]),
        .systemLibrary(
            name: "CLibJPEG", pkgConfig: "libjpeg",
            providers: [.apt(["libjpeg62-turbo-dev"]), .brew(["jpeg-turbo"])]),
        // The only code that calls libpng and libjpeg; every setjmp/longjmp lives here.
        .target(name: "CImageCodecs", dependencies: ["CLibPNG", "CLibJPEG"]),

        .target(name: "ImageIngest", dependencies: ["CImageCodecs"]),
        .target(name: "TextChunking"),
        // PDFs through poppler-utils run as child processes (never linked: GPL, and a crash
        // or hang on a hostile file must cost one file, not the run). docs/documents.md.
        .target(
            name: "Documents",
            dependencies: [.product(name: "Subprocess", package: "swift-subprocess")]),
        .target(
            name: "OpenRouter",
            dependencies: [
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]),
        .target(
            name: "Pipeline",
            dependencies: [
                "ImageIngest", "TextChunking", "OpenRouter",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ]),
        // Test support: a local OpenRouter emulator (127.0.0.1 only) used by every test that
        // talks HTTP, and by the benchmarks. An ordinary target so tests and tools share it.
        .target(
            name: "OpenRouterEmulator",
            dependencies: [
                "ImageIngest",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]),
        // What the test targets share: package paths, the CI flag, Python, temporary folders,
        // and `withEmulator`, which scopes an emulator's lifetime to one test.
        .target(name: "PeruseTesting", dependencies: ["OpenRouterEmulator"]),
        .executableTarget(
            name: "peruse",
            dependencies: [
                "ImageIngest", "TextChunking", "OpenRouter", "Pipeline",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]),
        .executableTarget(
            name: "openrouter-emulator",
            dependencies: [
                "OpenRouterEmulator",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),

        .testTarget(name: "ImageIngestTests", dependencies: ["ImageIngest", "CImageCodecs", "PeruseTesting"]),
        .testTarget(name: "TextChunkingTests", dependencies: ["TextChunking", "PeruseTesting"]),
        .testTarget(name: "DocumentsTests", dependencies: ["Documents", "PeruseTesting"]),
        .testTarget(name: "OpenRouterTests", dependencies: ["OpenRouter", "OpenRouterEmulator", "PeruseTesting"]),
        .testTarget(
            name: "PipelineTests",
            dependencies: [
                "Pipeline", "OpenRouterEmulator", "PeruseTesting", .product(name: "GRDB", package: "GRDB.swift"),
            ]),
        .testTarget(name: "PeruseCLITests", dependencies: ["OpenRouterEmulator", "ImageIngest", "PeruseTesting"]),
    ],
    swiftLanguageModes: [.v6]
)
