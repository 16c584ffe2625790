/// A Maildir message file name: `<base>[:2,<flags>]`, the base possibly carrying `,S=<size>` and
/// `,W=<virtual size>` fields.
///
/// - Flags (D. J. Bernstein, "Using maildir format", cr.yp.to/proto/maildir.html, "info starting with 2,"):
///   `P` passed, `R` replied, `S` seen, `T` trashed, `D` draft, `F` flagged, in ASCII order.
/// - Lowercase letters `a`…`z` are Dovecot keywords, indexes into `dovecot-keywords`
///   (maildir-filename-flags.c; maildir-storage.h `MAILDIR_KEYWORD_FIRST`).
/// - `,S=` and `,W=` are Maildir++ / Dovecot size fields (maildir-storage.h `MAILDIR_EXTRA_FILE_SIZE`,
///   `MAILDIR_EXTRA_VIRTUAL_SIZE`).
///
/// As in Dovecot (`maildir_filename_flags_get`), the info is what follows the last `:`, flags stop at a
/// further `,`, and `P` is not an IMAP flag: it is reported as ``passed`` and not mapped to `$Forwarded`,
/// since Dovecot's IMAP clients never saw it as one.
public struct MaildirMessageName: Sendable, Hashable {
    /// The name without `:2,<flags>` (what `dovecot-uidlist` version 3 lists).
    public var base: String
    /// IMAP system flags, in the order `\Answered \Deleted \Draft \Flagged \Seen` as present.
    public var systemFlags: [String]
    /// Keyword letters `a`…`z` found, in file-name order.
    public var keywordLetters: [Character]
    /// `P` (passed/forwarded).
    public var passed: Bool
    /// `,S=` in the base: the file's size in bytes.
    public var size: Int64?
    /// `,W=` in the base: the size with CRLF line ends (what IMAP RFC822.SIZE reports).
    public var virtualSize: Int64?

    /// The base name of a file name: everything before the last `:`, or all of it.
    public static func baseName(of name: String) -> String {
        guard let colon = name.lastIndex(of: ":") else { return name }
        return String(name[..<colon])
    }

    /// Parses a file name. Unknown flag letters and a non-`2` info are reported; the name is still usable.
    public static func parse(_ name: String) -> MigrationParse<MaildirMessageName> {
        var problems: [MigrationProblem] = []
        var result = MaildirMessageName(
            base: baseName(of: name), systemFlags: [], keywordLetters: [], passed: false, size: nil, virtualSize: nil)
        // ,S=<size> and ,W=<vsize> fields after the first "," of the base.
        for field in result.base.split(separator: ",").dropFirst() {
            if field.hasPrefix("S=") {
                if let size = ASCII.int64(field.dropFirst(2)) {
                    result.size = size
                } else {
                    problems.append(
                        MigrationProblem(line: 0, reason: "size field \(ASCII.quoted(field)) is not a number: ignored"))
                }
            } else if field.hasPrefix("W=") {
                if let size = ASCII.int64(field.dropFirst(2)) {
                    result.virtualSize = size
                } else {
                    problems.append(
                        MigrationProblem(line: 0, reason: "virtual size field \(ASCII.quoted(field)) is not a number: ignored"))
                }
            }
        }
        guard let colon = name.lastIndex(of: ":") else { return MigrationParse(value: result, problems: problems) }
        let info = name[name.index(after: colon)...]
        guard info.hasPrefix("2,") else {
            problems.append(MigrationProblem(line: 0, reason: "info \(ASCII.quoted(info)) is not \"2,<flags>\": flags ignored"))
            return MigrationParse(value: result, problems: problems)
        }
        var system: Set<String> = []
        for letter in info.dropFirst(2).prefix(while: { $0 != "," }) {
            switch letter {
            case "P": result.passed = true
            case "R": system.insert("\\Answered")
            case "S": system.insert("\\Seen")
            case "T": system.insert("\\Deleted")
            case "D": system.insert("\\Draft")
            case "F": system.insert("\\Flagged")
            case "a"..."z":
                if !result.keywordLetters.contains(letter) { result.keywordLetters.append(letter) }
            default:
                problems.append(MigrationProblem(line: 0, reason: "unknown flag letter \(ASCII.quoted(String(letter))): ignored"))
            }
        }
        result.systemFlags = ["\\Answered", "\\Deleted", "\\Draft", "\\Flagged", "\\Seen"].filter { system.contains($0) }
        return MigrationParse(value: result, problems: problems)
    }

    /// The IMAP flags of this name: system flags, then the keywords its letters stand for. Letters that
    /// `dovecot-keywords` does not define are reported (Dovecot ignores them too).
    public func flags(keywords: DovecotKeywords) -> MigrationParse<[String]> {
        var flags = systemFlags
        var problems: [MigrationProblem] = []
        for letter in keywordLetters {
            if let keyword = keywords.keyword(forLetter: letter) {
                if !flags.contains(keyword) { flags.append(keyword) }
            } else {
                problems.append(
                    MigrationProblem(line: 0, reason: "keyword letter \(letter) is not in dovecot-keywords: ignored"))
            }
        }
        return MigrationParse(value: flags, problems: problems)
    }
}
