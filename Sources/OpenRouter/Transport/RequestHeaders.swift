/// The headers of every request. The only place the API key is read for sending.
enum RequestHeaders {
    static func make(
        configuration: OpenRouterConfiguration, json: Bool, stream: Bool = false
    ) -> [(name: String, value: String)] {
        var headers: [(name: String, value: String)] = []
        if let key = configuration.apiKey { headers.append(("Authorization", "Bearer \(key)")) }
        if json { headers.append(("Content-Type", "application/json")) }
        headers.append(("Accept", stream ? "text/event-stream" : "application/json"))
        if let referer = configuration.appReferer { headers.append(("HTTP-Referer", referer)) }
        if let title = configuration.appTitle { headers.append(("X-Title", title)) }
        headers.append(("User-Agent", "Peruse/1.0 (AsyncHTTPClient)"))
        return headers
    }
}
