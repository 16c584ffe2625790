import Core
import Foundation
import MIME
import NIOPosix
import Queue
import SQLKit

/// A list holds `ListDeliverySettings.maxHeld` posts already: the post stays in the queue and
/// is tried again later (the queue's retries, then a DSN to the sender), so a flood of posts to
/// be held neither fills the disk nor loses the posts of members who are moderated.
struct ModerationQueueFull: Error, CustomStringConvertible {
    var list: String
    var limit: Int
    var description: String { "the moderation queue of \(list) is full (\(limit) posts)" }
}

/// A post waiting for a moderator.
public struct HeldPost: Sendable, Hashable, Encodable {
    public var id: Int64
    public var list: String
    public var sender: String
    public var subject: String
    public var reason: String
    public var size: Int64
    public var heldAt: Int64
}

/// What a moderator decides about a held post.
public enum ModeratorDecision: String, Sendable, CaseIterable {
    /// Posted to the members as if the pipeline had accepted it.
    case approve
    /// Refused: the sender gets a notice with the reason.
    case reject
    /// Dropped without a word.
    case discard
}

extension ListTransport {
    /// Keeps the post for a moderator: the file first (durable), then its row and the post's
    /// record in one transaction; a crash between leaves only an unnamed file.
    func hold(_ post: MIMEMessage, facts: PostFacts, list: MailingList, key: String, reason: String, reversePath: String)
        async throws
    {
        let waiting = try await database.withConnection { db in
            try await db.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n").from("list_held")
                .where("list_id", .equal, list.id).first(decodingColumn: "n", as: Int64.self) ?? 0
        }
        if waiting >= settings.maxHeld { throw ModerationQueueFull(list: list.address, limit: settings.maxHeld) }
        let name = RandomToken.make(bytes: 16)
        let path = "\(settings.heldDirectory)/\(name)"
        try await NIOThreadPool.singleton.runIfActive {
            try FileManager.default.createDirectory(atPath: settings.heldDirectory, withIntermediateDirectories: true)
            let file = try DurableFile(creating: path + ".tmp")
            do {
                try file.write(post.bytes)
                try file.commit(to: path)
            } catch {
                file.discard()
                throw error
            }
        }
        let row = PostRecord(key: key, listID: list.id, facts: facts, outcome: "held", reason: reason, copies: 0)
        let request: PendingRequest
        do {
            request = try await database.transaction { db in
                try await row.insert(db)
                try await db.insert(into: "list_held")
                    .columns("list_id", "delivery_key", "sender", "reverse_path", "subject", "reason", "file", "size", "held_at")
                    .values(
                        SQLBind(list.id), SQLBind(key), SQLBind(row.sender), SQLBind(reversePath), SQLBind(row.subject),
                        SQLBind(reason), SQLBind(name), SQLBind(Int64(post.bytes.count)), SQLBind(UnixTime.now())
                    ).run()
                let heldID =
                    try await db.select().column("id").from("list_held").where("delivery_key", .equal, key)
                    .first(decodingColumn: "id", as: Int64.self) ?? 0
                // One cookie for the post, in every moderator's notice: the first decision uses it.
                return try await PendingRequest.insert(
                    .held, listID: list.id, address: facts.sender ?? MailAddress(localPart: "unknown", domain: "invalid"),
                    displayName: "", heldID: heldID, in: db)
            }
        } catch {
            unlink(path)
            throw error
        }
        // After the commit: a crash before the notices leaves the post held, listed by the CLI.
        do {
            try await notifyModerators(
                request, list: list,
                held: HeldNotice(post: post.bytes, reason: reason, sender: row.sender, subject: facts.subject))
        } catch {
            logger.error("moderator notice not sent", metadata: ["list": "\(list.address)", "error": "\(error)"])
        }
    }

    /// The posts held for `list` (every list when nil), oldest first.
    public func held(list address: String? = nil) async throws -> [HeldPost] {
        var wanted: Int64? = nil
        if let address { wanted = try await lists.list(address).id }
        return try await held(listID: wanted, id: nil)
    }

    /// Held post `id`, nil when it is not (or no longer) held.
    public func held(id: Int64) async throws -> HeldPost? {
        try await held(listID: nil, id: id).first
    }

    private func held(listID: Int64?, id: Int64?) async throws -> [HeldPost] {
        try await database.withConnection { db in
            var query = db.select().columns(SQLColumn("id", table: "h"), SQLColumn("address", table: "l"))
                .columns("sender", "subject", "reason", "size", "held_at")
                .from(SQLAlias(SQLIdentifier("list_held"), as: SQLIdentifier("h")))
                .join(
                    SQLAlias(SQLIdentifier("mailing_list"), as: SQLIdentifier("l")), on: SQLColumn("list_id", table: "h"), .equal,
                    SQLColumn("id", table: "l"))
            if let listID { query = query.where(SQLColumn("list_id", table: "h"), .equal, SQLBind(listID)) }
            if let id { query = query.where(SQLColumn("id", table: "h"), .equal, SQLBind(id)) }
            return try await query.orderBy(SQLColumn("held_at", table: "h")).orderBy(SQLColumn("id", table: "h")).all().map {
                row in
                HeldPost(
                    id: try row.decode(column: "id", as: Int64.self), list: try row.decode(column: "address", as: String.self),
                    sender: try row.decode(column: "sender", as: String.self),
                    subject: try row.decode(column: "subject", as: String.self),
                    reason: try row.decode(column: "reason", as: String.self),
                    size: try row.decode(column: "size", as: Int64.self),
                    heldAt: try row.decode(column: "held_at", as: Int64.self))
            }
        }
    }

    /// Carries out a moderator's decision on held post `id`; `reason` goes to the sender of a
    /// rejected post. Exactly one decision wins when two moderators decide at once.
    public func decide(_ id: Int64, _ decision: ModeratorDecision, reason: String = "") async throws {
        struct Held: Sendable {
            var list: MailingList
            var key: String
            var reversePath: String
            var file: String
        }
        let held: Held = try await database.withConnection { db in
            guard
                let row = try await db.select().columns("list_id", "delivery_key", "reverse_path", "file").from("list_held")
                    .where("id", .equal, id).first(),
                let list = try await MailingLists.list(id: try row.decode(column: "list_id", as: Int64.self), in: db)
            else { throw ListError.unknownHeld(id) }
            return Held(
                list: list, key: try row.decode(column: "delivery_key", as: String.self),
                reversePath: try row.decode(column: "reverse_path", as: String.self),
                file: try row.decode(column: "file", as: String.self))
        }
        let path = "\(settings.heldDirectory)/\(held.file)"
        let bytes = try await Self.read(path)
        let post = MIMEMessage(bytes)
        let reversePath = held.reversePath.isEmpty ? nil : try? MailAddress(parsing: held.reversePath)
        let facts = PostFacts(message: post, reversePath: reversePath, size: Int64(bytes.count), list: held.list)
        // Claims the held row inside the caller's transaction: the DELETE … RETURNING of the
        // first decision finds it, a second one finds nothing and is refused.
        @Sendable func claim(_ db: any SQLDatabase, outcome: String, copies: Int) async throws {
            let gone = try await db.raw("DELETE FROM list_held WHERE id = \(bind: id) RETURNING id").all()
            guard !gone.isEmpty else { throw ListError.unknownHeld(id) }
            try await db.delete(from: "list_pending").where("held_id", .equal, id).run()
            try await db.raw(
                """
                UPDATE list_post SET outcome = \(bind: outcome), reason = \(bind: reason), copies = \(bind: Int64(copies))
                WHERE delivery_key = \(bind: held.key)
                """
            ).run()
        }
        switch decision {
        case .approve:
            let message = OutboundMessage(
                id: "held-\(id)", reversePath: held.reversePath, spoolPath: path, size: Int64(bytes.count),
                body: bytes.contains { $0 >= 0x80 } ? .eightBitMIME : .sevenBit,
                smtpUTF8: reversePath.map { !$0.description.unicodeScalars.allSatisfy(\.isASCII) } ?? false)
            try await distribute(post, facts: facts, list: held.list, key: held.key, message: message) { db, copies in
                try await claim(db, outcome: "approved", copies: copies)
            }
        case .reject:
            try await database.transaction { db in try await claim(db, outcome: "rejected", copies: 0) }
            if let reversePath { try await notifyRejected(post, facts: facts, list: held.list, to: reversePath, reason: reason) }
        case .discard:
            try await database.transaction { db in try await claim(db, outcome: "discarded", copies: 0) }
        }
        unlink(path)
        logger.info("held post decided", metadata: ["list": "\(held.list.address)", "id": "\(id)", "decision": "\(decision)"])
    }

    /// Sends held post `id` to `recipients` (Mailman's "forward"), attached to a note from the
    /// list's owner address; the post stays held for a decision.
    public func forwardHeld(_ id: Int64, to recipients: [MailAddress], note: String = "") async throws {
        guard !recipients.isEmpty else { throw ListError.invalid("forward to whom?") }
        let found: (list: MailingList, sender: String, subject: String, reason: String, file: String) =
            try await database.withConnection { db in
                guard
                    let row = try await db.select().columns("list_id", "sender", "subject", "reason", "file").from("list_held")
                        .where("id", .equal, id).first(),
                    let list = try await MailingLists.list(id: try row.decode(column: "list_id", as: Int64.self), in: db)
                else { throw ListError.unknownHeld(id) }
                return (
                    list, try row.decode(column: "sender", as: String.self), try row.decode(column: "subject", as: String.self),
                    try row.decode(column: "reason", as: String.self), try row.decode(column: "file", as: String.self)
                )
            }
        let bytes = try await Self.read("\(settings.heldDirectory)/\(found.file)")
        let list = found.list
        let owner = ListAddress.companion(list.postingAddress, ListAddress.ownerSuffix).description
        for recipient in recipients {
            var composer = MessageComposer()
            composer.fields = [
                (
                    "From",
                    .addresses([(name: "\(list.displayName.isEmpty ? list.address : list.displayName) owners", address: owner)])
                ),
                ("To", .addresses([(name: "", address: recipient.description)])),
                ("Subject", .text("Held post to \(list.address): \(found.subject)")),
                ("Date", .raw(TraceHeaders.rfc5322Date(Date()))),
                ("Message-ID", .raw("<\(RandomToken.make(bytes: 12))@\(settings.hostname)>")),
                ("Auto-Submitted", .raw("auto-generated")),
            ]
            composer.text =
                "A moderator of \(list.address) forwards you a post held for moderation.\n\n"
                + "    From:    \(ListNotices.printable(found.sender))\n"
                + "    Subject: \(ListNotices.printable(found.subject))\n"
                + "    Held:    \(ListNotices.printable(found.reason))\n\n"
                + (note.isEmpty ? "" : note + "\n\n")
                + "The post is attached. Write to \(owner) with your opinion.\n"
            composer.attachments.append(
                MessageComposer.Attachment(filename: "post.eml", mimeType: "message/rfc822", bytes: bytes))
            _ = try await queue.queueGenerated(
                composer.bytes(), reversePath: ListAddress.companion(list.postingAddress, ListAddress.bouncesSuffix),
                to: recipient, directory: directory, signer: signer, hostname: settings.hostname, logger: logger)
        }
        logger.info(
            "held post forwarded", metadata: ["list": "\(list.address)", "id": "\(id)", "to": "\(recipients.count)"])
    }

    /// Discards the posts held longer than their list's `holdDays` (Mailman's
    /// max_days_to_hold); the housekeeping round calls it. Returns how many went.
    @discardableResult
    public func expireHeld(now: Int64) async throws -> Int {
        let due: [(id: Int64, days: Int64)] = try await database.withConnection { db in
            try await db.raw(
                """
                SELECT h.id AS id, l.hold_days AS days, h.held_at AS held_at FROM list_held h
                JOIN mailing_list l ON l.id = h.list_id
                WHERE l.hold_days > 0 ORDER BY h.id
                """
            ).all().compactMap { row in
                // Days are at most 36,500 (MailingLists.update); the clamp keeps a bad row from trapping.
                let days = min(try row.decode(column: "days", as: Int64.self), 36_500)
                guard try row.decode(column: "held_at", as: Int64.self) < now - days * 86_400 else { return nil }
                return (try row.decode(column: "id", as: Int64.self), days)
            }
        }
        var expired = 0
        for post in due {
            do {
                try await decide(post.id, .discard, reason: "not decided within \(post.days) days")
                expired += 1
            } catch ListError.unknownHeld {
                continue  // decided meanwhile, here or on another node
            } catch {
                // One post that cannot be read (decided on another node between the query and
                // the read) must not stop the others: the next round tries it again.
                logger.warning("held post not expired", metadata: ["id": "\(post.id)", "error": "\(error)"])
            }
        }
        return expired
    }

    /// Tells the author that a moderator refused the post (from the list's owner address).
    private func notifyRejected(
        _ post: MIMEMessage, facts: PostFacts, list: MailingList, to recipient: MailAddress, reason: String
    ) async throws {
        let owner = "\(list.postingAddress.localPart)\(ListAddress.ownerSuffix)@\(list.postingAddress.domain)"
        var composer = MessageComposer()
        composer.fields = [
            ("From", .addresses([(name: list.displayName.isEmpty ? list.address : list.displayName, address: owner)])),
            ("To", .addresses([(name: "", address: recipient.description)])),
            ("Subject", .text("Your post to \(list.address) was rejected")),
            ("Date", .raw(TraceHeaders.rfc5322Date(Date()))),
            ("Message-ID", .raw("<\(RandomToken.make(bytes: 12))@\(settings.hostname)>")),
            ("Auto-Submitted", .raw("auto-replied")),
        ]
        composer.text =
            "A moderator of \(list.address) rejected your post\n\n    \(facts.subject)\n\n"
            + (reason.isEmpty ? "No reason was given.\n" : "Reason: \(reason)\n")
            + "\nWrite to \(owner) with any question.\n"
        _ = try await queue.queueGenerated(
            composer.bytes(), reversePath: nil, to: recipient, directory: directory, signer: signer,
            hostname: settings.hostname, logger: logger)
    }
}
