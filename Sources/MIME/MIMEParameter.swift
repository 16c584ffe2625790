/// A MIME parameter (RFC 2045 §5.1) after RFC 2231 continuations and charset/language decoding.
public struct MIMEParameter: Sendable, Hashable {
    /// The attribute name in lowercase, without RFC 2231 `*N` / `*` suffixes.
    public var name: String
    /// The value: unquoted, continuations joined, `%XX` and the charset decoded.
    public var value: String
    /// The RFC 2231 §5 language tag, if one was given.
    public var language: String?

    public init(name: String, value: String, language: String? = nil) {
        self.name = name
        self.value = value
        self.language = language
    }
}

extension [MIMEParameter] {
    /// The value of the first parameter with this name (case-insensitive).
    public func value(of name: some StringProtocol) -> String? {
        first { ASCII.equalsIgnoringCase($0.name, name) }?.value
    }
}

/// Parsing of `*(";" parameter)` lists (RFC 2045 §5.1) with RFC 2231 extensions.
enum MIMEParameterList {
    /// One `attribute=value` as written.
    private struct Raw {
        var base: String
        var section: Int?
        var extended: Bool
        var value: [UInt8]
    }

    /// Parses parameters from the tokenizer's position to the end.
    static func parse(_ tokenizer: inout MIMETokenizer) -> [MIMEParameter] {
        combine(raws(&tokenizer))
    }

    /// Every value a reader could take for parameter `base` (lowercase) of a field value whose leading
    /// `type` or `type/subtype` is skipped: each plain occurrence, the RFC 2231 value (continuations
    /// joined and decoded) and each of its sections and section prefixes (for readers that stop early or
    /// know only some of RFC 2231), and what a loose search for `base=` anywhere in the value finds (for
    /// readers that do not tokenize). Not decoded for RFC 2047.
    static func candidates(named base: String, in value: [UInt8], hasSubtype: Bool) -> [String] {
        var tokenizer = MIMETokenizer(value)
        _ = tokenizer.token()
        if hasSubtype, tokenizer.consume(0x2F) { _ = tokenizer.token() }
        let group = raws(&tokenizer).filter { $0.base == base }
        var result = group.filter { $0.section == nil && !$0.extended }.map { String(utf8OrLatin1: $0.value) }
        let modern = group.filter { $0.section != nil || $0.extended }
        if !modern.isEmpty {
            let sections = modern.map { $0.section ?? 0 }.sorted()
            for last in sections { result.append(decodeExtended(base: base, modern.filter { ($0.section ?? 0) <= last }).value) }
            for raw in modern { result.append(String(utf8OrLatin1: raw.extended ? percentDecoded(raw.value[...]) : raw.value)) }
        }
        return result + looseValues(named: base, in: value)
    }

    /// Values after `base[*…]=` anywhere in the bytes (case-insensitive), quoted or up to `;` or `"`, also with
    /// an RFC 2231 `charset'language'` prefix removed and `%XX` decoded.
    private static func looseValues(named base: String, in value: [UInt8]) -> [String] {
        let needle = Array(base.utf8)
        var result: [String] = []
        var index = 0
        while index + needle.count <= value.count {
            defer { index += 1 }
            guard (0..<needle.count).allSatisfy({ ASCII.lowercased(value[index + $0]) == needle[$0] }) else { continue }
            var cursor = index + needle.count
            while cursor < value.count, value[cursor] == 0x2A || (0x30...0x39).contains(value[cursor]) { cursor += 1 }
            while cursor < value.count, ASCII.isWhitespace(value[cursor]) { cursor += 1 }
            guard cursor < value.count, value[cursor] == ASCII.equals else { continue }
            cursor += 1
            while cursor < value.count, ASCII.isWhitespace(value[cursor]) { cursor += 1 }
            var end = cursor
            if cursor < value.count, value[cursor] == ASCII.quote {
                cursor += 1
                end = cursor
                while end < value.count, value[end] != ASCII.quote { end += 1 }
            } else {
                while end < value.count, value[end] != ASCII.semicolon, value[end] != ASCII.quote { end += 1 }
                while end > cursor, ASCII.isWhitespace(value[end - 1]) { end -= 1 }
            }
            let found = value[cursor..<end]
            result.append(String(utf8OrLatin1: found))
            let parts = found.split(separator: 0x27, maxSplits: 2, omittingEmptySubsequences: false)
            result.append(String(utf8OrLatin1: percentDecoded(parts.count == 3 ? parts[2] : found)))
        }
        return result
    }

    private static func raws(_ tokenizer: inout MIMETokenizer) -> [Raw] {
        var raws: [Raw] = []
        while !tokenizer.atEnd {
            _ = tokenizer.consume(ASCII.semicolon)  // tolerated when missing
            guard let attribute = tokenizer.token(), tokenizer.consume(ASCII.equals) else {
                tokenizer.skipToSemicolon()
                continue
            }
            let (value, quoted) = tokenizer.parameterValue()
            raws.append(raw(attribute: attribute, value: value, quoted: quoted))
        }
        return raws
    }

    /// Splits `name*2*` into base `name`, section 2, extended (RFC 2231 §3, §4).
    private static func raw(attribute: ArraySlice<UInt8>, value: [UInt8], quoted: Bool) -> Raw {
        let name = ASCII.lowercasedString(attribute)
        var parts = name.split(separator: "*", omittingEmptySubsequences: false)
        guard parts.count > 1 else { return Raw(base: name, section: nil, extended: false, value: value) }
        var extended = false
        if parts.last == "" {
            extended = !quoted
            parts.removeLast()
        }
        var section: Int?
        if parts.count == 2, let number = Int(parts[1]), number >= 0 {
            section = number
            parts.removeLast()
        }
        guard parts.count == 1 else { return Raw(base: name, section: nil, extended: false, value: value) }
        return Raw(base: String(parts[0]), section: section, extended: extended, value: value)
    }

    /// Joins continuations in section order and decodes `charset'language'%XX` (RFC 2231 §3, §4, §4.1).
    /// An RFC 2231 form wins over a plain parameter with the same name; order of first appearance is kept.
    private static func combine(_ raws: [Raw]) -> [MIMEParameter] {
        var order: [String] = []
        var groups: [String: [Raw]] = [:]
        for raw in raws {
            if groups[raw.base] == nil { order.append(raw.base) }
            groups[raw.base, default: []].append(raw)
        }
        return order.compactMap { base in
            guard let group = groups[base] else { return nil }
            let modern = group.filter { $0.section != nil || $0.extended }
            guard !modern.isEmpty else {
                return MIMEParameter(name: base, value: String(utf8OrLatin1: group[0].value))
            }
            return decodeExtended(base: base, modern)
        }
    }

    private static func decodeExtended(base: String, _ raws: [Raw]) -> MIMEParameter {
        var sections: [Int: Raw] = [:]
        for raw in raws where sections[raw.section ?? 0] == nil { sections[raw.section ?? 0] = raw }
        var charset: String?
        var language: String?
        var bytes: [UInt8] = []
        var number = 0
        // Sections must be consecutive from 0 (RFC 2231 §3); stop at the first gap.
        while let raw = sections[number] {
            var value = raw.value[...]
            if number == 0 && raw.extended {
                let parts = value.split(separator: 0x27, maxSplits: 2, omittingEmptySubsequences: false)
                if parts.count == 3 {
                    charset = String(decoding: parts[0], as: UTF8.self)
                    language = parts[1].isEmpty ? nil : String(decoding: parts[1], as: UTF8.self)
                    value = parts[2]
                }
            }
            bytes += raw.extended ? percentDecoded(value) : Array(value)
            number += 1
        }
        let string = charset.map { Charset.decode(bytes, charset: $0) } ?? String(utf8OrLatin1: bytes)
        return MIMEParameter(name: base, value: string, language: language)
    }

    private static func percentDecoded(_ value: ArraySlice<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(value.count)
        var index = value.startIndex
        while index < value.endIndex {
            let byte = value[index]
            if byte == 0x25, index + 2 < value.endIndex, let high = ASCII.hexValue(value[index + 1]),
                let low = ASCII.hexValue(value[index + 2])
            {
                out.append(high << 4 | low)
                index += 3
            } else {
                out.append(byte)
                index += 1
            }
        }
        return out
    }
}
