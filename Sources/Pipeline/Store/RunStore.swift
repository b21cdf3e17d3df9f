import Foundation
import GRDB

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The run store: one SQLite file (GRDB, WAL) holding the response cache, the ledger of
/// each run's items and their states, and a log of prompts, responses, usage and cost.
///
/// Every finished item is committed before the next is reported, so a run killed at any
/// moment (Ctrl-C, `kill -9`, power loss) restarts without sending a finished item again.
/// The API key never reaches this file.
public final class RunStore: Sendable {
    /// The state of one item in the ledger.
    public enum ItemState: String, Sendable, Codable { case done, failed }

    /// One row of the ledger: an item of a step of a run, with its answer or error.
    public struct ItemRecord: Sendable, Equatable {
        public var runID: String
        public var step: String
        /// Stable identity within the step (a path, `chunk-3`, `round-1-0`).
        public var key: String
        /// Position in the step's output.
        public var order: Int
        public var state: ItemState
        /// The path as the user gave it (empty for derived items).
        public var path: String
        public var text: String?
        public var error: String?
        public var model: String?
        public var promptTokens: Int
        public var completionTokens: Int
        public var cost: Double?
        /// The request hash that produced `text` (nil for local failures).
        public var requestKey: String?
        /// Identifies the input version (size and mtime of a file) so a changed file is redone.
        public var stamp: String?
        /// Extra item fields as JSON (images of a batch, chunk lines), for templates and output.
        public var fields: String?

        public init(
            runID: String, step: String, key: String, order: Int, state: ItemState, path: String,
            text: String? = nil, error: String? = nil, model: String? = nil, promptTokens: Int = 0,
            completionTokens: Int = 0, cost: Double? = nil, requestKey: String? = nil,
            stamp: String? = nil, fields: String? = nil
        ) {
            self.runID = runID
            self.step = step
            self.key = key
            self.order = order
            self.state = state
            self.path = path
            self.text = text
            self.error = error
            self.model = model
            self.promptTokens = promptTokens
            self.completionTokens = completionTokens
            self.cost = cost
            self.requestKey = requestKey
            self.stamp = stamp
            self.fields = fields
        }
    }

    private let database: DatabasePool
    /// Where the store lives.
    public let path: String

    /// Opens (creating if needed) the store at `path`, creating its folder.
    /// - Throws: `PipelineError` (`.store`) naming the path.
    public init(path: String) throws {
        self.path = path
        try Self.createPrivately(path)
        do {
            var configuration = Configuration()
            // Several processes (a resumed run, a `peruse` in another shell) may share it.
            configuration.busyMode = .timeout(10)
            configuration.prepareDatabase { db in
                // WAL + NORMAL: a committed row survives kill -9; a power cut loses at most the
                // last transactions, whose requests are simply sent again.
                try db.execute(sql: "PRAGMA synchronous = NORMAL")
            }
            database = try DatabasePool(path: path, configuration: configuration)
            try Self.migrator.migrate(database)
            // Only a file that proved to be a store is narrowed (not a user's file given by mistake).
            for file in [path, path + "-wal", path + "-shm"] where FileManager.default.fileExists(atPath: file) {
                chmod(file, 0o600)
            }
        } catch {
            throw PipelineError(.store, "cannot open the run store at \(path): \(FileProblem.reason(error))", cause: error)
        }
    }

    /// The store holds every prompt (documents' text included) and answer: its folder is
    /// created 0700 and the file 0600 (SQLite gives its `-wal` and `-shm` the database's
    /// mode); an older store is narrowed to 0600 once opened.
    /// - Throws: `.store` with the system's reason (`Not a directory`, `Permission denied`).
    static func createPrivately(_ path: String) throws {
        let folder = (path as NSString).deletingLastPathComponent
        if !folder.isEmpty && !FileManager.default.fileExists(atPath: folder) {
            do {
                try FileManager.default.createDirectory(
                    atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
                chmod(folder, 0o700)
            } catch {
                throw PipelineError(.store, "cannot open the run store at \(path): cannot create its folder \(folder): \(FileProblem.reason(error))")
            }
        }
        var descriptor = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        if descriptor >= 0 {
            fchmod(descriptor, 0o600)  // whatever the umask
        } else if errno == EEXIST {
            descriptor = open(path, O_RDWR | O_CLOEXEC)
        }
        guard descriptor >= 0 else {
            throw PipelineError(.store, "cannot open the run store at \(path): \(String(cString: strerror(errno)))")
        }
        close(descriptor)
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE response (
                    key TEXT PRIMARY KEY NOT NULL,
                    model TEXT NOT NULL,
                    text TEXT NOT NULL,
                    prompt_tokens INTEGER NOT NULL,
                    completion_tokens INTEGER NOT NULL,
                    cost REAL,
                    created_at REAL NOT NULL
                );
                CREATE TABLE run (
                    id TEXT PRIMARY KEY NOT NULL,
                    pipeline TEXT NOT NULL,
                    inputs TEXT NOT NULL,
                    started_at REAL NOT NULL,
                    finished_at REAL,
                    status TEXT NOT NULL
                );
                CREATE TABLE item (
                    run_id TEXT NOT NULL REFERENCES run(id) ON DELETE CASCADE,
                    step TEXT NOT NULL,
                    key TEXT NOT NULL,
                    ord INTEGER NOT NULL,
                    state TEXT NOT NULL,
                    path TEXT NOT NULL,
                    text TEXT,
                    error TEXT,
                    model TEXT,
                    prompt_tokens INTEGER NOT NULL DEFAULT 0,
                    completion_tokens INTEGER NOT NULL DEFAULT 0,
                    cost REAL,
                    request_key TEXT,
                    stamp TEXT,
                    fields TEXT,
                    updated_at REAL NOT NULL,
                    PRIMARY KEY (run_id, step, key)
                );
                CREATE TABLE log (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    run_id TEXT NOT NULL,
                    step TEXT NOT NULL,
                    item_key TEXT NOT NULL,
                    request_key TEXT,
                    prompt TEXT NOT NULL,
                    response TEXT,
                    error TEXT,
                    model TEXT,
                    prompt_tokens INTEGER NOT NULL DEFAULT 0,
                    completion_tokens INTEGER NOT NULL DEFAULT 0,
                    cost REAL,
                    cached INTEGER NOT NULL,
                    at REAL NOT NULL
                );
                """)
        }
        return migrator
    }

    func wrap<T>(_ what: String, _ body: () throws -> T) throws -> T {
        do { return try body() } catch { throw PipelineError(.store, "run store \(path): cannot \(what)", cause: error) }
    }

    // MARK: Cache

    /// The stored answer for a request hash, if any.
    public func cachedAnswer(forKey key: String) throws -> ModelAnswer? {
        try wrap("read the response cache") {
            try database.read { db in
                try Row.fetchOne(db, sql: "SELECT * FROM response WHERE key = ?", arguments: [key]).map {
                    ModelAnswer(
                        text: $0["text"], model: $0["model"], promptTokens: $0["prompt_tokens"],
                        completionTokens: $0["completion_tokens"], cost: $0["cost"])
                }
            }
        }
    }

    /// Stores an answer under its request hash.
    public func cache(_ answer: ModelAnswer, forKey key: String) throws {
        try wrap("write the response cache") {
            try database.write { db in
                try db.execute(
                    sql: """
                        INSERT OR REPLACE INTO response (key, model, text, prompt_tokens, completion_tokens, cost, created_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [key, answer.model, answer.text, answer.promptTokens, answer.completionTokens, answer.cost, Date().timeIntervalSince1970])
            }
        }
    }

    // MARK: Runs and ledger

    /// Starts or resumes run `id`. Returns true when the run existed (a resume).
    @discardableResult
    public func beginRun(id: String, pipeline: String, inputs: String) throws -> Bool {
        try wrap("start run \(id)") {
            try database.write { db in
                let exists = try Bool.fetchOne(db, sql: "SELECT 1 FROM run WHERE id = ?", arguments: [id]) ?? false
                if exists {
                    try db.execute(sql: "UPDATE run SET status = 'running', finished_at = NULL WHERE id = ?", arguments: [id])
                } else {
                    try db.execute(
                        sql: "INSERT INTO run (id, pipeline, inputs, started_at, status) VALUES (?, ?, ?, ?, 'running')",
                        arguments: [id, pipeline, inputs, Date().timeIntervalSince1970])
                }
                return exists
            }
        }
    }

    /// The newest run whose id starts with `prefix` and that never finished (killed or
    /// interrupted), if any: `--no-cache` resumes its own fresh run through this.
    public func unfinishedRun(prefix: String) throws -> String? {
        try wrap("read the runs") {
            try database.read { db in
                try String.fetchOne(
                    db,
                    sql: "SELECT id FROM run WHERE substr(id, 1, ?) = ? AND status = 'running' ORDER BY started_at DESC LIMIT 1",
                    arguments: [prefix.count, prefix])
            }
        }
    }

    /// Marks a run finished with a status (`done`, `failed`, `partial`).
    public func finishRun(id: String, status: String) throws {
        try wrap("finish run \(id)") {
            try database.write { db in
                try db.execute(sql: "UPDATE run SET status = ?, finished_at = ? WHERE id = ?", arguments: [status, Date().timeIntervalSince1970, id])
            }
        }
    }

    /// The ledger entry of one item, if recorded.
    public func item(run: String, step: String, key: String) throws -> ItemRecord? {
        try wrap("read the ledger") {
            try database.read { db in
                try Row.fetchOne(db, sql: "SELECT * FROM item WHERE run_id = ? AND step = ? AND key = ?", arguments: [run, step, key]).map(Self.record)
            }
        }
    }

    /// All ledger entries of a step, in item order.
    public func items(run: String, step: String) throws -> [ItemRecord] {
        try wrap("read the ledger") {
            try database.read { db in
                try Row.fetchAll(db, sql: "SELECT * FROM item WHERE run_id = ? AND step = ? ORDER BY ord, key", arguments: [run, step]).map(Self.record)
            }
        }
    }

    /// Records an item's outcome, and the log line of the request that produced it, in one
    /// transaction.
    public func record(_ item: ItemRecord, log: LogEntry? = nil) throws {
        try wrap("write the ledger") {
            try database.write { db in
                try db.execute(
                    sql: """
                        INSERT OR REPLACE INTO item (run_id, step, key, ord, state, path, text, error, model, prompt_tokens,
                            completion_tokens, cost, request_key, stamp, fields, updated_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        item.runID, item.step, item.key, item.order, item.state.rawValue, item.path, item.text, item.error,
                        item.model, item.promptTokens, item.completionTokens, item.cost, item.requestKey, item.stamp,
                        item.fields, Date().timeIntervalSince1970,
                    ])
                if let log { try Self.insert(log, db: db) }
            }
        }
    }

    /// Removes a step's ledger entries whose keys are not in `keep` (items of an earlier
    /// shape of the same run, e.g. reduce groups after the answers changed).
    public func pruneItems(run: String, step: String, keeping keep: Set<String>) throws {
        try wrap("prune the ledger") {
            try database.write { db in
                let keys = try String.fetchAll(db, sql: "SELECT key FROM item WHERE run_id = ? AND step = ?", arguments: [run, step])
                for key in keys where !keep.contains(key) {
                    try db.execute(sql: "DELETE FROM item WHERE run_id = ? AND step = ? AND key = ?", arguments: [run, step, key])
                }
            }
        }
    }

    /// One line of the request log. Images appear as `[image NAME]`, never as data.
    public struct LogEntry: Sendable {
        public var runID: String
        public var step: String
        public var itemKey: String
        public var requestKey: String?
        public var prompt: String
        public var response: String?
        public var error: String?
        public var model: String?
        public var promptTokens: Int
        public var completionTokens: Int
        public var cost: Double?
        public var cached: Bool

        public init(
            runID: String, step: String, itemKey: String, requestKey: String?, prompt: String, response: String?,
            error: String?, model: String?, promptTokens: Int, completionTokens: Int, cost: Double?, cached: Bool
        ) {
            self.runID = runID
            self.step = step
            self.itemKey = itemKey
            self.requestKey = requestKey
            self.prompt = prompt
            self.response = response
            self.error = error
            self.model = model
            self.promptTokens = promptTokens
            self.completionTokens = completionTokens
            self.cost = cost
            self.cached = cached
        }
    }

    /// Number of log lines of a run that were sent (not served from cache).
    public func sentRequestCount(run: String) throws -> Int {
        try wrap("read the log") {
            try database.read { db in
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM log WHERE run_id = ? AND cached = 0", arguments: [run]) ?? 0
            }
        }
    }

    /// The log of a run, oldest first.
    public func log(run: String) throws -> [LogEntry] {
        try wrap("read the log") {
            try database.read { db in
                try Row.fetchAll(db, sql: "SELECT * FROM log WHERE run_id = ? ORDER BY id", arguments: [run]).map {
                    LogEntry(
                        runID: $0["run_id"], step: $0["step"], itemKey: $0["item_key"], requestKey: $0["request_key"],
                        prompt: $0["prompt"], response: $0["response"], error: $0["error"], model: $0["model"],
                        promptTokens: $0["prompt_tokens"], completionTokens: $0["completion_tokens"], cost: $0["cost"],
                        cached: $0["cached"])
                }
            }
        }
    }

    public func append(_ log: LogEntry) throws {
        try wrap("write the log") { try database.write { db in try Self.insert(log, db: db) } }
    }

    static func insert(_ log: LogEntry, db: Database) throws {
        try db.execute(
            sql: """
                INSERT INTO log (run_id, step, item_key, request_key, prompt, response, error, model, prompt_tokens,
                    completion_tokens, cost, cached, at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                log.runID, log.step, log.itemKey, log.requestKey, log.prompt, log.response, log.error, log.model,
                log.promptTokens, log.completionTokens, log.cost, log.cached, Date().timeIntervalSince1970,
            ])
    }

    static func record(_ row: Row) -> ItemRecord {
        ItemRecord(
            runID: row["run_id"], step: row["step"], key: row["key"], order: row["ord"],
            state: ItemState(rawValue: row["state"]) ?? .failed, path: row["path"], text: row["text"],
            error: row["error"], model: row["model"], promptTokens: row["prompt_tokens"],
            completionTokens: row["completion_tokens"], cost: row["cost"], requestKey: row["request_key"],
            stamp: row["stamp"], fields: row["fields"])
    }
}
