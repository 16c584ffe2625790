import Core
import MIME
import Store

/// Exports one account's mailboxes out of the store, for a user who leaves: as a Maildir++ tree that
/// Dovecot serves with the same UIDVALIDITY and UIDs, or as mbox files (see docs/export.md).
///
/// The index is read once per mailbox (mailbox list, then each mailbox's messages); a message expunged
/// while the export runs is reported and left out. Every file and folder written is synced; the
/// destination must be missing or an empty folder.
public struct AccountExporter: Sendable {
    public let store: MailStore
    /// Modified UTF-7 (RFC 3501 §5.1.3) of one hierarchy level: IMAP's `ModifiedUTF7.encode` (this module
    /// imports no protocol module).
    public let encodeLevel: @Sendable (String) -> String

    public init(store: MailStore, encodeLevel: @escaping @Sendable (String) -> String) {
        self.store = store
        self.encodeLevel = encodeLevel
    }

    /// Exports the account (or only the mailbox `folder`) into `destination`.
    public func export(
        accountID: Int64, account: String, to destination: String, format: ExportFormat, folder: String? = nil
    ) async throws -> ExportSummary {
        var mailboxes = try await store.mailboxes(accountID: accountID)
        if let folder {
            let wanted = folder.uppercased() == "INBOX" ? "INBOX" : folder
            mailboxes = mailboxes.filter { $0.name == wanted }
            guard !mailboxes.isEmpty else { throw ExportError.noSuchFolder(folder) }
        }
        try await ExportFiles.blocking { try ExportFiles.prepareDestination(destination) }
        var summary = ExportSummary(
            account: account, format: format, destination: destination, folders: [], messages: 0, bytes: 0,
            subscriptions: 0, problems: [])
        switch format {
        case .maildir:
            try await exportMaildir(
                accountID: accountID, mailboxes, onlyFolder: folder != nil, into: destination, &summary)
        case .mbox: try await exportMbox(mailboxes, into: destination, &summary)
        }
        summary.messages = summary.folders.reduce(0) { $0 + $1.messages }
        summary.bytes = summary.folders.reduce(0) { $0 + $1.bytes }
        return summary
    }

    // MARK: Maildir

    private func exportMaildir(
        accountID: Int64, _ mailboxes: [MailboxInfo], onlyFolder: Bool, into root: String, _ summary: inout ExportSummary
    ) async throws {
        let names = ExportFolderNames.maildir(mailboxes.map { ($0.name, $0.uidValidity) }, encodeLevel: encodeLevel)
        summary.problems += names.problems.map(\.description)
        // The root holds INBOX; it is made even when INBOX is not exported, so the tree is a Maildir.
        try await ExportFiles.blocking { try Self.makeMaildir(root, subfolder: false) }
        for box in mailboxes {
            let directory = names.value[box.name] ?? ""
            let path = directory.isEmpty ? root : root + "/" + directory
            if !directory.isEmpty { try await ExportFiles.blocking { try Self.makeMaildir(path, subfolder: true) } }
            summary.folders.append(try await exportMaildirFolder(box, path: path, relative: directory, &summary.problems))
        }
        // With one folder exported, only its own subscription goes with it.
        let subscribed = try await store.subscriptions(accountID: accountID).filter { name in
            !onlyFolder || mailboxes.contains { $0.name == name }
        }
        let subscriptions = DovecotSubscriptions(
            mailboxes: subscribed.map { ExportFolderNames.subscriptionLevels($0, encodeLevel: encodeLevel) })
        summary.subscriptions = subscribed.count
        try await ExportFiles.blocking {
            try ExportFiles.writeFile(root + "/subscriptions", subscriptions.serialized())
            try ExportFiles.syncDirectory(root)
        }
    }

    /// `cur/ new/ tmp/` (and, for a sub-folder, the folder itself and its empty `maildirfolder` file).
    private static func makeMaildir(_ path: String, subfolder: Bool) throws(ExportError) {
        if subfolder { try ExportFiles.makeDirectory(path) }
        for name in ["cur", "new", "tmp"] { try ExportFiles.makeDirectory(path + "/" + name) }
        if subfolder { try ExportFiles.writeFile(path + "/maildirfolder", []) }
        try ExportFiles.syncDirectory(path)
    }

    private func exportMaildirFolder(
        _ box: MailboxInfo, path: String, relative: String, _ problems: inout [String]
    ) async throws -> ExportSummary.Folder {
        let messages = try await store.messages(mailboxID: box.id)
        var keywordOrder: [String] = []
        for message in messages {
            for flag in message.flags where !flag.hasPrefix("\\") && !keywordOrder.contains(flag) { keywordOrder.append(flag) }
        }
        let (keywords, overflow) = DovecotKeywords.assigning(keywordOrder)
        if !overflow.isEmpty {
            problems.append(
                "\(box.name): more than 26 keywords; not exported (Maildir names have no letter for them): \(overflow.joined(separator: " "))"
            )
        }
        var records: [(uid: UInt32, baseName: String)] = []
        var bytes: Int64 = 0
        for message in messages {
            let data: [UInt8]
            do {
                data = try await MessageFileReader.readMessage(message.path)
            } catch {
                problems.append("\(box.name) UID \(message.uid): message file unreadable (\(error)): not exported")
                continue
            }
            let base = "\(message.internalDate).U\(message.uid)V\(box.uidValidity).posta,S=\(data.count)"
            let name = MaildirMessageName.fileName(base: base, flags: message.flags, keywords: keywords)
            try await ExportFiles.blocking {
                try ExportFiles.writeFile(path + "/cur/" + name, data, mtime: message.internalDate)
            }
            records.append((message.uid, base))
            bytes += Int64(data.count)
        }
        let nextUID = max(box.uidNext, (messages.last?.uid ?? 0) + 1)
        var list = DovecotUIDList(uidValidity: box.uidValidity, nextUID: nextUID, files: records)
        // POP3 sees INBOX: Dovecot answers UIDL with a record's `P` field when it has one, so POP3 clients
        // keep the unique-ids Posta gave them (an imported message's own UIDL, else `<uidvalidity>.<uid>`,
        // POP3Maildrop.uniqueID) and fetch nothing again.
        if box.name == "INBOX" {
            let imported = try await store.pop3UIDLs(mailboxID: box.id)
            for index in list.records.indices {
                let uid = list.records[index].uid
                list.records[index].pop3UIDLField = imported[uid] ?? "\(box.uidValidity).\(uid)"
            }
        }
        let uidlist = list.serialized()
        try await ExportFiles.blocking {
            try ExportFiles.syncDirectory(path + "/cur")
            if !keywords.byIndex.isEmpty { try ExportFiles.writeFile(path + "/dovecot-keywords", keywords.serialized()) }
            try ExportFiles.writeFile(path + "/dovecot-uidlist", uidlist)
            try ExportFiles.syncDirectory(path)
        }
        return ExportSummary.Folder(
            name: box.name, path: relative, uidValidity: box.uidValidity, nextUID: nextUID, messages: records.count,
            bytes: bytes, keywords: keywords.byIndex.sorted { $0.key < $1.key }.map(\.value))
    }

    // MARK: mbox

    private func exportMbox(_ mailboxes: [MailboxInfo], into root: String, _ summary: inout ExportSummary) async throws {
        let paths = ExportFolderNames.mbox(mailboxes.map { ($0.name, $0.uidValidity) })
        for box in mailboxes {
            let relative = paths[box.name] ?? box.name + ".mbox"
            // Parent folders of `a/b.mbox`, made as needed.
            var made = root
            for level in relative.split(separator: "/").dropLast() {
                made += "/" + level
                let folder = made
                try await ExportFiles.blocking {
                    if try ExportFiles.makeDirectoryIfMissing(folder) {
                        try ExportFiles.syncDirectory(String(folder[..<folder.lastIndex(of: "/")!]))
                    }
                }
            }
            let path = root + "/" + relative
            let messages = try await store.messages(mailboxID: box.id)
            let file = try await ExportFiles.blocking { try OutputFile(path) }
            var count = 0
            var bytes: Int64 = 0
            var keywords: [String] = []
            for message in messages {
                for flag in message.flags where !flag.hasPrefix("\\") && !keywords.contains(flag) { keywords.append(flag) }
            }
            let nextUID = max(box.uidNext, (messages.last?.uid ?? 0) + 1)
            do {
                for message in messages {
                    let data: [UInt8]
                    do {
                        data = try await MessageFileReader.readMessage(message.path)
                    } catch {
                        summary.problems.append(
                            "\(box.name) UID \(message.uid): message file unreadable (\(error)): not exported")
                        continue
                    }
                    let header = Array(data[0..<MboxStatusFields.headerLength(data)])
                    let sender = MIMEMessage(header).header["return-path"].map(Self.address)
                    let entry = MboxWriter.entry(
                        message: data, sender: sender, internalDate: message.internalDate, flags: message.flags,
                        uid: message.uid, folder: count == 0 ? (box.uidValidity, nextUID, keywords) : nil)
                    try await ExportFiles.blocking { try file.write(entry) }
                    count += 1
                    bytes += Int64(data.count)
                }
                try await ExportFiles.blocking {
                    try file.finish()
                    try ExportFiles.syncDirectory(String(path[..<path.lastIndex(of: "/")!]))
                }
            } catch {
                file.abandon()
                throw error
            }
            summary.folders.append(
                ExportSummary.Folder(
                    name: box.name, path: relative, uidValidity: box.uidValidity, nextUID: nextUID, messages: count,
                    bytes: bytes, keywords: keywords))
        }
    }

    /// The address inside `<…>` of a Return-Path value, or the value trimmed.
    static func address(_ value: String) -> String {
        let trimmed = String(value.drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed())
        if let open = trimmed.firstIndex(of: "<"), let close = trimmed.lastIndex(of: ">"), open < close {
            return String(trimmed[trimmed.index(after: open)..<close])
        }
        return trimmed
    }
}
