/// A deliberately small XML reader for short request bodies from the network (Outlook's
/// autodiscover request). It checks well-formedness and refuses everything such a request never
/// needs, so no DTD trick can reach it:
/// - no `<!` at all: no DOCTYPE (so no internal or external entities, XML 1.0 §2.8), no CDATA,
///   no comments;
/// - references only to the five predefined entities and to characters (§4.1, §4.6);
/// - bounded: input bytes, element depth and element count (`Limits`).
/// Processing instructions (the XML declaration) are skipped. Namespace prefixes are kept in
/// `name`; `localName` drops them.
struct StrictXMLReader {
    /// Bounds on the document.
    struct Limits: Sendable {
        var maxBytes = 16 * 1024
        var maxDepth = 16
        var maxElements = 256
    }

    /// Why a document was refused.
    enum Failure: Error, Equatable, Sendable {
        case tooLarge
        case notUTF8
        case tooDeep
        case tooManyElements
        /// `<!DOCTYPE`, `<!--`, `<![CDATA[`.
        case declarationRefused
        /// `&name;` other than the predefined five.
        case entityRefused(String)
        case malformed(String)
    }

    /// One element: its qualified name, attributes, child elements and the text directly inside it.
    struct Element: Sendable, Equatable {
        var name: String
        var attributes: [String: String] = [:]
        var children: [Element] = []
        var text = ""

        var localName: String { name.split(separator: ":").last.map(String.init) ?? name }

        /// The first child element with local name `name`.
        func child(_ name: String) -> Element? { children.first { $0.localName == name } }
    }

    private let scalars: [Unicode.Scalar]
    private var position = 0
    private var elements = 0
    private let limits: Limits

    private init(_ scalars: [Unicode.Scalar], limits: Limits) {
        self.scalars = scalars
        self.limits = limits
    }

    /// The root element of `bytes`.
    static func parse(_ bytes: [UInt8], limits: Limits = Limits()) throws(Failure) -> Element {
        guard bytes.count <= limits.maxBytes else { throw .tooLarge }
        var body = bytes[...]
        if body.starts(with: [0xEF, 0xBB, 0xBF]) { body = body.dropFirst(3) }  // UTF-8 byte order mark
        guard let text = String(validating: body, as: UTF8.self) else { throw .notUTF8 }
        var reader = StrictXMLReader(Array(text.unicodeScalars), limits: limits)
        try reader.skipMisc()
        guard reader.peek == "<" else { throw .malformed("no root element") }
        let root = try reader.element(depth: 1)
        try reader.skipMisc()
        guard reader.position == reader.scalars.count else { throw .malformed("content after the root element") }
        return root
    }

    // MARK: Scanning

    private var peek: Unicode.Scalar? { position < scalars.count ? scalars[position] : nil }

    private func at(_ literal: String) -> Bool {
        var index = position
        for scalar in literal.unicodeScalars {
            guard index < scalars.count, scalars[index] == scalar else { return false }
            index += 1
        }
        return true
    }

    private mutating func expect(_ literal: String) throws(Failure) {
        guard at(literal) else { throw .malformed("expected \(literal)") }
        position += literal.unicodeScalars.count
    }

    /// XML 1.0 §2.3 S.
    private static func isSpace(_ s: Unicode.Scalar) -> Bool { s == " " || s == "\t" || s == "\n" || s == "\r" }

    private mutating func skipSpace() {
        while let s = peek, Self.isSpace(s) { position += 1 }
    }

    /// Whitespace and processing instructions (XML 1.0 §2.8 Misc, without comments).
    private mutating func skipMisc() throws(Failure) {
        while true {
            skipSpace()
            if at("<!") { throw .declarationRefused }
            guard at("<?") else { return }
            try skipProcessingInstruction()
        }
    }

    /// XML 1.0 §2.6 PI, from its `<?` to its `?>`.
    private mutating func skipProcessingInstruction() throws(Failure) {
        position += 2
        while !at("?>") {
            guard peek != nil else { throw .malformed("unterminated processing instruction") }
            position += 1
        }
        position += 2
    }

    /// XML 1.0 §2.3 Name, simplified to ASCII letters, digits, `_ : . -` and any non-ASCII scalar.
    private mutating func name() throws(Failure) -> String {
        var out = String.UnicodeScalarView()
        while let s = peek {
            let first = out.isEmpty
            let ok: Bool
            switch s {
            case "a"..."z", "A"..."Z", "_", ":": ok = true
            case "0"..."9", ".", "-": ok = !first
            default: ok = s.value >= 0x80 && s.value != 0xFFFE && s.value != 0xFFFF
            }
            guard ok else { break }
            out.append(s)
            position += 1
            guard out.count <= 256 else { throw .malformed("name too long") }
        }
        guard !out.isEmpty else { throw .malformed("expected a name") }
        return String(out)
    }

    /// XML 1.0 §4.1 Reference, after the `&`: predefined entities (§4.6) and character references only.
    private mutating func reference() throws(Failure) -> Unicode.Scalar {
        var body = ""
        while let s = peek, s != ";" {
            guard body.unicodeScalars.count < 12 else { throw .malformed("unterminated reference") }
            body.unicodeScalars.append(s)
            position += 1
        }
        guard peek == ";" else { throw .malformed("unterminated reference") }
        position += 1
        switch body {
        case "lt": return "<"
        case "gt": return ">"
        case "amp": return "&"
        case "quot": return "\""
        case "apos": return "'"
        default: break
        }
        guard body.hasPrefix("#") else { throw .entityRefused(body) }
        let digits = body.dropFirst()
        let value = digits.hasPrefix("x") ? UInt32(digits.dropFirst(), radix: 16) : UInt32(digits, radix: 10)
        guard let value, let scalar = Unicode.Scalar(value), Self.isChar(scalar) else {
            throw .malformed("bad character reference")
        }
        return scalar
    }

    /// XML 1.0 §2.2 Char.
    private static func isChar(_ s: Unicode.Scalar) -> Bool {
        s.value >= 0x20 ? s.value != 0xFFFE && s.value != 0xFFFF : isSpace(s)
    }

    // MARK: Elements

    /// XML 1.0 §3.1: start tag, content, end tag (or an empty-element tag).
    private mutating func element(depth: Int) throws(Failure) -> Element {
        guard depth <= limits.maxDepth else { throw .tooDeep }
        elements += 1
        guard elements <= limits.maxElements else { throw .tooManyElements }
        try expect("<")
        var element = Element(name: try name())
        while true {
            let hadSpace = peek.map(Self.isSpace) ?? false
            skipSpace()
            if at("/>") {
                position += 2
                return element
            }
            if peek == ">" {
                position += 1
                break
            }
            guard hadSpace else { throw .malformed("expected space before an attribute") }
            let attribute = try name()
            skipSpace()
            try expect("=")
            skipSpace()
            guard let quote = peek, quote == "\"" || quote == "'" else { throw .malformed("unquoted attribute value") }
            position += 1
            var value = String.UnicodeScalarView()
            while let s = peek, s != quote {
                position += 1
                switch s {
                case "<": throw .malformed("< in an attribute value")
                case "&": value.append(try reference())
                default:
                    guard Self.isChar(s) else { throw .malformed("forbidden character") }
                    value.append(s)
                }
            }
            guard peek == quote else { throw .malformed("unterminated attribute value") }
            position += 1
            guard element.attributes.updateValue(String(value), forKey: attribute) == nil else {
                throw .malformed("duplicate attribute \(attribute)")  // §3.1 Unique Att Spec
            }
        }
        var text = String.UnicodeScalarView()
        while true {
            guard let s = peek else { throw .malformed("unclosed element \(element.name)") }
            if at("</") {
                position += 2
                guard try name() == element.name else { throw .malformed("mismatched end tag") }  // §3 Element Type Match
                skipSpace()
                try expect(">")
                element.text = String(text)
                return element
            }
            if at("<!") { throw .declarationRefused }
            if at("<?") {
                try skipProcessingInstruction()
                continue
            }
            if s == "<" {
                element.children.append(try self.element(depth: depth + 1))
                continue
            }
            position += 1
            if s == "&" {
                text.append(try reference())
            } else {
                guard Self.isChar(s) else { throw .malformed("forbidden character") }
                guard !(s == ">" && Array(text.suffix(2)) == ["]", "]"]) else {
                    throw .malformed("]]> in content")  // §2.4
                }
                text.append(s)
            }
        }
    }
}
