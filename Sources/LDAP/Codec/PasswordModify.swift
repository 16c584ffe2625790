import SwiftASN1

/// The Password Modify extended operation (RFC 3062 §2):
///
///     PasswdModifyRequestValue ::= SEQUENCE {
///         userIdentity [0] OCTET STRING OPTIONAL,
///         oldPasswd    [1] OCTET STRING OPTIONAL,
///         newPasswd    [2] OCTET STRING OPTIONAL }
public struct PasswordModifyRequest: Sendable, Hashable {
    public static let oid = LDAPExtendedOperation.passwordModify

    /// Whose password (usually a DN); nil means the bound user.
    public var userIdentity: String?
    public var oldPassword: [UInt8]?
    /// Nil asks the server to generate one (returned in `PasswordModifyResponse`).
    public var newPassword: [UInt8]?

    public init(userIdentity: String? = nil, oldPassword: [UInt8]? = nil, newPassword: [UInt8]? = nil) {
        self.userIdentity = userIdentity
        self.oldPassword = oldPassword
        self.newPassword = newPassword
    }

    /// The requestValue of the extended request.
    public var value: [UInt8] {
        var coder = DER.Serializer()
        coder.appendConstructedNode(identifier: .sequence) { coder in
            if let userIdentity { coder.writeString(userIdentity, tag: .context(0)) }
            if let oldPassword { coder.writeOctets(oldPassword, tag: .context(1)) }
            if let newPassword { coder.writeOctets(newPassword, tag: .context(2)) }
        }
        return coder.serializedBytes
    }

    /// Decodes a requestValue (for tests and fake servers).
    public init(value: [UInt8]) throws(LDAPCodecError) {
        var reader = try BERSequenceReader(try LDAPBER.parse(value[...]), tag: .sequence, "PasswdModifyRequestValue")
        userIdentity = try reader.optional(.context(0))?.string(.context(0), "userIdentity")
        oldPassword = try reader.optional(.context(1))?.octets(.context(1), "oldPasswd")
        newPassword = try reader.optional(.context(2))?.octets(.context(2), "newPasswd")
        try reader.finish()
    }
}

/// RFC 3062 §2: `PasswdModifyResponseValue ::= SEQUENCE { genPasswd [0] OCTET STRING OPTIONAL }`.
public struct PasswordModifyResponse: Sendable, Hashable {
    /// The password the server generated, when the request had no new password.
    public var generatedPassword: [UInt8]?

    public init(generatedPassword: [UInt8]? = nil) {
        self.generatedPassword = generatedPassword
    }

    /// Decodes the responseValue; an absent value means no generated password.
    public init(value: [UInt8]?) throws(LDAPCodecError) {
        guard let value else { return }
        var reader = try BERSequenceReader(try LDAPBER.parse(value[...]), tag: .sequence, "PasswdModifyResponseValue")
        generatedPassword = try reader.optional(.context(0))?.octets(.context(0), "genPasswd")
        try reader.finish()
    }

    /// The responseValue as a server sends it.
    public var value: [UInt8] {
        var coder = DER.Serializer()
        coder.appendConstructedNode(identifier: .sequence) { coder in
            if let generatedPassword { coder.writeOctets(generatedPassword, tag: .context(0)) }
        }
        return coder.serializedBytes
    }
}
