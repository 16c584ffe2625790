import Core
import Directory
import Logging

extension MailQueue {
    /// Where a message Posta writes itself is going.
    public enum GeneratedOutcome: Sendable, Equatable {
        /// Queued under this id.
        case queued(String)
        /// The recipient is a local address that does not exist: nothing queued.
        case unknownRecipient
    }

    /// Queues a message Posta wrote (a DSN, a report) for `recipient`, local or remote, signed
    /// by `signer` first (the signature fields go on top of the file, so they are part of it).
    /// Local recipients are resolved like any other (aliases, forwarding); durable like every
    /// accepted message when this returns. postmaster@`hostname` is the postmaster of the domain
    /// above when the host name is not a local domain (`Directory.postmasterAlias`).
    public func queueGenerated(
        _ message: [UInt8], reversePath: MailAddress?, to recipient: MailAddress, directory: Directory,
        signer: (any MessageSigner)?, hostname: String, logger: Logger
    ) async throws -> GeneratedOutcome {
        let recipient = try await directory.postmasterAlias(recipient, hostname: hostname)
        guard let deliveries = try await Self.deliveries(for: recipient, directory: directory) else {
            return .unknownRecipient
        }
        let signature = await signer?.signatureFields(for: message, logger: logger) ?? ""
        let (id, file) = try openSpoolFile()
        try file.write(Array(signature.utf8) + message)
        try await commit(
            id: id, file: file,
            envelope: QueuedEnvelope(reversePath: reversePath, body: .eightBitMIME, clientIP: "127.0.0.1", helo: hostname),
            deliveries: deliveries)
        return .queued(id)
    }

    /// The deliveries mail to `recipient` makes: remote when the domain is not local, else
    /// wherever the directory resolves it (mailboxes, forwarding, a list); nil when it is a local
    /// address that does not exist.
    public static func deliveries(for recipient: MailAddress, directory: Directory) async throws -> [QueuedDelivery]? {
        switch try await directory.resolve(recipient) {
        case .notLocal:
            return [
                QueuedDelivery(recipient: recipient.description, kind: .remote, accountID: nil, target: recipient.description)
            ]
        case .unknown:
            return nil
        case .deliver(let targets):
            return targets.map { QueuedDelivery(recipient: recipient.description, $0) }
        }
    }
}

extension QueuedDelivery {
    /// The queue row for one resolved target of `recipient`.
    public init(recipient: String, _ target: Delivery) {
        switch target {
        case .mailbox(let id, let address, let detail):
            self.init(recipient: recipient, kind: .local, accountID: id, target: address, detail: detail)
        case .external(let address):
            self.init(recipient: recipient, kind: .remote, accountID: nil, target: address.description)
        case .service(let owner):
            self.init(recipient: recipient, kind: .list, accountID: nil, target: owner.address.description)
        }
    }
}
