extension DovecotUIDList {
    /// A version 3 list for an export: the header `3 V<uidvalidity> N<next uid>` (with `G<guid>` when a mailbox
    /// GUID is given) and one `<uid> :<base name>` record per message, in ascending UID order.
    public init(uidValidity: UInt32, nextUID: UInt32, mailboxGUID: String? = nil, files: [(uid: UInt32, baseName: String)]) {
        self.init(
            version: 3, uidValidity: uidValidity, nextUID: nextUID, mailboxGUID: mailboxGUID, pop3UIDLFormat: nil,
            otherHeaderFields: [],
            records: files.sorted { $0.uid < $1.uid }.enumerated().map { index, file in
                Record(
                    uid: file.uid, fileName: file.baseName, pop3UIDLField: nil, pop3Order: nil, physicalSize: nil,
                    virtualSize: nil, guid: nil, otherFields: [], line: index + 2)
            })
    }

    /// The file as Dovecot 2.3 writes it (maildir-uidlist.c, `maildir_uidlist_write_fd`): version 3 only,
    /// header fields `V`, `N`, `G`, `P` and the others as kept, then `<uid> [<key><value> ...] :<base name>`
    /// lines. The records must be in ascending UID order and below ``nextUID`` (as ``parse(_:)`` returns them);
    /// a list of version 1 is written as version 3, whose records name base names too.
    public func serialized() -> [UInt8] {
        var header = "3 V\(uidValidity) N\(nextUID)"
        if let mailboxGUID { header += " G\(mailboxGUID)" }
        if let pop3UIDLFormat { header += " P\(pop3UIDLFormat)" }
        for field in otherHeaderFields { header += " " + field }
        var out = Array((header + "\n").utf8)
        for record in records {
            var line = "\(record.uid)"
            if let field = record.pop3UIDLField { line += " P" + field }
            if let order = record.pop3Order { line += " O\(order)" }
            if let size = record.physicalSize { line += " S\(size)" }
            if let size = record.virtualSize { line += " W\(size)" }
            if let guid = record.guid { line += " G" + guid }
            for field in record.otherFields { line += " " + field }
            line += " :" + MaildirMessageName.baseName(of: record.fileName) + "\n"
            out += Array(line.utf8)
        }
        return out
    }
}
