/// A Maildir++ root's `subscriptions` file: the mailboxes the user subscribed to (IMAP LSUB/LIST (SUBSCRIBED)).
///
/// Dovecot 2.3 `src/lib-storage/list/subscription-file.c`:
/// - version 2 starts with `V<TAB>2<LF><LF>`; each following line is one mailbox, its hierarchy levels
///   separated by TAB and each level tab-escaped (`str_append_tabescaped`: `\x01` followed by `1`, `t`, `r`, `n`
///   for `\x01`, TAB, CR, LF);
/// - the older version (and Courier's `courierimapsubscribed`) is one full name per line, levels separated by
///   the namespace's hierarchy separator.
///
/// Names are kept as Dovecot stores them: levels in modified UTF-7 (RFC 3501 §5.1.3), which
/// ``MaildirFolderName/decodeLevel(_:using:)`` turns into Unicode.
public struct DovecotSubscriptions: Sendable, Hashable {
    public var version: Int
    /// Each subscribed mailbox as its hierarchy levels, in file order, without duplicates.
    public var mailboxes: [[String]]

    /// Parses the file. `separator` splits the names of a version 1 file (Dovecot wrote them with the
    /// namespace separator; Courier and Maildir++ use `.`).
    public static func parse(_ bytes: [UInt8], separator: Character = ".") -> MigrationParse<DovecotSubscriptions> {
        var log = ProblemLog()
        var lines = TextLines(bytes)
        var result = DovecotSubscriptions(version: 1, mailboxes: [])
        let header = Array("V\t2\n\n".utf8)
        if bytes.starts(with: header) {
            result.version = 2
            _ = lines.next()
            _ = lines.next()
        }
        var seen: Set<[String]> = []
        while let (number, text) = lines.next() {
            guard let text else {
                log.add(number, TextLines.unreadableReason(lines.maxLength))
                continue
            }
            if text.isEmpty { continue }
            var levels: [String]
            if result.version == 2 {
                levels = []
                var broken = false
                for level in text.split(separator: "\t", omittingEmptySubsequences: false) {
                    guard let unescaped = tabUnescape(level) else {
                        broken = true
                        break
                    }
                    levels.append(unescaped)
                }
                if broken {
                    log.add(number, "\(ASCII.quoted(text)) has a broken \\x01 escape: skipped")
                    continue
                }
            } else {
                levels = text.split(separator: separator, omittingEmptySubsequences: false).map(String.init)
            }
            guard !levels.contains(where: \.isEmpty), !levels.contains(where: { ASCII.hasControl($0) }) else {
                log.add(number, "\(ASCII.quoted(text)) has an empty level or control characters: skipped")
                continue
            }
            if levels.count == 1, levels[0].uppercased() == "INBOX" { levels = ["INBOX"] }
            if seen.insert(levels).inserted {
                result.mailboxes.append(levels)
            } else {
                log.add(number, "\(ASCII.quoted(text)) is listed twice: the repeat is ignored")
            }
        }
        return MigrationParse(value: result, problems: log.all)
    }

    /// `str_tabunescape` (src/lib/strescape.c).
    private static func tabUnescape(_ text: Substring) -> String? {
        guard text.contains("\u{01}") else { return String(text) }
        var out = ""
        var iterator = text.unicodeScalars.makeIterator()
        while let scalar = iterator.next() {
            guard scalar == "\u{01}" else {
                out.unicodeScalars.append(scalar)
                continue
            }
            switch iterator.next() {
            case "1"?: out.append("\u{01}")
            case "t"?: out.append("\t")
            case "r"?: out.append("\r")
            case "n"?: out.append("\n")
            default: return nil
            }
        }
        return out
    }
}
