/// A parsed SPF record (RFC 7208 §4.6): its directives in order and the two modifiers that
/// carry meaning. Unknown modifiers were checked for syntax and dropped (§6).
struct SPFRecord: Hashable, Sendable {
    struct Directive: Hashable, Sendable {
        var qualifier: SPFQualifier
        var mechanism: SPFMechanism
        /// The term as written, for `Received-SPF` and logs.
        var text: String
    }

    var directives: [Directive]
    /// `redirect=` (§6.1).
    var redirect: SPFMacroString?
    /// `exp=` (§6.2).
    var explanation: SPFMacroString?

    /// §4.5: a record starts with exactly `v=spf1` (letters in any case, RFC 5234 §2.3)
    /// followed by a space or the end.
    static func isSPF(_ text: String) -> Bool {
        let octets = Array(text.utf8.prefix(7))
        guard octets.count >= 6, String(decoding: octets[0..<6], as: UTF8.self).lowercased() == "v=spf1" else {
            return false
        }
        return octets.count == 6 || octets[6] == UInt8(ascii: " ")
    }

    /// Parses the whole record, so that a syntax error anywhere is found before evaluation
    /// (§4.6: "if there are any syntax errors anywhere in the record, check_host() returns
    /// immediately with the result "permerror"").
    init(parsing text: String) throws {
        // record = version terms *SP; terms = *( 1*SP ( directive / modifier ) )
        let terms = text.split(separator: " ", omittingEmptySubsequences: true).dropFirst()
        var directives: [Directive] = []
        var redirect: SPFMacroString?
        var explanation: SPFMacroString?
        for term in terms {
            if let (name, value) = Self.modifier(term) {
                switch name.lowercased() {
                case "redirect":
                    guard redirect == nil else { throw SPFSyntaxError("more than one redirect modifier") }
                    redirect = try Self.domainSpec(value, of: term)
                case "exp":
                    guard explanation == nil else { throw SPFSyntaxError("more than one exp modifier") }
                    explanation = try Self.domainSpec(value, of: term)
                default:
                    _ = try SPFMacroString(parsing: value, as: .domainSpec)  // §6: unknown modifiers are ignored
                }
            } else {
                var mechanism = term
                let qualifier = mechanism.first.flatMap(SPFQualifier.init(rawValue:))
                if qualifier != nil { mechanism = mechanism.dropFirst() }
                directives.append(
                    Directive(qualifier: qualifier ?? .pass, mechanism: try SPFMechanism(parsing: mechanism), text: String(term)))
            }
        }
        self.directives = directives
        self.redirect = redirect
        self.explanation = explanation
    }

    /// `modifier = name "=" macro-string`, `name = ALPHA *( ALPHA / DIGIT / "-" / "_" / "." )`
    /// (§6, §12); nil when the term is not shaped like a modifier.
    private static func modifier(_ term: Substring) -> (Substring, Substring)? {
        guard let equals = term.firstIndex(of: "=") else { return nil }
        let name = term[..<equals].utf8
        guard let first = name.first, SPFDomain.isLetter(first) else { return nil }
        let isNameOctet = { (octet: UInt8) in
            SPFDomain.isLetter(octet) || (0x30...0x39).contains(octet) || "-_.".utf8.contains(octet)
        }
        guard name.allSatisfy(isNameOctet) else { return nil }
        return (term[..<equals], term[term.index(after: equals)...])
    }

    private static func domainSpec(_ value: Substring, of term: Substring) throws -> SPFMacroString {
        let spec = try SPFMacroString(parsing: value, as: .domainSpec)
        guard spec.isDomainSpec else { throw SPFSyntaxError("invalid domain in \"\(term)\"") }
        return spec
    }
}
