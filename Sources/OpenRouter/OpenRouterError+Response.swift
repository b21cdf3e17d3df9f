import Foundation

extension OpenRouterError {
    /// Turns an HTTP error response (or an error object found in a 200 body or a stream) into
    /// a typed error with a message that says what to do.
    /// - Parameters:
    ///   - status: HTTP status; for mid-stream errors the numeric `error.code` if any.
    ///   - headers: response headers (only `Retry-After`, `X-RateLimit-Reset` and, for a 429,
    ///     `X-RateLimit-Limit` are read).
    ///   - error: the decoded `error` object, if the body had one.
    ///   - rawBody: the body text, used when it is not OpenRouter's JSON error shape.
    ///   - model: the model asked, named in messages.
    ///   - redactor: removes the API key from anything the server echoes back.
    package static func fromResponse(
        status: Int, headers: [(name: String, value: String)], error: APIErrorBody?, rawBody: String?,
        model: String?, redactor: Redactor, now: Date = Date()
    ) -> OpenRouterError {
        let serverMessage = redactor.redact(
            (error?.message ?? rawBody.map { String($0.prefix(300)) } ?? "")
                .trimmingCharacters(in: .whitespacesAndNewlines))
        let retryAfter = Self.retryAfter(headers: headers, now: now)
        let errorType = error?.errorType
        let modelName = model ?? "the model"
        let detail = serverMessage.isEmpty ? "" : " Server said: \(serverMessage)"
        func make(_ code: Code, _ message: String, _ details: (inout OpenRouterError) -> Void = { _ in })
            -> OpenRouterError
        {
            var made = OpenRouterError(
                code, message, status: status, retryAfter: retryAfter,
                serverCode: error?.code?.description, model: model)
            if status == 429 { made.serverLimit = headerValue("X-RateLimit-Limit", in: headers).flatMap { Int($0) } }
            details(&made)
            return made
        }

        if Self.looksLikeNoImages(serverMessage) {
            // Local servers list models without modalities, so images are sent on trust; this is
            // the answer of one that cannot read them (Ollama, vLLM, LM Studio, OpenRouter's 404).
            return make(
                .imagesNotSupported,
                "\(modelName) does not accept images at this endpoint. Choose a model that reads images (a vision model)."
                    + detail)
        }

        if errorType == "context_length_exceeded" || Self.looksLikeContextError(serverMessage) {
            let numbers = Self.contextNumbers(serverMessage)
            var what = "The request is too long for \(modelName)"
            if let requested = numbers.requested, let limit = numbers.limit {
                what += ": about \(requested) tokens asked for, the context holds \(limit)"
            } else if let limit = numbers.limit {
                what += ": the context holds \(limit) tokens"
            }
            return make(
                .contextTooLong,
                what + ". Send fewer or smaller images, shorter chunks, or a lower max_tokens." + detail
            ) {
                $0.requestedTokens = numbers.requested
                $0.contextLength = numbers.limit
            }
        }

        switch status {
        case 401:
            return make(
                .badKey,
                "The API key was refused. Set OPENROUTER_API_KEY to a valid key from https://openrouter.ai/keys."
                    + detail)
        case 402:
            return make(
                .noCredits,
                "The account has no credits left (free models also need a non-negative balance). Add credits at https://openrouter.ai/credits."
                    + detail)
        case 403:
            var reasons: [String] = []
            if case .array(let items)? = error?.metadata?["reasons"] { reasons = items.compactMap(\.stringValue) }
            let why = reasons.isEmpty ? "" : " (\(reasons.joined(separator: ", ")))"
            return make(
                .moderation,
                "The input was flagged by moderation\(why) and was not answered. Change or drop the flagged item."
                    + detail
            ) { $0.moderationReasons = reasons }
        case 404:
            return make(
                .modelNotFound,
                "\(modelName) is not available at this endpoint (ended, renamed, or a typo). Run `peruse models` to see what is offered."
                    + detail)
        case 408:
            return make(.timeout, "\(modelName) took too long to answer." + detail)
        case 413:
            return make(
                .payloadTooLarge,
                "The request is too large for the endpoint. Send fewer images per request or a smaller --max-side."
                    + detail)
        case 429:
            if Self.isDailyCap(serverMessage) {
                return make(
                    .dailyCapReached,
                    "The daily request quota for free models is used up (50 a day, 1,000 once 10 credits were bought). Stop and resume tomorrow, or use a paid model."
                        + detail)
            }
            return make(.rateLimited, "Rate limited by the endpoint." + detail)
        case 400, 422:
            return make(.badRequest, "The endpoint rejected the request as invalid." + detail)
        case 500, 502, 503, 504, 520, 522, 524, 529:
            return make(
                .providerDown,
                "\(modelName) or its provider is down or overloaded; try again later or choose another model."
                    + detail)
        default:
            if status >= 200 && status < 300 {
                return make(.providerDown, "\(modelName) failed while answering." + detail)
            }
            return make(.http, "Unexpected HTTP status \(status)." + detail)
        }
    }

    /// `Retry-After` in seconds or as an HTTP date; else `X-RateLimit-Reset` (epoch ms).
    package static func retryAfter(headers: [(name: String, value: String)], now: Date = Date()) -> Duration? {
        if let value = headerValue("Retry-After", in: headers) {
            if let seconds = Double(value), seconds >= 0, seconds.isFinite {
                return .milliseconds(Int64((seconds * 1000).rounded()))
            }
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "GMT")
            formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
            if let date = formatter.date(from: value) {
                return .milliseconds(Int64(max(0, date.timeIntervalSince(now)) * 1000))
            }
        }
        if let value = headerValue("X-RateLimit-Reset", in: headers), let resetMs = Double(value) {
            let seconds = resetMs / 1000 - now.timeIntervalSince1970
            if seconds > 0, seconds < 24 * 3600 { return .milliseconds(Int64(seconds * 1000)) }
        }
        return nil
    }

    /// Wordings of "this model cannot take images": OpenRouter ("No endpoints found that support
    /// image input"), vLLM ("… is not a multimodal model"), LM Studio and Ollama ("does not
    /// support images", "… vision …").
    static func looksLikeNoImages(_ message: String) -> Bool {
        let lower = message.lowercased()
        return lower.contains("support image input") || lower.contains("not a multimodal model")
            || lower.contains("does not support image") || lower.contains("doesn't support image")
            || lower.contains("images are not supported") || lower.contains("image input is not supported")
            || lower.contains("does not support vision") || lower.contains("not support multimodal")
    }

    /// OpenRouter says which 429 is the daily cap only in its message ("free-models-per-day");
    /// the headers of both kinds look alike, so only the message is read.
    static func isDailyCap(_ message: String) -> Bool {
        let lower = message.lowercased()
        return lower.contains("per-day") || lower.contains("per day") || lower.contains("daily")
    }

    static func looksLikeContextError(_ message: String) -> Bool {
        let lower = message.lowercased()
        return lower.contains("context length") || lower.contains("context window")
            || lower.contains("maximum context")
    }

    /// Pulls "maximum context length is N" and "requested about M" out of the message.
    static func contextNumbers(_ message: String) -> (requested: Int?, limit: Int?) {
        let lower = message.lowercased()
        func integer(after phrase: String) -> Int? {
            guard let range = lower.range(of: phrase) else { return nil }
            var digits = ""
            var skipped = 0
            for ch in lower[range.upperBound...] {
                if ch.isASCII, ch.isNumber {
                    digits.append(ch)
                } else if ch == ",", !digits.isEmpty {
                    continue
                } else if !digits.isEmpty {
                    break
                } else {
                    skipped += 1
                    if skipped > 12 { return nil }
                }
            }
            return Int(digits)
        }
        let limit = integer(after: "context length is") ?? integer(after: "context length of")
            ?? integer(after: "maximum context length")
        let requested = integer(after: "you requested") ?? integer(after: "requested")
        return (requested, limit)
    }
}

/// Removes the API key (and `Bearer <key>`) from text that came from outside, so a server that
/// echoes the Authorization header can never leak it into a message, log or result.
package struct Redactor: Sendable {
    let secret: String?

    package init(secret: String?) {
        self.secret = secret.flatMap { $0.count >= 4 ? $0 : nil }
    }

    package func redact(_ text: String) -> String {
        guard let secret, text.contains(secret) else { return text }
        return text.replacingOccurrences(of: secret, with: "[redacted]")
    }
}
