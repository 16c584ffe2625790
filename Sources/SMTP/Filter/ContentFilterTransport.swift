import Core
import Logging
import Queue

/// Hands queued messages to an external SMTP content filter (like Postfix's `content_filter`):
/// one transaction per message, with the original envelope; the filter sends what it passes back
/// to a Posta listener with `filter = false`, with the relay tickets (`RelayTicket`) sent on top
/// of the message. A refusal or an unreachable filter defers (a 5xx
/// from the filter fails the delivery and bounces, as a remote refusal would).
public struct ContentFilterTransport: RemoteTransport {
    public let host: String
    public let port: Int
    public let heloName: String
    public let timeouts: SMTPClientTimeouts
    let logger: Logger

    public init(host: String, port: Int, heloName: String, timeouts: SMTPClientTimeouts = .rfc5321(), logger: Logger) {
        self.host = host
        self.port = port
        self.heloName = heloName
        self.timeouts = timeouts
        self.logger = logger
    }

    public func destination(for domain: String) -> String { "content-filter" }

    public func deliver(_ message: OutboundMessage, domain: String, targets: [OutboundTarget]) async -> [Int64: DeliveryOutcome] {
        let envelope = OutboundEnvelope(
            reversePath: message.reversePath,
            recipients: targets.map { OutboundRecipient(address: $0.address, notify: $0.notify, orcpt: $0.orcpt) },
            size: message.size + Int64(message.headers.utf8.count), body8bit: message.body.isEightBit, smtpUTF8: message.smtpUTF8,
            dsnRet: message.dsnRet,
            dsnEnvID: message.dsnEnvID)
        let session = SMTPClientSession(
            configuration: SMTPClientConfiguration(heloName: heloName, tlsPolicy: .none), envelope: envelope)
        let result: SMTPDeliveryResult
        do {
            result = try await SMTPClientConnection.deliver(
                host: host, port: port, tls: nil, serverName: nil, session: session,
                body: .file(path: message.spoolPath, prefix: Array(message.headers.utf8)), timeouts: timeouts)
        } catch {
            let reply = DeliveryReply(451, .init(4, 4, 1), "content filter \(host):\(port) unreachable: \(error)")
            return Dictionary(uniqueKeysWithValues: targets.map { ($0.rowID, DeliveryOutcome.deferred(reply)) })
        }
        var outcomes: [Int64: DeliveryOutcome] = [:]
        for (target, recipient) in zip(targets, result.recipients) {
            outcomes[target.rowID] = DeliveryOutcome(recipient.outcome, from: "content filter")
        }
        logger.info("handed to content filter", metadata: ["id": "\(message.id)", "filter": "\(host):\(port)"])
        return outcomes
    }
}
