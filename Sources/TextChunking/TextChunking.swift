// Placeholder so the module builds; replaced by the module's real types.
package enum TextChunkingModule {
    package static let name = "TextChunking"
}
