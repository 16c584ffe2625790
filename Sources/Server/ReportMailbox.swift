import Core
import Foundation
import Logging
import Policy

/// The INBOX of a report address (`[dmarc] report_address`, `[mta_sts] tls_report_address`):
/// its messages that arrived since the last read, for one kind of report. Messages stay in the
/// mailbox; the position (`ReportImportPositions`) moves past them whether or not they held a
/// report, so each is read once.
public struct ReportMailbox: Sendable {
    let site: Site
    let address: String
    let kind: String
    let logger: Logger

    public init(site: Site, address: String, kind: String, logger: Logger) {
        self.site = site
        self.address = address
        self.kind = kind
        self.logger = logger
    }

    /// Calls `read` with each new message and its arrival time, in UID order.
    public func readNewMessages(_ read: ([UInt8], Int64) async throws -> Void) async throws {
        guard let account = try await site.directory.account(address) else {
            logger.warning("the \(kind) report address is not an account", metadata: ["address": "\(address)"])
            return
        }
        guard let inbox = try await site.store.mailbox(accountID: account.id, name: "INBOX") else { return }
        let positions = ReportImportPositions(database: site.database, kind: kind)
        let position = try await positions.position(mailboxID: inbox.id, uidValidity: inbox.uidValidity)
        var last = position
        for message in try await site.store.messages(mailboxID: inbox.id) where message.uid > position {
            last = max(last, message.uid)
            guard let bytes = FileManager.default.contents(atPath: message.path) else { continue }
            try await read(Array(bytes), message.internalDate)
        }
        if last > position { try await positions.setPosition(mailboxID: inbox.id, uidValidity: inbox.uidValidity, lastUID: last) }
    }
}
