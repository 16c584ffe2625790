import SwiftASN1

/// A request or response control (RFC 4511 §4.1.11):
/// `Control ::= SEQUENCE { controlType LDAPOID, criticality BOOLEAN DEFAULT FALSE, controlValue OCTET STRING OPTIONAL }`.
public struct LDAPControl: Sendable, Hashable {
    public var oid: String
    /// A server that does not support a critical control refuses the operation
    /// (unavailableCriticalExtension) rather than ignoring it.
    public var critical: Bool
    /// The control-specific value, already BER-encoded when the control defines one.
    public var value: [UInt8]?

    public init(oid: String, critical: Bool = false, value: [UInt8]? = nil) {
        self.oid = oid
        self.critical = critical
        self.value = value
    }
}

extension LDAPControl {
    init(decoding node: ASN1Node) throws(LDAPCodecError) {
        var reader = try BERSequenceReader(node, tag: .sequence, "Control")
        oid = try reader.next().string("controlType")
        critical = try reader.optional(.boolean)?.boolean("criticality") ?? false
        value = try reader.optional(.octetString)?.octets("controlValue")
        try reader.finish()
    }

    func write(into coder: inout DER.Serializer) {
        coder.appendConstructedNode(identifier: .sequence) { coder in
            coder.writeString(oid)
            // DER leaves out a component equal to its DEFAULT (X.690 §11.5).
            if critical { coder.writeBoolean(true) }
            if let value { coder.writeOctets(value) }
        }
    }
}
