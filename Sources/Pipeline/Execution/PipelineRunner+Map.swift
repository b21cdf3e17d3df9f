import Foundation

extension PipelineRunner {
    /// The requests of a map step: one per item, or images packed into batches.
    func mapUnits(_ step: ResolvedStep, source: [StepItem], builder: ReportBuilder?) throws -> [StepItem] {
        guard let batch = step.batch else { return source.filter(\.ok) }
        var good: [(StepItem, Int)] = []
        var units: [StepItem] = []
        for item in source {
            do {
                good.append((item, try environment.images.estimateTokens(item.path, maxSide: options.maxSide)))
            } catch {
                // Not a usable image: it gets its own failed row rather than sinking a batch.
                var failed = item
                failed.ok = false
                failed.error = Self.reason(error)
                units.append(failed)
            }
        }
        let promptTokens = environment.text.tokens(in: renderPrompt(step, context: [:]))
        let room = step.facts.contextLength - step.maxTokens - promptTokens - RequestLimits.contextSafetyTokens
        var groups: [[(StepItem, Int)]] = []
        var current: [(StepItem, Int)] = []
        var used = 0
        let limit: Int = switch batch {
        case .fixed(let n): n
        case .auto, .template: step.imageLimit
        }
        for entry in good {
            // Each image also costs its caption line ("Image 3: name.jpg").
            let cost = entry.1 + RequestLimits.messageOverheadTokens
            if !current.isEmpty && (current.count >= limit || used + cost > room) {
                groups.append(current)
                current = []
                used = 0
            }
            current.append(entry)
            used += cost
        }
        if !current.isEmpty { groups.append(current) }
        for (index, group) in groups.enumerated() {
            let images = group.enumerated().map { offset, entry in
                ImageRef(path: entry.0.path, name: entry.0.name, index: offset + 1)
            }
            units.append(StepItem(
                key: "batch-\(index + 1):" + images.map(\.path).joined(separator: "|"),
                order: group.first?.0.order ?? index, path: images.map(\.path).joined(separator: ", "),
                name: "batch \(index + 1)", fields: ["index": String(index + 1), "batch": "1"],
                images: images, stamp: PipelineRunner.digest(group.map { $0.0.stamp }.joined(separator: "|"))))
        }
        return units.sorted { $0.order < $1.order }
    }

    /// Renders a step's prompt with inputs, earlier results and the item's fields.
    func renderPrompt(_ step: ResolvedStep, context: [String: Any], results: [String: String] = [:]) -> String {
        var full = context
        for (key, value) in inputs where full[key] == nil { full[key] = value }
        for (key, value) in results where full[key] == nil { full[key] = value }
        return step.prompt?.render(full) ?? ""
    }

    /// Builds the request of one unit. Throws when an image cannot be prepared.
    func request(for unit: StepItem, step: ResolvedStep, total: Int, results: [String: String]) throws -> (ModelRequest, imageTokens: Int) {
        var context = unit.templateContext(total: total)
        for (key, value) in inputs where context[key] == nil { context[key] = value }
        for (key, value) in results where context[key] == nil { context[key] = value }
        var messages: [ModelRequest.Message] = []
        if let system = step.system {
            messages.append(.init(role: "system", parts: [.text(system.render(context))]))
        }
        var parts: [ModelRequest.Part] = [.text(step.prompt?.render(context) ?? "")]
        var imageTokens = 0
        let batched = unit.fields["batch"] != nil
        for image in unit.images {
            let prepared = try environment.images.prepare(image.path, maxSide: options.maxSide)
            let url = prepared.dataURL
            imageTokens += prepared.tokens
            // The file name beside each image, so the answer can cite it.
            if batched { parts.append(.text("Image \(image.index): \(image.name)")) }
            parts.append(.image(url: url, name: image.name))
        }
        messages.append(.init(role: "user", parts: parts))
        let request = ModelRequest(
            model: step.model, messages: messages, maxTokens: step.maxTokens,
            temperature: step.definition.temperature?.value, jsonSchema: step.definition.jsonSchema?.value)
        return (request, imageTokens)
    }

    /// Runs the units of a map step with bounded concurrency; each finished unit is
    /// committed to the ledger before the next starts in its slot.
    func perform(
        _ units: [StepItem], step: ResolvedStep, chat: any ChatService, store: RunStore, results: [String: String],
        builder: ReportBuilder, circuit: ReachabilityCircuit, prune: Bool = true
    ) async throws -> [StepItem] {
        await environment.progress?.beginStep(step.name, total: units.count)
        var finished: [StepItem] = []
        finished.reserveCapacity(units.count)
        let slots = RequestSlots(max(1, options.concurrency))
        let shared = SharedRequests()
        try await withThrowingTaskGroup(of: StepItem.self) { group in
            var next = 0
            func launch() {
                let unit = units[next]
                let total = units.count
                next += 1
                group.addTask {
                    try await self.execute(
                        unit, step: step, total: total, chat: chat, store: store, results: results, builder: builder,
                        circuit: circuit, slots: slots, shared: shared)
                }
            }
            // A few more workers than request slots: they decode and encode the next images
            // while the others wait for answers, then wait for a slot.
            let width = max(1, options.concurrency) + ProcessInfo.processInfo.activeProcessorCount
            while next < units.count && next < width { launch() }
            while let item = try await group.next() {
                finished.append(item)
                if next < units.count { launch() }
            }
        }
        if prune { try await store.pruneItems(run: runID, step: step.name, keeping: Set(units.map(\.key))) }
        return finished.sorted { $0.order < $1.order }
    }

    /// One unit: from the ledger if already done, else prepare, hash, answer from the cache
    /// or send; record the outcome.
    func execute(
        _ unit: StepItem, step: ResolvedStep, total: Int, chat: any ChatService, store: RunStore,
        results: [String: String], builder: ReportBuilder, circuit: ReachabilityCircuit, slots: RequestSlots,
        shared: SharedRequests
    ) async throws -> StepItem {
        try Task.checkCancellation()
        var item = unit
        let progress = environment.progress
        func finish(_ record: RunStore.ItemRecord, log: RunStore.LogEntry?, sent: Bool, cached: Bool, answer: ModelAnswer?) async throws -> StepItem {
            try await store.record(record, log: log)
            item.ok = record.state == .done
            item.error = record.error
            item.text = record.text
            item.record = record
            await builder.add(item, sent: sent, cached: cached, answer: answer)
            await progress?.itemFinished(ok: item.ok, answer: answer, cached: cached, sent: sent)
            return item
        }
        var record = RunStore.ItemRecord(
            runID: runID, step: step.name, key: unit.key, order: unit.order, state: .failed, path: unit.path,
            model: step.model, stamp: unit.stamp, fields: Self.fieldsJSON(unit))
        if !unit.ok {
            record.error = unit.error
            return try await finish(record, log: nil, sent: false, cached: false, answer: nil)
        }
        // Finished in an earlier attempt of this run: never sent again.
        if let done = try await store.item(run: runID, step: step.name, key: unit.key), done.state == .done, done.stamp == unit.stamp {
            item.ok = true
            item.text = done.text
            item.record = done
            await builder.add(item, sent: false, cached: true, answer: nil)
            await progress?.itemFinished(ok: true, answer: nil, cached: true, sent: false)
            return item
        }
        let request: ModelRequest
        let imageTokens: Int
        do {
            (request, imageTokens) = try self.request(for: unit, step: step, total: total, results: results)
        } catch {
            record.error = Self.reason(error)
            return try await finish(record, log: nil, sent: false, cached: false, answer: nil)
        }
        let key: String
        do {
            key = ModelRequest.cacheKey(of: try chat.requestBody(for: request))
        } catch {
            record.error = "cannot encode the request: \(error)"
            return try await finish(record, log: nil, sent: false, cached: false, answer: nil)
        }
        record.requestKey = key
        let needed = environment.text.tokens(in: request.messages.flatMap(\.parts).compactMap { if case .text(let t) = $0 { t } else { nil } }.joined(separator: "\n")) + imageTokens + step.maxTokens
        if needed > step.facts.contextLength {
            record.error = "request needs about \(needed) tokens (prompt, images and max_tokens) but \(step.model) has a context of \(step.facts.contextLength)"
            return try await finish(record, log: nil, sent: false, cached: false, answer: nil)
        }
        var log = RunStore.LogEntry(
            runID: runID, step: step.name, itemKey: unit.key, requestKey: key, prompt: request.loggedPrompt, response: nil,
            error: nil, model: step.model, promptTokens: 0, completionTokens: 0, cost: nil, cached: false)
        if options.useCache, let answer = try await store.cachedAnswer(forKey: key) {
            record.apply(answer)
            log.apply(answer)
            log.cached = true
            return try await finish(record, log: log, sent: false, cached: true, answer: answer)
        }
        // The same request already on its way (identical images in one folder): wait for its
        // answer instead of sending it again. Each item still gets its own row.
        if let outcome = await shared.join(key) {
            switch outcome {
            case .answer(let answer):
                record.apply(answer)
                log.apply(answer)
                log.cached = true
                return try await finish(record, log: log, sent: false, cached: true, answer: answer)
            case .failure(let reason):
                record.error = reason
                return try await finish(record, log: nil, sent: false, cached: false, answer: nil)
            case .cancelled:
                throw CancellationError()
            }
        }
        // From here this item sends for every item with the same key: every path ends in
        // `shared.finish`.
        await slots.acquire()
        if await circuit.isOpen {
            await slots.release()
            let why = await circuit.reason ?? "the endpoint is unreachable"
            record.error = "not sent: \(why)"
            await shared.finish(key, .failure(record.error ?? ""))
            return try await finish(record, log: nil, sent: false, cached: false, answer: nil)
        }
        await progress?.requestStarted()
        let answer: ModelAnswer
        do {
            answer = try await chat.send(request)
        } catch {
            await slots.release()
            await progress?.requestEnded()
            if error is CancellationError {
                await shared.finish(key, .cancelled)
                throw error
            }
            if let failure = error as? PipelineError, failure.code == .unreachable {
                await circuit.failedUnreachable(failure.message)
            }
            // The message alone: the cause's description repeats it ("X (OpenRouter: X (HTTP 401))").
            record.error = Self.reason(error)
            log.error = record.error
            await shared.finish(key, .failure(record.error ?? ""))
            return try await finish(record, log: log, sent: true, cached: false, answer: nil)
        }
        await slots.release()
        await progress?.requestEnded()
        await circuit.succeeded()
        // Cached before it is shared, so an identical item starting now finds it in the cache.
        do {
            try await store.cache(answer, forKey: key)
        } catch {
            await shared.finish(key, .answer(answer))
            throw error
        }
        await shared.finish(key, .answer(answer))
        record.apply(answer)
        log.apply(answer)
        return try await finish(record, log: log, sent: true, cached: false, answer: answer)
    }

    /// An error as a row's reason: the message alone (the row already names the file).
    static func reason(_ error: any Error) -> String {
        (error as? PipelineError)?.message ?? "\(error)"
    }

    static func fieldsJSON(_ unit: StepItem) -> String? {
        var object: [String: Any] = unit.fields
        if unit.images.count > 1 || unit.fields["batch"] != nil {
            object["images"] = unit.images.map(\.path)
        }
        guard !object.isEmpty, let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else { return nil }
        return String(data: data, encoding: .utf8)
    }
}

extension RunStore.ItemRecord {
    mutating func apply(_ answer: ModelAnswer) {
        state = .done
        text = answer.text
        error = nil
        model = answer.model
        promptTokens = answer.promptTokens
        completionTokens = answer.completionTokens
        cost = answer.cost
    }
}

extension RunStore.LogEntry {
    mutating func apply(_ answer: ModelAnswer) {
        response = answer.text
        model = answer.model
        promptTokens = answer.promptTokens
        completionTokens = answer.completionTokens
        cost = answer.cost
    }
}

/// Identical requests of one step (same cache key) in flight at once: the first is sent, the
/// others wait for its outcome and share it. The cache alone cannot do this: it is only
/// filled once the first answer arrives, after the copies were sent in parallel.
actor SharedRequests {
    enum Outcome: Sendable {
        case answer(ModelAnswer)
        case failure(String)
        case cancelled
    }

    private var waiting: [String: [CheckedContinuation<Outcome, Never>]] = [:]

    /// nil when no identical request is in flight: the caller sends it and must call `finish`.
    /// Otherwise waits for the one in flight and returns its outcome.
    func join(_ key: String) async -> Outcome? {
        guard waiting[key] != nil else {
            waiting[key] = []
            return nil
        }
        return await withCheckedContinuation { waiting[key, default: []].append($0) }
    }

    /// The sender's outcome, handed to everyone waiting for `key`.
    func finish(_ key: String, _ outcome: Outcome) {
        for waiter in waiting.removeValue(forKey: key) ?? [] { waiter.resume(returning: outcome) }
    }
}

/// At most `count` requests in flight; the others wait their turn in order.
actor RequestSlots {
    private var free: Int
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(_ count: Int) { free = count }

    func acquire() async {
        if free > 0 {
            free -= 1
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    func release() {
        if waiting.isEmpty { free += 1 } else { waiting.removeFirst().resume() }
    }
}
