import Foundation
import Pipeline
import Testing

/// Malformed pipeline files: each must give one clear error at the right line and column.
@Suite("Malformed pipeline files")
struct PipelineFileErrorTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var yaml: String
        var line: Int
        var column: Int
        var message: String
        var testDescription: String { name }
    }

    static let textOnly = ModelFacts(id: "acme/text-only", contextLength: 8192, acceptsImages: false)

    static func validate(_ yaml: String) throws {
        let definition = try PipelineParser().parse(yaml, file: "bad.yaml")
        try PipelineValidator(defaultModel: "meta-llama/llama-4-maverick:free") { id in
            id == textOnly.id ? textOnly : nil
        }.validate(definition)
    }

    static let cases: [Case] = [
        Case(name: "YAML syntax: unclosed quote", yaml: """
            steps:
              - name: photos
                images: "samples
            """, line: 3, column: 21, message: "YAML syntax"),
        Case(name: "top level is a list", yaml: """
            - name: photos
              images: samples
            """, line: 1, column: 1, message: "expected a mapping with `steps:`"),
        Case(name: "unknown top-level key", yaml: """
            name: x
            stpes:
              - name: photos
                images: samples
            """, line: 2, column: 1, message: "unknown key `stpes`"),
        Case(name: "missing steps", yaml: """
            name: x
            description: nothing to do
            """, line: 1, column: 1, message: "missing `steps:`"),
        Case(name: "steps is not a list", yaml: """
            steps:
              photos:
                images: samples
            """, line: 2, column: 3, message: "`steps` must be a list"),
        Case(name: "step without a kind", yaml: """
            steps:
              - name: photos
                folder: samples
            """, line: 3, column: 5, message: "unknown step kind `folder`"),
        Case(name: "step without a kind, every key known", yaml: """
            steps:
              - name: photos
                prompt: hello
            """, line: 2, column: 5, message: "step has no kind"),
        Case(name: "step with two kinds", yaml: """
            steps:
              - name: photos
                images: samples
                document: notes.txt
            """, line: 4, column: 5, message: "step has two kinds"),
        Case(name: "step without a name", yaml: """
            steps:
              - images: samples
            """, line: 2, column: 5, message: "has no `name:`"),
        Case(name: "duplicate step name", yaml: """
            steps:
              - name: photos
                images: samples
              - name: photos
                images: more
            """, line: 4, column: 5, message: "duplicate step name `photos`"),
        Case(name: "misspelt step key", yaml: """
            steps:
              - name: photos
                images: samples
              - name: captions
                map: photos
                promt: Describe it.
            """, line: 6, column: 5, message: "did you mean `prompt`?"),
        Case(name: "reference to a missing step", yaml: """
            steps:
              - name: photos
                images: samples
              - name: captions
                map: fotos
                prompt: Describe it.
            """, line: 5, column: 10, message: "no step has that name"),
        Case(name: "cycle", yaml: """
            steps:
              - name: a
                map: b
                prompt: "{{text}}"
              - name: b
                map: a
                prompt: "{{text}}"
            """, line: 3, column: 10, message: "cycle"),
        Case(name: "unknown variable in a block prompt", yaml: """
            steps:
              - name: photos
                images: samples
              - name: captions
                map: photos
                prompt: |
                  Describe {{name}}.
                  Mention {{caption}} too.
            """, line: 8, column: 15, message: "`{{caption}}` in step `captions` uses `caption`"),
        Case(name: "unknown variable in a quoted prompt", yaml: """
            inputs:
              style: short
            steps:
              - name: photos
                images: samples
              - name: captions
                map: photos
                prompt: "A {{style}} caption of {{path}} for {{audience}}"
            """, line: 8, column: 50, message: "uses `audience`"),
        Case(name: "non-input variable in a path", yaml: """
            inputs:
              folder: samples
            steps:
              - name: photos
                images: "{{dir}}"
            """, line: 5, column: 14, message: "not an input"),
        Case(name: "images to a text-only model", yaml: """
            steps:
              - name: photos
                images: samples
              - name: captions
                map: photos
                model: acme/text-only
                prompt: Describe it.
            """, line: 6, column: 12, message: "takes text only"),
        Case(name: "max_tokens is not a number", yaml: """
            steps:
              - name: photos
                images: samples
              - name: captions
                map: photos
                prompt: Describe it.
                max_tokens: lots
            """, line: 7, column: 17, message: "`max_tokens`: a whole number"),
        Case(name: "temperature out of range", yaml: """
            steps:
              - name: photos
                images: samples
              - name: captions
                map: photos
                prompt: Describe it.
                temperature: 7
            """, line: 7, column: 18, message: "a number from 0 to 2"),
        Case(name: "unknown format", yaml: """
            steps:
              - name: photos
                images: samples
              - name: captions
                map: photos
                prompt: Describe it.
              - name: out
                write: captions
                format: pdf
            """, line: 9, column: 13, message: "unknown format `pdf`"),
        Case(name: "map without a prompt", yaml: """
            steps:
              - name: photos
                images: samples
              - name: captions
                map: photos
            """, line: 4, column: 5, message: "has no `prompt:`"),
        Case(name: "write reads an images step", yaml: """
            steps:
              - name: photos
                images: samples
              - name: out
                write: photos
            """, line: 5, column: 12, message: "cannot read `images` step `photos`"),
        Case(name: "unclosed template section", yaml: """
            steps:
              - name: doc
                document: a.txt
              - name: parts
                chunk: doc
              - name: notes
                map: parts
                prompt: "x"
              - name: summary
                reduce: notes
                prompt: "{{#answers}}{{text}}"
            """, line: 11, column: 14, message: "never closed"),
        Case(name: "duplicate key in a step", yaml: """
            steps:
              - name: photos
                images: samples
                images: more
            """, line: 3, column: 5, message: "duplicate key `images`"),
        Case(name: "batch over a document", yaml: """
            steps:
              - name: doc
                document: a.txt
              - name: notes
                map: doc
                batch: 4
                prompt: "{{text}}"
            """, line: 6, column: 12, message: "`batch` groups images"),
        Case(name: "image limit above 8", yaml: """
            steps:
              - name: photos
                images: samples
              - name: answers
                map: photos
                batch: auto
                image_limit: 12
                prompt: "{{#images}}{{name}}{{/images}}"
            """, line: 7, column: 18, message: "from 1 to 8"),
        Case(name: "input named like a step", yaml: """
            inputs:
              photos: samples
            steps:
              - name: photos
                images: "{{photos}}"
            """, line: 2, column: 3, message: "same name as a step"),
        Case(name: "reduce over images", yaml: """
            steps:
              - name: photos
                images: samples
              - name: all
                reduce: photos
                prompt: "{{count}}"
            """, line: 5, column: 13, message: "cannot read `images`"),
        Case(name: "partial in a prompt", yaml: """
            steps:
              - name: photos
                images: samples
              - name: captions
                map: photos
                prompt: "{{> header}} Describe it."
            """, line: 6, column: 14, message: "partial"),
    ]

    @Test("each mistake gives one error at its line and column", arguments: cases)
    func rejects(_ example: Case) throws {
        do {
            try Self.validate(example.yaml)
            Issue.record("accepted a malformed pipeline: \(example.name)")
        } catch let error as PipelineError {
            #expect(error.code == .invalidPipeline)
            #expect(error.location?.file == "bad.yaml")
            #expect(error.location?.line == example.line, "\(error)")
            #expect(error.location?.column == example.column, "\(error)")
            #expect(error.message.contains(example.message), "\(error)")
        }
    }

    @Test("the shipped pipelines are valid and match pipelines/*.yaml")
    func shippedPipelines() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        #expect(ShippedPipelines.all.count == 3)
        for (name, text) in ShippedPipelines.all {
            let onDisk = try String(contentsOf: root.appendingPathComponent("pipelines/\(name)"), encoding: .utf8)
            #expect(text + "\n" == onDisk, "\(name) differs from pipelines/\(name): run scripts/embed-pipelines.sh")
            try Self.validate(text)
        }
    }
}
