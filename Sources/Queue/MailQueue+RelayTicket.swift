import Core
import Crypto
import Foundation
import NIOPosix
import SQLKit

extension MailQueue {
    /// The site's relay ticket key: 256 random bits made by the first node that needs it and
    /// kept in `queue_secret`, so that every node issues and checks the same tickets.
    public func relayTicketKey() async throws -> SymmetricKey {
        if let key = ticketKey.withLockedValue({ $0 }) { return key }
        let name = "relay-ticket"
        let fresh = SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }.base64EncodedString()
        let stored = try await database.withConnection { db -> String? in
            try await db.insert(into: "queue_secret").columns("name", "value").values(SQLBind(name), SQLBind(fresh))
                .ignoringConflicts().run()
            return try await db.select().column("value").from("queue_secret").where("name", .equal, name)
                .first(decodingColumn: "value", as: String.self)
        }
        guard let stored, let bytes = Data(base64Encoded: stored), bytes.count == 32 else {
            throw QueueSecretError(description: "queue_secret \(name) is missing or malformed")
        }
        let key = SymmetricKey(data: bytes)
        ticketKey.withLockedValue { $0 = key }
        return key
    }

    /// The ticket fields (CRLF-ended) for relayed `recipients` of a message from `reversePath`.
    public func relayTickets(reversePath: String, recipients: [String]) async throws -> String {
        guard !recipients.isEmpty else { return "" }
        let key = try await relayTicketKey()
        let now = UnixTime.now()
        return recipients.map { RelayTicket.field(key: key, reversePath: reversePath, recipient: $0, now: now) }.joined()
    }

    /// Whether the header fields `values` (of `RelayTicket.fieldName`) hold a valid ticket.
    public func hasRelayTicket(_ values: [String], reversePath: String, recipient: String) async throws -> Bool {
        let key = try await relayTicketKey()
        return RelayTicket.isValid(values, key: key, reversePath: reversePath, recipient: recipient, now: UnixTime.now())
    }
}

struct QueueSecretError: Error, CustomStringConvertible {
    var description: String
}

extension MailQueue {
    /// The `RelayTicket` field values in the header of the spool file at `path`.
    public func relayTicketValues(path: String) async throws -> [String] {
        try await NIOThreadPool.singleton.runIfActive {
            try HeaderSection.read(path: path).map { HeaderSection.values($0, named: RelayTicket.fieldName) } ?? []
        }
    }

    /// A new spool file holding `spool` without its `RelayTicket` fields (nil when it has none):
    /// tickets never travel further than the filter. The caller queues the copy instead and
    /// discards the original.
    public func withoutRelayTickets(_ spool: (id: String, file: DurableFile)) async throws -> (id: String, file: DurableFile)? {
        let source = spool.file.path
        let name = RelayTicket.fieldName.lowercased()
        return try await NIOThreadPool.singleton.runIfActive { () throws -> (id: String, file: DurableFile)? in
            guard let header = try HeaderSection.read(path: source),
                let kept = HeaderSection.strip(header, dropping: { $0 == name })
            else { return nil }
            let copy = try self.openSpoolFile()
            do {
                try copy.file.write(kept)
                _ = try copy.file.append(contentsOf: source, offset: Int64(header.count))
            } catch {
                copy.file.discard()
                throw error
            }
            return copy
        }
    }
}
