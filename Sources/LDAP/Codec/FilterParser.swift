/// The RFC 4515 §3 grammar, bounded by `LDAPFilter.maximumLength`, `maximumDepth` and
/// `maximumItems`. With `placeholders`, `%s`, `%u`, `%d` and `%%` are read in assertion values.
///
/// Beyond RFC 4515, white space is allowed between the filters of an `&` or `|` list, so a
/// configured filter may be spread over lines.
struct FilterParser {
    private let bytes: [UInt8]
    private let placeholders: Bool
    private var index = 0

    private init(bytes: [UInt8], placeholders: Bool) {
        self.bytes = bytes
        self.placeholders = placeholders
    }

    static func parse(_ text: String, placeholders: Bool) throws(LDAPFilterError) -> FilterTemplateNode {
        let bytes = Array(text.utf8)
        guard bytes.count <= LDAPFilter.maximumLength else { throw .tooLong(bytes.count) }
        var parser = FilterParser(bytes: bytes, placeholders: placeholders)
        let node = try parser.filter(depth: 1)
        guard parser.index == bytes.count else { throw parser.error("unexpected characters after the filter") }
        return node
    }

    private func error(_ reason: String) -> LDAPFilterError { .syntax(offset: index, reason: reason) }

    private func peek(_ offset: Int = 0) -> UInt8? {
        index + offset < bytes.count ? bytes[index + offset] : nil
    }

    private mutating func expect(_ byte: UInt8, _ what: String) throws(LDAPFilterError) {
        guard peek() == byte else { throw error("expected \(what)") }
        index += 1
    }

    /// `filter = LPAREN filtercomp RPAREN`
    private mutating func filter(depth: Int) throws(LDAPFilterError) -> FilterTemplateNode {
        guard depth <= LDAPFilter.maximumDepth else { throw .tooDeep }
        try expect(UInt8(ascii: "("), "an opening parenthesis")
        let node: FilterTemplateNode
        switch peek() {
        case UInt8(ascii: "&"):
            index += 1
            node = .and(try list(depth: depth))
        case UInt8(ascii: "|"):
            index += 1
            node = .or(try list(depth: depth))
        case UInt8(ascii: "!"):
            index += 1
            node = .not(try filter(depth: depth + 1))
        default:
            node = try item()
        }
        try expect(UInt8(ascii: ")"), "a closing parenthesis")
        return node
    }

    /// `filterlist = 1*filter`
    private mutating func list(depth: Int) throws(LDAPFilterError) -> [FilterTemplateNode] {
        var items: [FilterTemplateNode] = []
        skipSpace()
        while peek() == UInt8(ascii: "(") {
            guard items.count < LDAPFilter.maximumItems else { throw .tooManyItems }
            items.append(try filter(depth: depth + 1))
            skipSpace()
        }
        guard !items.isEmpty else { throw error("empty filter list") }
        return items
    }

    private mutating func skipSpace() {
        while let byte = peek(), byte == 0x20 || byte == 0x09 || byte == 0x0a || byte == 0x0d { index += 1 }
    }

    /// `item = simple / present / substring / extensible`
    private mutating func item() throws(LDAPFilterError) -> FilterTemplateNode {
        if peek() == UInt8(ascii: ":") { return try extensible(attribute: nil) }
        let attribute = try attributeDescription()
        let comparison: FilterTemplateNode.Comparison
        switch (peek(), peek(1)) {
        case (UInt8(ascii: "="), _):
            index += 1
            return try equalityOrSubstrings(attribute)
        case (UInt8(ascii: ":"), _):
            return try extensible(attribute: attribute)
        case (UInt8(ascii: "~"), UInt8(ascii: "=")): comparison = .approx
        case (UInt8(ascii: ">"), UInt8(ascii: "=")): comparison = .greaterOrEqual
        case (UInt8(ascii: "<"), UInt8(ascii: "=")): comparison = .lessOrEqual
        default: throw error("expected a filter type (=, ~=, >=, <=, :=)")
        }
        index += 2
        return .compare(comparison, attribute, try value())
    }

    /// `present`, `substring`, or `simple` with `equal`: told apart by unescaped asterisks.
    private mutating func equalityOrSubstrings(_ attribute: String) throws(LDAPFilterError) -> FilterTemplateNode {
        var pieces = [FilterValueTemplate()]
        while let byte = peek(), byte != UInt8(ascii: ")") {
            if byte == UInt8(ascii: "*") {
                index += 1
                pieces.append(FilterValueTemplate())
            } else {
                try valueByte(into: &pieces[pieces.count - 1])
            }
        }
        guard pieces.count > 1 else { return .compare(.equality, attribute, pieces[0]) }
        let initial = pieces[0].isEmpty ? nil : pieces[0]
        let final = pieces[pieces.count - 1].isEmpty ? nil : pieces[pieces.count - 1]
        let any = pieces.dropFirst().dropLast().filter { !$0.isEmpty }
        if pieces.count == 2 && initial == nil && final == nil { return .present(attribute) }
        // `(cn=**)` would match like a presence test; refused rather than widened.
        guard initial != nil || final != nil || !any.isEmpty else { throw error("substring filter without a value") }
        return .substrings(attribute, initial: initial, any: Array(any), final: final)
    }

    /// `extensible = (attr [dnattrs] [matchingrule] COLON EQUALS assertionvalue)
    ///             / ([dnattrs] matchingrule COLON EQUALS assertionvalue)`
    private mutating func extensible(attribute: String?) throws(LDAPFilterError) -> FilterTemplateNode {
        var dnAttributes = false
        var rule: String?
        if peek() == UInt8(ascii: ":"), let d = peek(1), d | 0x20 == UInt8(ascii: "d"), let n = peek(2),
            n | 0x20 == UInt8(ascii: "n"),
            peek(3) == UInt8(ascii: ":")
        {
            dnAttributes = true
            index += 3
        }
        if peek() == UInt8(ascii: ":"), peek(1) != UInt8(ascii: "=") {
            index += 1
            rule = try oid()
        }
        guard attribute != nil || rule != nil else { throw error("extensible match without attribute or matching rule") }
        try expect(UInt8(ascii: ":"), "\":=\"")
        try expect(UInt8(ascii: "="), "\":=\"")
        return .extensible(rule: rule, attribute: attribute, value: try value(), dnAttributes: dnAttributes)
    }

    /// `assertionvalue = valueencoding`: up to the closing parenthesis, no unescaped asterisk.
    private mutating func value() throws(LDAPFilterError) -> FilterValueTemplate {
        var value = FilterValueTemplate()
        while let byte = peek(), byte != UInt8(ascii: ")") {
            guard byte != UInt8(ascii: "*") else { throw error("unescaped \"*\" in a value") }
            try valueByte(into: &value)
        }
        return value
    }

    /// One `normal` byte, `escaped` pair (`\` HEX HEX), or placeholder.
    private mutating func valueByte(into value: inout FilterValueTemplate) throws(LDAPFilterError) {
        guard let byte = peek() else { throw error("unterminated value") }
        switch byte {
        case UInt8(ascii: "\\"):
            guard let high = peek(1).flatMap(Self.hexValue), let low = peek(2).flatMap(Self.hexValue) else {
                throw error("\"\\\" must be followed by two hex digits")
            }
            value.append(high << 4 | low)
            index += 3
        case UInt8(ascii: "%") where placeholders:
            switch peek(1) {
            case UInt8(ascii: "s"): value.parts.append(.login)
            case UInt8(ascii: "u"): value.parts.append(.localPart)
            case UInt8(ascii: "d"): value.parts.append(.domain)
            case UInt8(ascii: "%"): value.append(UInt8(ascii: "%"))
            default: throw error("unknown placeholder (use %s, %u, %d or %%)")
            }
            index += 2
        case 0, UInt8(ascii: "("):
            throw error("\"(\" and NUL must be escaped in a value")
        default:
            value.append(byte)
            index += 1
        }
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// `attributedescription = attributetype options` (RFC 4512 §2.5).
    private mutating func attributeDescription() throws(LDAPFilterError) -> String {
        let start = index
        _ = try oid()
        while peek() == UInt8(ascii: ";") {
            index += 1
            let optionStart = index
            while let byte = peek(), Self.isKeyChar(byte) { index += 1 }
            guard index > optionStart else { throw error("empty attribute option") }
        }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }

    /// `oid = descr / numericoid` (RFC 4512 §1.4).
    private mutating func oid() throws(LDAPFilterError) -> String {
        let start = index
        guard let first = peek() else { throw error("expected an attribute type or OID") }
        if Self.isAlpha(first) {
            while let byte = peek(), Self.isKeyChar(byte) { index += 1 }
        } else if Self.isDigit(first) {
            var dots = 0
            while true {
                let numberStart = index
                while let byte = peek(), Self.isDigit(byte) { index += 1 }
                guard index > numberStart else { throw error("malformed numeric OID") }
                guard peek() == UInt8(ascii: ".") else { break }
                index += 1
                dots += 1
            }
            guard dots > 0 else { throw error("a numeric OID needs at least two arcs") }
        } else {
            throw error("expected an attribute type or OID")
        }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }

    private static func isAlpha(_ byte: UInt8) -> Bool {
        (byte | 0x20) >= UInt8(ascii: "a") && (byte | 0x20) <= UInt8(ascii: "z")
    }
    private static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
    private static func isKeyChar(_ byte: UInt8) -> Bool { isAlpha(byte) || isDigit(byte) || byte == UInt8(ascii: "-") }
}
