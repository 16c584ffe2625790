import Core
import Filter
import Foundation
import SQLKit

/// Holding a filtered message in the quarantine instead of queueing it, and releasing it into
/// the queue later as if it had passed.
extension MailQueue {
    /// What the queue needs to deliver a held message, kept as JSON in its quarantine row (the DSN
    /// and body parameters in their RFC spelling, `DSNParameters.swift`).
    struct HeldEnvelope: Codable {
        struct Delivery: Codable {
            var recipient: String
            var orcpt: DSNOriginalRecipient?
            var notify: DSNNotify?
            var kind: QueuedDelivery.Kind
            var accountID: Int64?
            var target: String
            var detail: String?
            var mailbox: String?
            var headers: String?
        }
        var reversePath: String?
        var dsnRet: DSNReturn?
        var dsnEnvID: String?
        var body: MessageBodyType
        var smtpUTF8: Bool
        var clientIP: String
        var helo: String
        var headers: String?
        var deliveries: [Delivery]
    }

    /// Makes `file` durable in the quarantine with everything needed to queue it later. Returns
    /// once it is on stable storage (then SMTP may answer 250).
    public func quarantine(
        id: String, file: DurableFile, envelope: QueuedEnvelope, deliveries: [QueuedDelivery], headers: String?,
        reason: String, in store: QuarantineStore
    ) async throws {
        let held = HeldEnvelope(
            reversePath: envelope.reversePath?.description, dsnRet: envelope.dsnRet, dsnEnvID: envelope.dsnEnvID,
            body: envelope.body, smtpUTF8: envelope.smtpUTF8, clientIP: envelope.clientIP, helo: envelope.helo,
            headers: headers,
            deliveries: deliveries.map {
                .init(
                    recipient: $0.recipient, orcpt: $0.orcpt, notify: $0.notify, kind: $0.kind,
                    accountID: $0.accountID, target: $0.target, detail: $0.detail, mailbox: $0.mailbox,
                    headers: $0.headers)
            })
        let json = String(decoding: try JSONEncoder().encode(held), as: UTF8.self)
        let entry = QuarantineEntry(
            id: id, heldAt: UnixTime.now(), reason: reason, reversePath: held.reversePath ?? "",
            recipients: Array(Set(deliveries.map(\.recipient))).sorted(), size: file.bytesWritten,
            clientIP: envelope.clientIP, envelope: json)
        try await store.hold(entry, file: file)
    }

    /// The header fields the filters add to a held message when it is released (its verdict, such
    /// as `X-Spam-Status`), as stored with it; "" when none or unreadable.
    public static func filterHeaders(of entry: QuarantineEntry) -> String {
        (try? JSONDecoder().decode(HeldEnvelope.self, from: Data(entry.envelope.utf8)))?.headers ?? ""
    }

    /// Queues a held message as if it had passed the filters and removes it from the quarantine.
    /// Returns the new queue id, nil when there is no such entry. Its row is removed in the
    /// transaction that queues it, so of concurrent releases (two administrators, two nodes)
    /// exactly one queues it; a crash leaves it either held or queued, never both.
    public func release(_ id: String, from store: QuarantineStore) async throws -> String? {
        guard let entry = try await store.entry(id) else { return nil }
        let held = try JSONDecoder().decode(HeldEnvelope.self, from: Data(entry.envelope.utf8))
        let reversePath = try held.reversePath.flatMap { $0.isEmpty ? nil : try MailAddress(parsing: $0) }
        let envelope = QueuedEnvelope(
            reversePath: reversePath, dsnRet: held.dsnRet, dsnEnvID: held.dsnEnvID, body: held.body,
            smtpUTF8: held.smtpUTF8, clientIP: held.clientIP, helo: held.helo)
        let deliveries = held.deliveries.map { delivery in
            var queued = QueuedDelivery(
                recipient: delivery.recipient, orcpt: delivery.orcpt, notify: delivery.notify,
                kind: delivery.kind, accountID: delivery.accountID,
                target: delivery.target, detail: delivery.detail)
            queued.mailbox = delivery.mailbox
            queued.headers = delivery.headers
            return queued
        }
        let spool = try openSpoolFile()
        do {
            do {
                try await MessageCopy.copy(from: store.path(of: id), to: spool.file)
            } catch {
                // A release running at the same time committed and removed the file after this one
                // read the row: the message is queued once, by the other.
                if try await store.entry(id) == nil { throw ReleasedElsewhere() }
                throw error
            }
            try await commit(
                id: spool.id, file: spool.file, envelope: envelope, deliveries: deliveries, headers: held.headers,
                alongside: { db in
                    guard try await store.removeRow(id, in: db) else { throw ReleasedElsewhere() }
                })
        } catch is ReleasedElsewhere {
            spool.file.discard()
            return nil
        } catch {
            spool.file.discard()
            throw error
        }
        store.removeFile(id)
        return spool.id
    }

    /// Another release took the row first: this one queues nothing.
    private struct ReleasedElsewhere: Error {}
}

/// Copies a file into a spool file in bounded chunks.
enum MessageCopy {
    static func copy(from path: String, to file: DurableFile) async throws {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw CocoaError(.fileReadNoSuchFile, userInfo: [NSFilePathErrorKey: path])
        }
        defer { try? handle.close() }
        while let data = try handle.read(upToCount: 64 * 1024), !data.isEmpty {
            try file.write([UInt8](data))
        }
    }
}
