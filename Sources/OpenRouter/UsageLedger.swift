/// Usage and cost of a run, per model and in total. Shared by every request of the run.
public actor UsageLedger {
    /// Totals for one model (or the whole run).
    public struct Totals: Sendable, Hashable, Codable {
        public var requests = 0
        public var failedRequests = 0
        public var attempts = 0
        public var promptTokens = 0
        public var completionTokens = 0
        public var reasoningTokens = 0
        public var cost = 0.0

        public init() {}

        mutating func add(_ completion: ChatCompletion) {
            requests += 1
            attempts += completion.attempts
            promptTokens += completion.usage?.promptTokens ?? 0
            completionTokens += completion.usage?.completionTokens ?? 0
            reasoningTokens += completion.usage?.reasoningTokens ?? 0
            cost += completion.cost
        }
    }

    private var perModel: [String: Totals] = [:]
    private var all = Totals()

    public init() {}

    /// Adds one answered request.
    public func record(_ completion: ChatCompletion) {
        all.add(completion)
        perModel[completion.model, default: Totals()].add(completion)
    }

    /// Counts a request that failed for good after `attempts` attempts.
    public func recordFailure(model: String, attempts: Int) {
        all.failedRequests += 1
        all.attempts += attempts
        perModel[model, default: Totals()].failedRequests += 1
        perModel[model, default: Totals()].attempts += attempts
    }

    /// The run's totals.
    public var total: Totals { all }

    /// Totals by the model that answered.
    public var byModel: [String: Totals] { perModel }
}
