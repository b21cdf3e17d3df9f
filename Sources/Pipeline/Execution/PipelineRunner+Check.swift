import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension PipelineRunner {
    /// The files this run's `write` steps write (not standard output, not a switched-off write).
    public var resultFiles: [String] {
        steps.filter { $0.definition.kind == .write }.compactMap(\.to).filter { !$0.isEmpty && $0 != "-" }
    }

    /// Checks, before anything is sent, every file the run will write: each result file and
    /// `others` (the run store) must be writable, must not be one of the run's inputs (an
    /// image of an `images` step, the file of a `document` step: writing it would replace
    /// the input), and no two may be the same file. Paths are compared after resolving
    /// symbolic links and `.`/`..`. A result file whose format is neither given nor
    /// implied by its extension is refused too.
    /// - Parameters:
    ///   - others: more files the run writes (the run store), with what they are.
    ///   - inputFiles: more files the run reads (the pipeline file, a tokenizer).
    /// - Throws: `.invalidInput` naming the file and the reason (exit 2).
    public func checkOutputs(others: [(label: String, path: String)] = [], inputFiles: [String] = []) throws {
        var destinations: [(label: String, path: String)] = []
        for step in steps where step.definition.kind == .write {
            guard let to = step.to, !to.isEmpty, to != "-" else { continue }
            if step.format == nil && ResultFormat.inferred(fromPath: to) == nil {
                throw PipelineError(
                    .invalidInput,
                    "step `\(step.name)`: cannot tell the format of \(to) from its extension; use .jsonl, .csv, .md, .html or .txt, or give `format:`",
                    at: step.definition.location)
            }
            destinations.append(("result file", to))
        }
        destinations += others
        guard !destinations.isEmpty else { return }
        var inputs: [String: String] = [:]
        for path in inputFiles { inputs[FileProblem.identity(path)] = path }
        for step in steps {
            switch step.definition.kind {
            case .images:
                // A listing that fails is reported by the run itself, with its reason.
                for path in (try? environment.images.list(step.argument, recursive: step.definition.recursive)) ?? [] {
                    inputs[FileProblem.identity(path)] = path
                }
            case .document:
                inputs[FileProblem.identity(step.argument)] = step.argument
            default:
                break
            }
        }
        var seen: [String: String] = [:]
        for (label, path) in destinations {
            let identity = FileProblem.identity(path)
            if let input = inputs[identity] {
                throw PipelineError(
                    .invalidInput,
                    "the \(label) \(path) is the input \(input): writing it would replace the input; choose another path"
                )
            }
            if let other = seen[identity] {
                throw PipelineError(
                    .invalidInput, "the \(label) \(path) is the same file as the \(other); choose another path")
            }
            seen[identity] = "\(label) \(path)"
            if let problem = FileProblem.cannotWrite(path) {
                throw PipelineError(.invalidInput, "cannot write the \(label) \(path): \(problem)")
            }
        }
    }
}

/// File-system checks in the system's words (`Not a directory`, `Permission denied`).
enum FileProblem {
    /// What identifies the file `path` names, now or once created: its real path (symbolic
    /// links resolved) when it exists, else its folder's real path and its name.
    static func identity(_ path: String) -> String {
        if let real = realPath(path) { return real }
        let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
        let folder = (absolute as NSString).deletingLastPathComponent
        return (realPath(folder) ?? folder) + "/" + (absolute as NSString).lastPathComponent
    }

    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// Why a file could not be created or replaced at `path` (written to a temporary file
    /// beside it, then renamed), or nil when it can.
    static func cannotWrite(_ path: String) -> String? {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            return String(cString: strerror(EISDIR))
        }
        // The nearest folder that exists must be a writable folder (the missing ones are created).
        var folder = (URL(fileURLWithPath: path).standardizedFileURL.path as NSString).deletingLastPathComponent
        while !folder.isEmpty && folder != "/" && !FileManager.default.fileExists(atPath: folder) {
            folder = (folder as NSString).deletingLastPathComponent
        }
        if folder.isEmpty { folder = "/" }
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
            return "\(folder): \(String(cString: strerror(ENOTDIR)))"
        }
        if access(folder, W_OK | X_OK) != 0 { return "\(folder): \(String(cString: strerror(errno)))" }
        return nil
    }

    /// An error's reason in the system's words when it carries an errno, else its description.
    static func reason(_ error: any Error) -> String {
        if let posix = error as? POSIXError { return String(cString: strerror(posix.code.rawValue)) }
        let object = error as NSError
        if object.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(object.code))) }
        if let underlying = object.userInfo[NSUnderlyingErrorKey] as? NSError { return reason(underlying) }
        return "\(error)"
    }
}
