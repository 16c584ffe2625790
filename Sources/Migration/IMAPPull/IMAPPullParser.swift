/// Parses one framed response (its line parts, each but the last ending in a literal announcement, and the
/// literals) into an ``IMAPPullResponse`` (RFC 9051 §7, grammar in §9).
struct IMAPPullParser {
    private let parts: [[UInt8]]
    private let literals: [[UInt8]]
    private var part = 0
    private var offset = 0

    init(text: [[UInt8]], literals: [[UInt8]]) {
        self.parts = text
        self.literals = literals
    }

    mutating func response() throws(IMAPPullError) -> IMAPPullResponse {
        let first = word()
        if first == "+" { return .continuation }
        guard skipSpace() else { throw IMAPPullError("response without content: \(first)") }
        if first != "*" {
            guard !first.isEmpty else { throw IMAPPullError("response without a tag") }
            let status = word().uppercased()
            guard ["OK", "NO", "BAD"].contains(status) else { throw IMAPPullError("tagged response with status \(status)") }
            let (code, text) = codeAndText()
            return .tagged(tag: first, status: status, code: code, text: text)
        }
        let head = word()
        let upper = head.uppercased()
        if ["OK", "NO", "BAD", "PREAUTH", "BYE"].contains(upper) {
            let (code, text) = codeAndText()
            return .untaggedStatus(status: upper, code: code, text: text)
        }
        if upper == "LIST" {
            _ = skipSpace()
            return .list(try listEntry())
        }
        if let number = UInt32(head), skipSpace() {
            let kind = word().uppercased()
            if kind == "FETCH" {
                _ = skipSpace()
                return .fetch(sequence: number, try fetch())
            }
            return .other("\(number) \(kind)")
        }
        return .other(upper)
    }

    // MARK: Responses

    /// `[code] text` of a status response (RFC 9051 §7.1): the code is kept as text, e.g. `UIDVALIDITY 3857529045`.
    private mutating func codeAndText() -> (String?, String) {
        _ = skipSpace()
        let rest = restOfLine()
        guard rest.hasPrefix("["), let close = rest.firstIndex(of: "]") else { return (nil, rest) }
        let code = String(rest[rest.index(after: rest.startIndex)..<close])
        return (code, rest[rest.index(after: close)...].trimmingLeadingSpaces())
    }

    /// `mailbox-list = "(" [mbx-list-flags] ")" SP (DQUOTE QUOTED-CHAR DQUOTE / nil) SP mailbox`.
    private mutating func listEntry() throws(IMAPPullError) -> IMAPPullListEntry {
        guard case .list(let flags) = try value(depth: 0) else { throw IMAPPullError("LIST without attributes") }
        guard skipSpace() else { throw IMAPPullError("LIST without a delimiter") }
        let delimiter: Character?
        switch try value(depth: 0) {
        case .nilValue: delimiter = nil
        case .string(let bytes) where bytes.count == 1: delimiter = Character(Unicode.Scalar(bytes[0]))
        default: throw IMAPPullError("LIST with a bad delimiter")
        }
        guard skipSpace(), let name = try value(depth: 0).text else { throw IMAPPullError("LIST without a name") }
        return IMAPPullListEntry(attributes: flags.compactMap(\.text), delimiter: delimiter, name: name)
    }

    /// `msg-att = "(" (msg-att-dynamic / msg-att-static) *(SP ...) ")"`; items the pull did not ask for are skipped.
    private mutating func fetch() throws(IMAPPullError) -> IMAPPullFetch {
        guard case .list(let items) = try value(depth: 0), items.count % 2 == 0 else {
            throw IMAPPullError("FETCH data is not a list of name and value pairs")
        }
        var fetch = IMAPPullFetch()
        for pair in stride(from: 0, to: items.count, by: 2) {
            guard case .atom(let name) = items[pair] else { throw IMAPPullError("FETCH item without a name") }
            let value = items[pair + 1]
            switch name.uppercased() {
            case "UID":
                guard let uid = value.number, uid > 0, uid <= UInt32.max else { throw IMAPPullError("bad UID in FETCH") }
                fetch.uid = UInt32(uid)
            case "FLAGS":
                guard case .list(let flags) = value else { throw IMAPPullError("FLAGS is not a list") }
                fetch.flags = try flags.map { (flag) throws(IMAPPullError) -> String in
                    guard case .atom(let text) = flag else { throw IMAPPullError("flag is not an atom") }
                    return text
                }
            case "INTERNALDATE":
                guard case .string(let bytes) = value, let date = IMAPPullDate.parse(bytes) else {
                    throw IMAPPullError("bad INTERNALDATE")
                }
                fetch.internalDate = date
            case "RFC822.SIZE":
                guard let size = value.number else { throw IMAPPullError("bad RFC822.SIZE") }
                fetch.size = size
            case "BODY[]":
                switch value {
                case .string(let bytes): fetch.body = bytes
                case .nilValue: fetch.body = nil
                default: throw IMAPPullError("BODY[] is not a string")
                }
            default: continue
            }
        }
        return fetch
    }

    // MARK: Values

    /// One value (RFC 9051 §9: atom, number, quoted, literal, nil, parenthesized list).
    private mutating func value(depth: Int) throws(IMAPPullError) -> IMAPPullValue {
        guard let byte = peek() else {
            if let literal = literalHere() { return .string(literal) }
            throw IMAPPullError("response ends where a value is expected")
        }
        switch byte {
        case UInt8(ascii: "("):
            guard depth < IMAPResponseReader.maxDepth else {
                throw IMAPPullError("parentheses nested deeper than \(IMAPResponseReader.maxDepth)")
            }
            offset += 1
            var values: [IMAPPullValue] = []
            while true {
                guard let next = peek() else {
                    if literalAnnounced() {
                        values.append(try value(depth: depth + 1))
                        continue
                    }
                    throw IMAPPullError("unclosed parenthesis")
                }
                if next == UInt8(ascii: ")") {
                    offset += 1
                    return .list(values)
                }
                if next == UInt8(ascii: " ") {
                    offset += 1
                    continue
                }
                values.append(try value(depth: depth + 1))
            }
        case UInt8(ascii: "\""): return .string(try quoted())
        case UInt8(ascii: "{"):
            if let literal = literalHere() { return .string(literal) }
            throw IMAPPullError("a literal announcement in the middle of a line")
        default:
            let atom = word()
            guard !atom.isEmpty else { throw IMAPPullError("unexpected byte \(byte)") }
            return atom.uppercased() == "NIL" ? .nilValue : .atom(atom)
        }
    }

    /// `quoted = DQUOTE *QUOTED-CHAR DQUOTE`, with `\"` and `\\` escapes.
    private mutating func quoted() throws(IMAPPullError) -> [UInt8] {
        let line = parts[part]
        var out: [UInt8] = []
        var i = offset + 1
        while i < line.count {
            let byte = line[i]
            if byte == UInt8(ascii: "\"") {
                offset = i + 1
                return out
            }
            if byte == UInt8(ascii: "\\") {
                i += 1
                guard i < line.count else { break }
            }
            out.append(line[i])
            i += 1
        }
        throw IMAPPullError("unterminated quoted string")
    }

    /// At `{n}` closing this part: the literal that followed, moving to the next part.
    private mutating func literalHere() -> [UInt8]? {
        guard literalAnnounced() else { return nil }
        let literal = literals[part]
        part += 1
        offset = 0
        return literal
    }

    private func literalAnnounced() -> Bool {
        guard part < literals.count, part + 1 < parts.count else { return false }
        let line = parts[part]
        guard offset < line.count, line[offset] == UInt8(ascii: "{") else { return false }
        return line.last == UInt8(ascii: "}") && !line[offset...].dropFirst().contains(UInt8(ascii: "{"))
    }

    // MARK: Bytes

    private func peek() -> UInt8? {
        let line = parts[part]
        guard offset < line.count else { return nil }
        let byte = line[offset]
        // A literal announcement is not a byte to parse: `value` takes it.
        return byte == UInt8(ascii: "{") && literalAnnounced() ? UInt8(ascii: "{") : byte
    }

    private mutating func skipSpace() -> Bool {
        guard peek() == UInt8(ascii: " ") else { return false }
        offset += 1
        return true
    }

    /// Bytes up to a space, parenthesis, quote or the end: an atom, with `[`, `]` and `\` allowed (`BODY[]`, `\Seen`).
    private mutating func word() -> String {
        let line = parts[part]
        var end = offset
        while end < line.count, ![0x20, 0x28, 0x29, 0x22, 0x7B].contains(line[end]), line[end] >= 0x20 {
            end += 1
        }
        defer { offset = end }
        return String(decoding: line[offset..<end], as: UTF8.self)
    }

    private mutating func restOfLine() -> String {
        let line = parts[part]
        defer { offset = line.count }
        return String(decoding: line[min(offset, line.count)...], as: UTF8.self)
    }
}

extension StringProtocol {
    fileprivate func trimmingLeadingSpaces() -> String { String(drop { $0 == " " }) }
}
