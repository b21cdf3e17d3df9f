import Foundation

/// Bodies of the emulator's read-only endpoints, in OpenRouter's shape.
enum ModelsDocument {
    /// Prices travel as decimal strings of USD per unit.
    private static func price(_ value: Double) -> JSONValue {
        .string(
            value == 0
                ? "0"
                : String(format: "%.10f", value).replacingOccurrences(
                    of: "0+$", with: "", options: .regularExpression))
    }

    /// `GET /models`: `{"data":[{id, name, context_length, architecture, pricing, top_provider, …}]}`.
    static func models(_ configuration: EmulatorConfiguration) -> JSONValue {
        let offered = configuration.models.filter { !configuration.retiredModels.contains($0.id) }
        let data: [JSONValue] = offered.map { model in
            let context = configuration.contextLength(of: model)
            let modality = model.inputModalities.joined(separator: "+") + "->text"
            var entry: JSONValue = [
                "id": .string(model.id),
                "canonical_slug": .string(model.id.split(separator: ":").first.map(String.init) ?? model.id),
                "name": .string(model.name), "created": 1_743_881_822, "description": .string(model.name),
                "context_length": .int(context),
                "architecture": [
                    "modality": .string(modality),
                    "input_modalities": .array(model.inputModalities.map(JSONValue.string)),
                    "output_modalities": ["text"], "tokenizer": "Other", "instruct_type": nil,
                ],
                "pricing": [
                    "prompt": price(model.pricing.prompt), "completion": price(model.pricing.completion),
                    "request": price(model.pricing.request), "image": price(model.pricing.image),
                    "web_search": "0", "internal_reasoning": "0",
                ],
                "top_provider": [
                    "context_length": .int(context),
                    "max_completion_tokens": model.maxCompletionTokens.map(JSONValue.int) ?? .null,
                    "is_moderated": false,
                ],
                "per_request_limits": nil,
                "supported_parameters": [
                    "max_tokens", "temperature", "top_p", "stop", "seed", "response_format", "structured_outputs",
                    "reasoning", "include_reasoning",
                ],
            ]
            if !model.listsModalities, case .object(var fields) = entry {
                fields.removeValue(forKey: "architecture")
                entry = .object(fields)
            }
            return entry
        }
        return ["data": .array(data)]
    }

    /// `GET /key`: the key's limits (a free-tier key without credits).
    static func key(_ configuration: EmulatorConfiguration) -> JSONValue {
        [
            "data": [
                "label": "sk-or-v1-emu...", "limit": nil, "usage": 0, "limit_remaining": nil,
                "is_free_tier": true,
                "rate_limit": [
                    "requests": .int(configuration.rateLimit?.requests ?? -1),
                    "interval": .string("\(configuration.rateLimit.map { Int($0.window.components.seconds) } ?? 60)s"),
                ],
            ]
        ]
    }
}
