import Core
import Directory
import Foundation
import Logging
import MIME
import Queue
import SQLKit

/// Sends what scripts ask to send, through the ordinary outbound queue: redirected copies and
/// vacation replies. Each is queued once per delivery (a marker row in the queue's own
/// transaction), counted against the account (at most `maximumRedirectsPerHour`) and asked of
/// the site's policy quotas (`mayRelay`) first, so a compromised account's rules cannot become
/// a spam cannon.
public final class SieveOutbound: Sendable {
    let queue: MailQueue
    let directory: Directory
    let signer: (any MessageSigner)?
    let hostname: String
    let database: Database
    /// The policy engine's say on a message `account` sends to `recipient` (quotas, containment).
    let mayRelay: (@Sendable (_ account: String, _ recipient: String, _ size: Int64) async -> Bool)?
    let maximumRedirectsPerHour: Int
    /// Vacation replies and reject DSNs an account's scripts may cause per hour, each.
    let maximumRepliesPerHour: Int
    let logger: Logger

    public init(
        queue: MailQueue, directory: Directory, signer: (any MessageSigner)?, hostname: String, database: Database,
        mayRelay: (@Sendable (_ account: String, _ recipient: String, _ size: Int64) async -> Bool)? = nil,
        maximumRedirectsPerHour: Int = 100, maximumRepliesPerHour: Int = 100, logger: Logger
    ) {
        self.queue = queue
        self.directory = directory
        self.signer = signer
        self.hostname = hostname
        self.database = database
        self.mayRelay = mayRelay
        self.maximumRedirectsPerHour = maximumRedirectsPerHour
        self.maximumRepliesPerHour = maximumRepliesPerHour
        self.logger = logger
    }

    /// Why a send did not happen.
    enum Refusal: Error, CustomStringConvertible {
        case alreadySent
        case loop
        case limit
        case policy
        case unknownRecipient
        case invalidAddress(String)
        case alreadyReplied

        var description: String {
            switch self {
            case .alreadySent: "already sent for this delivery"
            case .loop: "mail loop: the message was delivered to this address before"
            case .limit: "the account's hourly redirect limit is reached"
            case .policy: "refused by the site's policy"
            case .unknownRecipient: "no such local address"
            case .invalidAddress(let a): "'\(a)' is not an address"
            case .alreadyReplied: "replied to this sender within the period"
            }
        }
    }

    /// Queues `message` (the whole delivered message, Posta's fields on top) to `address` with
    /// the original envelope sender: Sieve redirect (RFC 5228 §4.2) without SRS (docs/sieve.md).
    func redirect(
        _ message: [UInt8], originalHeader: [UInt8], to address: String, reversePath: String, account: String,
        accountID: Int64, key: String
    ) async throws {
        guard let recipient = try? MailAddress(parsing: address) else { throw Refusal.invalidAddress(address) }
        // RFC 5228 §4.2: loops. The message came to this account before (its Delivered-To), or
        // has been around too long.
        let header = MIMEMessage(originalHeader).header
        if header.fields(named: "Delivered-To").contains(where: { $0.value.lowercased() == account.lowercased() }) {
            throw Refusal.loop
        }
        if header.fields(named: "Received").count >= 50 { throw Refusal.loop }
        // Sent before (a retry after a crash): nothing to ask or count again.
        if try await alreadySent(key) { return }
        if let mayRelay, !(await mayRelay(account, recipient.description, Int64(message.count))) { throw Refusal.policy }
        guard let deliveries = try await MailQueue.deliveries(for: recipient, directory: directory) else {
            throw Refusal.unknownRecipient
        }
        let sender = reversePath.isEmpty ? nil : try? MailAddress(parsing: reversePath)
        try await send(
            message, reversePath: sender, deliveries: deliveries, accountID: accountID, kind: "redirect", key: key,
            limit: maximumRedirectsPerHour)
    }

    /// Queues a vacation reply to `sender` unless one went to them (for `handle`) within the
    /// period (RFC 5230 §4.2), from the null reverse-path (RFC 3834 §3.3), DKIM-signed when the
    /// site signs for the From domain.
    func vacation(
        _ reply: [UInt8], to sender: MailAddress, handle: String, seconds: Int, account: String, accountID: Int64, key: String
    ) async throws {
        if try await alreadySent(key) { return }
        if let mayRelay, !(await mayRelay(account, sender.description, Int64(reply.count))) { throw Refusal.policy }
        guard let deliveries = try await MailQueue.deliveries(for: sender, directory: directory) else {
            throw Refusal.unknownRecipient
        }
        let signature = await signer?.signatureFields(for: reply, logger: logger) ?? ""
        let senderKey = sender.description.lowercased()
        let expires = UnixTime.now() + Int64(seconds)
        try await send(
            Array(signature.utf8) + reply, reversePath: nil, deliveries: deliveries, accountID: accountID, kind: "vacation",
            key: key, limit: maximumRepliesPerHour
        ) { db in
            let until = try await db.select().column("expires_at").from("sieve_vacation").where("account_id", .equal, accountID)
                .where("sender_key", .equal, senderKey).where("handle", .equal, handle)
                .first(decodingColumn: "expires_at", as: Int64.self)
            if let until, until > UnixTime.now() { throw Refusal.alreadyReplied }
            try await db.delete(from: "sieve_vacation").where("account_id", .equal, accountID)
                .where("sender_key", .equal, senderKey).where("handle", .equal, handle).run()
            try await db.insert(into: "sieve_vacation").columns("account_id", "sender_key", "handle", "expires_at")
                .values(SQLBind(accountID), SQLBind(senderKey), SQLBind(handle), SQLBind(expires)).run()
        }
    }

    /// Whether a reject may become a DSN to `sender`: the policy lets the account send to it, and
    /// fewer than `maximumRepliesPerHour` rejects of the account did this hour (counted once per
    /// delivery, under `key`).
    func mayReject(account: String, accountID: Int64, sender: String, key: String) async -> Bool {
        guard !sender.isEmpty else { return true }  // the queue sends no DSN to the null sender
        if let mayRelay, !(await mayRelay(account, sender, 0)) { return false }
        let now = UnixTime.now()
        let limit = maximumRepliesPerHour
        do {
            return try await database.transaction { db in
                if try await db.select().column("action_key").from("sieve_sent").where("action_key", .equal, key).first() != nil {
                    return true
                }
                let sent =
                    try await db.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n").from("sieve_sent")
                    .where("account_id", .equal, accountID).where("kind", .equal, "reject")
                    .where("created_at", .greaterThan, now - 3600).first(decodingColumn: "n", as: Int.self) ?? 0
                guard sent < limit else { return false }
                try await db.insert(into: "sieve_sent").columns("action_key", "account_id", "kind", "created_at")
                    .values(SQLBind(key), SQLBind(accountID), SQLBind("reject"), SQLBind(now)).run()
                return true
            }
        } catch {
            logger.warning("sieve reject not counted", metadata: ["error": "\(error)"])
            return false
        }
    }

    /// The address a vacation reply goes out from: `wanted` when it is one of the account's own
    /// (the account's address, or an address the directory delivers to this account only), else
    /// the account's address. Written from the parsed form: nothing else reaches the header.
    func ownAddress(_ wanted: String?, account: String, accountID: Int64) async -> String {
        guard let wanted else { return account }
        let inside = wanted.firstIndex(of: "<").flatMap { open in
            wanted[open...].firstIndex(of: ">").map { String(wanted[wanted.index(after: open)..<$0]) }
        }
        guard let parsed = try? MailAddress(parsing: (inside ?? wanted).trimmingCharacters(in: .whitespaces)) else {
            return account
        }
        if parsed.description.lowercased() == account.lowercased() { return parsed.description }
        guard case .deliver(let targets)? = try? await directory.resolve(parsed),
            targets.allSatisfy({ if case .mailbox(let id, _, _) = $0 { id == accountID } else { false } })
        else { return account }
        return parsed.description
    }

    private func alreadySent(_ key: String) async throws -> Bool {
        try await database.withConnection { db in
            try await db.select().column("action_key").from("sieve_sent").where("action_key", .equal, key).first() != nil
        }
    }

    /// Queues `message` with the marker `key` in the same transaction (a second try finds the
    /// marker and queues nothing); `limit`: at most that many of `kind` per hour for the account.
    private func send(
        _ message: [UInt8], reversePath: MailAddress?, deliveries: [QueuedDelivery], accountID: Int64, kind: String,
        key: String, limit: Int?, alongside: (@Sendable (any SQLDatabase) async throws -> Void)? = nil
    ) async throws {
        let (id, file) = try queue.openSpoolFile()
        try file.write(message)
        let now = UnixTime.now()
        do {
            try await queue.commit(
                id: id, file: file,
                envelope: QueuedEnvelope(reversePath: reversePath, body: .eightBitMIME, clientIP: "127.0.0.1", helo: hostname),
                deliveries: deliveries
            ) { db in
                if try await db.select().column("action_key").from("sieve_sent").where("action_key", .equal, key).first() != nil {
                    throw Refusal.alreadySent
                }
                if let limit {
                    let sent =
                        try await db.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n").from("sieve_sent")
                        .where("account_id", .equal, accountID).where("kind", .equal, kind).where(
                            "created_at", .greaterThan, now - 3600
                        )
                        .first(decodingColumn: "n", as: Int.self) ?? 0
                    guard sent < limit else { throw Refusal.limit }
                }
                try await alongside?(db)
                try await db.insert(into: "sieve_sent").columns("action_key", "account_id", "kind", "created_at")
                    .values(SQLBind(key), SQLBind(accountID), SQLBind(kind), SQLBind(now)).run()
            }
        } catch Refusal.alreadySent {
            return
        }
    }
}
