/// Maps every key path of a TOML document to the 1-based line that defines it.
///
/// TOMLKit values carry no source positions, so this scans the raw text once. It understands
/// `[table]` and `[[array-of-tables]]` headers (counting indexes, also nested ones such as
/// `[[listener.rule]]`), dotted keys (`a.b = 1`), quoted keys, comments, arrays and inline
/// tables (also spread over several lines), and skips over all string forms including
/// multi-line `"""…"""` and `'''…'''`, so that text inside a value is never taken for a key.
///
/// Paths are rendered like `ConfigError.key`: `database.url`, `listener[2].address`
/// (0-based indexes), `limits.max_message_size`; non-bare keys are quoted (`a."b.c"`).
/// A header line is recorded for the table itself (`log`, `listener[1]`); when a key is
/// defined more than once (which TOML forbids anyway) the first line wins.
public struct KeyLocator: Sendable, Equatable {
    /// Every path found, with its line.
    public private(set) var lines: [String: Int]

    /// Scans `text`. Never fails: malformed input yields fewer entries, not an error.
    public init(text: String) {
        var scanner = LocatorScanner(bytes: Array(text.utf8))
        scanner.run()
        lines = scanner.lines
    }

    /// The line that defines `path` (e.g. `"listener[1].address"`), or nil when absent.
    public func line(of path: String) -> Int? {
        lines[path]
    }

    func line(for path: ConfigKeyPath) -> Int? {
        lines[path.description]
    }

    /// The line of `path`, or else of its closest ancestor that has one.
    func nearestLine(for path: ConfigKeyPath) -> Int? {
        var candidate: ConfigKeyPath? = path
        while let current = candidate, !current.isRoot {
            if let line = lines[current.description] { return line }
            candidate = current.parent
        }
        return nil
    }
}

/// A tolerant single-pass scanner over UTF-8 bytes.
private struct LocatorScanner {
    let bytes: [UInt8]
    var index = 0
    var line = 1
    var lines: [String: Int] = [:]
    /// Last index used by each array of tables, keyed by its resolved path.
    var arrayOfTablesIndexes: [String: Int] = [:]
    var currentTable = ConfigKeyPath.root

    init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    // MARK: Bytes

    private static let newline = UInt8(ascii: "\n")
    private static let quote = UInt8(ascii: "\"")
    private static let apostrophe = UInt8(ascii: "'")
    private static let backslash = UInt8(ascii: "\\")
    private static let hash = UInt8(ascii: "#")

    var atEnd: Bool { index >= bytes.count }

    func peek(_ offset: Int = 0) -> UInt8? {
        let position = index + offset
        return position < bytes.count ? bytes[position] : nil
    }

    mutating func advance(_ count: Int = 1) {
        for _ in 0..<count where index < bytes.count {
            if bytes[index] == Self.newline { line += 1 }
            index += 1
        }
    }

    func startsWith(_ pattern: [UInt8]) -> Bool {
        guard index + pattern.count <= bytes.count else { return false }
        for (offset, byte) in pattern.enumerated() where bytes[index + offset] != byte { return false }
        return true
    }

    mutating func skipSpaces() {
        while let byte = peek(), byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\r") {
            advance()
        }
    }

    mutating func skipComment() {
        guard peek() == Self.hash else { return }
        while let byte = peek(), byte != Self.newline { advance() }
    }

    /// Spaces, newlines and comments (between statements, inside arrays).
    mutating func skipBlank() {
        while true {
            skipSpaces()
            if peek() == Self.hash {
                skipComment()
            } else if peek() == Self.newline {
                advance()
            } else {
                return
            }
        }
    }

    mutating func skipRestOfLine() {
        while let byte = peek(), byte != Self.newline { advance() }
    }

    mutating func record(_ path: ConfigKeyPath, line: Int) {
        let key = path.description
        if lines[key] == nil { lines[key] = line }
    }

    // MARK: Statements

    mutating func run() {
        if startsWith([0xEF, 0xBB, 0xBF]) { index += 3 }
        while true {
            skipBlank()
            guard !atEnd else { return }
            let before = index
            if peek() == UInt8(ascii: "[") {
                header()
            } else {
                keyValue(base: currentTable)
            }
            if index == before { advance() }
            skipRestOfLine()
        }
    }

    mutating func header() {
        let headerLine = line
        advance()  // [
        let isArray = peek() == UInt8(ascii: "[")
        if isArray { advance() }
        let keys = parseKey()
        guard !keys.isEmpty else { return }
        var resolved: [ConfigKeyPath.Component] = []
        for (position, key) in keys.enumerated() {
            resolved.append(.key(key))
            let path = ConfigKeyPath(resolved)
            if position == keys.count - 1 && isArray {
                let next = arrayOfTablesIndexes[path.description].map { $0 + 1 } ?? 0
                arrayOfTablesIndexes[path.description] = next
                record(path, line: headerLine)
                resolved.append(.index(next))
            } else if let current = arrayOfTablesIndexes[path.description] {
                resolved.append(.index(current))
            }
            record(ConfigKeyPath(resolved), line: headerLine)
        }
        currentTable = ConfigKeyPath(resolved)
    }

    /// `key = value` relative to `base`; returns without consuming much when malformed.
    mutating func keyValue(base: ConfigKeyPath) {
        let keyLine = line
        let keys = parseKey()
        guard !keys.isEmpty else { return }
        skipSpaces()
        guard peek() == UInt8(ascii: "=") else { return }
        advance()
        skipSpaces()
        var path = base
        for key in keys {
            path = path.appending(key)
            record(path, line: keyLine)
        }
        parseValue(path: path)
    }

    /// A possibly dotted key: `a`, `a.b`, `"quoted key".c`, `'literal'`.
    mutating func parseKey() -> [String] {
        var keys: [String] = []
        while true {
            skipSpaces()
            guard let byte = peek() else { return keys }
            if byte == Self.quote {
                keys.append(parseBasicString())
            } else if byte == Self.apostrophe {
                keys.append(parseLiteralString())
            } else if ConfigKeyPath.isBareKeyScalar(Unicode.Scalar(byte)) {
                var key = ""
                while let next = peek(), ConfigKeyPath.isBareKeyScalar(Unicode.Scalar(next)) {
                    key.unicodeScalars.append(Unicode.Scalar(next))
                    advance()
                }
                keys.append(key)
            } else {
                return keys
            }
            skipSpaces()
            guard peek() == UInt8(ascii: ".") else { return keys }
            advance()
        }
    }

    // MARK: Values

    mutating func parseValue(path: ConfigKeyPath) {
        guard let byte = peek() else { return }
        switch byte {
        case Self.quote:
            if startsWith([Self.quote, Self.quote, Self.quote]) {
                skipMultilineString(delimiter: Self.quote, escapes: true)
            } else {
                _ = parseBasicString()
            }
        case Self.apostrophe:
            if startsWith([Self.apostrophe, Self.apostrophe, Self.apostrophe]) {
                skipMultilineString(delimiter: Self.apostrophe, escapes: false)
            } else {
                _ = parseLiteralString()
            }
        case UInt8(ascii: "["):
            parseArray(path: path)
        case UInt8(ascii: "{"):
            parseInlineTable(path: path)
        default:
            skipScalar()
        }
    }

    mutating func parseArray(path: ConfigKeyPath) {
        advance()  // [
        var element = 0
        while true {
            skipBlank()
            guard let byte = peek() else { return }
            if byte == UInt8(ascii: "]") {
                advance()
                return
            }
            if byte == UInt8(ascii: ",") {
                advance()
                continue
            }
            let elementPath = path.appending(index: element)
            record(elementPath, line: line)
            let before = index
            parseValue(path: elementPath)
            if index == before { advance() }
            element += 1
        }
    }

    mutating func parseInlineTable(path: ConfigKeyPath) {
        advance()  // {
        while true {
            skipBlank()
            guard let byte = peek() else { return }
            if byte == UInt8(ascii: "}") {
                advance()
                return
            }
            if byte == UInt8(ascii: ",") {
                advance()
                continue
            }
            let before = index
            keyValue(base: path)
            if index == before { advance() }
        }
    }

    /// Numbers, booleans, dates and times (a date-time may contain one space).
    mutating func skipScalar() {
        let start = index
        func isTerminator(_ byte: UInt8) -> Bool {
            switch byte {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"), Self.newline,
                UInt8(ascii: ","), UInt8(ascii: "]"), UInt8(ascii: "}"), Self.hash:
                return true
            default:
                return false
            }
        }
        while let byte = peek(), !isTerminator(byte) { advance() }
        // `1979-05-27 07:32:00`: a local date followed by a space and a time.
        let token = bytes[start..<index]
        if token.count == 10, token[start + 4] == UInt8(ascii: "-"), token[start + 7] == UInt8(ascii: "-"),
            peek() == UInt8(ascii: " "), let next = peek(1), next >= UInt8(ascii: "0"), next <= UInt8(ascii: "9")
        {
            advance()
            while let byte = peek(), !isTerminator(byte) { advance() }
        }
    }

    /// A single-line `"…"` string, decoded; stops at an unescaped quote or a newline.
    mutating func parseBasicString() -> String {
        advance()  // "
        var scalars = String.UnicodeScalarView()
        var pending: [UInt8] = []
        func flush(_ pending: inout [UInt8], into scalars: inout String.UnicodeScalarView) {
            if !pending.isEmpty {
                scalars.append(contentsOf: String(decoding: pending, as: UTF8.self).unicodeScalars)
                pending.removeAll()
            }
        }
        while let byte = peek(), byte != Self.newline {
            if byte == Self.quote {
                advance()
                break
            }
            if byte == Self.backslash {
                flush(&pending, into: &scalars)
                advance()
                guard let escaped = peek(), escaped != Self.newline else { break }
                advance()
                switch escaped {
                case UInt8(ascii: "b"): scalars.append("\u{08}")
                case UInt8(ascii: "t"): scalars.append("\t")
                case UInt8(ascii: "n"): scalars.append("\n")
                case UInt8(ascii: "f"): scalars.append("\u{0C}")
                case UInt8(ascii: "r"): scalars.append("\r")
                case UInt8(ascii: "e"): scalars.append("\u{1B}")
                case UInt8(ascii: "u"): scalars.append(hexScalar(digits: 4))
                case UInt8(ascii: "U"): scalars.append(hexScalar(digits: 8))
                case UInt8(ascii: "x"): scalars.append(hexScalar(digits: 2))
                default: scalars.append(Unicode.Scalar(escaped))
                }
                continue
            }
            pending.append(byte)
            advance()
        }
        flush(&pending, into: &scalars)
        return String(scalars)
    }

    mutating func hexScalar(digits: Int) -> Unicode.Scalar {
        var value: UInt32 = 0
        for _ in 0..<digits {
            guard let byte = peek(), let digit = Self.hexValue(byte) else { break }
            value = value &* 16 &+ digit
            advance()
        }
        return Unicode.Scalar(value) ?? "\u{FFFD}"
    }

    static func hexValue(_ byte: UInt8) -> UInt32? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt32(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return UInt32(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return UInt32(byte - UInt8(ascii: "A") + 10)
        default: return nil
        }
    }

    /// A single-line `'…'` string; stops at the closing apostrophe or a newline.
    mutating func parseLiteralString() -> String {
        advance()  // '
        var content: [UInt8] = []
        while let byte = peek(), byte != Self.newline {
            advance()
            if byte == Self.apostrophe { break }
            content.append(byte)
        }
        return String(decoding: content, as: UTF8.self)
    }

    /// `"""…"""` or `'''…'''`, counting the lines inside. Up to two extra delimiter
    /// characters right before the closing triple belong to the content (TOML 1.0 §String).
    mutating func skipMultilineString(delimiter: UInt8, escapes: Bool) {
        advance(3)
        while let byte = peek() {
            if escapes && byte == Self.backslash {
                advance(2)
                continue
            }
            if startsWith([delimiter, delimiter, delimiter]) {
                advance(3)
                var extra = 0
                while extra < 2, peek() == delimiter {
                    advance()
                    extra += 1
                }
                return
            }
            advance()
        }
    }
}
