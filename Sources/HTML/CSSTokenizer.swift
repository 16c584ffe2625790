/// A CSS tokenizer (CSS Syntax Module Level 3 §4), enough for `style` attribute values: comments,
/// escapes, strings, numbers and dimensions, identifiers, functions, `url()`, at-keywords, hashes, blocks.
/// Escapes are resolved, so `\65 xpression(` is the function `expression`.
enum CSSToken: Equatable {
    case ident(String)
    case function(String)
    case atKeyword(String)
    case hash(String)
    case string(String)
    case badString
    case url(String)
    case badURL
    case delim(Unicode.Scalar)
    /// The number as written (sign, digits, point, exponent): only ASCII.
    case number(String)
    case percentage(String)
    case dimension(String, unit: String)
    case whitespace
    case colon, semicolon, comma
    case open(Unicode.Scalar)
    case close(Unicode.Scalar)
}

struct CSSTokenizer {
    private var input: [Unicode.Scalar]
    private var position = 0

    /// §3.3 preprocessing: CR, CRLF and FF become LF; NUL becomes U+FFFD.
    init(_ text: String) {
        var scalars: [Unicode.Scalar] = []
        scalars.reserveCapacity(text.unicodeScalars.count)
        var previousWasCR = false
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\r":
                scalars.append("\n")
                previousWasCR = true
                continue
            case "\n" where previousWasCR: break
            case "\u{0C}": scalars.append("\n")
            case "\0": scalars.append("\u{FFFD}")
            default: scalars.append(scalar)
            }
            previousWasCR = false
        }
        input = scalars
    }

    static func tokenize(_ text: String) -> [CSSToken] {
        var tokenizer = CSSTokenizer(text)
        var tokens: [CSSToken] = []
        while let token = tokenizer.next() { tokens.append(token) }
        return tokens
    }

    private func peek(_ offset: Int = 0) -> Unicode.Scalar? {
        position + offset < input.count ? input[position + offset] : nil
    }

    /// §4.3.1 consume a token.
    mutating func next() -> CSSToken? {
        // §4.3.2: comments are skipped.
        while peek() == "/", peek(1) == "*" {
            position += 2
            while position < input.count, !(peek() == "*" && peek(1) == "/") { position += 1 }
            position = min(position + 2, input.count)
        }
        guard let scalar = peek() else { return nil }
        switch scalar {
        case "\n", "\t", " ":
            while let next = peek(), Self.isWhitespace(next) { position += 1 }
            return .whitespace
        case "\"", "'":
            position += 1
            return consumeString(until: scalar)
        case "#":
            if let next = peek(1), Self.isNameCharacter(next) || startsEscape(at: position + 1) {
                position += 1
                return .hash(consumeName())
            }
        case "(", "[", "{":
            position += 1
            return .open(scalar)
        case ")", "]", "}":
            position += 1
            return .close(scalar)
        case ",":
            position += 1
            return .comma
        case ":":
            position += 1
            return .colon
        case ";":
            position += 1
            return .semicolon
        case "+", ".":
            if startsNumber(at: position) { return consumeNumeric() }
        case "-":
            if startsNumber(at: position) { return consumeNumeric() }
            if startsIdentifier(at: position) { return consumeIdentLike() }
        case "@":
            if startsIdentifier(at: position + 1) {
                position += 1
                return .atKeyword(consumeName())
            }
        case "\\":
            if startsEscape(at: position) { return consumeIdentLike() }
        default:
            if Self.isDigit(scalar) { return consumeNumeric() }
            if Self.isNameStart(scalar) { return consumeIdentLike() }
        }
        position += 1
        return .delim(scalar)
    }

    // MARK: §4.3.3–§4.3.12

    private mutating func consumeNumeric() -> CSSToken {
        let start = position
        if peek() == "+" || peek() == "-" { position += 1 }
        while let next = peek(), Self.isDigit(next) { position += 1 }
        if peek() == ".", let digit = peek(1), Self.isDigit(digit) {
            position += 1
            while let next = peek(), Self.isDigit(next) { position += 1 }
        }
        if peek() == "e" || peek() == "E" {
            if let digit = peek(1), Self.isDigit(digit) {
                position += 1
            } else if peek(1) == "+" || peek(1) == "-", let digit = peek(2), Self.isDigit(digit) {
                position += 2
            }
            while let next = peek(), Self.isDigit(next) { position += 1 }
        }
        var number = ""
        number.unicodeScalars.append(contentsOf: input[start..<position])
        if startsIdentifier(at: position) { return .dimension(number, unit: consumeName()) }
        if peek() == "%" {
            position += 1
            return .percentage(number)
        }
        return .number(number)
    }

    private mutating func consumeIdentLike() -> CSSToken {
        let name = consumeName()
        guard peek() == "(" else { return .ident(name) }
        position += 1
        if name.lowercased() == "url" {
            while let next = peek(), Self.isWhitespace(next) { position += 1 }
            if peek() == "\"" || peek() == "'" { return .function(name) }
            return consumeURL()
        }
        return .function(name)
    }

    /// §4.3.6, after `url(` and whitespace.
    private mutating func consumeURL() -> CSSToken {
        var value = String.UnicodeScalarView()
        while let scalar = peek() {
            position += 1
            switch scalar {
            case ")":
                return .url(String(value))
            case "\n", "\t", " ":
                while let next = peek(), Self.isWhitespace(next) { position += 1 }
                if peek() == nil { return .url(String(value)) }
                if peek() == ")" {
                    position += 1
                    return .url(String(value))
                }
                return consumeBadURL()
            case "\"", "'", "(":
                return consumeBadURL()
            case "\\":
                guard startsEscape(at: position - 1) else { return consumeBadURL() }
                value.append(consumeEscape())
            default:
                if Self.isNonPrintable(scalar) { return consumeBadURL() }
                value.append(scalar)
            }
        }
        return .url(String(value))
    }

    /// §4.3.14: the rest of a bad URL, up to `)`.
    private mutating func consumeBadURL() -> CSSToken {
        while let scalar = peek() {
            position += 1
            if scalar == ")" { break }
            if scalar == "\\", position < input.count { position += 1 }
        }
        return .badURL
    }

    /// §4.3.5, after the opening quote.
    private mutating func consumeString(until quote: Unicode.Scalar) -> CSSToken {
        var value = String.UnicodeScalarView()
        while let scalar = peek() {
            if scalar == "\n" { return .badString }
            position += 1
            if scalar == quote { return .string(String(value)) }
            if scalar == "\\" {
                guard let next = peek() else { continue }
                if next == "\n" {
                    position += 1
                } else {
                    value.append(consumeEscape())
                }
                continue
            }
            value.append(scalar)
        }
        return .string(String(value))
    }

    /// §4.3.7, after the backslash.
    private mutating func consumeEscape() -> Unicode.Scalar {
        guard let first = peek() else { return "\u{FFFD}" }
        guard Self.isHexDigit(first) else {
            position += 1
            return first
        }
        var code: UInt32 = 0
        var count = 0
        while count < 6, let digit = peek(), Self.isHexDigit(digit) {
            code = code * 16 + UInt32(Int(String(digit), radix: 16)!)
            position += 1
            count += 1
        }
        if let next = peek(), Self.isWhitespace(next) { position += 1 }
        if code == 0 || code > 0x10_FFFF || (0xD800...0xDFFF).contains(code) { return "\u{FFFD}" }
        return Unicode.Scalar(code)!
    }

    /// §4.3.12 consume an ident sequence.
    private mutating func consumeName() -> String {
        var name = String.UnicodeScalarView()
        while let scalar = peek() {
            if Self.isNameCharacter(scalar) {
                name.append(scalar)
                position += 1
            } else if startsEscape(at: position) {
                position += 1
                name.append(consumeEscape())
            } else {
                break
            }
        }
        return String(name)
    }

    /// §4.3.8: a backslash not followed by a newline.
    private func startsEscape(at index: Int) -> Bool {
        // A backslash at the very end is left a delim (the sanitiser then drops the declaration).
        index + 1 < input.count && input[index] == "\\" && input[index + 1] != "\n"
    }

    /// §4.3.9.
    private func startsIdentifier(at index: Int) -> Bool {
        guard index < input.count else { return false }
        let first = input[index]
        if first == "-" {
            guard index + 1 < input.count else { return false }
            let second = input[index + 1]
            return Self.isNameStart(second) || second == "-" || startsEscape(at: index + 1)
        }
        return Self.isNameStart(first) || startsEscape(at: index)
    }

    /// §4.3.10.
    private func startsNumber(at index: Int) -> Bool {
        guard index < input.count else { return false }
        var index = index
        if input[index] == "+" || input[index] == "-" { index += 1 }
        guard index < input.count else { return false }
        if Self.isDigit(input[index]) { return true }
        return input[index] == "." && index + 1 < input.count && Self.isDigit(input[index + 1])
    }

    static func isWhitespace(_ scalar: Unicode.Scalar) -> Bool { scalar == "\n" || scalar == "\t" || scalar == " " }
    static func isDigit(_ scalar: Unicode.Scalar) -> Bool { ("0"..."9").contains(scalar) }
    static func isHexDigit(_ scalar: Unicode.Scalar) -> Bool {
        isDigit(scalar) || ("a"..."f").contains(scalar) || ("A"..."F").contains(scalar)
    }
    static func isNameStart(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || scalar == "_" || scalar.value >= 0x80
    }
    static func isNameCharacter(_ scalar: Unicode.Scalar) -> Bool { isNameStart(scalar) || isDigit(scalar) || scalar == "-" }
    static func isNonPrintable(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value <= 0x08 || scalar == "\u{0B}" || (0x0E...0x1F).contains(scalar.value) || scalar.value == 0x7F
    }
}
