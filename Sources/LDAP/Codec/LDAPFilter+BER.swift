import SwiftASN1

/// The BER form of `Filter` (RFC 4511 §4.5.1, §4.5.1.7): a CHOICE of context tags [0]–[9].
///
/// Any filter `LDAPFilter(parsing:)` accepts encodes, but decoding (used by tests and fake
/// servers only: servers never send filters) is bound by swift-asn1's 50-level TLV depth, so a
/// search request whose filter nests deeper than about 46 levels is refused, not decoded.
extension LDAPFilter {
    func write(into coder: inout DER.Serializer) throws {
        switch self {
        case .and(let items):
            // SET OF, but in the given order: LDAP does not require DER's sorting.
            try coder.appendConstructedNode(identifier: .context(0)) { coder in
                for item in items { try item.write(into: &coder) }
            }
        case .or(let items):
            try coder.appendConstructedNode(identifier: .context(1)) { coder in
                for item in items { try item.write(into: &coder) }
            }
        case .not(let item):
            try coder.appendConstructedNode(identifier: .context(2)) { try item.write(into: &$0) }
        case .equality(let attribute, let value):
            Self.writeAssertion(3, attribute, value, into: &coder)
        case .substrings(let attribute, let initial, let any, let final):
            guard initial != nil || !any.isEmpty || final != nil else {
                throw LDAPCodecError.invalidValue("substring filter on \(attribute) without a piece")
            }
            // SubstringFilter ::= SEQUENCE { type, substrings SEQUENCE SIZE (1..MAX) OF CHOICE {
            //     initial [0], any [1], final [2] } } — initial first, final last (§4.5.1.7.2).
            coder.appendConstructedNode(identifier: .context(4)) { coder in
                coder.writeString(attribute)
                coder.appendConstructedNode(identifier: .sequence) { coder in
                    if let initial { coder.writeOctets(initial, tag: .context(0)) }
                    for piece in any { coder.writeOctets(piece, tag: .context(1)) }
                    if let final { coder.writeOctets(final, tag: .context(2)) }
                }
            }
        case .greaterOrEqual(let attribute, let value):
            Self.writeAssertion(5, attribute, value, into: &coder)
        case .lessOrEqual(let attribute, let value):
            Self.writeAssertion(6, attribute, value, into: &coder)
        case .present(let attribute):
            coder.writeString(attribute, tag: .context(7))
        case .approx(let attribute, let value):
            Self.writeAssertion(8, attribute, value, into: &coder)
        case .extensible(let rule, let attribute, let value, let dnAttributes):
            // §4.5.1.7.7: without a matching rule, the type must be present.
            guard rule != nil || attribute != nil else {
                throw LDAPCodecError.invalidValue("extensible match without matching rule or attribute")
            }
            // MatchingRuleAssertion ::= SEQUENCE { matchingRule [1] OPTIONAL, type [2] OPTIONAL,
            //     matchValue [3], dnAttributes [4] BOOLEAN DEFAULT FALSE }
            coder.appendConstructedNode(identifier: .context(9)) { coder in
                if let rule { coder.writeString(rule, tag: .context(1)) }
                if let attribute { coder.writeString(attribute, tag: .context(2)) }
                coder.writeOctets(value, tag: .context(3))
                if dnAttributes { coder.writeBoolean(true, tag: .context(4)) }
            }
        }
    }

    /// AttributeValueAssertion ::= SEQUENCE { attributeDesc, assertionValue } under tag [n] (§4.1.8).
    private static func writeAssertion(_ tag: UInt, _ attribute: String, _ value: [UInt8], into coder: inout DER.Serializer) {
        coder.appendConstructedNode(identifier: .context(tag)) { coder in
            coder.writeString(attribute)
            coder.writeOctets(value)
        }
    }

    init(decoding node: ASN1Node, depth: Int = 1) throws(LDAPCodecError) {
        guard depth <= Self.maximumDepth else { throw .malformed("filter nested too deeply") }
        guard node.identifier.tagClass == .contextSpecific else { throw .malformed("filter: unexpected \(node.identifier)") }
        let tag = node.identifier.tagNumber
        switch tag {
        case 0, 1:
            var reader = try BERSequenceReader(node, tag: .context(tag), "filter set")
            var items: [LDAPFilter] = []
            for child in reader.rest() { items.append(try LDAPFilter(decoding: child, depth: depth + 1)) }
            self = tag == 0 ? .and(items) : .or(items)
        case 2:
            var reader = try BERSequenceReader(node, tag: .context(2), "not")
            let item = try LDAPFilter(decoding: try reader.next(), depth: depth + 1)
            try reader.finish()
            self = .not(item)
        case 3, 5, 6, 8:
            var reader = try BERSequenceReader(node, tag: .context(tag), "AttributeValueAssertion")
            let attribute = try reader.next().string("attributeDesc")
            let value = try reader.next().octets("assertionValue")
            try reader.finish()
            switch tag {
            case 3: self = .equality(attribute, value)
            case 5: self = .greaterOrEqual(attribute, value)
            case 6: self = .lessOrEqual(attribute, value)
            default: self = .approx(attribute, value)
            }
        case 4:
            self = try Self.decodeSubstrings(node)
        case 7:
            self = .present(try node.string(.context(7), "present"))
        case 9:
            var reader = try BERSequenceReader(node, tag: .context(9), "MatchingRuleAssertion")
            let rule = try reader.optional(.context(1))?.string(.context(1), "matchingRule")
            let attribute = try reader.optional(.context(2))?.string(.context(2), "type")
            let value = try reader.next().octets(.context(3), "matchValue")
            let dnAttributes = try reader.optional(.context(4))?.boolean(.context(4), "dnAttributes") ?? false
            try reader.finish()
            guard rule != nil || attribute != nil else { throw .malformed("extensible match without rule or type") }
            self = .extensible(rule: rule, attribute: attribute, value: value, dnAttributes: dnAttributes)
        default:
            throw .malformed("unknown filter choice [\(tag)]")
        }
    }

    private static func decodeSubstrings(_ node: ASN1Node) throws(LDAPCodecError) -> LDAPFilter {
        var reader = try BERSequenceReader(node, tag: .context(4), "SubstringFilter")
        let attribute = try reader.next().string("type")
        var pieces = try BERSequenceReader(try reader.next(), tag: .sequence, "substrings")
        try reader.finish()
        var initial: [UInt8]?
        var any: [[UInt8]] = []
        var final: [UInt8]?
        var count = 0
        for piece in pieces.rest() {
            count += 1
            guard final == nil else { throw .malformed("substring after final") }
            switch piece.identifier {
            case .context(0) where count == 1: initial = try piece.octets(.context(0), "initial")
            case .context(1): any.append(try piece.octets(.context(1), "any"))
            case .context(2): final = try piece.octets(.context(2), "final")
            default: throw .malformed("substrings: unexpected \(piece.identifier)")
            }
        }
        guard count > 0 else { throw .malformed("substrings: empty") }
        return .substrings(attribute, initial: initial, any: any, final: final)
    }
}
