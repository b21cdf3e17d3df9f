// Placeholder so the module builds; replaced by the module's real types.
package enum PipelineModule {
    package static let name = "Pipeline"
}
