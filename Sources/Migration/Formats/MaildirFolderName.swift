/// A Maildir++ folder directory name: `.Sent`, `.Lists.posta`, `.Entw&APw-rfe` (Sam Varshavchik,
/// "Maildir++", courier-mta.org/imap/README.maildirquota.html: sub-folders are directories named `.<folder>`
/// in the main Maildir, `.` separating hierarchy levels). Dovecot's `maildir++` layout stores each level in
/// modified UTF-7 (RFC 3501 §5.1.3).
///
/// The modified UTF-7 decoder is passed in (IMAP's `ModifiedUTF7.decode`): this module imports no protocol
/// module.
public struct MaildirFolderName: Sendable, Hashable {
    /// The levels as stored on disk (modified UTF-7).
    public var storedLevels: [String]
    /// The levels as Unicode: the IMAP mailbox name is these joined with the hierarchy separator.
    public var levels: [String]

    /// Parses a directory name of the Maildir root. `nil` (with a problem) for names that are not folders:
    /// no leading `.`, `.` or `..`, an empty level (`.a..b`). A level that is not valid modified UTF-7 but is
    /// valid UTF-8 (written by another tool) is kept as it stands and reported.
    public static func parse(
        _ directoryName: String, decodeModifiedUTF7: (String) -> String?
    ) -> MigrationParse<MaildirFolderName?> {
        guard directoryName.hasPrefix("."), directoryName != ".", directoryName != ".." else {
            return MigrationParse(
                value: nil,
                problems: [MigrationProblem(line: 0, reason: "\(ASCII.quoted(directoryName)) is not a Maildir++ folder name")])
        }
        let stored = directoryName.dropFirst().split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard !stored.contains(where: \.isEmpty), !ASCII.hasControl(directoryName) else {
            return MigrationParse(
                value: nil,
                problems: [
                    MigrationProblem(
                        line: 0, reason: "folder \(ASCII.quoted(directoryName)) has an empty level or control characters: skipped"
                    )
                ])
        }
        var problems: [MigrationProblem] = []
        var levels: [String] = []
        for level in stored {
            let decoded = decodeLevel(level, using: decodeModifiedUTF7)
            problems += decoded.problems
            levels.append(decoded.value)
        }
        return MigrationParse(value: MaildirFolderName(storedLevels: stored, levels: levels), problems: problems)
    }

    /// One stored level as Unicode; a level that is not modified UTF-7 is kept as it stands and reported.
    public static func decodeLevel(_ level: String, using decode: (String) -> String?) -> MigrationParse<String> {
        if let decoded = decode(level) { return MigrationParse(value: decoded, problems: []) }
        return MigrationParse(
            value: level,
            problems: [
                MigrationProblem(line: 0, reason: "folder level \(ASCII.quoted(level)) is not modified UTF-7: kept as written")
            ])
    }
}
