import Crypto
import Store

/// The import of one mbox file into one folder, fed the items ``MboxReader`` hands out in file order, so that
/// the file is never held in memory as a whole.
///
/// UIDs: when the file carries Dovecot's or UW IMAP's folder data (`X-IMAPbase:`, which comes with the first
/// message) and ``MailboxImportDisposition`` allows it (the folder is new, empty or an earlier import of the same
/// UIDVALIDITY), each message keeps its `X-UID:` (RFC 9051 §2.3.1.1: clients that knew the old server keep their
/// caches). Otherwise, and for messages without an `X-UID:` or repeating one, messages get new UIDs in file order.
///
/// Idempotence: a kept UID is the store's import key (``MailStore/importMessage(_:)``); a message with a new UID
/// is appended with the delivery key `mbox-import/<account id>/<folder>/<SHA-256 of the message>/<n>`, `n`
/// counting earlier identical messages in the file. The hash is taken after the mbox status fields are removed,
/// so flags changed on the old server between two runs do not make a message new.
struct MboxFolderImport {
    let store: MailStore
    let accountID: Int64
    let dryRun: Bool
    private(set) var file: MboxImportSummary.File

    private var prepared = false
    private var mailboxID: Int64?
    private var keepUIDs = false
    /// A dry run's view of a resumed mailbox (a real run lets `importMessage` decide).
    private var state = MailboxImportState()
    private var seenUIDs: Set<UInt32> = []
    /// How many messages with each content hash came before in the file (32 bytes a message, not the message).
    private var copies: [SHA256.Digest: Int] = [:]

    init(store: MailStore, accountID: Int64, path: String, folder: String, dryRun: Bool) {
        self.store = store
        self.accountID = accountID
        self.dryRun = dryRun
        file = MboxImportSummary.File(
            path: path, folder: folder, action: "new-uids", uidValidity: nil, nextUID: nil, remark: nil, imported: 0,
            alreadyPresent: 0, skipped: 0, bytes: 0, problems: [])
    }

    /// Takes the reader's next item.
    mutating func take(_ item: MboxItem) async throws {
        switch item {
        case .folderData(let data): try await prepare(data)
        case .message(let message):
            try await prepare(nil)
            try await save(message)
        case .problem(let problem):
            report(line: problem.line, problem.reason, skipped: Self.isSkippedMessage(problem.reason))
        }
    }

    /// Whether a reader's problem stands for a message not returned (MboxReader's wording: "its message is skipped",
    /// "message larger than … : skipped", "the last message is truncated … : skipped"), rather than text outside
    /// any message or a remark on a message that was kept.
    static func isSkippedMessage(_ reason: String) -> Bool {
        reason.contains("message") && reason.hasSuffix("skipped")
    }

    private mutating func report(line: Int, _ reason: String, skipped: Bool) {
        file.problems.append(MaildirImportSkip("\(file.path):\(line)", reason))
        if skipped { file.skipped += 1 }
    }

    /// Decides the folder's UIDs once, at the folder data or the first message (or the end of an empty file):
    /// creates, adopts or resumes the mailbox (a dry run only decides).
    mutating func prepare(_ data: MboxFolderData?) async throws {
        guard !prepared else { return }
        prepared = true
        let existing = try await store.mailbox(accountID: accountID, name: file.folder)
        mailboxID = existing?.id
        if let data {
            (file.uidValidity, file.nextUID) = (data.uidValidity, data.nextUID)
            let disposition =
                dryRun
                ? MailboxImportDisposition.decide(existing: existing, uidValidity: data.uidValidity)
                : try await store.importMailbox(
                    accountID: accountID, name: file.folder, uidValidity: data.uidValidity, uidNext: data.nextUID)
            switch disposition {
            case .refuse(let reason): file.remark = reason
            case .create:
                keepUIDs = true
                file.action = "create"
            case .adopt(let id):
                (keepUIDs, mailboxID, file.action) = (true, id, "adopt")
            case .resume(let id):
                (keepUIDs, mailboxID, file.action) = (true, id, "resume")
                if dryRun { state = try await store.importState(mailboxID: id) }
            }
        }
        guard mailboxID == nil, !dryRun else { return }
        if let made = try await store.mailbox(accountID: accountID, name: file.folder) {
            mailboxID = made.id
        } else {
            mailboxID = try await store.createMailbox(accountID: accountID, name: file.folder).id
        }
    }

    private mutating func save(_ message: MboxMessage) async throws {
        let digest = SHA256.hash(data: message.bytes)
        let copy = copies[digest, default: 0]
        copies[digest] = copy + 1
        let hash = digest.map { String($0, radix: 16).leftPadded(2) }.joined()
        if keepUIDs, let uid = message.uid, seenUIDs.insert(uid).inserted {
            try await save(message, uid: uid)
        } else {
            try await save(message, key: "mbox-import/\(accountID)/\(file.folder)/\(hash)/\(copy)")
        }
    }

    /// Under the UID the file gave it (`X-UID:`).
    private mutating func save(_ message: MboxMessage, uid: UInt32) async throws {
        if dryRun {
            if state.imported.contains(uid) {
                file.alreadyPresent += 1
            } else if state.taken.contains(uid) {
                report(line: message.line, "UID \(uid) already holds another message", skipped: true)
            } else if state.expunged.contains(uid) {
                report(line: message.line, "UID \(uid) was expunged in Posta", skipped: true)
            } else {
                file.imported += 1
                file.bytes += Int64(message.bytes.count)
            }
            return
        }
        guard let target = mailboxID else { throw StoreError.noSuchMailbox(file.folder) }
        let outcome = try await store.importMessage(
            MessageImport(
                accountID: accountID, mailboxID: target, uid: uid, data: message.bytes, flags: message.flags,
                internalDate: message.internalDate, pop3UIDL: nil))
        switch outcome {
        case .imported(let size):
            file.imported += 1
            file.bytes += size
        case .alreadyImported: file.alreadyPresent += 1
        case .skipped(let reason): report(line: message.line, reason, skipped: true)
        }
    }

    /// Under a new UID, once per delivery key.
    private mutating func save(_ message: MboxMessage, key: String) async throws {
        if mailboxID != nil, try await store.isDelivered(deliveryKey: key) {
            file.alreadyPresent += 1
            return
        }
        if !dryRun {
            try await store.append(
                accountID: accountID, mailbox: file.folder, data: message.bytes, flags: message.flags,
                internalDate: message.internalDate, deliveryKey: key, enforceQuota: false)
        }
        file.imported += 1
        file.bytes += Int64(message.bytes.count)
    }
}

extension String {
    fileprivate func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
