import SwiftASN1

/// The BER subset LDAP uses (RFC 4511 §5.1): definite lengths only, primitive OCTET STRINGs,
/// single-byte tags. swift-asn1 parses the TLV tree (at most 50 levels deep); this adds LDAP's
/// restrictions and typed accessors that throw `LDAPCodecError` instead of trapping.
enum LDAPBER {
    /// Parses exactly one element covering all of `bytes`.
    static func parse(_ bytes: ArraySlice<UInt8>) throws(LDAPCodecError) -> ASN1Node {
        let node: ASN1Node
        do {
            node = try BER.parse(bytes)
        } catch let error as ASN1Error {
            throw .malformed("\(error.code)")
        } catch {
            throw .malformed("invalid BER")
        }
        try checkRestrictions(node)
        return node
    }

    /// §5.1: "Only the definite form of length encoding is used." LDAP needs no tag above 30.
    private static func checkRestrictions(_ node: ASN1Node) throws(LDAPCodecError) {
        let encoded = node.encodedBytes
        guard encoded.count >= 2 else { throw .malformed("truncated element") }
        guard encoded[encoded.startIndex] & 0x1f != 0x1f else { throw .malformed("multi-byte tag") }
        guard case .constructed(let children) = node.content else { return }
        guard encoded[encoded.startIndex + 1] != 0x80 else { throw .indefiniteLength }
        for child in children { try checkRestrictions(child) }
    }
}

extension ASN1Identifier {
    static func application(_ number: UInt) -> ASN1Identifier { ASN1Identifier(tagWithNumber: number, tagClass: .application) }
    static func context(_ number: UInt) -> ASN1Identifier { ASN1Identifier(tagWithNumber: number, tagClass: .contextSpecific) }
}

/// Reads the elements of a constructed node in order.
struct BERSequenceReader {
    private var iterator: ASN1NodeCollection.Iterator
    private var peeked: ASN1Node?
    private let context: String

    /// Opens `node`, which must be constructed with identifier `tag`.
    init(_ node: ASN1Node, tag: ASN1Identifier, _ context: String) throws(LDAPCodecError) {
        guard node.identifier == tag, case .constructed(let children) = node.content else {
            throw .malformed("\(context): expected a constructed \(tag), found \(node.identifier)")
        }
        iterator = children.makeIterator()
        self.context = context
    }

    /// The next element without consuming it.
    mutating func peek() -> ASN1Node? {
        if peeked == nil { peeked = iterator.next() }
        return peeked
    }

    /// The next element, which must exist.
    mutating func next() throws(LDAPCodecError) -> ASN1Node {
        guard let node = peek() else { throw .malformed("\(context): missing element") }
        peeked = nil
        return node
    }

    /// The next element if it has identifier `tag` (an OPTIONAL component).
    mutating func optional(_ tag: ASN1Identifier) -> ASN1Node? {
        guard let node = peek(), node.identifier == tag else { return nil }
        peeked = nil
        return node
    }

    /// Every remaining element.
    mutating func rest() -> [ASN1Node] {
        var nodes: [ASN1Node] = []
        while let node = peek() {
            peeked = nil
            nodes.append(node)
        }
        return nodes
    }

    /// Refuses elements after the last one the type defines.
    mutating func finish() throws(LDAPCodecError) {
        if let node = peek() { throw .malformed("\(context): unexpected element \(node.identifier)") }
    }
}

extension ASN1Node {
    /// The content of a primitive element with identifier `tag`.
    func primitive(_ tag: ASN1Identifier, _ context: String) throws(LDAPCodecError) -> ArraySlice<UInt8> {
        // A constructed OCTET STRING is valid BER but never used by LDAP (§5.1): refused.
        guard identifier == tag, case .primitive(let bytes) = content else {
            throw .malformed("\(context): expected a primitive \(tag), found \(identifier)")
        }
        return bytes
    }

    func octets(_ context: String) throws(LDAPCodecError) -> [UInt8] { try octets(.octetString, context) }

    func octets(_ tag: ASN1Identifier, _ context: String) throws(LDAPCodecError) -> [UInt8] {
        Array(try primitive(tag, context))
    }

    /// An LDAPString (§4.1.2, UTF-8); invalid sequences are replaced, not refused.
    func string(_ context: String) throws(LDAPCodecError) -> String { try string(.octetString, context) }

    func string(_ tag: ASN1Identifier, _ context: String) throws(LDAPCodecError) -> String {
        String(decoding: try primitive(tag, context), as: UTF8.self)
    }

    /// A two's complement INTEGER or ENUMERATED of at most 8 content bytes, within `range`.
    func integer(
        _ tag: ASN1Identifier = .integer, in range: ClosedRange<Int64> = Int64.min...Int64.max, _ context: String
    ) throws(LDAPCodecError) -> Int64 {
        let bytes = try primitive(tag, context)
        guard let first = bytes.first, bytes.count <= 8 else { throw .malformed("\(context): integer of \(bytes.count) bytes") }
        var value: Int64 = first & 0x80 == 0 ? 0 : -1
        for byte in bytes { value = value << 8 | Int64(byte) }
        guard range.contains(value) else { throw .malformed("\(context): \(value) out of range") }
        return value
    }

    /// An INTEGER (0..maxInt), maxInt = 2³¹−1 (RFC 4511 §4.1.1).
    func int32(_ context: String) throws(LDAPCodecError) -> Int32 { try int32(.integer, context) }

    func int32(_ tag: ASN1Identifier, _ context: String) throws(LDAPCodecError) -> Int32 {
        Int32(truncatingIfNeeded: try integer(tag, in: 0...Int64(Int32.max), context))
    }

    /// A BOOLEAN: BER reads any non-zero byte as TRUE (X.690 §8.2.2).
    func boolean(_ context: String) throws(LDAPCodecError) -> Bool { try boolean(.boolean, context) }

    func boolean(_ tag: ASN1Identifier, _ context: String) throws(LDAPCodecError) -> Bool {
        let bytes = try primitive(tag, context)
        guard let byte = bytes.first, bytes.count == 1 else { throw .malformed("\(context): BOOLEAN of \(bytes.count) bytes") }
        return byte != 0
    }
}
