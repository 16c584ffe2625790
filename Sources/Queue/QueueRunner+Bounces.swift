import Core
import Directory
import Foundation
import SQLKit

extension QueueRunner {
    /// Sends one DSN per message for its newly failed deliveries (RFC 3461 §6: only when NOTIFY
    /// allows FAILURE; never for a message with the null sender, so a bounce is never bounced),
    /// then marks those deliveries `bounced` so the message can leave the queue.
    func bounce(_ failures: [(ClaimedDelivery, DeliveryReply)]) async throws {
        guard let bounces else { return }
        let byMessage = Dictionary(grouping: failures) { $0.0.messageID }
        for (messageID, failed) in byMessage {
            let first = failed[0].0
            let notifiable = failed.filter { claim, _ in claim.notify?.contains(.failure) ?? true }
            if !first.reversePath.isEmpty, !notifiable.isEmpty {
                try await sendDSN(for: first, failures: notifiable, using: bounces)
            }
            if first.reversePath.isEmpty {
                logger.warning("delivery of a bounce failed; not bounced again", metadata: ["id": "\(messageID)"])
                continue
            }
            let rows = failed.map(\.0.rowID)
            let files = try await queue.database.transaction { db in
                try await db.update("queue_recipient").set("status", to: SQLBind(DeliveryStatus.bounced.rawValue))
                    .where("id", .in, SQLBind.group(rows)).run()
                return try await Self.removeFinished([messageID], in: db)
            }
            removeSpoolFiles(files)
        }
    }

    /// Queues one DSN to the sender of `message` for `failures` (deliveries and their reasons).
    func sendDSN(
        for message: ClaimedDelivery, failures: [(ClaimedDelivery, DeliveryReply)],
        action: DeliveryStatusNotification.Action = .failed,
        using bounces: Bounces
    ) async throws {
        guard let sender = try? MailAddress(parsing: message.reversePath) else { return }
        let original = (try? Array(Data(contentsOf: URL(fileURLWithPath: queue.spoolPath(message.spoolFile))))) ?? []
        let dsn = DeliveryStatusNotification(
            reportingMTA: bounces.hostname, messageID: message.messageID, sender: sender.description,
            envelopeID: message.dsnEnvID, returnHeadersOnly: message.dsnRet == .headers,
            arrival: Date(timeIntervalSince1970: TimeInterval(message.receivedAt)),
            failures: failures.map { claim, reason in
                .init(finalRecipient: claim.target, originalRecipient: claim.orcpt, diagnostic: reason)
            }, action: action,
            willRetryUntil: action == .delayed
                ? Date(timeIntervalSince1970: TimeInterval(message.receivedAt + schedule.expiry.components.seconds)) : nil)
        let outcome = try await queue.queueGenerated(
            dsn.render(original: original), reversePath: nil, to: sender, directory: bounces.directory,
            signer: bounces.signer, hostname: bounces.hostname, logger: logger)
        guard case .queued(let id) = outcome else {
            logger.warning("bounce recipient unknown; DSN dropped", metadata: ["id": "\(message.messageID)", "to": "\(sender)"])
            return
        }
        logger.info(
            action == .failed ? "bounce queued" : "delay warning queued",
            metadata: ["id": "\(message.messageID)", "dsn": "\(id)", "to": "\(sender)"])
    }
}

/// What the runner needs to send delivery status notifications.
public struct Bounces: Sendable {
    public let hostname: String
    public let directory: Directory
    /// A delay warning goes to the sender of a delivery still pending this long after the message
    /// arrived; zero: never.
    public let delayWarning: Duration
    /// Signs DSNs (DKIM, by the domain of their From: MAILER-DAEMON@hostname); nil: unsigned.
    public let signer: (any MessageSigner)?

    public init(hostname: String, directory: Directory, delayWarning: Duration = .zero, signer: (any MessageSigner)? = nil) {
        self.hostname = hostname
        self.directory = directory
        self.delayWarning = delayWarning
        self.signer = signer
    }
}
