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

    /// One row of the ledger (table `item`): an item of a step of a run, with its answer or error.
    public struct ItemRecord: Sendable, Equatable, Codable, FetchableRecord, PersistableRecord {
        public static let databaseTableName = "item"

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
        /// When the row was last written (seconds since 1970): set by the store.
        var updatedAt: TimeInterval?

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

        /// The columns of the `v1` schema, by name.
        enum CodingKeys: String, CodingKey, ColumnExpression {
            case runID = "run_id", step, key, order = "ord", state, path, text, error, model
            case promptTokens = "prompt_tokens", completionTokens = "completion_tokens", cost
            case requestKey = "request_key", stamp, fields, updatedAt = "updated_at"
        }
    }

    /// One line of the request log (table `log`). Images appear as `[image NAME]`, never as data.
    public struct LogEntry: Sendable, Codable, FetchableRecord, PersistableRecord {
        public static let databaseTableName = "log"

        /// Assigned by SQLite when the line is inserted.
        var id: Int64?
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
        /// When the line was written (seconds since 1970): set by the store.
        var at: TimeInterval?

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

        enum CodingKeys: String, CodingKey, ColumnExpression {
            case id, runID = "run_id", step, itemKey = "item_key", requestKey = "request_key", prompt, response, error
            case model, promptTokens = "prompt_tokens", completionTokens = "completion_tokens", cost, cached, at
        }
    }

    /// One cached answer (table `response`), under the SHA-256 of the request body.
    struct ResponseRecord: Codable, FetchableRecord, PersistableRecord {
        static let databaseTableName = "response"

        var key: String
        var model: String
        var text: String
        var promptTokens: Int
        var completionTokens: Int
        var cost: Double?
        /// Seconds since 1970, as every date in the store.
        var createdAt: TimeInterval

        enum CodingKeys: String, CodingKey, ColumnExpression {
            case key, model, text, promptTokens = "prompt_tokens", completionTokens = "completion_tokens", cost
            case createdAt = "created_at"
        }

        var answer: ModelAnswer {
            ModelAnswer(text: text, model: model, promptTokens: promptTokens, completionTokens: completionTokens, cost: cost)
        }
    }

    /// One run (table `run`): its pipeline, inputs and status (`running`, `done`, `partial`).
    struct RunRecord: Codable, FetchableRecord, PersistableRecord {
        static let databaseTableName = "run"

        var id: String
        var pipeline: String
        var inputs: String
        var startedAt: TimeInterval
        var finishedAt: TimeInterval?
        var status: String

        enum CodingKeys: String, CodingKey, ColumnExpression {
            case id, pipeline, inputs, startedAt = "started_at", finishedAt = "finished_at", status
        }
    }

    private let database: DatabasePool
    /// Where the store lives.
    public let path: String

    /// Opens (creating if needed) the store at `path`, creating its folder.
    /// - Throws: `PipelineError` (`.store`) naming the path.
    public init(path: String) async throws {
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
            try await Self.migrate(database)
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

    /// Runs the migrations without parking the calling thread while another process holds
    /// the write lock.
    static func migrate(_ database: DatabasePool) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            migrator.asyncMigrate(database) { result in
                continuation.resume(with: result.map { _ in })
            }
        }
    }

    /// A read; cancellation passes through as itself, not as a store failure.
    func read<T: Sendable>(_ what: String, _ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await database.read(body)
        } catch let error as CancellationError {
            throw error
        } catch {
            throw PipelineError(.store, "run store \(path): cannot \(what)", cause: error)
        }
    }

    /// A write in its own transaction. It runs in a task of its own so that an interrupted
    /// run (Ctrl-C cancels its tasks) still commits what it already received: GRDB would
    /// otherwise cancel the write and roll back an answer that was paid for.
    func write<T: Sendable>(_ what: String, _ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await Task { [database] in try await database.write(body) }.value
        } catch {
            throw PipelineError(.store, "run store \(path): cannot \(what)", cause: error)
        }
    }

    // MARK: Cache

    /// The stored answer for a request hash, if any.
    public func cachedAnswer(forKey key: String) async throws -> ModelAnswer? {
        try await read("read the response cache") { db in
            try ResponseRecord.fetchOne(db, key: key)?.answer
        }
    }

    /// Stores an answer under its request hash (replacing an older one).
    public func cache(_ answer: ModelAnswer, forKey key: String) async throws {
        let record = ResponseRecord(
            key: key, model: answer.model, text: answer.text, promptTokens: answer.promptTokens,
            completionTokens: answer.completionTokens, cost: answer.cost, createdAt: Date().timeIntervalSince1970)
        try await write("write the response cache") { db in
            try record.insert(db, onConflict: .replace)
        }
    }

    // MARK: Runs and ledger

    /// Starts or resumes run `id`. Returns true when the run existed (a resume).
    @discardableResult
    public func beginRun(id: String, pipeline: String, inputs: String) async throws -> Bool {
        try await write("start run \(id)") { db in
            if var run = try RunRecord.fetchOne(db, key: id) {
                run.status = "running"
                run.finishedAt = nil
                try run.update(db)
                return true
            }
            try RunRecord(id: id, pipeline: pipeline, inputs: inputs, startedAt: Date().timeIntervalSince1970, status: "running").insert(db)
            return false
        }
    }

    /// The newest run whose id starts with `prefix` and that never finished (killed or
    /// interrupted), if any: `--no-cache` resumes its own fresh run through this.
    public func unfinishedRun(prefix: String) async throws -> String? {
        try await read("read the runs") { db in
            try RunRecord
                .filter(sql: "substr(id, 1, ?) = ?", arguments: [prefix.count, prefix])
                .filter(RunRecord.CodingKeys.status == "running")
                .order(RunRecord.CodingKeys.startedAt.desc)
                .fetchOne(db)?.id
        }
    }

    /// Marks a run finished with a status (`done`, `failed`, `partial`).
    public func finishRun(id: String, status: String) async throws {
        try await write("finish run \(id)") { db in
            guard var run = try RunRecord.fetchOne(db, key: id) else { return }
            run.status = status
            run.finishedAt = Date().timeIntervalSince1970
            try run.update(db)
        }
    }

    /// The ledger entries of a step, in item order.
    static func ledger(run: String, step: String) -> QueryInterfaceRequest<ItemRecord> {
        ItemRecord.filter(ItemRecord.CodingKeys.runID == run && ItemRecord.CodingKeys.step == step)
    }

    /// The ledger entry of one item, if recorded.
    public func item(run: String, step: String, key: String) async throws -> ItemRecord? {
        try await read("read the ledger") { db in
            try Self.ledger(run: run, step: step).filter(ItemRecord.CodingKeys.key == key).fetchOne(db)
        }
    }

    /// All ledger entries of a step, in item order.
    public func items(run: String, step: String) async throws -> [ItemRecord] {
        try await read("read the ledger") { db in
            try Self.ledger(run: run, step: step).order(ItemRecord.CodingKeys.order, ItemRecord.CodingKeys.key).fetchAll(db)
        }
    }

    /// Records an item's outcome, and the log line of the request that produced it, in one
    /// transaction.
    public func record(_ item: ItemRecord, log: LogEntry? = nil) async throws {
        try await write("write the ledger") { db in
            let now = Date().timeIntervalSince1970
            var item = item
            item.updatedAt = now
            try item.insert(db, onConflict: .replace)
            if var log {
                log.at = now
                try log.insert(db)
            }
        }
    }

    /// Removes a step's ledger entries whose keys are not in `keep` (items of an earlier
    /// shape of the same run, e.g. reduce groups after the answers changed).
    public func pruneItems(run: String, step: String, keeping keep: Set<String>) async throws {
        try await write("prune the ledger") { db in
            // Row by row rather than `key NOT IN (...)`: a folder's keys can outnumber
            // SQLite's limit on bound values.
            let keys = try Self.ledger(run: run, step: step).select(ItemRecord.CodingKeys.key, as: String.self).fetchAll(db)
            for key in keys where !keep.contains(key) {
                try Self.ledger(run: run, step: step).filter(ItemRecord.CodingKeys.key == key).deleteAll(db)
            }
        }
    }
}
