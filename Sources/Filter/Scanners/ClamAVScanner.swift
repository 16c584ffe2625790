import Core

/// Antivirus through clamd's INSTREAM; the message is streamed from the spool file.
public struct ClamAVScanner: ContentScanner {
    public let settings: FilterSettings.ClamAV
    public var name: String { "clamav" }
    public var timeout: Duration { settings.timeout.duration }
    public var onFailure: FilterSettings.FailurePolicy { settings.onFailure }

    public init(settings: FilterSettings.ClamAV) { self.settings = settings }

    public func scan(_ message: FilterMessage, timeout: Duration) async throws -> FilterVerdict {
        let connection = ScannerConnection(endpoint: settings.endpoint, maxReply: ClamdInstream.maxReply)
        let reply = try await connection.exchange(timeout: timeout) { write in
            try await write(ClamdInstream.command)
            try await MessageFile.forEachChunk(message.path) { chunk in try await write(ClamdInstream.frame(chunk)) }
            try await write(ClamdInstream.end)
        }
        switch ClamdInstream.parse(reply) {
        case .clean:
            return .accept(headers: [])
        case .infected(let virus):
            switch settings.action {
            case .reject: return .reject(DeliveryReply(554, .init(5, 7, 1), "Message rejected: virus found: \(virus)"))
            case .quarantine: return .quarantine(reason: "virus: \(virus)", headers: ["X-Virus-Found: \(virus)"])
            }
        case .error(let text):
            throw ScannerError.scannerFailed(text)
        case nil:
            throw ScannerError.malformedReply(String(decoding: reply.prefix(80), as: UTF8.self))
        }
    }
}
