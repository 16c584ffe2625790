import Core

/// Antispam through rspamd's `/checkv2`; the message is streamed from the spool file.
public struct RspamdScanner: SpamScanner {
    public let settings: FilterSettings.Rspamd
    public var name: String { "rspamd" }
    public var timeout: Duration { settings.timeout.duration }
    public var onFailure: FilterSettings.FailurePolicy { settings.onFailure }

    public init(settings: FilterSettings.Rspamd) { self.settings = settings }

    public func report(_ message: FilterMessage, timeout: Duration) async throws -> SpamReport {
        let connection = ScannerConnection(endpoint: settings.endpoint, maxReply: RspamdProtocol.maxReply)
        let head = RspamdProtocol.request(
            host: settings.endpoint.description, length: message.size, message: message, password: settings.password)
        let bytes = try await connection.exchange(timeout: timeout) { write in
            try await write(head)
            try await MessageFile.forEachChunk(message.path) { try await write($0) }
        }
        let reply: RspamdProtocol.Reply
        do {
            reply = try RspamdProtocol.parse(bytes)
        } catch {
            throw ScannerError.malformedReply("\(error)")
        }
        return SpamReport(
            scanner: name, score: reply.score, required: reply.requiredScore, symbols: reply.symbols,
            thresholds: settings.thresholds, extraHeaders: ["X-Spam-Action: \(reply.action)"])
    }
}
