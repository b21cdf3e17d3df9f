import OpenRouterEmulator

extension RunningEmulator {
    /// The chat-completion requests received so far (what a run sent; `/models` left out).
    public var chats: [ReceivedRequest] {
        received.filter { $0.path.hasSuffix("/chat/completions") }
    }
}
