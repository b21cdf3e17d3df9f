import ArgumentParser
import Dispatch
import Foundation
import OpenRouter
import Pipeline

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Runs a pipeline for a command: builds the services, plans or runs, prints, and maps the
/// outcome to the exit codes of the README (0 done, 1 some items failed, 2 bad usage or
/// pipeline file, 3 nothing could run, 130 interrupted).
enum PipelineInvocation {
    static func run(
        text: String, file: String, inputs: [String: String], common: CommonOptions,
        inputOptions: InputOptions = InputOptions(), pipelineFile: String? = nil
    ) async throws {
        let code = try await execute(
            text: text, file: file, inputs: inputs, common: common, inputOptions: inputOptions, pipelineFile: pipelineFile)
        if code != 0 { throw ExitCode(code) }
    }

    static func shipped(_ name: String) -> String {
        ShippedPipelines.all[name] ?? ""
    }

    static func standardError(_ text: String) {
        Console.error(text)
    }

    static func execute(
        text: String, file: String, inputs: [String: String], common: CommonOptions, inputOptions: InputOptions,
        pipelineFile: String?
    ) async throws -> Int32 {
        let key: String?
        let baseURL: String
        do {
            (key, baseURL) = try common.endpoint()
        } catch let error as OpenRouterError {
            standardError("error: \(error.message)")
            return 2
        } catch {
            standardError("error: \(error)")
            return 2
        }
        var dryRun = common.dryRun
        if key == nil && !dryRun {
            standardError("OPENROUTER_API_KEY is not set: dry run, nothing is sent. Set the key to run for real.")
            dryRun = true
        }
        var options = RunOptions()
        options.model = common.model
        options.concurrency = common.concurrency
        options.useCache = !common.noCache
        options.maxSide = common.maxSide
        options.inputs = inputs
        let interactive = isatty(STDERR_FILENO) == 1
        // Step names come from the pipeline file: escaped like everything shown on a terminal.
        let progress = RunProgress(live: interactive) { text in
            let bar = "\r\u{1B}[2K"
            let shown = text.hasPrefix(bar) ? bar + Terminal.escape(String(text.dropFirst(bar.count))) : Terminal.escape(text, keepLayout: true)
            Console.rawError(shown)
        }
        do {
            let definition = try PipelineParser().parse(text, file: file)
            // Everything that can be checked offline is checked before any connection is made.
            try PipelineValidator(defaultModel: options.fallbackModel, facts: PeruseServices.builtInFacts).validate(definition)
            _ = try definition.resolveInputs(inputs)
            let services = try await PeruseServices.make(
                baseURL: baseURL, apiKey: key, tokenizerPath: common.tokenizer, concurrency: common.concurrency,
                inputs: inputOptions, requestTimeout: .seconds(common.requestTimeout), dryRun: dryRun)
            if dryRun { standardError("plan made with \(services.factsSource)") }
            // Files the run reads besides its steps' inputs: never to be overwritten either.
            let readFiles = [pipelineFile, common.tokenizer].compactMap { $0 }
            let report = try await execute(definition, services: services, options: options, progress: progress, common: common, dryRun: dryRun, baseURL: baseURL, readFiles: readFiles)
            await services.shutdown()
            return report
        } catch let error as PipelineError {
            await progress.finishLine()
            standardError("error: " + Terminal.escape(common.verbose ? error.description : error.location.map { "\($0): \(error.message)" } ?? error.message))
            switch error.code {
            case .invalidPipeline, .invalidInput: return 2
            case .unreachable: return 3
            case .itemFailed, .store, .output: return 1
            }
        } catch let failure as Console.WriteError {
            throw failure
        } catch {
            await progress.finishLine()
            standardError("error: \(Terminal.escape("\(error)"))")
            return 1
        }
    }

    static func execute(
        _ definition: PipelineDefinition, services: PeruseServices, options: RunOptions, progress: RunProgress,
        common: CommonOptions, dryRun: Bool, baseURL: String, readFiles: [String] = []
    ) async throws -> Int32 {
        do {
            let environment = RunEnvironment(
                chat: dryRun ? nil : services.chat, images: services.images, text: services.text,
                facts: services.facts, store: nil, progress: progress)
            if dryRun {
                let runner = try await PipelineRunner(definition: definition, options: options, environment: environment)
                // A plan for a run that would be refused says so now.
                try runner.checkOutputs(inputFiles: readFiles)
                let plan = try await runner.plan()
                try Console.line("\(plan)")
                if let nothingToDo = plan.nothingToDo {
                    standardError("error: \(nothingToDo)")
                    return 1
                }
                return 0
            }
            // Every file the run will write is checked before the store is opened and before
            // the first request: writable, and not one of the inputs (nor the store).
            try await PipelineRunner(definition: definition, options: options, environment: environment)
                .checkOutputs(others: [("run store", common.store)], inputFiles: readFiles)
            let store: RunStore
            do {
                store = try await RunStore(path: common.store)
            } catch let error as PipelineError {
                throw PipelineError(.invalidInput, error.message, cause: error.cause)
            }
            var live = environment
            live.store = store
            let runner = try await PipelineRunner(definition: definition, options: options, environment: live)
            if common.verbose { standardError("run \(runner.runID), store \(Terminal.escape(common.store))") }
            let outcome = await Interruption.run { try await runner.run() }
            guard case .finished(let result) = outcome else {
                await progress.finishLine()
                let snapshot = await progress.snapshot
                let saved = snapshot.done - snapshot.failed
                standardError("interrupted: \(saved) of \(snapshot.total) saved; run the same command to resume")
                return 130
            }
            let report = try result.get()
            if !report.standardOutput.isEmpty { try Console.out(report.standardOutput) }
            // When nothing could run, every row failed for the one reason said below: once.
            if !report.unreachable { for failure in report.failures { standardError("failed: \(Terminal.escape(failure))") } }
            var summary = "\(report.items) item\(report.items == 1 ? "" : "s"), \(report.failed) failed, \(report.sent) request\(report.sent == 1 ? "" : "s") sent, \(report.cached) from cache"
            summary += String(format: ", %d+%d tokens, $%.4f", report.promptTokens, report.completionTokens, report.cost)
            if report.resumed { summary += " (resumed run \(report.runID))" }
            for path in report.written { summary += "\nwrote \(Terminal.escape(path))" }
            for path in report.kept {
                summary += "\nkept \(Terminal.escape(path)) as it was: nothing could run, so it was not replaced"
            }
            standardError(summary)
            if report.unreachable {
                standardError("nothing could run: \(Terminal.escape(report.stopReason ?? "\(baseURL) is unreachable."))")
            }
            return report.exitCode
        } catch {
            await services.shutdown()
            throw error
        }
    }
}

/// SIGINT (Ctrl-C) during a run: the first cancels the run, whose finished items are already
/// committed, so the command can say how much was saved and exit 130; a second one exits at
/// once.
enum Interruption {
    enum Outcome<T: Sendable> {
        case finished(Result<T, any Error>)
        case interrupted
    }

    static func run<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) async -> Outcome<T> {
        let task = Task { try await body() }
        let flag = Flag()
        signal(SIGINT, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        source.setEventHandler {
            if flag.raise() {
                task.cancel()
            } else {
                Console.error("interrupted again: stopping now")
                exit(130)
            }
        }
        source.resume()
        let result = await task.result
        source.cancel()
        signal(SIGINT, SIG_DFL)
        return flag.isRaised ? .interrupted : .finished(result)
    }

    /// Set once, from the signal handler's queue.
    final class Flag: @unchecked Sendable {
        private let lock = NSLock()
        private var raised = false

        /// Raises the flag; true the first time.
        func raise() -> Bool {
            lock.lock()
            defer { lock.unlock() }
            if raised { return false }
            raised = true
            return true
        }

        var isRaised: Bool {
            lock.lock()
            defer { lock.unlock() }
            return raised
        }
    }
}
