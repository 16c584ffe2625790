import SwiftASN1

/// Simple Paged Results (RFC 2696): a search returns `size` entries at a time; the server's
/// `cookie` asks for the next page and is empty after the last.
///
/// `realSearchControlValue ::= SEQUENCE { size INTEGER (0..maxInt), cookie OCTET STRING }`
public struct PagedResultsControl: Sendable, Hashable {
    public static let oid = "1.2.840.113556.1.4.319"

    /// Requested page size (request), or the server's estimate of the total (response; 0 if unknown).
    public var size: Int32
    public var cookie: [UInt8]
    /// Non-critical by default: a server without paging then answers in one go.
    public var critical: Bool

    public init(size: Int32, cookie: [UInt8] = [], critical: Bool = false) {
        self.size = size
        self.cookie = cookie
        self.critical = critical
    }

    public var control: LDAPControl {
        var coder = DER.Serializer()
        coder.appendConstructedNode(identifier: .sequence) { coder in
            coder.writeInteger(max(0, size))
            coder.writeOctets(cookie)
        }
        return LDAPControl(oid: Self.oid, critical: critical, value: coder.serializedBytes)
    }

    /// Decodes a paged-results control; throws if it has another OID or a malformed value.
    public init(decoding control: LDAPControl) throws(LDAPCodecError) {
        guard control.oid == Self.oid else { throw .malformed("not a paged results control: \(control.oid)") }
        guard let value = control.value else { throw .malformed("paged results control without a value") }
        var reader = try BERSequenceReader(try LDAPBER.parse(value[...]), tag: .sequence, "realSearchControlValue")
        size = try reader.next().int32("size")
        cookie = try reader.next().octets("cookie")
        try reader.finish()
        critical = control.critical
    }

    /// As `init(decoding:)`, nil instead of an error.
    public init?(_ control: LDAPControl) {
        guard let decoded = try? PagedResultsControl(decoding: control) else { return nil }
        self = decoded
    }
}
