import ArgumentParser
import Foundation
import OpenRouter
import Pipeline

/// Runs a pipeline for a command: builds the services, plans or runs, prints, and maps the
/// outcome to DESIGN.md's exit codes (0 done, 1 some items failed, 2 bad usage or pipeline
/// file, 3 nothing could run).
enum PipelineInvocation {
    static func run(text: String, file: String, inputs: [String: String], common: CommonOptions) async throws {
        let code = await execute(text: text, file: file, inputs: inputs, common: common)
        if code != 0 { throw ExitCode(code) }
    }

    static func shipped(_ name: String) -> String {
        ShippedPipelines.all[name] ?? ""
    }

    static func standardError(_ text: String) {
        FileHandle.standardError.write(Data((text.hasSuffix("\n") ? text : text + "\n").utf8))
    }

    static func execute(text: String, file: String, inputs: [String: String], common: CommonOptions) async -> Int32 {
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
        let progress = RunProgress(live: interactive)
        do {
            let definition = try PipelineParser().parse(text, file: file)
            // Everything that can be checked offline is checked before any connection is made.
            try PipelineValidator(defaultModel: options.fallbackModel, facts: PeruseServices.builtInFacts).validate(definition)
            _ = try definition.resolveInputs(inputs)
            let services = try await PeruseServices.make(
                baseURL: baseURL, apiKey: key, tokenizerPath: common.tokenizer, concurrency: common.concurrency,
                requestTimeout: .seconds(common.requestTimeout), dryRun: dryRun)
            if dryRun { standardError("plan made with \(services.factsSource)") }
            let report = try await execute(definition, services: services, options: options, progress: progress, common: common, dryRun: dryRun, baseURL: baseURL)
            await services.shutdown()
            return report
        } catch let error as PipelineError {
            await progress.finishLine()
            standardError("error: " + (common.verbose ? error.description : error.location.map { "\($0): \(error.message)" } ?? error.message))
            switch error.code {
            case .invalidPipeline, .invalidInput: return 2
            case .unreachable: return 3
            case .itemFailed, .store, .output: return 1
            }
        } catch {
            await progress.finishLine()
            standardError("error: \(error)")
            return 1
        }
    }

    static func execute(
        _ definition: PipelineDefinition, services: PeruseServices, options: RunOptions, progress: RunProgress,
        common: CommonOptions, dryRun: Bool, baseURL: String
    ) async throws -> Int32 {
        do {
            let store = dryRun ? nil : try RunStore(path: common.store)
            let runner = try PipelineRunner(
                definition: definition, options: options,
                environment: RunEnvironment(
                    chat: dryRun ? nil : services.chat, images: services.images, text: services.text,
                    facts: services.facts, store: store, progress: progress))
            if dryRun {
                let plan = try await runner.plan()
                print(plan)
                return 0
            }
            if common.verbose { standardError("run \(runner.runID), store \(common.store)") }
            let report = try await runner.run()
            if !report.standardOutput.isEmpty {
                FileHandle.standardOutput.write(Data(report.standardOutput.utf8))
            }
            // When nothing could run, every row failed for the one reason said below: once.
            if !report.unreachable { for failure in report.failures { standardError("failed: \(failure)") } }
            var summary = "\(report.items) item\(report.items == 1 ? "" : "s"), \(report.failed) failed, \(report.sent) request\(report.sent == 1 ? "" : "s") sent, \(report.cached) from cache"
            summary += String(format: ", %d+%d tokens, $%.4f", report.promptTokens, report.completionTokens, report.cost)
            if report.resumed { summary += " (resumed run \(report.runID))" }
            for path in report.written { summary += "\nwrote \(path)" }
            standardError(summary)
            if report.unreachable {
                standardError("nothing could run: \(report.stopReason ?? "\(baseURL) is unreachable.")")
            }
            return report.exitCode
        } catch {
            await services.shutdown()
            throw error
        }
    }
}
