import SwiftASN1

/// Primitive encoders for the LDAP codec; DER output is valid BER (RFC 4511 §5.1).
extension DER.Serializer {
    mutating func writeOctets(_ bytes: some Sequence<UInt8>, tag: ASN1Identifier = .octetString) {
        appendPrimitiveNode(identifier: tag) { $0.append(contentsOf: bytes) }
    }

    /// An LDAPString or LDAPOID (§4.1.2): the UTF-8 bytes in an OCTET STRING.
    mutating func writeString(_ string: String, tag: ASN1Identifier = .octetString) {
        writeOctets(string.utf8, tag: tag)
    }

    /// The shortest two's complement form (X.690 §8.3.2).
    mutating func writeInteger(_ value: some FixedWidthInteger, tag: ASN1Identifier = .integer) {
        let wide = Int64(truncatingIfNeeded: value)
        var bytes = withUnsafeBytes(of: wide.bigEndian) { Array($0) }
        while bytes.count > 1, (bytes[0] == 0 && bytes[1] & 0x80 == 0) || (bytes[0] == 0xff && bytes[1] & 0x80 != 0) {
            bytes.removeFirst()
        }
        writeOctets(bytes, tag: tag)
    }

    /// DER writes TRUE as 0xFF (X.690 §11.1).
    mutating func writeBoolean(_ value: Bool, tag: ASN1Identifier = .boolean) {
        writeOctets([value ? 0xff : 0x00], tag: tag)
    }
}
