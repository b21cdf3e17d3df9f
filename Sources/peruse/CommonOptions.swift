import ArgumentParser
import Foundation
import OpenRouter
import Pipeline

/// Options shared by `caption`, `ask`, `summarize` and `run` (README, "Using it").
struct CommonOptions: ParsableArguments {
    @Option(help: "Model id (default: the pipeline's, else meta-llama/llama-4-maverick:free).")
    var model: String?

    @Option(name: .customLong("base-url"), help: "OpenAI-compatible endpoint (default: $OPENROUTER_BASE_URL or https://openrouter.ai/api/v1).")
    var baseURL: String?

    @Option(help: "Requests in flight at once.")
    var concurrency: Int = 4

    @Flag(name: .customLong("dry-run"), help: "Do all local work and print the plan; send nothing (the default when OPENROUTER_API_KEY is not set).")
    var dryRun = false

    @Flag(name: .customLong("no-cache"), help: "Start a fresh run that reads nothing from the response cache.")
    var noCache = false

    @Option(help: "Run store (cache, ledger, log).")
    var store: String = ".peruse/store.sqlite"

    @Option(name: .customLong("max-side"), help: "Longest image side sent, in pixels.")
    var maxSide: Int?

    @Option(help: "Llama 4 tokenizer.model for exact token counts (default: a calibrated estimate).")
    var tokenizer: String?

    @Option(name: .customLong("request-timeout"), help: "Seconds one request may wait for its answer before it is retried.")
    var requestTimeout: Double = 300

    @Flag(help: "Print more detail (errors' causes, the run id, the store).")
    var verbose = false

    /// The key and base URL of a run, checked before anything runs (``checkedEndpoint(baseURL:environment:)``).
    func endpoint(environment: [String: String] = ProcessInfo.processInfo.environment) throws
        -> (key: String?, baseURL: String)
    {
        try checkedEndpoint(baseURL: baseURL, environment: environment)
    }

    func validate() throws {
        guard (1...64).contains(concurrency) else {
            throw usageError("--concurrency must be from 1 to 64, got \(concurrency)")
        }
        guard requestTimeout.isFinite, requestTimeout >= 0.1, requestTimeout <= 86_400 else {
            throw usageError("--request-timeout must be from 0.1 to 86400 seconds, got \(requestTimeout)")
        }
        if let maxSide, !(16...8192).contains(maxSide) {
            throw usageError("--max-side must be from 16 to 8192 pixels, got \(maxSide)")
        }
        if let model, model.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            throw usageError("--model is empty; give a model id (see `peruse models`), or leave --model out")
        }
        if store.isEmpty { throw usageError("--store is empty; give the run store's file path") }
    }
}

/// Refuses an `--out` whose extension names no format when `--format` is not given (the
/// result would be written in a format its name does not say).
func requireFormat(out: String?, format: String?, accepted: String) throws {
    guard let out, format == nil, out != "-", ResultFormat.inferred(fromPath: out) == nil else { return }
    throw usageError(
        "cannot tell the format of --out \(out) from its extension; give --format (\(accepted)) or a file name ending in .jsonl, .csv, .md, .html or .txt")
}

/// The key (`OPENROUTER_API_KEY`, surrounding whitespace trimmed, other control characters
/// refused without showing it) and the base URL (`--base-url`, else `OPENROUTER_BASE_URL`, else
/// OpenRouter; http or https with a host).
/// - Throws: `OpenRouterError` (`invalidConfiguration`) with a message to print as it is.
func checkedEndpoint(baseURL: String?, environment: [String: String] = ProcessInfo.processInfo.environment)
    throws -> (key: String?, baseURL: String)
{
    let key = try OpenRouterConfiguration.checkedKey(environment["OPENROUTER_API_KEY"])
    if let baseURL {
        return (key, try OpenRouterConfiguration.checkedBaseURL(baseURL, source: "--base-url"))
    }
    if let fromEnvironment = environment["OPENROUTER_BASE_URL"], !fromEnvironment.isEmpty {
        return (key, try OpenRouterConfiguration.checkedBaseURL(fromEnvironment, source: "OPENROUTER_BASE_URL"))
    }
    return (key, OpenRouterConfiguration.defaultBaseURL)
}

/// A bad option value: one line on standard error and exit 2, as the README's exit codes say
/// (a `ValidationError` would also exit 2 through `Peruse.main`, but with the whole usage
/// text after it).
func usageError(_ message: String) -> ExitCode {
    Console.error("error: \(Terminal.escape(message))")
    return ExitCode(2)
}
