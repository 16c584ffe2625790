/// A Maildir's `dovecot-uidlist`: the mailbox's UIDVALIDITY and next UID, and the UID of each message
/// file, so that an import keeps the UIDs IMAP clients already know.
///
/// The format, from Dovecot 2.3's `src/lib-storage/index/maildir/maildir-uidlist.c` and `maildir-uidlist.h`:
/// - version 1 (Dovecot 1.0, Courier's `courierimapuiddb`): header `1 <uidvalidity> <nextuid>`, records
///   `<uid> <filename>`;
/// - version 3 (Dovecot 1.1 and later): header `3` then space-separated `<key><value>` fields (`V` UIDVALIDITY,
///   `N` next UID, `G` mailbox GUID as 32 hex digits, `P` the mailbox's POP3 UIDL format), records
///   `<uid> [<key><value> ...] :<filename>` where keys are `A`–`Z`: `S` physical size, `W` virtual size
///   (written only when the file name lacks `,S=`/`,W=`), `P` POP3 UIDL (an empty value means "the file's base
///   name"), `O` POP3 order, `G` message GUID (default: the base name). The file name is the base name, without
///   the `:2,` flags.
/// (Version 2 was written only by development versions and is refused.)
public struct DovecotUIDList: Sendable, Hashable {
    public var version: Int
    /// Never 0: a header with UIDVALIDITY 0 is refused (IMAP, RFC 3501 §2.3.1.1, requires a non-zero value).
    public var uidValidity: UInt32
    /// Above every record's UID: raised (and reported) when a record is at or above the header's value,
    /// as Dovecot does when it reads such a file.
    public var nextUID: UInt32
    /// The header's `G` field: the mailbox GUID, 32 lowercase hex digits.
    public var mailboxGUID: String?
    /// The header's `P` field: the POP3 UIDL format for records without their own `P`.
    public var pop3UIDLFormat: String?
    /// Header fields with other keys, as written.
    public var otherHeaderFields: [String]
    /// In ascending UID order, each UID and each file name once.
    public var records: [Record]

    public struct Record: Sendable, Hashable {
        public var uid: UInt32
        /// The file's base name: for version 3 the name without `:2,<flags>`; version 1 names are given as
        /// written (use ``MaildirMessageName/baseName`` to compare them).
        public var fileName: String
        /// The `P` field: `nil` when absent (the UIDL follows the format), `""` when present and empty
        /// (Dovecot then uses the base name; see ``pop3UIDL``).
        public var pop3UIDLField: String?
        /// The `O` field: POP3 clients see messages with an order number first, lowest first.
        public var pop3Order: UInt32?
        public var physicalSize: Int64?
        public var virtualSize: Int64?
        /// The `G` field: the message GUID (Dovecot's default is the base name).
        public var guid: String?
        /// Fields with other keys, as written (`<key><value>`).
        public var otherFields: [String]
        /// The record's line in the file.
        public var line: Int

        /// The POP3 UIDL the record fixes, if any: the `P` value, or the base name for an empty `P`
        /// (maildir-mail.c, `MAIL_FETCH_UIDL_BACKEND`). `nil` means the UIDL comes from `pop3_uidl_format`
        /// (see ``DovecotPOP3UIDLFormat``).
        public var pop3UIDL: String? {
            guard let field = pop3UIDLField else { return nil }
            return field.isEmpty ? MaildirMessageName.baseName(of: fileName) : field
        }
    }

    /// Parses a `dovecot-uidlist`. The value is `nil` when the header is unusable (missing, unknown version,
    /// UIDVALIDITY or next UID 0 or not a number): Dovecot itself then discards the whole file and assigns
    /// a new UIDVALIDITY, which clients see as a new mailbox. Broken records are skipped one by one.
    public static func parse(_ bytes: [UInt8]) -> MigrationParse<DovecotUIDList?> {
        var log = ProblemLog()
        var lines = TextLines(bytes)
        guard let first = lines.next() else {
            log.add(0, "empty file: no UIDVALIDITY or UIDs")
            return MigrationParse(value: nil, problems: log.all)
        }
        guard let headerText = first.text, var list = parseHeader(headerText, log: &log) else {
            if first.text == nil { log.add(1, "header unreadable (too long or not UTF-8)") }
            return MigrationParse(value: nil, problems: log.all)
        }
        let headerNextUID = list.nextUID
        var seenNames: [String: Int] = [:]  // file name → index in records
        var lastUID: UInt32 = 0
        while let (number, text) = lines.next() {
            guard let text else {
                log.add(number, TextLines.unreadableReason(lines.maxLength))
                continue
            }
            if text.isEmpty { continue }
            guard var record = parseRecord(text, version: list.version, line: number, log: &log) else { continue }
            // maildir-uidlist.c refuses UIDs that do not ascend; a duplicate is the same case.
            if record.uid == lastUID {
                log.add(number, "duplicate UID \(record.uid): record skipped (the first one is kept)")
                continue
            }
            if record.uid < lastUID {
                log.add(number, "UID \(record.uid) is below the previous UID \(lastUID): record skipped")
                continue
            }
            lastUID = record.uid
            if record.uid >= headerNextUID {
                log.add(
                    number,
                    "UID \(record.uid) is not below the header's next UID \(headerNextUID): kept, next UID raised to \(UInt64(record.uid) + 1)"
                )
            }
            // A file listed twice under two UIDs: Dovecot keeps the later record (the file was moved back).
            if let earlier = seenNames[record.fileName] {
                log.add(
                    number,
                    "file \(ASCII.quoted(record.fileName)) already listed with UID \(list.records[earlier].uid) at line \(list.records[earlier].line): the earlier record is dropped"
                )
                list.records[earlier].uid = 0
            }
            record.line = number
            seenNames[record.fileName] = list.records.count
            list.records.append(record)
        }
        list.records.removeAll { $0.uid == 0 }
        if lastUID >= list.nextUID { list.nextUID = lastUID + 1 }
        return MigrationParse(value: list, problems: log.all)
    }

    private static func parseHeader(_ text: Substring, log: inout ProblemLog) -> DovecotUIDList? {
        let fields = text.split(separator: " ", omittingEmptySubsequences: true)
        guard let versionField = fields.first, let version = Int(versionField) else {
            log.add(1, "header \(ASCII.quoted(text)) has no version number: file not used")
            return nil
        }
        var list = DovecotUIDList(
            version: version, uidValidity: 0, nextUID: 0, mailboxGUID: nil, pop3UIDLFormat: nil, otherHeaderFields: [],
            records: [])
        switch version {
        case 1:
            guard fields.count >= 3, let validity = ASCII.uint32(fields[1]), let next = ASCII.uint32(fields[2]) else {
                log.add(1, "version 1 header \(ASCII.quoted(text)) is not `1 <uidvalidity> <nextuid>`: file not used")
                return nil
            }
            (list.uidValidity, list.nextUID) = (validity, next)
        case 3:
            for field in fields.dropFirst() {
                let key = field.first!
                let value = field.dropFirst()
                switch key {
                case "V":
                    guard let validity = ASCII.uint32(value) else {
                        log.add(1, "UIDVALIDITY \(ASCII.quoted(value)) is not a number: file not used")
                        return nil
                    }
                    list.uidValidity = validity
                case "N":
                    guard let next = ASCII.uint32(value) else {
                        log.add(1, "next UID \(ASCII.quoted(value)) is not a number: file not used")
                        return nil
                    }
                    list.nextUID = next
                case "G":
                    if value.utf8.count == 32, value.allSatisfy({ $0.isASCII && $0.isHexDigit }) {
                        list.mailboxGUID = value.lowercased()
                    } else {
                        log.add(1, "mailbox GUID \(ASCII.quoted(value)) is not 32 hex digits: ignored")
                    }
                case "P": list.pop3UIDLFormat = String(value)
                default: list.otherHeaderFields.append(String(field))
                }
            }
        default:
            log.add(1, "uidlist version \(version) is not supported (only 1 and 3): file not used")
            return nil
        }
        // maildir-uidlist.c: "Broken header (uidvalidity = 0, next_uid = 0)".
        guard list.uidValidity != 0 else {
            log.add(1, "UIDVALIDITY is 0 or missing: file not used, the mailbox gets a new UIDVALIDITY")
            return nil
        }
        guard list.nextUID != 0 else {
            log.add(1, "next UID is 0 or missing: file not used, the mailbox gets a new UIDVALIDITY")
            return nil
        }
        return list
    }

    private static func parseRecord(_ text: Substring, version: Int, line: Int, log: inout ProblemLog) -> Record? {
        let digits = text.prefix { $0.isASCII && $0.isNumber }
        let rest = text[digits.endIndex...]
        guard !digits.isEmpty, rest.first == " " else {
            log.add(line, "record \(ASCII.quoted(text)) does not start with a UID and a space: skipped")
            return nil
        }
        guard let uid = ASCII.uint32(digits), uid != 0, uid != UInt32.max else {
            log.add(line, "UID \(ASCII.quoted(digits)) is 0 or out of range (1 to 4294967294): record skipped")
            return nil
        }
        var record = Record(
            uid: uid, fileName: "", pop3UIDLField: nil, pop3Order: nil, physicalSize: nil, virtualSize: nil, guid: nil,
            otherFields: [], line: line)
        var cursor = rest.drop { $0 == " " }
        if version == 3 {
            // Extension fields up to ":"; the file name is everything after it (maildir_uidlist_read_extended).
            while let first = cursor.first, first != ":" {
                let field = cursor.prefix { $0 != " " }
                cursor = cursor[field.endIndex...].drop { $0 == " " }
                guard let key = field.unicodeScalars.first, key.value >= 0x41, key.value <= 0x5A else {
                    log.add(line, "extension field \(ASCII.quoted(field)) does not start with A-Z: ignored")
                    continue
                }
                let value = field.dropFirst()
                switch key {
                case "P": record.pop3UIDLField = String(value)
                case "O":
                    if let order = ASCII.uint32(value) { record.pop3Order = order } else { badField(field, line, &log) }
                case "S":
                    if let size = ASCII.int64(value) { record.physicalSize = size } else { badField(field, line, &log) }
                case "W":
                    if let size = ASCII.int64(value) { record.virtualSize = size } else { badField(field, line, &log) }
                case "G": record.guid = String(value)
                default: record.otherFields.append(String(field))
                }
            }
            guard cursor.first == ":" else {
                log.add(line, "record for UID \(uid) has no \":<filename>\": skipped")
                return nil
            }
            cursor = cursor.dropFirst()
        }
        let name = String(cursor)
        guard !name.isEmpty, !name.contains("/"), !ASCII.hasControl(name), name != ".", name != ".." else {
            log.add(line, "record for UID \(uid) has no usable file name \(ASCII.quoted(name)): skipped")
            return nil
        }
        record.fileName = name
        return record
    }

    private static func badField(_ field: Substring, _ line: Int, _ log: inout ProblemLog) {
        log.add(line, "extension field \(ASCII.quoted(field)) has no valid number: ignored")
    }
}
