/// A Maildir's `dovecot-keywords`: which keyword each lowercase flag letter of the file names stands for.
///
/// Dovecot 2.3, `src/lib-storage/index/maildir/maildir-keywords.c`: one `<index> <keyword>` line per keyword;
/// index 0 is the letter `a`, up to 25 for `z` (`MAILDIR_MAX_KEYWORDS`, maildir-storage.h).
public struct DovecotKeywords: Sendable, Hashable {
    /// Keyword by index (0 = `a`).
    public var byIndex: [Int: String]

    public init(byIndex: [Int: String] = [:]) { self.byIndex = byIndex }

    /// The keyword a flag letter `a`…`z` stands for.
    public func keyword(forLetter letter: Character) -> String? {
        guard let value = letter.asciiValue, value >= 0x61, value <= 0x7A else { return nil }
        return byIndex[Int(value - 0x61)]
    }

    /// The highest index a file name can use: `z`.
    public static let maxIndex = 25

    public static func parse(_ bytes: [UInt8]) -> MigrationParse<DovecotKeywords> {
        var log = ProblemLog()
        var lines = TextLines(bytes)
        var result = DovecotKeywords()
        var seen: [String: Int] = [:]
        while let (number, text) = lines.next() {
            guard let text else {
                log.add(number, TextLines.unreadableReason(lines.maxLength))
                continue
            }
            if text.isEmpty { continue }
            let digits = text.prefix { $0.isASCII && $0.isNumber }
            let keyword = text[digits.endIndex...].dropFirst()
            guard !digits.isEmpty, text[digits.endIndex...].first == " ", let index = Int(digits.prefix(3)),
                digits.count <= 3
            else {
                log.add(number, "line \(ASCII.quoted(text)) is not `<index> <keyword>`: skipped")
                continue
            }
            guard index <= maxIndex else {
                log.add(number, "index \(index) is above 25 (no flag letter after z): skipped")
                continue
            }
            guard IMAPKeyword.isValid(keyword) else {
                log.add(number, "\(ASCII.quoted(keyword)) is not a valid IMAP keyword: skipped")
                continue
            }
            if let existing = result.byIndex[index] {
                log.add(number, "index \(index) already stands for \(ASCII.quoted(existing)): skipped")
                continue
            }
            if let other = seen[keyword.lowercased()] {
                log.add(number, "keyword \(ASCII.quoted(keyword)) already has index \(other): both letters kept")
            }
            seen[keyword.lowercased()] = index
            result.byIndex[index] = String(keyword)
        }
        return MigrationParse(value: result, problems: log.all)
    }
}

/// IMAP keywords (RFC 9051 §9 `flag-keyword = "$MDNSent" / "$Forwarded" / ... / atom`).
public enum IMAPKeyword {
    /// Whether a keyword is an IMAP atom: 1 to 255 printable ASCII characters without
    /// `(` `)` `{` SP `%` `*` `"` `\` `]` (RFC 9051 §9 `atom-specials`), so that it is not a system flag either.
    public static func isValid(_ keyword: some StringProtocol) -> Bool {
        let bytes = Array(keyword.utf8)
        guard !bytes.isEmpty, bytes.count <= 255 else { return false }
        let specials: Set<UInt8> = Set("(){ %*\"\\]".utf8)
        return bytes.allSatisfy { $0 > 0x20 && $0 < 0x7F && !specials.contains($0) }
    }
}
