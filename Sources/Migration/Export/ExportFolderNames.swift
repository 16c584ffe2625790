/// Where each mailbox of an export goes: a Maildir++ folder directory or an mbox file path, unique within
/// the export. Posta's hierarchy delimiter is `/`.
///
/// Maildir++ (Dovecot's `LAYOUT=maildir++`): INBOX is the root (`""`); another mailbox is `.` followed by
/// its levels, each in modified UTF-7 (RFC 3501 §5.1.3, given as `encodeLevel`), joined by `.`. A level that
/// holds `.` (the on-disk separator) or is empty cannot be stored as it is: its `.` become `_` and an empty
/// level becomes `_`, and the change is reported. A name that then collides gets `~<uidvalidity>` added.
///
/// mbox: `<levels joined by />.mbox` under the destination, INBOX as `INBOX.mbox`; levels keep their
/// Unicode spelling; `.`, `..` and empty levels become `_`.
public enum ExportFolderNames {
    /// The Maildir++ directory name of each mailbox (`""` for INBOX), and what had to change.
    public static func maildir(
        _ mailboxes: [(name: String, uidValidity: UInt32)], encodeLevel: (String) -> String
    ) -> MigrationParse<[String: String]> {
        var result: [String: String] = [:]
        var used: Set<String> = [""]
        var problems: [MigrationProblem] = []
        for box in mailboxes {
            if box.name == "INBOX" {
                result[box.name] = ""
                continue
            }
            let levels = box.name.split(separator: "/", omittingEmptySubsequences: false).map { level in
                level.isEmpty ? "_" : String(level).replacingDots()
            }
            var directory = "." + levels.map(encodeLevel).joined(separator: ".")
            if levels.joined(separator: "/") != box.name {
                problems.append(
                    MigrationProblem(
                        line: 0,
                        reason:
                            "mailbox \(ASCII.quoted(box.name)) has a level with \".\" or an empty level, which Maildir++ cannot hold: exported as \(ASCII.quoted(levels.joined(separator: "/")))"
                    ))
            }
            if used.contains(directory.lowercased()) {
                directory += "~\(box.uidValidity)"
                problems.append(
                    MigrationProblem(
                        line: 0,
                        reason: "mailbox \(ASCII.quoted(box.name)) collides with another folder: exported as \(directory)"))
            }
            used.insert(directory.lowercased())
            result[box.name] = directory
        }
        return MigrationParse(value: result, problems: problems)
    }

    /// The stored levels of a subscribed name (for the `subscriptions` file): as for folders.
    public static func subscriptionLevels(_ name: String, encodeLevel: (String) -> String) -> [String] {
        if name == "INBOX" { return ["INBOX"] }
        return name.split(separator: "/", omittingEmptySubsequences: false).map { level in
            encodeLevel(level.isEmpty ? "_" : String(level).replacingDots())
        }
    }

    /// The mbox file of each mailbox, relative to the destination.
    public static func mbox(_ mailboxes: [(name: String, uidValidity: UInt32)]) -> [String: String] {
        var result: [String: String] = [:]
        var used: Set<String> = []
        for box in mailboxes {
            let levels = box.name.split(separator: "/", omittingEmptySubsequences: false).map { level in
                level.isEmpty || level == "." || level == ".." || ASCII.hasControl(level) ? "_" : String(level)
            }
            var path = levels.joined(separator: "/")
            if used.contains(path.lowercased() + ".mbox") { path += "~\(box.uidValidity)" }
            path += ".mbox"
            used.insert(path.lowercased())
            result[box.name] = path
        }
        return result
    }
}

extension String {
    fileprivate func replacingDots() -> String {
        String(map { $0 == "." ? "_" : $0 })
    }
}
