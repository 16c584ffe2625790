/// The lexer of RFC 5228 §8.1: white space and comments skipped, strings unescaped, numbers scaled.
/// Works on the script's UTF-8 bytes; every token carries its line and column.
struct SieveLexer {
    private let bytes: [UInt8]
    private let limits: SieveLimits
    private var index = 0
    private var line = 1
    private var lineStart = 0

    init(_ bytes: [UInt8], limits: SieveLimits) {
        self.bytes = bytes
        self.limits = limits
    }

    private var position: SievePosition { SievePosition(line: line, column: index - lineStart + 1) }

    private func peek(_ offset: Int = 0) -> UInt8? {
        index + offset < bytes.count ? bytes[index + offset] : nil
    }

    private mutating func advance() {
        if bytes[index] == 0x0A {
            line += 1
            lineStart = index + 1
        }
        index += 1
    }

    /// The next token, or the first lexical error.
    mutating func next() throws(SieveCompileError) -> SieveLexeme {
        try skipWhitespaceAndComments()
        let start = position
        guard let byte = peek() else { return SieveLexeme(token: .end, position: start) }
        switch byte {
        case UInt8(ascii: "["), UInt8(ascii: "]"), UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "{"),
            UInt8(ascii: "}"), UInt8(ascii: ","), UInt8(ascii: ";"):
            advance()
            return SieveLexeme(token: .punctuation(byte), position: start)
        case UInt8(ascii: "\""):
            return SieveLexeme(token: .string(try quotedString(start)), position: start)
        case UInt8(ascii: ":"):
            advance()
            guard let first = peek(), Self.isIdentifierStart(first) else {
                throw fail(start, "expected a tag name after ':'")
            }
            return SieveLexeme(token: .tag(identifier()), position: start)
        case UInt8(ascii: "0")...UInt8(ascii: "9"):
            return SieveLexeme(token: .number(try number(start)), position: start)
        default:
            guard Self.isIdentifierStart(byte) else {
                throw fail(start, "unexpected character '\(Self.printable(byte))'")
            }
            let name = identifier()
            // RFC 5228 §8.1: multi-line = "text:" *(SP / HTAB) (hash-comment / CRLF) ...
            if name.lowercased() == "text", peek() == UInt8(ascii: ":") {
                advance()
                return SieveLexeme(token: .string(try multiLineString(start)), position: start)
            }
            return SieveLexeme(token: .identifier(name), position: start)
        }
    }

    private func fail(_ at: SievePosition, _ message: String) -> SieveCompileError {
        SieveCompileError(diagnostics: [at.error(message)])
    }

    static func printable(_ byte: UInt8) -> String {
        (0x21...0x7E).contains(byte) ? String(Character(Unicode.Scalar(byte))) : "\\x\(String(byte, radix: 16))"
    }

    static func isIdentifierStart(_ byte: UInt8) -> Bool {
        (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) || byte == UInt8(ascii: "_")
    }

    static func isIdentifierByte(_ byte: UInt8) -> Bool {
        isIdentifierStart(byte) || (0x30...0x39).contains(byte)
    }

    private mutating func identifier() -> String {
        let start = index
        while let byte = peek(), Self.isIdentifierByte(byte) { advance() }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }

    // RFC 5228 §8.1: white-space = 1*(SP / CRLF / HTAB) / comment; comment = bracket-comment / hash-comment.
    private mutating func skipWhitespaceAndComments() throws(SieveCompileError) {
        while let byte = peek() {
            switch byte {
            case 0x20, 0x09, 0x0A, 0x0D:
                advance()
            case UInt8(ascii: "#"):
                while let byte = peek(), byte != 0x0A { advance() }
            case UInt8(ascii: "/") where peek(1) == UInt8(ascii: "*"):
                let start = position
                advance()
                advance()
                while true {
                    guard let byte = peek() else { throw fail(start, "unterminated bracket comment") }
                    if byte == UInt8(ascii: "*"), peek(1) == UInt8(ascii: "/") {
                        advance()
                        advance()
                        break
                    }
                    advance()
                }
            default:
                return
            }
        }
    }

    // RFC 5228 §2.4.1, §8.1: number = 1*DIGIT [ QUANTIFIER ]; QUANTIFIER = "K" / "M" / "G".
    private mutating func number(_ start: SievePosition) throws(SieveCompileError) -> Int {
        var value = 0
        while let byte = peek(), (0x30...0x39).contains(byte) {
            let (times, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times.addingReportingOverflow(Int(byte - 0x30))
            guard !overflow1, !overflow2 else { throw fail(start, "number is too large") }
            value = sum
            advance()
        }
        var scale = 1
        switch peek() {
        case UInt8(ascii: "K"), UInt8(ascii: "k"): scale = 1 << 10
        case UInt8(ascii: "M"), UInt8(ascii: "m"): scale = 1 << 20
        case UInt8(ascii: "G"), UInt8(ascii: "g"): scale = 1 << 30
        default: break
        }
        if scale != 1 { advance() }
        let (scaled, overflow) = value.multipliedReportingOverflow(by: scale)
        guard !overflow else { throw fail(start, "number is too large") }
        if let byte = peek(), Self.isIdentifierByte(byte) {
            throw fail(start, "unexpected character '\(Self.printable(byte))' after number")
        }
        return scaled
    }

    // RFC 5228 §2.4.2: quoted strings; "\" escapes the next character (other escapes drop the backslash).
    private mutating func quotedString(_ start: SievePosition) throws(SieveCompileError) -> String {
        advance()
        var out: [UInt8] = []
        while true {
            guard let byte = peek() else { throw fail(start, "unterminated string") }
            if byte == UInt8(ascii: "\"") {
                advance()
                break
            }
            if byte == UInt8(ascii: "\\") {
                advance()
                guard let escaped = peek() else { throw fail(start, "unterminated string") }
                out.append(escaped)
            } else {
                out.append(byte)
            }
            advance()
            guard out.count <= limits.maxStringBytes else { throw fail(start, "string is too long") }
        }
        return String(decoding: out, as: UTF8.self)
    }

    // RFC 5228 §2.4.2, §8.1: "text:" *(SP / HTAB) (hash-comment / CRLF), lines, "." CRLF; a line's
    // leading ".." stands for "." (dot-stuffing). Lines are joined with CRLF.
    private mutating func multiLineString(_ start: SievePosition) throws(SieveCompileError) -> String {
        while let byte = peek(), byte == 0x20 || byte == 0x09 { advance() }
        if peek() == UInt8(ascii: "#") {
            while let byte = peek(), byte != 0x0A { advance() }
        } else if peek() == 0x0D {
            advance()
        }
        guard peek() == 0x0A else { throw fail(start, "expected a line break after 'text:'") }
        advance()
        var out: [UInt8] = []
        while true {
            guard index < bytes.count else { throw fail(start, "unterminated multi-line string") }
            let lineBegin = index
            var lineEnd = lineBegin
            while lineEnd < bytes.count, bytes[lineEnd] != 0x0A { lineEnd += 1 }
            var content = lineBegin..<lineEnd
            if content.upperBound > content.lowerBound, bytes[content.upperBound - 1] == 0x0D {
                content = content.lowerBound..<(content.upperBound - 1)
            }
            // Move past the line (and its LF).
            while index < lineEnd { advance() }
            let terminated = index < bytes.count
            if terminated { advance() }
            if content.count == 1, bytes[content.lowerBound] == UInt8(ascii: ".") { break }
            guard terminated else { throw fail(start, "unterminated multi-line string") }
            var from = content.lowerBound
            if content.count >= 2, bytes[from] == UInt8(ascii: "."), bytes[from + 1] == UInt8(ascii: ".") { from += 1 }
            out.append(contentsOf: bytes[from..<content.upperBound])
            out.append(contentsOf: [0x0D, 0x0A])
            guard out.count <= limits.maxStringBytes else { throw fail(start, "string is too long") }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
