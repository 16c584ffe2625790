import SwiftASN1

/// A search (RFC 4511 §4.5.1).
public struct LDAPSearchRequest: Sendable, Hashable {
    public var base: String
    public var scope: LDAPSearchScope
    public var derefAliases: LDAPDerefAliases
    /// At most this many entries (0: no client limit), §4.5.1.4.
    public var sizeLimit: Int32
    /// At most this many seconds (0: no client limit), §4.5.1.5.
    public var timeLimit: Int32
    /// Attribute types only, no values (§4.5.1.6).
    public var typesOnly: Bool
    public var filter: LDAPFilter
    /// The attributes to return; empty asks for all user attributes (§4.5.1.8).
    public var attributes: [String]

    public init(
        base: String, scope: LDAPSearchScope, derefAliases: LDAPDerefAliases = .never, sizeLimit: Int32 = 0,
        timeLimit: Int32 = 0, typesOnly: Bool = false, filter: LDAPFilter, attributes: [String]
    ) {
        self.base = base
        self.scope = scope
        self.derefAliases = derefAliases
        self.sizeLimit = sizeLimit
        self.timeLimit = timeLimit
        self.typesOnly = typesOnly
        self.filter = filter
        self.attributes = attributes
    }
}

extension LDAPSearchRequest {
    /// `SearchRequest ::= [APPLICATION 3] SEQUENCE { baseObject LDAPDN, scope ENUMERATED,
    /// derefAliases ENUMERATED, sizeLimit INTEGER (0..maxInt), timeLimit INTEGER (0..maxInt),
    /// typesOnly BOOLEAN, filter Filter, attributes AttributeSelection }`
    func write(into coder: inout DER.Serializer) throws {
        guard sizeLimit >= 0, timeLimit >= 0 else { throw LDAPCodecError.invalidValue("negative search limit") }
        try coder.appendConstructedNode(identifier: .application(3)) { coder in
            coder.writeString(base)
            coder.writeInteger(scope.rawValue, tag: .enumerated)
            coder.writeInteger(derefAliases.rawValue, tag: .enumerated)
            coder.writeInteger(sizeLimit)
            coder.writeInteger(timeLimit)
            coder.writeBoolean(typesOnly)
            try filter.write(into: &coder)
            coder.appendConstructedNode(identifier: .sequence) { coder in
                for attribute in attributes { coder.writeString(attribute) }
            }
        }
    }

    init(decoding node: ASN1Node) throws(LDAPCodecError) {
        var reader = try BERSequenceReader(node, tag: .application(3), "SearchRequest")
        base = try reader.next().string("baseObject")
        let scope = try reader.next().integer(.enumerated, "scope")
        guard let scope = LDAPSearchScope(rawValue: Int(scope)) else { throw .malformed("unknown scope \(scope)") }
        self.scope = scope
        let deref = try reader.next().integer(.enumerated, "derefAliases")
        guard let deref = LDAPDerefAliases(rawValue: Int(deref)) else { throw .malformed("unknown derefAliases \(deref)") }
        derefAliases = deref
        sizeLimit = try reader.next().int32("sizeLimit")
        timeLimit = try reader.next().int32("timeLimit")
        typesOnly = try reader.next().boolean("typesOnly")
        filter = try LDAPFilter(decoding: try reader.next())
        var selection = try BERSequenceReader(try reader.next(), tag: .sequence, "AttributeSelection")
        try reader.finish()
        attributes = []
        for attribute in selection.rest() { attributes.append(try attribute.string("attribute selector")) }
    }
}
