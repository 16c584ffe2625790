import Core
import Store

/// The pull of one source folder into one Posta folder (see ``IMAPPuller`` for the rules).
struct IMAPPullFolder {
    let store: MailStore
    let client: IMAPPullClient
    let accountID: Int64
    /// `<host>/<user>` of the delivery keys.
    let keyPrefix: String
    let options: IMAPPuller.Options
    private(set) var summary: IMAPPullSummary.Folder

    private var mailboxID: Int64?
    private var keepUIDs = false
    /// What the Posta folder holds (kept UIDs only).
    private var state = MailboxImportState()

    init(
        store: MailStore, client: IMAPPullClient, accountID: Int64, keyPrefix: String, options: IMAPPuller.Options,
        sourceName: String, folder: String
    ) {
        self.store = store
        self.client = client
        self.accountID = accountID
        self.keyPrefix = keyPrefix
        self.options = options
        summary = IMAPPullSummary.Folder(
            sourceName: sourceName, folder: folder, action: "new-uids", uidValidity: 0, uidNext: 0, remark: nil,
            messages: 0, imported: 0, alreadyPresent: 0, skipped: 0, bytes: 0, problems: [])
    }

    mutating func pull() async throws {
        var (uidValidity, uidNext, exists): (UInt32?, UInt32?, Int) = (nil, nil, 0)
        // RFC 9051 §6.3.3 / §7.1: UIDVALIDITY and UIDNEXT come as response codes of untagged OKs.
        try await client.run([.text("EXAMINE "), IMAPPullClient.astring(summary.sourceName)], redact: false) { response in
            switch response {
            case .untaggedStatus("OK", let code?, _):
                let parts = code.split(separator: " ")
                if parts.count == 2, let value = UInt32(parts[1]) {
                    if parts[0].uppercased() == "UIDVALIDITY" { uidValidity = value }
                    if parts[0].uppercased() == "UIDNEXT" { uidNext = value }
                }
            case .other(let text) where text.hasSuffix(" EXISTS"):
                exists = Int(text.dropLast(" EXISTS".count)) ?? 0
            default: break
            }
        }
        guard let uidValidity, uidValidity != 0 else { throw IMAPPullError("EXAMINE \(summary.sourceName) gave no UIDVALIDITY") }
        summary.uidValidity = uidValidity
        summary.messages = exists
        var listed: [(uid: UInt32, size: UInt64)] = []
        if exists > 0 {
            try await client.run("UID FETCH 1:* (UID RFC822.SIZE)") { response in
                if case .fetch(_, let data) = response, let uid = data.uid { listed.append((uid, data.size ?? 0)) }
            }
        }
        // A server that sends no UIDNEXT (RFC 9051 §7.1 requires it): one above the highest UID seen.
        summary.uidNext = max(uidNext ?? 1, (listed.map(\.uid).max() ?? 0) + 1)
        try await prepare()
        var wanted: [UInt32] = []
        for (uid, size) in listed.sorted(by: { $0.uid < $1.uid }) {
            if keepUIDs {
                if state.imported.contains(uid) {
                    summary.alreadyPresent += 1
                    continue
                }
                if state.taken.contains(uid) {
                    skip(uid, "UID \(uid) already holds another message")
                    continue
                }
                if state.expunged.contains(uid) {
                    skip(uid, "UID \(uid) was expunged in Posta")
                    continue
                }
            } else if try await store.isDelivered(deliveryKey: key(uid)) {
                summary.alreadyPresent += 1
                continue
            }
            if size > UInt64(options.maxMessageSize) {
                skip(uid, "\(size) bytes, above --max-message-size \(options.maxMessageSize)")
                continue
            }
            if options.dryRun {
                summary.imported += 1
                summary.bytes += Int64(size)
                continue
            }
            wanted.append(uid)
        }
        for start in stride(from: 0, to: wanted.count, by: IMAPPuller.batchSize) {
            let batch = Array(wanted[start..<min(start + IMAPPuller.batchSize, wanted.count)])
            try await fetch(batch)
        }
    }

    /// Creates, adopts or resumes the mailbox, or falls back to new UIDs (a dry run only decides).
    private mutating func prepare() async throws {
        let existing = try await store.mailbox(accountID: accountID, name: summary.folder)
        mailboxID = existing?.id
        let disposition =
            options.dryRun
            ? MailboxImportDisposition.decide(existing: existing, uidValidity: summary.uidValidity)
            : try await store.importMailbox(
                accountID: accountID, name: summary.folder, uidValidity: summary.uidValidity, uidNext: summary.uidNext)
        switch disposition {
        case .refuse(let reason): summary.remark = reason
        case .create: (keepUIDs, summary.action) = (true, "create")
        case .adopt(let id): (keepUIDs, mailboxID, summary.action) = (true, id, "adopt")
        case .resume(let id):
            (keepUIDs, mailboxID, summary.action) = (true, id, "resume")
            state = try await store.importState(mailboxID: id)
        }
        if mailboxID == nil, !options.dryRun {
            mailboxID = try await store.mailbox(accountID: accountID, name: summary.folder)?.id
        }
    }

    private func key(_ uid: UInt32) -> String {
        "imap-import/\(accountID)/\(keyPrefix)/\(summary.sourceName)/\(summary.uidValidity)/\(uid)"
    }

    private mutating func skip(_ uid: UInt32, _ reason: String) {
        summary.problems.append(MaildirImportSkip("UID \(uid)", reason))
        summary.skipped += 1
    }

    /// `UID FETCH` of one batch; each message is stored as its response is parsed.
    private mutating func fetch(_ uids: [UInt32]) async throws {
        var received: Set<UInt32> = []
        var failures: [(UInt32, String)] = []
        var stored: [(outcome: MessageImportOutcome, uid: UInt32)] = []
        let set = uids.map(String.init).joined(separator: ",")
        let (store, accountID, mailboxID, keepUIDs, folder) = (store, accountID, mailboxID, keepUIDs, summary.folder)
        let keys = Dictionary(uniqueKeysWithValues: uids.map { ($0, key($0)) })
        // RFC 9051 §6.4.5: BODY.PEEK[] leaves \Seen alone on the source.
        try await client.run("UID FETCH \(set) (UID FLAGS INTERNALDATE RFC822.SIZE BODY.PEEK[])") { response in
            guard case .fetch(_, let data) = response, let uid = data.uid, let key = keys[uid] else { return }
            guard received.insert(uid).inserted else { return }
            guard let body = data.body else { return failures.append((uid, "the server sent no BODY[]")) }
            let flags = (data.flags ?? []).filter { $0.lowercased() != "\\recent" }
            let date = data.internalDate ?? UnixTime.now()
            do {
                if keepUIDs {
                    guard let mailboxID else { throw StoreError.noSuchMailbox(folder) }
                    let outcome = try await store.importMessage(
                        MessageImport(
                            accountID: accountID, mailboxID: mailboxID, uid: uid, data: body, flags: flags,
                            internalDate: date, pop3UIDL: nil))
                    stored.append((outcome, uid))
                } else {
                    _ = try await store.append(
                        accountID: accountID, mailbox: folder, data: body, flags: flags, internalDate: date,
                        deliveryKey: key, enforceQuota: false)
                    stored.append((.imported(size: Int64(body.count)), uid))
                }
            } catch let error as StoreError {
                if case .invalidFlag(let flag) = error {
                    return failures.append((uid, "flag \(flag) is not a valid IMAP flag"))
                }
                throw error
            }
        }
        for (outcome, uid) in stored {
            switch outcome {
            case .imported(let size):
                summary.imported += 1
                summary.bytes += size
            case .alreadyImported: summary.alreadyPresent += 1
            case .skipped(let reason): skip(uid, reason)
            }
        }
        for (uid, reason) in failures { skip(uid, reason) }
        for uid in uids where !received.contains(uid) { skip(uid, "expunged on the server during the pull") }
    }
}
