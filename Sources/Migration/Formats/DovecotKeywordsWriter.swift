extension DovecotKeywords {
    /// Letters for a folder's keywords: `a` for the first, `b` for the second, … up to `z`
    /// (`MAILDIR_MAX_KEYWORDS`, 26). Keywords are compared case-insensitively, as IMAP does, and each gets
    /// one letter; keywords that are not IMAP atoms are left out. The keywords past the 26th come back in
    /// `overflow`: a Maildir file name cannot carry them.
    public static func assigning(_ keywords: [String]) -> (keywords: DovecotKeywords, overflow: [String]) {
        var result = DovecotKeywords()
        var overflow: [String] = []
        var seen: Set<String> = []
        for keyword in keywords where IMAPKeyword.isValid(keyword) && seen.insert(keyword.lowercased()).inserted {
            if result.byIndex.count <= maxIndex {
                result.byIndex[result.byIndex.count] = keyword
            } else {
                overflow.append(keyword)
            }
        }
        return (result, overflow)
    }

    /// The letter a keyword has (case-insensitive), or nil.
    public func letter(forKeyword keyword: String) -> Character? {
        let lower = keyword.lowercased()
        guard let index = byIndex.first(where: { $0.value.lowercased() == lower })?.key else { return nil }
        return Character(Unicode.Scalar(UInt8(0x61 + index)))
    }

    /// The file as Dovecot writes it (maildir-keywords.c, `maildir_keywords_write_fd`): one `<index> <keyword>`
    /// line per keyword, by index.
    public func serialized() -> [UInt8] {
        Array(byIndex.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)\n" }.joined().utf8)
    }
}

extension MaildirMessageName {
    /// A file name `<base>:2,<letters>` for IMAP flags: `D` \Draft, `F` \Flagged, `R` \Answered, `S` \Seen,
    /// `T` \Deleted, then the keyword letters `keywords` gives, all in ASCII order (as Dovecot's
    /// `maildir_filename_flags_set` writes them and ``parse(_:)`` reads them back). Keywords without a
    /// letter are left out; `\Recent` and unknown system flags have no letter either.
    public static func fileName(base: String, flags: [String], keywords: DovecotKeywords) -> String {
        var letters: [Character] = []
        for flag in flags {
            switch flag.lowercased() {
            case "\\draft": letters.append("D")
            case "\\flagged": letters.append("F")
            case "\\answered": letters.append("R")
            case "\\seen": letters.append("S")
            case "\\deleted": letters.append("T")
            default:
                if !flag.hasPrefix("\\"), let letter = keywords.letter(forKeyword: flag) { letters.append(letter) }
            }
        }
        return base + ":2," + String(Set(letters).sorted())
    }
}
