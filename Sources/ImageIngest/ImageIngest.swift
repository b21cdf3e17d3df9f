// Placeholder so the module builds; replaced by the module's real types.
package enum ImageIngestModule {
    package static let name = "ImageIngest"
}
