import SwiftASN1

/// An attribute and its values (RFC 4511 §4.1.7, `PartialAttribute`).
public struct LDAPAttribute: Sendable, Hashable {
    /// The attribute description as the server sent it (`mail`, `cn;lang-en`).
    public var type: String
    public var values: [[UInt8]]

    public init(type: String, values: [[UInt8]]) {
        self.type = type
        self.values = values
    }
}

/// A search result entry (RFC 4511 §4.5.2, `SearchResultEntry`).
public struct LDAPEntry: Sendable, Hashable {
    public var dn: String
    public var attributes: [LDAPAttribute]

    public init(dn: String, attributes: [LDAPAttribute]) {
        self.dn = dn
        self.attributes = attributes
    }

    /// Every value of the attributes named `type`, compared case-insensitively (ASCII, as
    /// attribute descriptions are, RFC 4512 §2.5). `cn;lang-en` is a different description from `cn`.
    public func values(_ type: String) -> [[UInt8]] {
        attributes.filter { Self.sameDescription($0.type, type) }.flatMap(\.values)
    }

    /// The values that are valid UTF-8, as strings; others are left out.
    public func strings(_ type: String) -> [String] {
        values(type).compactMap { String(validating: $0, as: UTF8.self) }
    }

    /// The first UTF-8 value of `type`.
    public func first(_ type: String) -> String? {
        strings(type).first
    }

    private static func sameDescription(_ a: String, _ b: String) -> Bool {
        a.utf8.count == b.utf8.count && zip(a.utf8, b.utf8).allSatisfy { lower($0) == lower($1) }
    }

    private static func lower(_ byte: UInt8) -> UInt8 {
        byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte
    }
}

extension LDAPEntry {
    /// `SearchResultEntry ::= [APPLICATION 4] SEQUENCE { objectName LDAPDN, attributes PartialAttributeList }`
    init(decoding node: ASN1Node) throws(LDAPCodecError) {
        var reader = try BERSequenceReader(node, tag: .application(4), "SearchResultEntry")
        dn = try reader.next().string("objectName")
        var list = try BERSequenceReader(try reader.next(), tag: .sequence, "PartialAttributeList")
        try reader.finish()
        attributes = []
        for element in list.rest() {
            // PartialAttribute ::= SEQUENCE { type AttributeDescription, vals SET OF value AttributeValue }
            var attribute = try BERSequenceReader(element, tag: .sequence, "PartialAttribute")
            let type = try attribute.next().string("type")
            var set = try BERSequenceReader(try attribute.next(), tag: .set, "vals")
            try attribute.finish()
            var values: [[UInt8]] = []
            for value in set.rest() { values.append(try value.octets("AttributeValue")) }
            attributes.append(LDAPAttribute(type: type, values: values))
        }
    }

    func write(into coder: inout DER.Serializer) {
        coder.appendConstructedNode(identifier: .application(4)) { coder in
            coder.writeString(dn)
            coder.appendConstructedNode(identifier: .sequence) { coder in
                for attribute in attributes {
                    coder.appendConstructedNode(identifier: .sequence) { coder in
                        coder.writeString(attribute.type)
                        // SET OF in the server's order: nothing in LDAP depends on DER sorting.
                        coder.appendConstructedNode(identifier: .set) { coder in
                            for value in attribute.values { coder.writeOctets(value) }
                        }
                    }
                }
            }
        }
    }
}
