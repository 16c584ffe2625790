/// Why bytes could not be decoded as LDAP (or a value could not be encoded).
///
/// Decoding is total: every malformed input ends in one of these, never in a trap.
public enum LDAPCodecError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The BER is broken or does not have the shape RFC 4511 §4 gives the element.
    case malformed(String)
    /// An indefinite length (0x80); LDAP uses definite lengths only (RFC 4511 §5.1).
    case indefiniteLength
    /// A PDU does not start with a SEQUENCE tag (0x30), so the stream is not LDAP (§4.1.1).
    case notAMessage(tag: UInt8)
    /// A length field longer than 4 bytes: no PDU this client accepts needs one.
    case lengthFieldTooLong(Int)
    /// A PDU declares more content bytes than the decoder accepts.
    case messageTooLarge(declared: Int, maximum: Int)
    /// A protocolOp with an application tag this codec does not know (§4.2 to §4.14).
    case unsupportedOperation(tag: UInt)
    /// A value that cannot be encoded (a negative message ID, an empty substring filter).
    case invalidValue(String)

    public var description: String {
        switch self {
        case .malformed(let reason): "malformed LDAP message: \(reason)"
        case .indefiniteLength: "indefinite BER length in an LDAP message"
        case .notAMessage(let tag): "not an LDAP message (tag 0x\(String(tag, radix: 16)))"
        case .lengthFieldTooLong(let count): "BER length field of \(count) bytes"
        case .messageTooLarge(let declared, let maximum): "LDAP message of \(declared) bytes (limit \(maximum))"
        case .unsupportedOperation(let tag): "unsupported LDAP operation [APPLICATION \(tag)]"
        case .invalidValue(let reason): "cannot encode LDAP value: \(reason)"
        }
    }
}
