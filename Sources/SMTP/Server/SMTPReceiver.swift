import Core
import Directory
import Logging
import Queue
import Store

/// What the SMTP and LMTP servers do with an envelope: the effects of the session, run against
/// the directory, the store and the queue. Shared by every connection of a listener.
public struct SMTPReceiver: Sendable {
    public enum Mode: Sendable {
        /// Port 25: only local domains are accepted (RFC 5321 §3.6 relay control).
        case mx
        /// RFC 2033: per-recipient replies after the data, each reflecting local delivery.
        case lmtp
        /// Ports 587/465 (RFC 6409, RFC 8314): authenticated users only, who may send to anyone
        /// but only as themselves.
        case submission
    }

    public let mode: Mode
    public let hostname: String
    public let directory: Directory
    public let store: MailStore
    public let queue: MailQueue
    /// Delivers LMTP messages at once, so that replies tell the outcome.
    public let runner: QueueRunner
    /// SMTP AUTH (submission).
    public let authenticator: Authenticator
    public let logger: Logger
    /// The policy engine, consulted at RCPT and at the end of the data; nil: none.
    public var policy: (any SMTPPolicy)?
    /// Content filtering before the final reply; nil: none (and on re-injection listeners).
    public var filtering: ReceiverFiltering?
    /// A listener with `filter = false`, where an external content filter re-injects: another
    /// domain is accepted at RCPT and relayed only with a valid relay ticket (end of data).
    public var reinjection = false
    /// Signs submitted mail once it has passed the filters (`withSigning`); nil: unsigned.
    public var signer: (any MessageSigner)?
    /// SPF, DKIM and DMARC of mail received on port 25 (`ReceivedMailAuthenticator`); nil: none.
    public var senderAuthentication: (any ReceivedMailAuthenticator)?
    /// The day's counts for the daily summary (messages received and submitted, refusals); nil: none.
    public var dailyCounts: (any DailyCounting)?
    /// Compromised-account containment on submission (`withSubmissionWatch`); nil: none.
    public var submissionWatch: (any SubmissionWatch)?

    public init(
        mode: Mode, hostname: String, directory: Directory, store: MailStore, queue: MailQueue, runner: QueueRunner,
        authenticator: Authenticator, logger: Logger
    ) {
        self.authenticator = authenticator
        self.mode = mode
        self.hostname = hostname
        self.directory = directory
        self.store = store
        self.queue = queue
        self.runner = runner
        self.logger = logger
    }

    /// A recipient's verdict and, when accepted, the deliveries it expands to.
    public struct RecipientVerdict: Sendable {
        public var reply: SMTPReply
        public var deliveries: [QueuedDelivery]
    }

    /// RCPT TO: the directory's verdict, then the policy's word on an accepted recipient; an
    /// accepted one comes with its deliveries and the policy's decisions for the message.
    public func recipient(_ request: SMTPRecipientRequest) async -> SMTPEffectResult {
        let recipient = request.recipient
        let verdict = await checkRecipient(recipient.address, orcpt: recipient.orcpt, notify: recipient.notify)
        guard verdict.reply.isPositiveCompletion else { return .reply(verdict.reply) }
        switch await policyOutcome(for: request) {
        case .refuse(let refusal): return .reply(refusal)
        case .accept(let policy):
            return .recipientAccepted(verdict.reply, SMTPRecipientRoute(deliveries: verdict.deliveries, policy: policy))
        }
    }

    /// RCPT TO: relay control, directory lookup (aliases, subaddresses, catch-all), quota.
    public func checkRecipient(_ address: MailAddress, orcpt: DSNOriginalRecipient?, notify: DSNNotify?) async -> RecipientVerdict
    {
        do {
            let address = try await directory.postmasterAlias(address, hostname: hostname)
            switch try await directory.resolve(address) {
            case .notLocal:
                guard mode == .submission || (mode == .mx && reinjection) else {
                    return RecipientVerdict(
                        reply: SMTPReply(550, .init(5, 7, 1), "<\(address)>: Relay access denied"), deliveries: [])
                }
                // Authenticated users relay (RFC 6409 §5): queued for outbound delivery.
                return RecipientVerdict(
                    reply: SMTPReply(250, .init(2, 1, 5), "<\(address)>: Recipient OK"),
                    deliveries: [
                        QueuedDelivery(
                            recipient: address.description, orcpt: orcpt, notify: notify, kind: .remote, accountID: nil,
                            target: address.description)
                    ])
            case .unknown:
                return RecipientVerdict(reply: SMTPReply(550, .init(5, 1, 1), "<\(address)>: User unknown"), deliveries: [])
            case .deliver(let targets):
                var deliveries: [QueuedDelivery] = []
                var full = 0
                for target in targets {
                    switch target {
                    case .mailbox(let accountID, let mailbox, let detail):
                        if try await isOverQuota(accountID: accountID) {
                            full += 1
                            continue
                        }
                        deliveries.append(
                            QueuedDelivery(
                                recipient: address.description, orcpt: orcpt, notify: notify, kind: .local, accountID: accountID,
                                target: mailbox, detail: detail))
                    case .external(let external):
                        deliveries.append(
                            QueuedDelivery(
                                recipient: address.description, orcpt: orcpt, notify: notify, kind: .remote, accountID: nil,
                                target: external.description))
                    case .service(let owner):
                        deliveries.append(
                            QueuedDelivery(
                                recipient: address.description, orcpt: orcpt, notify: notify, kind: .list, accountID: nil,
                                target: owner.address.description))
                    }
                }
                if deliveries.isEmpty && full > 0 {
                    return RecipientVerdict(
                        reply: SMTPReply(552, .init(5, 2, 2), "<\(address)>: Mailbox full, quota exceeded"), deliveries: [])
                }
                return RecipientVerdict(
                    reply: SMTPReply(250, .init(2, 1, 5), "<\(address)>: Recipient OK"), deliveries: deliveries)
            }
        } catch let error as ResolutionError {
            logger.warning("recipient not resolved", metadata: ["rcpt": "\(address)", "error": "\(error)"])
            return RecipientVerdict(
                reply: SMTPReply(550, .init(5, 4, 6), "<\(address)>: Alias expansion failed (loop or limit)"), deliveries: [])
        } catch {
            logger.error("recipient lookup failed", metadata: ["rcpt": "\(address)", "error": "\(String(reflecting: error))"])
            return RecipientVerdict(
                reply: SMTPReply(451, .init(4, 3, 0), "<\(address)>: Temporary lookup failure, try again later"), deliveries: [])
        }
    }

    private func isOverQuota(accountID: Int64) async throws -> Bool {
        guard let room = try await quotaRoom(accountID: accountID) else { return false }
        return room <= 0
    }

    /// The bytes the account may still store, in one query; nil when it has no quota (or no
    /// mailbox yet, or no longer exists).
    func quotaRoom(accountID: Int64) async throws -> Int64? {
        let usage: StorageUsage
        do { usage = try await store.storageUsage(accountID: accountID) } catch StoreError.notProvisioned { return nil }
        return usage.quotaBytes > 0 ? usage.quotaBytes - usage.usedBytes : nil
    }
}
