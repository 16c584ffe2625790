import Foundation

/// One Maildir folder of a Dovecot user read for import: its `dovecot-uidlist`, `dovecot-keywords` and
/// message files, turned into the messages to store with their UIDs, flags, dates and POP3 UIDLs. Reads
/// only; nothing is written.
public struct DovecotMaildirFolder: Sendable {
    /// One message file and what it keeps.
    public struct Message: Sendable, Hashable {
        /// The UID from `dovecot-uidlist`; nil for a file it does not list yet (it gets a new UID).
        public var uid: UInt32?
        public var path: String
        /// The base name (without `:2,<flags>`).
        public var baseName: String
        public var flags: [String]
        /// The file's modification time: Dovecot's Maildir INTERNALDATE (maildir-mail.c, `maildir_mail_get_received_date`).
        public var internalDate: Int64
        public var pop3UIDL: String?
        /// Bytes in the file.
        public var size: Int64
    }

    /// The mailbox name (levels joined with `/`; `INBOX` for the root).
    public var name: String
    /// The directory read.
    public var path: String
    /// Nil when the folder has no usable `dovecot-uidlist`: its messages then get new UIDs.
    public var uidList: DovecotUIDList?
    /// Listed messages in UID order, then unlisted files by name.
    public var messages: [Message]
    /// What was not taken as it stood: `(what, reason)`.
    public var problems: [MaildirImportSkip]

    /// Reads the folder at `path`. `pop3UIDLFormat` is the old server's `pop3_uidl_format`, used for records
    /// without a `P` field when the uidlist's header names no format.
    public static func read(name: String, path: String, pop3UIDLFormat: String) -> DovecotMaildirFolder {
        var folder = DovecotMaildirFolder(name: name, path: path, uidList: nil, messages: [], problems: [])
        func note(_ what: String, _ problems: [MigrationProblem]) {
            for problem in problems { folder.problems.append(MaildirImportSkip(what, problem.description)) }
        }
        if let bytes = read(path + "/dovecot-uidlist") {
            let parsed = DovecotUIDList.parse(bytes)
            // Dovecot 2.3 appends records without rewriting the header (files it wrote in the interop test
            // say `N1` above six records): a next UID raised past the last record is its normal state, not news.
            note("\(name): dovecot-uidlist", parsed.problems.filter { !$0.reason.contains("is not below the header's next UID") })
            folder.uidList = parsed.value
        }
        var keywords = DovecotKeywords()
        if let bytes = read(path + "/dovecot-keywords") {
            let parsed = DovecotKeywords.parse(bytes)
            note("\(name): dovecot-keywords", parsed.problems)
            keywords = parsed.value
        }
        // Base name → file name and its directory; `cur/` wins over `new/` (Dovecot moves new → cur).
        var files: [String: (directory: String, name: String)] = [:]
        for directory in ["new", "cur"] {
            let entries = (try? FileManager.default.contentsOfDirectory(atPath: path + "/" + directory)) ?? []
            for entry in entries.sorted() where !entry.hasPrefix(".") {
                files[MaildirMessageName.baseName(of: entry)] = (directory, entry)
            }
        }
        func message(uid: UInt32?, base: String, record: DovecotUIDList.Record?) -> Message? {
            guard let file = files.removeValue(forKey: base) else { return nil }
            let filePath = path + "/" + file.directory + "/" + file.name
            guard let (mtime, size) = timeAndSize(filePath) else {
                folder.problems.append(MaildirImportSkip("\(name): \(file.name)", "not a regular file: skipped"))
                return nil
            }
            let parsed = MaildirMessageName.parse(file.name)
            note("\(name): \(file.name)", parsed.problems)
            // Dovecot names the file's size (`,S=`, or the uidlist's `S` field): a file of another size was cut
            // or damaged after delivery (or compressed by the zlib plugin), and clients would get other bytes
            // under the UID they know.
            if let expected = parsed.value.size ?? record?.physicalSize, expected != size {
                folder.problems.append(
                    MaildirImportSkip(
                        "\(name): \(file.name)",
                        "the file has \(size) bytes where its name says \(expected): truncated, damaged or compressed; not imported"
                    ))
                return nil
            }
            let flags = parsed.value.flags(keywords: keywords)
            note("\(name): \(file.name)", flags.problems)
            var uidl: String?
            if let uid, let list = folder.uidList {
                if let fixed = record?.pop3UIDL {
                    uidl = fixed
                } else {
                    switch DovecotPOP3UIDLFormat.expand(
                        list.pop3UIDLFormat ?? pop3UIDLFormat, uid: uid, uidValidity: list.uidValidity, fileName: base,
                        guid: record?.guid)
                    {
                    case .success(let value): uidl = value
                    case .failure(let error):
                        folder.problems.append(MaildirImportSkip("\(name): UID \(uid)", "\(error): POP3 UIDL not kept"))
                    }
                }
                if let value = uidl, !Self.isValidUIDL(value) {
                    folder.problems.append(
                        MaildirImportSkip(
                            "\(name): UID \(uid)", "POP3 UIDL \(ASCII.quoted(value)) is not 1-70 printable characters: not kept"))
                    uidl = nil
                }
            }
            return Message(
                uid: uid, path: filePath, baseName: base, flags: flags.value, internalDate: mtime, pop3UIDL: uidl, size: size)
        }
        for record in folder.uidList?.records ?? [] {
            let base = MaildirMessageName.baseName(of: record.fileName)
            if files[base] != nil {
                if let found = message(uid: record.uid, base: base, record: record) { folder.messages.append(found) }
            } else {
                folder.problems.append(
                    MaildirImportSkip(
                        "\(name): UID \(record.uid)",
                        "listed in dovecot-uidlist, but its file \(ASCII.quoted(base)) is gone (expunged in Dovecot): not imported"
                    ))
            }
        }
        for base in files.keys.sorted() {
            if let found = message(uid: nil, base: base, record: nil) { folder.messages.append(found) }
        }
        return folder
    }

    /// RFC 1939 §7: a unique-id is 1 to 70 characters in 0x21…0x7E.
    public static func isValidUIDL(_ value: String) -> Bool {
        (1...70).contains(value.utf8.count) && value.utf8.allSatisfy { $0 >= 0x21 && $0 <= 0x7E }
    }

    static func read(_ path: String) -> [UInt8]? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return Array(data)
    }

    /// The modification time (seconds) and size of a regular file, or nil.
    static func timeAndSize(_ path: String) -> (Int64, Int64)? {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
            attributes[.type] as? FileAttributeType == .typeRegular,
            let date = attributes[.modificationDate] as? Date,
            let size = (attributes[.size] as? NSNumber)?.int64Value
        else { return nil }
        return (Int64(date.timeIntervalSince1970.rounded(.down)), size)
    }
}
