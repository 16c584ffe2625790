import Core
import Directory
import Foundation
import Logging
import MIME
import NIOPosix
import Queue
import SQLKit

/// The queue's transport for `.list` deliveries: each list address a message was sent to gets
/// its post judged (`PostingPipeline`) and, when accepted, one copy per member queued as a new
/// message (personalised: the member's unsubscribe link, a VERP bounce address, the list's DKIM
/// signature). The copies and the post's record commit in one transaction, so a delivery retried
/// after a crash finds the record and queues nothing twice.
public struct ListTransport: RemoteTransport {
    public let lists: MailingLists
    public let directory: Directory
    public let queue: MailQueue
    public let settings: ListDeliverySettings
    public let signer: (any MessageSigner)?
    public let authorPolicy: (any AuthorPolicyLookup)?
    public let logger: Logger

    public init(
        lists: MailingLists, directory: Directory, queue: MailQueue, settings: ListDeliverySettings,
        signer: (any MessageSigner)?, authorPolicy: (any AuthorPolicyLookup)?, logger: Logger
    ) {
        self.lists = lists
        self.directory = directory
        self.queue = queue
        self.settings = settings
        self.signer = signer
        self.authorPolicy = authorPolicy
        self.logger = logger
    }

    var database: Database { lists.database }

    /// The lists' archives (files under `settings.archiveDirectory`).
    public var archive: ListArchive { ListArchive(lists: lists, directory: settings.archiveDirectory) }

    public func destination(for domain: String) -> String { "lists" }

    public func deliver(_ message: OutboundMessage, domain: String, targets: [OutboundTarget]) async -> [Int64: DeliveryOutcome] {
        var outcomes: [Int64: DeliveryOutcome] = [:]
        let bytes: [UInt8]
        do {
            bytes = Array(message.headers.utf8) + (try await Self.read(message.spoolPath))
        } catch {
            for target in targets { outcomes[target.rowID] = .deferred(DeliveryReply(451, .init(4, 3, 0), "\(error)")) }
            return outcomes
        }
        for target in targets {
            let key = "\(message.id)/\(target.rowID)"
            do {
                outcomes[target.rowID] = try await deliver(bytes, message: message, to: target.address, key: key)
            } catch {
                logger.error(
                    "list delivery failed", metadata: ["id": "\(message.id)", "to": "\(target.address)", "error": "\(error)"])
                outcomes[target.rowID] = .deferred(DeliveryReply(451, .init(4, 3, 0), "list processing failed: \(error)"))
            }
        }
        return outcomes
    }

    private func deliver(_ bytes: [UInt8], message: OutboundMessage, to target: String, key: String) async throws
        -> DeliveryOutcome
    {
        guard let address = try? MailAddress(parsing: target) else {
            return .failed(DeliveryReply(550, .init(5, 1, 3), "\(target): not a list address"))
        }
        let found = try await database.withConnection { db in try await MailingLists.listOwning(address, in: db) }
        guard let (list, role) = found else {
            return .failed(DeliveryReply(550, .init(5, 1, 1), "\(target): no such list (deleted since the post came in)"))
        }
        if try await alreadyDecided(key) { return .delivered }
        let reversePath = message.reversePath.isEmpty ? nil : try? MailAddress(parsing: message.reversePath)
        let post = MIMEMessage(bytes)
        switch role {
        case .post:
            let spool = Array(bytes.dropFirst(message.headers.utf8.count))
            return try await judge(post, spool: spool, reversePath: reversePath, list: list, key: key, message: message)
        case .owner:
            return try await forwardToOwners(post, list: list, key: key, message: message)
        case .request, .join, .leave, .confirm:
            try await answer(post, role: role, reversePath: reversePath, list: list, key: key)
            return .delivered
        case .bounces(let token):
            try await recordBounce(post, list: list, token: token, nullSender: reversePath == nil, key: key)
            return .delivered
        }
    }

    // MARK: Posts

    private func judge(
        _ post: MIMEMessage, spool: [UInt8], reversePath: MailAddress?, list: MailingList, key: String,
        message: OutboundMessage
    ) async throws -> DeliveryOutcome {
        let facts = PostFacts(message: post, reversePath: reversePath, size: Int64(post.bytes.count), list: list)
        // Members from the directory are brought in line first: a new account posts and gets the post.
        if list.memberSource != nil {
            do {
                try await lists.syncMembers(list.address, directory: directory)
            } catch {
                logger.warning("list directory sync failed", metadata: ["list": "\(list.address)", "error": "\(error)"])
            }
        }
        var standing = try await standing(of: [facts.sender, reversePath].compactMap { $0 }, in: list)
        // An owner's address in From: lets a post past moderation only when this host verified it.
        if standing.isModerator,
            !(facts.sender.map {
                PosterVerification.isVerified(
                    author: $0, addedFields: message.headers, spool: spool, hostname: settings.hostname)
            } ?? false)
        {
            standing.isModerator = false
            logger.notice("list post from an unverified owner address", metadata: ["list": "\(list.address)"])
        }
        let rules = try await database.withConnection { db in try await MailingLists.rules(listID: list.id, in: db) }
        var decision = PostingPipeline.decide(facts, list: list, poster: standing, rules: rules)
        // Nobody to tell about a refusal of a bounce: dropped instead (RFC 3834 §2, RFC 5321 §4.5.5).
        if decision.action == .reject && reversePath == nil { decision.action = .discard }
        let log: Logger.Metadata = [
            "list": "\(list.address)", "from": "\(facts.sender?.description ?? "<>")", "rule": "\(decision.rule)",
            "action": "\(decision.action)",
        ]
        logger.info("list post", metadata: log)
        switch decision.action {
        case .accept, .defer:
            try await distribute(post, facts: facts, list: list, key: key, message: message)
            return .delivered
        case .hold:
            try await hold(post, facts: facts, list: list, key: key, reason: decision.reason, reversePath: message.reversePath)
            return .delivered
        case .discard:
            try await record(key, list: list, facts: facts, outcome: "discarded", reason: decision.reason, copies: 0)
            return .delivered
        case .reject:
            try await record(key, list: list, facts: facts, outcome: "rejected", reason: decision.reason, copies: 0)
            return .failed(DeliveryReply(550, .init(5, 7, 1), "\(list.address): \(decision.reason)"))
        }
    }

    /// The poster's place on the list: a moderator when the author (the first address) is an
    /// owner or moderator, and the membership of the first of `addresses` that has one.
    func standing(of addresses: [MailAddress], in list: MailingList) async throws -> PosterStanding {
        try await database.withConnection { db in
            var member: ListMember? = nil
            var isModerator = false
            if let author = addresses.first {
                for role in [ListRole.owner, .moderator] where !isModerator {
                    isModerator = try await MailingLists.member(listID: list.id, key: author.key, role: role, in: db) != nil
                }
            }
            for address in addresses where member == nil {
                member = try await MailingLists.member(listID: list.id, key: address.key, role: .member, in: db)
            }
            return PosterStanding(member: member, isModerator: isModerator)
        }
    }

    /// Queues one copy per member whose delivery is on, and records the post, in one transaction.
    /// `alongside` replaces the post's record in that transaction (an approval updates the
    /// record the hold wrote).
    func distribute(
        _ post: MIMEMessage, facts: PostFacts, list: MailingList, key: String, message: OutboundMessage,
        alongside: (@Sendable (any SQLDatabase, Int) async throws -> Void)? = nil
    ) async throws {
        var mitigation = DMARCMitigation.none
        if list.dmarcMitigation != .none, let author = facts.sender {
            if list.dmarcAlways {
                mitigation = list.dmarcMitigation
            } else if let authorPolicy, await authorPolicy.isStrict(authorDomain: author.domain) {
                mitigation = list.dmarcMitigation
            }
        }
        // Archived: the copies name the post's place in the archive (RFC 5064 Archived-At).
        let archiveKey = list.archive == .none ? nil : ListCookie.make()
        let links = archiveKey.map {
            (
                index: ListArchive.indexURL(webBase: settings.webBase, list: list),
                message: ListArchive.messageURL(webBase: settings.webBase, list: list, key: $0)
            )
        }
        let copy = ListCopy(post: post, facts: facts, list: list, mitigate: mitigation, archive: links)
        let members = try await lists.members(list.address, role: .member).filter { $0.disabled == nil }
        let regular = members.filter { $0.mode == .regular }
        var kept: [String] = []
        let staged: [StagedMessage]
        let digest: DigestKeep?
        let archived: ArchiveKeep?
        do {
            // Digest members get the post later, in the next issue: the copy is kept for it.
            digest = regular.count == members.count ? nil : try await keepForDigest(copy, key: key)
            if let digest { kept.append(digest.path) }
            if let archiveKey {
                archived = try await archive.keep(copy.body, key: archiveKey, deliveryKey: key, facts: facts)
            } else {
                archived = nil
            }
            if let archived { kept.append(archived.path) }
            staged = try await stage(
                copy.body, to: regular, list: list, body: message.body, smtpUTF8: message.smtpUTF8)
        } catch {
            for path in kept { unlink(path) }
            throw error
        }
        let row = PostRecord(
            key: key, listID: list.id, facts: facts, outcome: "accepted",
            reason: mitigation == .none ? "" : "DMARC: \(mitigation.rawValue)", copies: staged.count)
        let count = staged.count
        do {
            try await queue.commit(staged: staged) { db in
                if let alongside { try await alongside(db, count) } else { try await row.insert(db) }
                try await digest?.insert(listID: list.id, in: db)
                try await archived?.insert(listID: list.id, in: db)
            }
        } catch {
            for path in kept { unlink(path) }
            throw error
        }
        logger.info(
            "list post queued",
            metadata: [
                "list": "\(list.address)", "copies": "\(staged.count)", "digest": "\(digest != nil)",
                "mitigation": "\(mitigation)",
            ])
        if digest != nil { await sendDigestIfDue(list.address, now: UnixTime.now(), sizeOnly: true) }
    }

    /// The most members one bulk copy is queued for (the queue's delivery rows of one message).
    public static let bulkRecipients = 500

    /// Stages one personalised copy of `body` (the list's copy below the member's fields) per
    /// member: its unsubscribe link, its VERP sender, the list domain's signature; or, for a
    /// `bulk` list, one copy per `bulkRecipients` members. Staged files are removed again when
    /// any member fails.
    func stage(_ body: [UInt8], to members: [ListMember], list: MailingList, body type: MessageBodyType, smtpUTF8: Bool)
        async throws -> [StagedMessage]
    {
        if list.deliveryStyle == .bulk {
            return try await stageBulk(body, to: members, list: list, body: type, smtpUTF8: smtpUTF8)
        }
        let copy = ListCopy(body: body)
        let leave = ListAddress.companion(list.postingAddress, ListAddress.leaveSuffix)
        var staged: [StagedMessage] = []
        do {
            for member in members {
                guard let address = try? MailAddress(parsing: member.address),
                    let deliveries = try await memberDeliveries(address, list: list), !deliveries.isEmpty
                else { continue }
                let url = settings.unsubscribeURL(token: member.token)
                var bytes = copy.personalised(unsubscribeURL: url, leave: leave, oneClick: signer != nil)
                if let signature = await signer?.signatureFields(for: bytes, domain: list.postingAddress.domain, logger: logger) {
                    bytes = Array(signature.utf8) + bytes
                } else {
                    bytes = copy.personalised(unsubscribeURL: url, leave: leave, oneClick: false)
                }
                let envelope = QueuedEnvelope(
                    reversePath: VERP.encode(list: list.postingAddress, token: member.token), body: type,
                    smtpUTF8: smtpUTF8 || !member.address.unicodeScalars.allSatisfy(\.isASCII), clientIP: "127.0.0.1",
                    helo: settings.hostname)
                staged.append(try await queue.stage(bytes, envelope: envelope, deliveries: deliveries))
            }
        } catch {
            queue.discard(staged)
            throw error
        }
        return staged
    }

    /// Bulk delivery: the same bytes for every member, signed once, sent from the plain
    /// `-bounces` address; `List-Unsubscribe` is the `-leave` address only (RFC 8058 needs a URL
    /// per recipient, RFC 2369 §3.2 does not).
    private func stageBulk(
        _ body: [UInt8], to members: [ListMember], list: MailingList, body type: MessageBodyType, smtpUTF8: Bool
    ) async throws -> [StagedMessage] {
        let leave = ListAddress.companion(list.postingAddress, ListAddress.leaveSuffix)
        var bytes = Array(ListFields.unsubscribe(leave: leave).utf8) + body
        if let signature = await signer?.signatureFields(for: bytes, domain: list.postingAddress.domain, logger: logger) {
            bytes = Array(signature.utf8) + bytes
        }
        var deliveries: [QueuedDelivery] = []
        var utf8 = smtpUTF8
        for member in members {
            guard let address = try? MailAddress(parsing: member.address),
                let found = try await memberDeliveries(address, list: list)
            else { continue }
            deliveries += found
            utf8 = utf8 || !member.address.unicodeScalars.allSatisfy(\.isASCII)
        }
        let envelope = QueuedEnvelope(
            reversePath: ListAddress.companion(list.postingAddress, ListAddress.bouncesSuffix), body: type,
            smtpUTF8: utf8, clientIP: "127.0.0.1", helo: settings.hostname)
        var staged: [StagedMessage] = []
        do {
            var start = 0
            while start < deliveries.count {
                let batch = Array(deliveries[start..<min(start + Self.bulkRecipients, deliveries.count)])
                staged.append(try await queue.stage(bytes, envelope: envelope, deliveries: batch))
                start += Self.bulkRecipients
            }
        } catch {
            queue.discard(staged)
            throw error
        }
        return staged
    }

    /// The deliveries of a member's copy; nil (logged) when the address leads nowhere or its
    /// resolution fails (an alias loop), so one bad member never holds up the others.
    func memberDeliveries(_ address: MailAddress, list: MailingList) async throws -> [QueuedDelivery]? {
        do {
            if let deliveries = try await MailQueue.deliveries(for: address, directory: directory) { return deliveries }
            logger.warning("list member has no mailbox", metadata: ["list": "\(list.address)", "member": "\(address)"])
        } catch let error as ResolutionError {
            logger.warning(
                "list member cannot be resolved",
                metadata: ["list": "\(list.address)", "member": "\(address)", "error": "\(error)"])
        }
        return nil
    }

    /// Mail to `-owner` goes to the owners and moderators as it is; a message that has been
    /// through this `-owner` before (an owner's address forwards back) is dropped.
    private func forwardToOwners(_ post: MIMEMessage, list: MailingList, key: String, message: OutboundMessage) async throws
        -> DeliveryOutcome
    {
        let ownerAddress = ListAddress.companion(list.postingAddress, ListAddress.ownerSuffix)
        let facts = PostFacts(message: post, reversePath: nil, size: Int64(post.bytes.count), list: list)
        if PostFacts.beenThere(post.header, address: ownerAddress) {
            try await record(key, list: list, facts: facts, outcome: "discarded", reason: "loop through -owner", copies: 0)
            return .delivered
        }
        let owners = try await lists.members(list.address).filter { $0.role != .member }
        var deliveries: [QueuedDelivery] = []
        for owner in owners {
            guard let address = try? MailAddress(parsing: owner.address) else { continue }
            deliveries += try await memberDeliveries(address, list: list) ?? []
        }
        guard !deliveries.isEmpty else {
            return .failed(DeliveryReply(550, .init(5, 1, 1), "\(list.address) has no owner to read this"))
        }
        let bounces = ListAddress.companion(list.postingAddress, ListAddress.bouncesSuffix)
        let envelope = QueuedEnvelope(
            reversePath: bounces, body: message.body, smtpUTF8: message.smtpUTF8, clientIP: "127.0.0.1", helo: settings.hostname)
        let bytes = Array("X-BeenThere: \(ownerAddress)\r\n".utf8) + post.bytes
        let staged = try await queue.stage(bytes, envelope: envelope, deliveries: deliveries)
        let row = PostRecord(key: key, listID: list.id, facts: facts, outcome: "owner", reason: "", copies: 1)
        try await queue.commit(staged: [staged]) { db in try await row.insert(db) }
        return .delivered
    }

    // MARK: Records

    /// Whether this delivery was decided before (a retry after a crash or a lost outcome).
    func alreadyDecided(_ key: String) async throws -> Bool {
        try await database.withConnection { db in
            try await db.select().column("delivery_key").from("list_post").where("delivery_key", .equal, key).first() != nil
        }
    }

    func record(_ key: String, list: MailingList, facts: PostFacts, outcome: String, reason: String, copies: Int) async throws {
        let row = PostRecord(key: key, listID: list.id, facts: facts, outcome: outcome, reason: reason, copies: copies)
        try await database.withConnection { db in try await row.insert(db) }
    }

    static func read(_ path: String) async throws -> [UInt8] {
        try await NIOThreadPool.singleton.runIfActive {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw FileError(operation: "read", path: path)
            }
            return [UInt8](data)
        }
    }
}

/// A row of `list_post`.
struct PostRecord: Sendable {
    var key: String
    var listID: Int64
    var sender: String
    var subject: String
    var messageID: String
    var outcome: String
    var reason: String
    var copies: Int

    init(key: String, listID: Int64, facts: PostFacts, outcome: String, reason: String, copies: Int) {
        self.key = key
        self.listID = listID
        sender = facts.sender?.description ?? ""
        subject = String(facts.subject.prefix(500))
        messageID = String(facts.messageID.prefix(500))
        self.outcome = outcome
        self.reason = reason
        self.copies = copies
    }

    func insert(_ db: any SQLDatabase) async throws {
        try await db.insert(into: "list_post")
            .columns("delivery_key", "list_id", "sender", "subject", "message_id", "outcome", "reason", "copies", "created_at")
            .values(
                SQLBind(key), SQLBind(listID), SQLBind(sender), SQLBind(subject), SQLBind(messageID), SQLBind(outcome),
                SQLBind(reason), SQLBind(Int64(copies)), SQLBind(UnixTime.now())
            ).run()
    }
}
