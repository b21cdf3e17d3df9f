// Placeholder so the module builds; replaced by the module's real types.
package enum OpenRouterEmulatorModule {
    package static let name = "OpenRouterEmulator"
}
