/// Finds the links in plain text mail: `http://`, `https://` and `www.` URLs, and mail
/// addresses (as `mailto:`), so the reading page can make them clickable. Punctuation around a
/// link (an opening bracket or quote before it; `.`, `,`, a `)` without an opening one … after it)
/// is left out of it.
enum PlainTextLinks {
    struct Run: Equatable {
        var text: String
        var link: String?
    }

    static func runs(_ text: String) -> [Run] {
        var runs: [Run] = []
        var plain = ""
        let words = text.split(separator: " ", omittingEmptySubsequences: false)
        for (index, word) in words.enumerated() {
            if index > 0 { plain += " " }
            // Words also end at line breaks and tabs.
            var rest = Substring(word)
            while !rest.isEmpty {
                let end =
                    rest.firstIndex(where: { $0 == "\n" || $0 == "\r" || $0 == "\t" || $0 == "<" || $0 == ">" }) ?? rest.endIndex
                var token = rest[..<end]
                // Opening punctuation before a link (`(https://…)`, `"www…"`) stays text.
                let lead = token.prefix { "([{\"'".contains($0) }
                token = token.dropFirst(lead.count)
                plain += lead
                if let (link, linkText, trailing) = link(in: token) {
                    if !plain.isEmpty { runs.append(Run(text: plain)) }
                    plain = ""
                    runs.append(Run(text: linkText, link: link))
                    plain += trailing
                } else {
                    plain += token
                }
                if end < rest.endIndex {
                    plain.append(rest[end])
                    rest = rest[rest.index(after: end)...]
                } else {
                    rest = rest[end...]
                }
            }
        }
        if !plain.isEmpty { runs.append(Run(text: plain)) }
        return runs
    }

    /// Words longer than this are never links (a URL that long is not one to click), so a hostile
    /// message of one huge word costs one pass.
    static let maxLinkLength = 2048

    /// The link a word is (its URL, the text shown, punctuation after it), or nil. Linear in the
    /// word's length.
    static func link(in word: Substring) -> (String, String, String)? {
        guard word.utf8.count <= maxLinkLength else { return nil }
        // A `)` that closes a `(` of the URL itself (Wikipedia links) stays; one too many goes.
        let opening = word.reduce(0) { $0 + ($1 == "(" ? 1 : 0) }
        var closing = word.reduce(0) { $0 + ($1 == ")" ? 1 : 0) }
        var end = word.endIndex
        while end > word.startIndex {
            let last = word[word.index(before: end)]
            guard ".,;:!?'\")]}".contains(last), !(last == ")" && closing <= opening) else { break }
            if last == ")" { closing -= 1 }
            end = word.index(before: end)
        }
        let core = word[..<end]
        let trailing = String(word[end...])
        let lower = core.lowercased()
        if (lower.hasPrefix("https://") || lower.hasPrefix("http://")) && core.count > 8 {
            return (String(core), String(core), trailing)
        }
        if lower.hasPrefix("www."), core.count > 5, core.dropFirst(4).contains(".") {
            return ("https://" + core, String(core), trailing)
        }
        if lower.hasPrefix("mailto:"), core.count > 8 { return (String(core), String(core.dropFirst(7)), trailing) }
        if let at = core.firstIndex(of: "@"), at > core.startIndex, core[core.index(after: at)...].contains("."),
            core.allSatisfy({ $0.isLetter || $0.isNumber || "@.-_+".contains($0) })
        {
            return ("mailto:" + core, String(core), trailing)
        }
        return nil
    }
}
