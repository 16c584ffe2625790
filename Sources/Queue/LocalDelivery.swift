import Core
import Directory
import Logging
import NIOPosix
import SQLKit
import Store

/// One claimed delivery: a queue recipient row with what its message says.
struct ClaimedDelivery: Sendable {
    let rowID: Int64
    let messageID: String
    let recipient: String
    let kind: QueuedDelivery.Kind
    let accountID: Int64?
    let target: String
    let attempts: Int
    let reversePath: String
    let spoolFile: String
    let receivedAt: Int64
    let size: Int64
    let body: MessageBodyType
    let smtpUTF8: Bool
    let dsnRet: DSNReturn?
    let dsnEnvID: String?
    let notify: DSNNotify?
    let orcpt: DSNOriginalRecipient?
    /// Content filtering: the target mailbox (nil: INBOX) and header fields to add (CRLF-ended):
    /// this recipient's (`X-Spam-*`) above the message's.
    var mailbox: String? = nil
    var headers: String? = nil
    var recipientHeaders: String? = nil
    /// The message came with REQUIRETLS (RFC 8689).
    var requireTLS = false

    /// The domain of a remote target.
    var domain: String { target.split(separator: "@").last.map { $0.lowercased() } ?? "" }
}

/// What became of one delivery attempt.
public enum DeliveryOutcome: Sendable, Equatable {
    case delivered
    /// Tried again later (the reply is logged and shown in `last_error`).
    case deferred(DeliveryReply)
    /// Given up: the reply goes into the bounce (RFC 3464 Status and Diagnostic-Code).
    case failed(DeliveryReply)

    /// A transport that returned nothing for a delivery: tried again later.
    static let missing = DeliveryOutcome.deferred(DeliveryReply(451, .init(4, 4, 0), "no outcome"))
}

/// Delivers into local mailboxes.
struct LocalDelivery: Sendable {
    let store: MailStore
    let queue: MailQueue
    /// The users' delivery rules (Sieve); nil: every message goes where the claim says.
    let rules: (any LocalDeliveryRules)?
    let logger: Logger

    func deliver(_ claim: ClaimedDelivery) async -> DeliveryOutcome {
        guard let accountID = claim.accountID else {
            return .failed(DeliveryReply(550, .init(5, 1, 1), "no account for \(claim.target)"))
        }
        let added = (claim.recipientHeaders ?? "") + (claim.headers ?? "")
        var prefix = Array((TraceHeaders.finalDelivery(reversePath: claim.reversePath, deliveredTo: claim.target) + added).utf8)
        let traceLength = prefix.count
        let source = queue.spoolPath(claim.spoolFile)
        var offset: Int64 = 0
        do {
            if ForgedSpamHeaders.isVerdict(added),
                let stripped = try await NIOThreadPool.singleton.runIfActive({ try ForgedSpamHeaders.strip(path: source) })
            {
                prefix += stripped.header
                offset = stripped.rest
            }
            guard let rules else {
                try await append(claim, accountID: accountID, prefix: prefix, source: source, offset: offset)
                return .delivered
            }
            let request = LocalDeliveryRequest(
                accountID: accountID, address: claim.target, recipient: claim.recipient, reversePath: claim.reversePath,
                keepMailbox: try await mailbox(for: claim, accountID: accountID), prefix: prefix, traceLength: traceLength,
                spoolFile: source,
                offset: offset, size: claim.size, deliveryKey: "\(claim.messageID)/\(claim.rowID)",
                messageID: claim.messageID)
            switch try await rules.decide(request) {
            case nil:
                try await append(claim, accountID: accountID, prefix: prefix, source: source, offset: offset)
            case .reject(let reply):
                return .failed(reply)
            case .file(let filings, let header, let bodyOffset):
                for filing in filings {
                    try await file(
                        claim, filing, accountID: accountID, prefix: header ?? prefix, source: source,
                        offset: header == nil ? offset : bodyOffset ?? offset)
                }
                await rules.delivered(request)
            }
            return .delivered
        } catch let error as StoreError {
            switch error {
            case .overQuota: return .failed(DeliveryReply(552, .init(5, 2, 2), "\(claim.target): mailbox full"))
            case .notProvisioned: return .failed(DeliveryReply(550, .init(5, 1, 1), "\(claim.target): mailbox does not exist"))
            default: return .deferred(DeliveryReply(451, .init(4, 3, 0), "\(error)"))
            }
        } catch {
            return .deferred(DeliveryReply(451, .init(4, 3, 0), "\(error)"))
        }
    }

    /// Stores the message in the claim's mailbox (`mailbox(for:)`), or in INBOX when that one
    /// does not exist (any more): a filing choice never defers or bounces a message.
    private func append(_ claim: ClaimedDelivery, accountID: Int64, prefix: [UInt8], source: String, offset: Int64) async throws {
        let wanted = try await mailbox(for: claim, accountID: accountID)
        for name in wanted == "INBOX" ? ["INBOX"] : [wanted, "INBOX"] {
            do {
                _ = try await store.append(
                    accountID: accountID, mailbox: name, prefix: prefix, sourceFile: source, sourceOffset: offset,
                    deliveryKey: "\(claim.messageID)/\(claim.rowID)", enforceQuota: true)
                return
            } catch StoreError.noSuchMailbox where name != "INBOX" {
                let meta: Logger.Metadata = ["id": "\(claim.messageID)", "to": "\(claim.target)"]
                logger.notice("no mailbox \(name): delivered to INBOX", metadata: meta)
            }
        }
    }

    /// Stores one copy the rules asked for: in its mailbox (created first with `create`), or in
    /// INBOX when that one does not exist. The delivery key names the mailbox, so a retry after a
    /// crash stores each copy once.
    private func file(
        _ claim: ClaimedDelivery, _ filing: LocalFiling, accountID: Int64, prefix: [UInt8], source: String, offset: Int64
    ) async throws {
        var name = filing.mailbox.uppercased() == "INBOX" ? "INBOX" : filing.mailbox
        if filing.create, name != "INBOX", try await store.mailbox(accountID: accountID, name: name) == nil {
            do {
                _ = try await store.createMailboxTree(accountID: accountID, name: name)
            } catch StoreError.mailboxExists {
                // made meanwhile by another delivery
            } catch StoreError.invalidMailboxName {
                name = "INBOX"
            }
        }
        for target in name == "INBOX" ? ["INBOX"] : [name, "INBOX"] {
            do {
                do {
                    _ = try await store.append(
                        accountID: accountID, mailbox: target, prefix: prefix, sourceFile: source, sourceOffset: offset,
                        flags: filing.flags, deliveryKey: "\(claim.messageID)/\(claim.rowID)/\(target)", enforceQuota: true)
                } catch StoreError.invalidFlag {
                    // A script's flag the store cannot keep (RFC 5232 §3 flags are atoms): the
                    // message is stored without its flags rather than deferred.
                    _ = try await store.append(
                        accountID: accountID, mailbox: target, prefix: prefix, sourceFile: source, sourceOffset: offset,
                        deliveryKey: "\(claim.messageID)/\(claim.rowID)/\(target)", enforceQuota: true)
                }
                return
            } catch StoreError.noSuchMailbox where target != "INBOX" {
                let meta: Logger.Metadata = ["id": "\(claim.messageID)", "to": "\(claim.target)"]
                logger.notice("no mailbox \(target): delivered to INBOX", metadata: meta)
            }
        }
    }

    /// Where a delivery goes: INBOX unless the queue row names a mailbox. The spam filter's
    /// "Junk" means the account's `\Junk` special-use mailbox whatever its name (RFC 6154 §2),
    /// INBOX when it has none.
    func mailbox(for claim: ClaimedDelivery, accountID: Int64) async throws -> String {
        guard let name = claim.mailbox else { return "INBOX" }
        guard name == SpecialUse.junk.defaultName else { return name }
        return try await store.mailboxName(accountID: accountID, specialUse: .junk) ?? "INBOX"
    }
}
