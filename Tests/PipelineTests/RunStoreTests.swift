import Foundation
import GRDB
import Pipeline
import PeruseTesting
import Testing

/// The run store's records against the `v1` schema that earlier versions wrote by position.
@Suite("Run store")
struct RunStoreTests {
    @Test("a store written by an earlier version reads the same, resumes, and keeps its dates as REAL")
    func readsEarlierStores() async throws {
        let folder = try TemporaryFolder()
        let path = folder.file("store.sqlite")
        _ = try await RunStore(path: path)  // the v1 schema
        // Rows as the version that bound 16 columns by position wrote them.
        let earlier = try DatabaseQueue(path: path)
        try await earlier.write { db in
            try db.execute(sql: """
                INSERT INTO response (key, model, text, prompt_tokens, completion_tokens, cost, created_at)
                VALUES ('k1', 'm/one', 'cached text', 10, 2, 0.5, 1700000000.0);
                INSERT INTO run (id, pipeline, inputs, started_at, status)
                VALUES ('abc-fresh-1', 'p.yaml', '{}', 1700000000.0, 'running');
                INSERT INTO item (run_id, step, key, ord, state, path, text, error, model, prompt_tokens,
                    completion_tokens, cost, request_key, stamp, fields, updated_at)
                VALUES ('abc-fresh-1', 'captions', 'b.png', 1, 'done', 'b.png', 'two', NULL, 'm/one', 10, 2, 0.5, 'k1', 's', NULL, 1700000000.0),
                       ('abc-fresh-1', 'captions', 'a.png', 0, 'failed', 'a.png', NULL, 'broken', NULL, 0, 0, NULL, NULL, 's', '{"x":"1"}', 1700000000.0);
                """)
        }
        try earlier.close()

        let store = try await RunStore(path: path)
        let answer = try #require(try await store.cachedAnswer(forKey: "k1"))
        #expect(answer == ModelAnswer(text: "cached text", model: "m/one", promptTokens: 10, completionTokens: 2, cost: 0.5))
        #expect(try await store.cachedAnswer(forKey: "k2") == nil)
        #expect(try await store.unfinishedRun(prefix: "abc-fresh-") == "abc-fresh-1")
        let items = try await store.items(run: "abc-fresh-1", step: "captions")
        #expect(items.map(\.key) == ["a.png", "b.png"])  // in item order
        #expect(items[0].state == .failed && items[0].error == "broken" && items[0].fields == #"{"x":"1"}"#)
        #expect(items[1].state == .done && items[1].text == "two" && items[1].requestKey == "k1" && items[1].order == 1)

        #expect(try await store.beginRun(id: "abc-fresh-1", pipeline: "p.yaml", inputs: "{}"))  // a resume
        var redone = items[0]
        redone.state = .done
        redone.text = "one"
        redone.error = nil
        let log = RunStore.LogEntry(
            runID: "abc-fresh-1", step: "captions", itemKey: "a.png", requestKey: "k2", prompt: "[image a.png]",
            response: "one", error: nil, model: "m/one", promptTokens: 3, completionTokens: 1, cost: nil, cached: false)
        try await store.cache(ModelAnswer(text: "one", model: "m/one", promptTokens: 3, completionTokens: 1, cost: nil), forKey: "k2")
        try await store.record(redone, log: log)
        let reread = try #require(try await store.item(run: "abc-fresh-1", step: "captions", key: "a.png"))
        #expect(reread.state == .done && reread.text == "one" && reread.error == nil && reread.stamp == "s")
        try await store.pruneItems(run: "abc-fresh-1", step: "captions", keeping: ["a.png"])
        #expect(try await store.items(run: "abc-fresh-1", step: "captions").map(\.key) == ["a.png"])
        try await store.finishRun(id: "abc-fresh-1", status: "done")
        #expect(try await store.unfinishedRun(prefix: "abc-fresh-") == nil)
        #expect(try await store.beginRun(id: "abc-2", pipeline: "p.yaml", inputs: "{}") == false)

        // What the records wrote has the types the earlier version wrote: REAL dates, 0/1 flags.
        let reader = try DatabaseQueue(path: path)
        let types = try await reader.read { db in
            try String.fetchAll(db, sql: """
                SELECT typeof(updated_at) FROM item UNION ALL SELECT typeof(at) FROM log
                UNION ALL SELECT typeof(created_at) FROM response UNION ALL SELECT typeof(started_at) FROM run
                UNION ALL SELECT typeof(finished_at) FROM run WHERE id = 'abc-fresh-1'
                UNION ALL SELECT typeof(cached) || ':' || cached FROM log
                """)
        }
        try reader.close()
        #expect(Set(types) == ["real", "integer:0"])
    }

    @Test("an answer recorded by a cancelled task (Ctrl-C) is still committed")
    func cancelledWritesCommit() async throws {
        let folder = try TemporaryFolder()
        let store = try await RunStore(path: folder.file("store.sqlite"))
        try await store.beginRun(id: "r", pipeline: "p.yaml", inputs: "{}")
        let item = RunStore.ItemRecord(runID: "r", step: "captions", key: "a.png", order: 0, state: .done, path: "a.png", text: "one")
        let answer = ModelAnswer(text: "one", model: "m/one", promptTokens: 3, completionTokens: 1, cost: nil)
        let task = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            try await store.cache(answer, forKey: "k")
            try await store.record(item)
        }
        try await task.value
        #expect(try await store.cachedAnswer(forKey: "k") == answer)
        #expect(try await store.item(run: "r", step: "captions", key: "a.png")?.text == "one")
    }
}
