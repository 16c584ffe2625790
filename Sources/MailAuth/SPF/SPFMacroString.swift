/// A parsed `macro-string` (RFC 7208 §7.1): literal text and macros, to be expanded for each
/// check (§7.3).
struct SPFMacroString: Hashable, Sendable {
    enum Token: Hashable, Sendable {
        /// `macro-literal` characters, and the escapes `%%`, `%_`, `%-` already turned into
        /// `%`, a space and `%20` (`escape` is true for those, which end a domain-spec like a macro).
        case literal(String, escape: Bool)
        case macro(SPFMacro)
    }

    /// Where a macro-string stands: in a domain-spec, or in an explanation TXT record, where
    /// spaces and the letters `c`, `r`, `t` are also allowed (§6.2, §7.1).
    enum Use {
        case domainSpec
        case explanation
    }

    var tokens: [Token]

    init(parsing text: Substring, as use: Use) throws {
        var tokens: [Token] = []
        var literal = ""
        func flushLiteral() {
            if !literal.isEmpty { tokens.append(.literal(literal, escape: false)) }
            literal = ""
        }
        var rest = text.unicodeScalars[...]
        while let scalar = rest.popFirst() {
            if scalar == "%" {
                flushLiteral()
                tokens.append(try Self.parseExpand(after: &rest, as: use, in: text))
            } else if (0x21...0x7E).contains(scalar.value) || (use == .explanation && scalar == " ") {
                literal.unicodeScalars.append(scalar)  // macro-literal = %x21-24 / %x26-7E
            } else {
                throw SPFSyntaxError("invalid character U+\(String(scalar.value, radix: 16, uppercase: true)) in \"\(text)\"")
            }
        }
        flushLiteral()
        self.tokens = tokens
    }

    /// `macro-expand = ( "%{" macro-letter transformers *delimiter "}" ) / "%%" / "%_" / "%-"`.
    private static func parseExpand(
        after rest: inout Substring.UnicodeScalarView.SubSequence, as use: Use, in text: Substring
    ) throws -> Token {
        switch rest.popFirst() {
        case "%": return .literal("%", escape: true)
        case "_": return .literal(" ", escape: true)
        case "-": return .literal("%20", escape: true)
        case "{":
            guard let close = rest.firstIndex(of: "}") else { throw SPFSyntaxError("unterminated macro in \"\(text)\"") }
            let body = String(String.UnicodeScalarView(rest[..<close]))
            rest = rest[rest.index(after: close)...]
            return .macro(try SPFMacro(parsing: body, as: use))
        default:
            throw SPFSyntaxError("\"%\" not followed by \"{\", \"%\", \"_\" or \"-\" in \"\(text)\"")
        }
    }

    /// RFC 7208 §7.1: `domain-spec = macro-string domain-end`, `domain-end = ( "." toplabel
    /// [ "." ] ) / macro-expand` — the name must end in a macro or in a dot and a top label.
    var isDomainSpec: Bool {
        switch tokens.last {
        case nil: return false
        case .macro, .literal(_, escape: true): return true
        case .literal(let text, escape: false):
            var text = Substring(text)
            if text.hasSuffix(".") { text = text.dropLast() }
            guard let dot = text.lastIndex(of: ".") else { return false }
            return SPFDomain.isTopLabel(text[text.index(after: dot)...])
        }
    }

    /// Whether expansion needs the validated domain name of the client (`p`, §7.3), which
    /// costs DNS lookups.
    var usesValidatedName: Bool {
        tokens.contains { if case .macro(let macro) = $0 { macro.letter == .p } else { false } }
    }
}
