import Core

/// Antispam through spamd (SPAMC/1.5 `SYMBOLS`); the message is streamed from the spool file.
public struct SpamAssassinScanner: SpamScanner {
    public let settings: FilterSettings.SpamAssassin
    public var name: String { "spamassassin" }
    public var timeout: Duration { settings.timeout.duration }
    public var onFailure: FilterSettings.FailurePolicy { settings.onFailure }

    public init(settings: FilterSettings.SpamAssassin) { self.settings = settings }

    public func report(_ message: FilterMessage, timeout: Duration) async throws -> SpamReport {
        let connection = ScannerConnection(endpoint: settings.endpoint, halfClose: true, maxReply: SpamcProtocol.maxReply)
        let user = settings.user
        let bytes = try await connection.exchange(timeout: timeout) { write in
            try await write(SpamcProtocol.request(length: message.size, user: user))
            try await MessageFile.forEachChunk(message.path) { try await write($0) }
        }
        let reply: SpamcProtocol.Reply
        do {
            reply = try SpamcProtocol.parse(bytes)
        } catch {
            throw ScannerError.malformedReply("\(error)")
        }
        return SpamReport(
            scanner: name, score: reply.score, required: reply.threshold, symbols: reply.symbols,
            thresholds: settings.thresholds)
    }
}
