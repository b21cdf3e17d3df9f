import Foundation
import Testing

@testable import Pipeline

@Suite("Prompt templates and progress lines")
struct PromptTemplateTests {
    @Test("renders plain text: no HTML escaping in prompts; sections over lists")
    func rendering() throws {
        let template = try PromptTemplate("Q: {{question}}\n{{#images}}- {{name}} ({{index}})\n{{/images}}{{^final}}partial{{/final}}")
        let text = template.render([
            "question": "Tom & Jerry <both>?",
            "images": [["name": "a.jpg", "index": 1], ["name": "b.png", "index": 2]],
            "final": false,
        ])
        #expect(text == "Q: Tom & Jerry <both>?\n- a.jpg (1)\n- b.png (2)\npartial")
    }

    @Test("lists the tags it uses, and what a scope lacks")
    func scanning() throws {
        let template = try PromptTemplate("{{a}} {{#list}}{{x}}{{b}}{{/list}} {{a}} {{! comment }}{{{raw}}}")
        #expect(template.tags.map(\.name) == ["a", "list", "x", "b", "list", "a", "raw"])
        #expect(template.tags[5].occurrence == 1)
        let scope = TemplateScope(["a": .value, "raw": .value, "list": .list(.values(["x"]))])
        #expect(scope.firstUnknown(in: template.tags)?.tag.name == "b")
        #expect(TemplateScope(["a": .value, "b": .value, "raw": .value, "list": .list(.values(["x"]))]).firstUnknown(in: template.tags) == nil)
        #expect(throws: PipelineError.self) { try PromptTemplate("{{#open}} never closed") }
        #expect(throws: PipelineError.self) { try PromptTemplate("{{/close}} never opened") }
        #expect(throws: PipelineError.self) { try PromptTemplate("{{unterminated") }
    }

    @Test("progress lines show done/total, failures, in flight, tokens, cost and ETA")
    func progressLine() {
        var snapshot = RunProgress.Snapshot()
        snapshot.step = "captions"
        snapshot.total = 100
        snapshot.done = 40
        snapshot.failed = 2
        snapshot.inFlight = 8
        snapshot.promptTokens = 12_000
        snapshot.completionTokens = 300
        snapshot.cost = 0.0123
        let live = RunProgress.format(snapshot, elapsed: .seconds(20), width: 10)
        #expect(live == "captions [####------] 40/100 · 2 failed · 8 in flight · 12.3k tok · $0.0123 · ETA 0:30")
        let plain = RunProgress.format(snapshot, elapsed: .seconds(20), width: 0)
        #expect(plain.hasPrefix("captions 40/100 · 2 failed"))
    }
}
