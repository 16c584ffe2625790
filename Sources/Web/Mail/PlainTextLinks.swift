/// Finds the links in plain text mail: `http://`, `https://` and `www.` URLs, and mail
/// addresses (as `mailto:`), so the reading page can make them clickable. Trailing punctuation
/// that usually ends a sentence (`.`, `,`, `)` without an opening one …) is left out of the link.
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
                let token = rest[..<end]
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

    /// The link a word is (its URL, the text shown, punctuation after it), or nil.
    static func link(in word: Substring) -> (String, String, String)? {
        var core = word
        var trailing = ""
        while let last = core.last, ".,;:!?'\")]}".contains(last) {
            if last == ")", core.contains("(") { break }
            trailing.insert(last, at: trailing.startIndex)
            core = core.dropLast()
        }
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
