// libyaml itself (Yams's C target): its event stream shows aliases before anything expands
// them, which Yams's composed tree no longer does.
import CYaml

/// Bounds on what a pipeline file may make the parser do, checked on libyaml's event stream
/// before the file is composed into a tree.
///
/// Aliases (`*name`) repeat an anchored node; nested a few levels deep, a few hundred bytes
/// stand for billions of nodes ("billion laughs"), and anything that walks, hashes or copies
/// the tree expands them. Deep nesting makes the (recursive) composer overflow the stack.
/// Both are refused with the line of the alias or node that crosses the limit.
enum YAMLLimits {
    /// The largest pipeline file read, in bytes. Real pipelines are a few kilobytes.
    static let maximumFileBytes = 1 << 20
    /// The most nodes the file may stand for once every alias is expanded.
    static let maximumNodes = 100_000
    /// The deepest nesting of mappings and lists.
    static let maximumDepth = 100

    /// Throws `.invalidPipeline` at the first alias or node past a limit. Syntax errors are
    /// left to the composer, which reports them with more context.
    static func check(_ text: String, file: String) throws {
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else { return }
        defer { yaml_parser_delete(&parser) }
        let utf8 = Array(text.utf8)
        try utf8.withUnsafeBufferPointer { buffer in
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
            try walk(&parser, file: file)
        }
    }

    private static func walk(_ parser: inout yaml_parser_t, file: String) throws {
        // Expanded size of each anchored node, and of each collection still open.
        var anchored: [String: Int] = [:]
        var open: [(anchor: String?, size: Int)] = []
        var total = 0

        func location(_ event: yaml_event_t) -> SourceLocation {
            SourceLocation(file: file, line: Int(event.start_mark.line) + 1, column: Int(event.start_mark.column) + 1)
        }
        func name(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
            pointer.map { String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self)) }
        }
        // Counts `size` more nodes (saturating: sizes only need to reach the limit).
        func grow(_ size: Int, at event: yaml_event_t, alias: String?) throws {
            total = min(total + size, maximumNodes + 1)
            guard total > maximumNodes else { return }
            let because = alias.map {
                "the alias `*\($0)` makes the file stand for more than \(maximumNodes) YAML nodes (aliases nested in aliases multiply); write the values out instead"
            } ?? "the file has more than \(maximumNodes) YAML nodes; a pipeline needs far fewer"
            throw PipelineError(.invalidPipeline, because, at: location(event))
        }
        // A node is finished: remember its size under its anchor and add it to its parent.
        func finished(_ size: Int, anchor: String?) {
            if let anchor { anchored[anchor] = size }
            if !open.isEmpty { open[open.count - 1].size = min(open[open.count - 1].size + size, maximumNodes + 1) }
        }

        while true {
            var event = yaml_event_t()
            guard yaml_parser_parse(&parser, &event) == 1 else { return }
            defer { yaml_event_delete(&event) }
            switch event.type {
            case YAML_STREAM_END_EVENT, YAML_NO_EVENT:
                return
            case YAML_SCALAR_EVENT:
                try grow(1, at: event, alias: nil)
                finished(1, anchor: name(event.data.scalar.anchor))
            case YAML_ALIAS_EVENT:
                let alias = name(event.data.alias.anchor) ?? ""
                let size = anchored[alias] ?? 1
                try grow(size, at: event, alias: alias)
                finished(size, anchor: nil)
            case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
                let anchor = event.type == YAML_SEQUENCE_START_EVENT
                    ? name(event.data.sequence_start.anchor) : name(event.data.mapping_start.anchor)
                try grow(1, at: event, alias: nil)
                open.append((anchor, 1))
                guard open.count <= maximumDepth else {
                    throw PipelineError(
                        .invalidPipeline,
                        "mappings and lists nested more than \(maximumDepth) deep; a pipeline needs a few levels",
                        at: location(event))
                }
            case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                guard let collection = open.popLast() else { return }
                finished(collection.size, anchor: collection.anchor)
            default:
                continue
            }
        }
    }
}
