/// A forgiving parser of RFC 5322 §3.4 address lists (with the obsolete syntax of §4.4 and UTF-8 of
/// RFC 6532) into envelope addresses. It never fails: whatever cannot be understood is skipped, and
/// `parseCleanly` tells when that happened (a reader with other guesses could see other addresses).
enum AddressListParser {
    private enum Token {
        case atom(ArraySlice<UInt8>)  // atoms, dot-atoms and domain literals
        case quoted([UInt8])
        case comment([UInt8])
        case special(UInt8)  // < > : ; @ ,
    }

    static func parse(_ value: [UInt8]) -> [EnvelopeAddress] {
        var clean = true
        return parse(value, clean: &clean)
    }

    /// The list, or nil when reading it meant skipping or guessing anything: an unterminated quoted string,
    /// comment, domain literal or angle address; a stray `\`, `)`, `]`, `>`, `:` or `;`; words after an
    /// angle address; two words without a dot between them in an addr-spec; more than one `@`; a group
    /// not closed by `;`; a nested group.
    static func parseCleanly(_ value: [UInt8]) -> [EnvelopeAddress]? {
        var clean = true
        let list = parse(value, clean: &clean)
        return clean ? list : nil
    }

    private static func parse(_ value: [UInt8], clean: inout Bool) -> [EnvelopeAddress] {
        let tokens = tokenize(value, clean: &clean)
        var result: [EnvelopeAddress] = []
        var words: [Token] = []
        var comment: [UInt8]?
        var inGroup = false
        var skipping = false  // after an angle-addr, until the next separator
        var index = 0

        func flush() {
            if !skipping, !words.isEmpty, !isCleanAddressSpec(words) { clean = false }
            if !skipping, let address = addressSpec(words, comment: comment) { result.append(address) }
            words = []
            comment = nil
            skipping = false
        }

        while index < tokens.count {
            let token = tokens[index]
            index += 1
            switch token {
            case .special(0x2C):
                flush()
            case .special(0x3B):
                flush()
                if inGroup {
                    result.append(.groupEnd)
                    inGroup = false
                } else {
                    clean = false
                }
            case .special(0x3A) where !inGroup && !skipping:
                // The group name is a phrase too (RFC 5322 §3.4): an `@` in it may be an address to others.
                if words.contains(where: { if case .special = $0 { true } else { false } }) { clean = false }
                result.append(.groupStart(phrase(words) ?? ""))
                inGroup = true
                words = []
                comment = nil
            case .special(0x3C) where !skipping:
                let end = tokens[index...].firstIndex { if case .special(0x3E) = $0 { true } else { false } }
                let inner = tokens[index..<(end ?? tokens.count)]
                index = end.map { $0 + 1 } ?? tokens.count
                // The display name is a phrase (RFC 5322 §3.2.5): no `@`, or a reader may take it for the address.
                if end == nil || words.contains(where: { if case .special = $0 { true } else { false } }) { clean = false }
                var address = angleAddress(Array(inner), clean: &clean)
                address.name = phrase(words)
                result.append(address)
                words = []
                skipping = true
            case .comment(let text):
                comment = text
            default:
                if skipping {
                    clean = false
                } else {
                    if case .special(let byte) = token, byte != 0x40 { clean = false }
                    words.append(token)
                }
            }
        }
        flush()
        if inGroup {
            result.append(.groupEnd)
            clean = false
        }
        return result
    }

    /// The phrase of a display name: words separated by single spaces, quotes removed; nil when empty.
    private static func phrase(_ words: [Token]) -> String? {
        var parts: [String] = []
        for word in words {
            switch word {
            case .atom(let bytes): parts.append(String(utf8OrLatin1: bytes))
            case .quoted(let bytes): parts.append(String(utf8OrLatin1: bytes))
            case .special(let byte): parts.append(String(UnicodeScalar(byte)))
            case .comment: break
            }
        }
        let joined = parts.joined(separator: " ")
        return joined.isEmpty ? nil : joined
    }

    /// `[route] addr-spec` between angle brackets (RFC 5322 §3.4, obs-angle-addr §4.4).
    private static func angleAddress(_ tokens: [Token], clean: inout Bool) -> EnvelopeAddress {
        var tokens = tokens[...]
        var adl: String?
        if case .special(0x40)? = tokens.first,
            let colon = tokens.firstIndex(where: { if case .special(0x3A) = $0 { true } else { false } })
        {
            adl = text(tokens[..<colon], quoting: false)
            tokens = tokens[(colon + 1)...]
        }
        let words = tokens.filter { if case .comment = $0 { false } else { true } }
        if !isCleanAddressSpec(words) { clean = false }
        var address = addressSpec(Array(tokens), comment: nil) ?? EnvelopeAddress(mailbox: "", host: "")
        address.adl = adl
        return address
    }

    /// `local-part "@" domain` (RFC 5322 §3.4.1); a missing domain gives an empty host.
    private static func addressSpec(_ words: [Token], comment: [UInt8]?) -> EnvelopeAddress? {
        guard !words.isEmpty else { return nil }
        let at = words.firstIndex { if case .special(0x40) = $0 { true } else { false } }
        let local = text(words[..<(at ?? words.count)], quoting: true)
        let domain = at.map { text(words[($0 + 1)...], quoting: false) } ?? ""
        let name = comment.map { String(utf8OrLatin1: $0) }.flatMap { $0.isEmpty ? nil : $0 }
        return EnvelopeAddress(name: name, mailbox: local, host: domain)
    }

    /// `local-part "@" domain` with at most one `@`, no other special, and a dot between any two words
    /// (RFC 5322 §3.4.1, obs-local-part and obs-domain of §4.4); comments are ignored.
    private static func isCleanAddressSpec(_ tokens: some Collection<Token>) -> Bool {
        var ats = 0
        var previous: ArraySlice<UInt8>?  // the previous word (a quoted string counts as no dot), nil after `@`
        for token in tokens {
            let word: ArraySlice<UInt8>
            switch token {
            case .comment: continue
            case .special(0x40):
                ats += 1
                previous = nil
                continue
            case .special: return false
            case .atom(let bytes): word = bytes
            case .quoted: word = [0x22]
            }
            if let before = previous, before.last != 0x2E, word.first != 0x2E { return false }
            previous = word
        }
        return ats <= 1
    }

    /// Tokens joined without spaces; quoted strings re-quoted when they are not dot-atoms.
    private static func text(_ tokens: ArraySlice<Token>, quoting: Bool) -> String {
        var bytes: [UInt8] = []
        for token in tokens {
            switch token {
            case .atom(let atom): bytes += atom
            case .special(let byte): bytes.append(byte)
            case .comment: break
            case .quoted(let content):
                if !quoting || isDotAtom(content) {
                    bytes += content
                } else {
                    bytes.append(ASCII.quote)
                    for byte in content {
                        if byte == ASCII.quote || byte == ASCII.backslash { bytes.append(ASCII.backslash) }
                        bytes.append(byte)
                    }
                    bytes.append(ASCII.quote)
                }
            }
        }
        return String(utf8OrLatin1: bytes)
    }

    /// RFC 5322 §3.2.3 dot-atom-text (UTF-8 allowed, RFC 6532).
    private static func isDotAtom(_ bytes: [UInt8]) -> Bool {
        guard let first = bytes.first, let last = bytes.last, first != 0x2E, last != 0x2E else { return false }
        var previousDot = false
        for byte in bytes {
            if byte == 0x2E {
                if previousDot { return false }
                previousDot = true
                continue
            }
            previousDot = false
            if byte <= 0x20 || byte == 0x7F || isSpecial(byte) { return false }
        }
        return true
    }

    /// RFC 5322 §3.2.3 specials, except `.`, which atoms here may contain (obs-phrase, dot-atom).
    private static func isSpecial(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x28, 0x29, 0x3C, 0x3E, 0x5B, 0x5D, 0x3A, 0x3B, 0x40, 0x5C, 0x2C, 0x22: true
        default: false
        }
    }

    private static func tokenize(_ value: [UInt8], clean: inout Bool) -> [Token] {
        var tokens: [Token] = []
        var index = 0
        while index < value.count {
            let byte = value[index]
            if ASCII.isWhitespace(byte) {
                index += 1
            } else if byte == ASCII.quote {
                let (content, next, closed) = delimited(value, from: index + 1, close: ASCII.quote, nests: false)
                tokens.append(.quoted(content))
                index = next
                if !closed { clean = false }
            } else if byte == 0x28 {
                let (content, next, closed) = delimited(value, from: index + 1, close: 0x29, nests: true)
                tokens.append(.comment(content))
                index = next
                if !closed { clean = false }
            } else if byte == 0x5B {
                let start = index
                while index < value.count, value[index] != 0x5D { index += 1 }
                if index == value.count { clean = false }
                index = min(index + 1, value.count)
                tokens.append(.atom(value[start..<index]))
            } else if isSpecial(byte) {
                if byte != 0x5C && byte != 0x29 && byte != 0x5D { tokens.append(.special(byte)) } else { clean = false }
                index += 1
            } else {
                let start = index
                while index < value.count, !ASCII.isWhitespace(value[index]), !isSpecial(value[index]) {
                    index += 1
                }
                tokens.append(.atom(value[start..<index]))
            }
        }
        return tokens
    }

    /// Content up to `close` with quoted-pairs resolved (nested parentheses for comments), and the index
    /// after it, and whether `close` came; an unterminated run ends at the end of the value.
    private static func delimited(_ value: [UInt8], from start: Int, close: UInt8, nests: Bool)
        -> (content: [UInt8], next: Int, closed: Bool)
    {
        var content: [UInt8] = []
        var depth = 0
        var index = start
        while index < value.count {
            let byte = value[index]
            index += 1
            if byte == ASCII.backslash, index < value.count {
                content.append(value[index])
                index += 1
                continue
            }
            if nests && byte == 0x28 { depth += 1 }
            if byte == close {
                if depth == 0 { return (content, index, true) }
                depth -= 1
            }
            content.append(byte)
        }
        return (content, index, false)
    }
}
