// Placeholder so the module builds; replaced by the module's real types.
package enum OpenRouterModule {
    package static let name = "OpenRouter"
}
