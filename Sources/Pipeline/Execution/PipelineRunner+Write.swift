import Foundation

extension PipelineRunner {
    /// Writes a step's results, read back from the store (what is committed is what is
    /// written), to a file atomically or to standard output.
    /// With `keepExisting`, an existing result file is left as it is when no row succeeded.
    func write(
        _ step: ResolvedStep, items: [StepItem], store: RunStore, builder: ReportBuilder, keepExisting: Bool = false
    ) async throws {
        // An empty destination switches the write off (an optional output left unset).
        if step.to?.isEmpty == true { return }
        let source = step.definition.source ?? ""
        let stored = try await store.items(run: runID, step: source)
        let byKey = Dictionary(stored.map { ($0.key, $0) }, uniquingKeysWith: { a, _ in a })
        let rows = items.compactMap { item in (item.record.flatMap { byKey[$0.key] } ?? item.record).map(ResultRow.init) }
        let destination = step.to == "-" ? nil : step.to
        let format = step.format ?? destination.flatMap(ResultFormat.inferred(fromPath:)) ?? .jsonl
        let writer = ResultWriter(title: definition.name ?? "Peruse results") { [images = environment.images] path in
            images.thumbnail(path, maxSide: 480)
        }
        await environment.progress?.finishLine()
        if let destination, keepExisting, !rows.contains(where: \.ok), FileManager.default.fileExists(atPath: destination) {
            await builder.kept(destination)
        } else if let destination {
            try writer.write(rows, format: format, to: destination)
            await builder.wrote(destination, output: "")
        } else {
            await builder.wrote(nil, output: writer.render(rows, format: format))
        }
    }
}
