import MIME

/// A Python literal value, as Mailman 2.1's `config_list -o` writes one (`repr()` of the setting,
/// or a triple-quoted string for text with line ends).
public indirect enum PythonValue: Sendable, Hashable, CustomStringConvertible {
    case int(Int)
    case float(Double)
    case string(String)
    case bool(Bool)
    case none
    case list([PythonValue])
    case tuple([PythonValue])
    case dict([PythonDictEntry])

    /// The value written as Python would, cut after 200 characters (for warnings).
    public var description: String {
        let text = rendered
        return text.count > 200 ? String(text.prefix(200)) + "…" : text
    }

    private var rendered: String {
        switch self {
        case .int(let value): "\(value)"
        case .float(let value): "\(value)"
        case .string(let value): "'" + value.replacingBackslashes() + "'"
        case .bool(let value): value ? "True" : "False"
        case .none: "None"
        case .list(let items): "[" + items.map(\.rendered).joined(separator: ", ") + "]"
        case .tuple(let items): "(" + items.map(\.rendered).joined(separator: ", ") + (items.count == 1 ? ",)" : ")")
        case .dict(let entries): "{" + entries.map { "\($0.key.rendered): \($0.value.rendered)" }.joined(separator: ", ") + "}"
        }
    }

    /// An int, or a bool as Python counts it (True is 1).
    public var intValue: Int? {
        switch self {
        case .int(let value): value
        case .bool(let value): value ? 1 : 0
        case .float(let value) where value.isFinite && abs(value) < 1e15: Int(value)
        default: nil
        }
    }

    /// Python's truth value of a number or bool; nil for other kinds.
    public var boolValue: Bool? { intValue.map { $0 != 0 } }

    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// The strings of a list or tuple of strings.
    public var stringList: [String]? {
        switch self {
        case .list(let items), .tuple(let items):
            items.compactMap(\.stringValue).count == items.count ? items.compactMap(\.stringValue) : nil
        default: nil
        }
    }
}

public struct PythonDictEntry: Sendable, Hashable {
    public var key: PythonValue
    public var value: PythonValue
}

/// A file of `name = literal` assignments (Mailman 2.1's `config_list -o -` output), read by a
/// small recursive-descent parser of Python literals: ints, floats, strings (`'…'`, `"…"`,
/// `'''…'''`, `"""…"""`, with `u`/`r`/`b` prefixes and the usual escapes), `True`, `False`,
/// `None`, lists, tuples and dicts; `#` comments and blank lines between statements. Nothing is
/// evaluated. The input is treated as hostile: its length, nesting, string sizes and element
/// count are bounded (`Limits`) and every error names the line.
///
/// Strings of a Python 2 dump are bytes in the list's charset: `\xNN` escapes and raw octets are
/// collected as bytes and read as UTF-8 when valid, else in the file's `coding:` charset
/// (ISO-8859-1 without one).
public struct PythonAssignments: Sendable {
    public struct Limits: Sendable {
        public var maxLength = 4 << 20
        public var maxDepth = 32
        public var maxStringLength = 1 << 20
        public var maxElements = 200_000

        public init() {}
    }

    /// The assignments in file order (a name assigned twice appears twice).
    public var assignments: [(name: String, value: PythonValue)] = []

    /// Parses `bytes`; throws `MailmanImportError` with the line of the first problem.
    public static func parse(_ bytes: [UInt8], limits: Limits = Limits()) throws -> PythonAssignments {
        guard bytes.count <= limits.maxLength else {
            throw MailmanImportError("configuration larger than \(limits.maxLength) octets")
        }
        var parser = Parser(bytes: bytes, limits: limits)
        return PythonAssignments(assignments: try parser.file())
    }

    private struct Parser {
        let bytes: [UInt8]
        let limits: Limits
        var index = 0
        var line = 1
        var elements = 0
        var charset = "iso-8859-1"

        init(bytes: [UInt8], limits: Limits) {
            self.bytes = bytes
            self.limits = limits
            charset = Self.coding(bytes) ?? "iso-8859-1"
        }

        /// PEP 263: `coding[:=] NAME` in a comment on one of the first two lines.
        static func coding(_ bytes: [UInt8]) -> String? {
            let head = bytes.prefix(400).split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).prefix(2)
            for line in head {
                let text = String(decoding: line, as: UTF8.self)
                guard text.hasPrefix("#"), let range = text.range(of: "coding") else { continue }
                var rest = text[range.upperBound...]
                guard let first = rest.first, first == ":" || first == "=" else { continue }
                rest = rest.dropFirst().drop(while: { $0 == " " })
                let name = rest.prefix(while: { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." })
                if !name.isEmpty { return String(name).lowercased() }
            }
            return nil
        }

        func fail(_ message: String) -> MailmanImportError { MailmanImportError("line \(line): \(message)") }

        var current: UInt8? { index < bytes.count ? bytes[index] : nil }

        mutating func advance() {
            if bytes[index] == UInt8(ascii: "\n") { line += 1 }
            index += 1
        }

        /// Spaces and tabs; inside brackets also line ends and comments.
        mutating func skipSpace(newlines: Bool) {
            while let byte = current {
                if byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\r") || byte == 0x0C {
                    advance()
                } else if byte == UInt8(ascii: "\\"), index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "\n") {
                    advance()
                    advance()
                } else if newlines && byte == UInt8(ascii: "\n") {
                    advance()
                } else if newlines && byte == UInt8(ascii: "#") {
                    skipComment()
                } else {
                    return
                }
            }
        }

        mutating func skipComment() {
            while let byte = current, byte != UInt8(ascii: "\n") { advance() }
        }

        mutating func file() throws -> [(name: String, value: PythonValue)] {
            var out: [(name: String, value: PythonValue)] = []
            while true {
                skipSpace(newlines: true)
                guard current != nil else { return out }
                let name = try identifier()
                skipSpace(newlines: false)
                guard current == UInt8(ascii: "=") else { throw fail("expected '=' after \(name)") }
                advance()
                skipSpace(newlines: false)
                let value = try self.value(depth: 0)
                skipSpace(newlines: false)
                if current == UInt8(ascii: "#") { skipComment() }
                guard current == nil || current == UInt8(ascii: "\n") else {
                    throw fail("unexpected text after the value of \(name)")
                }
                out.append((name, value))
            }
        }

        static func isIdentifierStart(_ byte: UInt8) -> Bool {
            (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || byte == UInt8(ascii: "_")
        }

        mutating func identifier() throws -> String {
            let start = index
            guard let first = current, Self.isIdentifierStart(first) else { throw fail("expected a setting name") }
            while let byte = current, Self.isIdentifierStart(byte) || (byte >= 0x30 && byte <= 0x39) {
                advance()
                guard index - start <= 100 else { throw fail("name longer than 100 characters") }
            }
            return String(decoding: bytes[start..<index], as: UTF8.self)
        }

        mutating func count() throws {
            elements += 1
            guard elements <= limits.maxElements else { throw fail("more than \(limits.maxElements) values") }
        }

        mutating func value(depth: Int) throws -> PythonValue {
            guard depth < limits.maxDepth else { throw fail("values nested deeper than \(limits.maxDepth)") }
            try count()
            guard let byte = current else { throw fail("a value is missing at the end") }
            switch byte {
            case UInt8(ascii: "["):
                return .list(try sequence(close: UInt8(ascii: "]"), depth: depth))
            case UInt8(ascii: "("):
                return .tuple(try sequence(close: UInt8(ascii: ")"), depth: depth))
            case UInt8(ascii: "{"):
                return .dict(try dictionary(depth: depth))
            case UInt8(ascii: "'"), UInt8(ascii: "\""):
                return .string(try strings(prefix: []))
            case UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "."), 0x30...0x39:
                return try number()
            default:
                guard Self.isIdentifierStart(byte) else {
                    throw fail("unexpected character '\(Character(Unicode.Scalar(byte)))'")
                }
                let start = index
                let word = try identifier()
                if let quote = current, quote == UInt8(ascii: "'") || quote == UInt8(ascii: "\""),
                    word.count <= 2, word.lowercased().allSatisfy({ "urb".contains($0) })
                {
                    return .string(try strings(prefix: Array(word.lowercased())))
                }
                switch word {
                case "True": return .bool(true)
                case "False": return .bool(false)
                case "None": return .none
                default:
                    index = start
                    throw fail("'\(word)' is not a literal (only literals are read, nothing is evaluated)")
                }
            }
        }

        mutating func sequence(close: UInt8, depth: Int) throws -> [PythonValue] {
            advance()
            var items: [PythonValue] = []
            while true {
                skipSpace(newlines: true)
                guard let byte = current else {
                    throw fail(
                        "unterminated \(close == UInt8(ascii: "]") ? "list" : "tuple"): '\(Character(Unicode.Scalar(close)))' missing"
                    )
                }
                if byte == close {
                    advance()
                    return items
                }
                items.append(try value(depth: depth + 1))
                skipSpace(newlines: true)
                if current == nil {
                    throw fail(
                        "unterminated \(close == UInt8(ascii: "]") ? "list" : "tuple"): '\(Character(Unicode.Scalar(close)))' missing"
                    )
                } else if current == UInt8(ascii: ",") {
                    advance()
                } else if current != close {
                    throw fail("expected ',' or '\(Character(Unicode.Scalar(close)))'")
                }
            }
        }

        mutating func dictionary(depth: Int) throws -> [PythonDictEntry] {
            advance()
            var entries: [PythonDictEntry] = []
            while true {
                skipSpace(newlines: true)
                guard let byte = current else { throw fail("unterminated dict: '}' missing") }
                if byte == UInt8(ascii: "}") {
                    advance()
                    return entries
                }
                let key = try value(depth: depth + 1)
                skipSpace(newlines: true)
                guard current == UInt8(ascii: ":") else { throw fail("expected ':' in a dict") }
                advance()
                skipSpace(newlines: true)
                entries.append(PythonDictEntry(key: key, value: try value(depth: depth + 1)))
                skipSpace(newlines: true)
                if current == nil {
                    throw fail("unterminated dict: '}' missing")
                } else if current == UInt8(ascii: ",") {
                    advance()
                } else if current != UInt8(ascii: "}") {
                    throw fail("expected ',' or '}'")
                }
            }
        }

        mutating func number() throws -> PythonValue {
            let start = index
            if current == UInt8(ascii: "-") || current == UInt8(ascii: "+") { advance() }
            while let byte = current,
                (byte >= 0x30 && byte <= 0x39) || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "e")
                    || byte == UInt8(ascii: "E") || byte == UInt8(ascii: "x") || byte == UInt8(ascii: "X")
                    || (byte >= 0x61 && byte <= 0x66) || (byte >= 0x41 && byte <= 0x46)
                    || ((byte == UInt8(ascii: "-") || byte == UInt8(ascii: "+"))
                        && (bytes[index - 1] == UInt8(ascii: "e") || bytes[index - 1] == UInt8(ascii: "E")))
            {
                advance()
                guard index - start <= 64 else { throw fail("number longer than 64 characters") }
            }
            var text = String(decoding: bytes[start..<index], as: UTF8.self)
            // Python 2 longs: 7L.
            if current == UInt8(ascii: "L") || current == UInt8(ascii: "l") { advance() }
            var sign = 1
            if text.hasPrefix("-") || text.hasPrefix("+") {
                if text.hasPrefix("-") { sign = -1 }
                text.removeFirst()
            }
            let lower = text.lowercased()
            if lower.hasPrefix("0x"), let value = Int(lower.dropFirst(2), radix: 16) { return .int(sign * value) }
            if let value = Int(text) { return .int(sign * value) }
            let isFloat = !lower.hasPrefix("0x") && (lower.contains(".") || lower.contains("e"))
            if isFloat, let value = Double(text), value.isFinite { return .float(Double(sign) * value) }
            throw fail("not a number: \(text.prefix(64))")
        }

        /// One string literal, or several adjacent ones (Python joins `'a' 'b'`).
        mutating func strings(prefix: [Character]) throws -> String {
            var out = try string(prefix: prefix)
            while true {
                let save = (index, line)
                skipSpace(newlines: false)
                guard let byte = current, byte == UInt8(ascii: "'") || byte == UInt8(ascii: "\"") else {
                    (index, line) = save
                    return out
                }
                out += try string(prefix: prefix)
                guard out.utf8.count <= limits.maxStringLength else {
                    throw fail("string longer than \(limits.maxStringLength) octets")
                }
            }
        }

        mutating func string(prefix: [Character]) throws -> String {
            let raw = prefix.contains("r")
            let unicode = prefix.contains("u")
            let quote = bytes[index]
            let startLine = line
            let triple = index + 2 < bytes.count && bytes[index + 1] == quote && bytes[index + 2] == quote
            for _ in 0..<(triple ? 3 : 1) { advance() }
            var out: [UInt8] = []
            while true {
                guard let byte = current else {
                    throw MailmanImportError("line \(startLine): unterminated string")
                }
                guard out.count <= limits.maxStringLength else {
                    throw fail("string longer than \(limits.maxStringLength) octets")
                }
                if byte == quote {
                    if !triple {
                        advance()
                        break
                    }
                    if index + 2 < bytes.count && bytes[index + 1] == quote && bytes[index + 2] == quote {
                        for _ in 0..<3 { advance() }
                        break
                    }
                } else if byte == UInt8(ascii: "\n") && !triple {
                    throw MailmanImportError("line \(startLine): unterminated string")
                }
                if byte == UInt8(ascii: "\\") && index + 1 < bytes.count {
                    if raw {
                        // A raw string keeps the backslash and the character after it.
                        out.append(byte)
                        advance()
                        out.append(bytes[index])
                        advance()
                        continue
                    }
                    advance()
                    try escape(into: &out, unicode: unicode)
                    continue
                }
                out.append(byte)
                advance()
            }
            if let text = String(validating: out, as: UTF8.self) { return text }
            return Charset.decode(out, charset: charset)
        }

        /// The escape after a backslash (Python's table); an unknown one keeps its backslash.
        mutating func escape(into out: inout [UInt8], unicode: Bool) throws {
            let byte = bytes[index]
            advance()
            switch byte {
            case UInt8(ascii: "\n"): break
            case UInt8(ascii: "\\"), UInt8(ascii: "'"), UInt8(ascii: "\""): out.append(byte)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "a"): out.append(0x07)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "v"): out.append(0x0B)
            case 0x30...0x37:
                var value = Int(byte - 0x30)
                for _ in 0..<2 {
                    guard let next = current, next >= 0x30 && next <= 0x37 else { break }
                    value = value * 8 + Int(next - 0x30)
                    advance()
                }
                try append(scalar: value, unicode: unicode, into: &out)
            case UInt8(ascii: "x"):
                try append(scalar: try hex(2), unicode: unicode, into: &out)
            case UInt8(ascii: "u") where unicode:
                try append(scalar: try hex(4), unicode: true, into: &out)
            case UInt8(ascii: "U") where unicode:
                try append(scalar: try hex(8), unicode: true, into: &out)
            default:
                out.append(UInt8(ascii: "\\"))
                out.append(byte)
            }
        }

        mutating func hex(_ digits: Int) throws -> Int {
            // Hex digits only: Int(_:radix:) would take a sign ('\x-1').
            guard index + digits <= bytes.count,
                bytes[index..<index + digits].allSatisfy({
                    UInt8(ascii: "0")...UInt8(ascii: "9") ~= $0 || UInt8(ascii: "a")...UInt8(ascii: "f") ~= $0
                        || UInt8(ascii: "A")...UInt8(ascii: "F") ~= $0
                }),
                let value = Int(String(decoding: bytes[index..<index + digits], as: UTF8.self), radix: 16)
            else { throw fail("bad \\x or \\u escape") }
            for _ in 0..<digits { advance() }
            return value
        }

        /// A byte string's `\xNN` is one octet; a unicode string's is a code point (UTF-8 here).
        func append(scalar: Int, unicode: Bool, into out: inout [UInt8]) throws {
            if !unicode && scalar < 256 {
                out.append(UInt8(scalar))
                return
            }
            guard let scalar = Unicode.Scalar(UInt32(clamping: scalar)) else { throw fail("escape names no character") }
            out.append(contentsOf: Array(String(Character(scalar)).utf8))
        }
    }
}

extension String {
    fileprivate func replacingBackslashes() -> String {
        var out = ""
        for character in self {
            switch character {
            case "\\": out += "\\\\"
            case "'": out += "\\'"
            case "\n": out += "\\n"
            case "\r\n": out += "\\r\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default: out.append(character)
            }
        }
        return out
    }
}
