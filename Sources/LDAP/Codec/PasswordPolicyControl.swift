import SwiftASN1

/// The password policy control (draft-behera-ldap-password-policy-10 §6): sent without a value
/// with a bind (§6.1); the server answers with a `PasswordPolicyResponse` (§6.2).
public enum PasswordPolicyControl {
    public static let oid = "1.3.6.1.4.1.42.2.27.8.5.1"

    /// The request control: no value, not critical (a server without ppolicy ignores it).
    public static var request: LDAPControl { LDAPControl(oid: oid, critical: false, value: nil) }
}

/// draft-behera-ldap-password-policy-10 §6.2, `error ENUMERATED`.
public enum PasswordPolicyError: Int, Sendable, Hashable, CaseIterable {
    case passwordExpired = 0
    case accountLocked = 1
    case changeAfterReset = 2
    case passwordModNotAllowed = 3
    case mustSupplyOldPassword = 4
    case insufficientPasswordQuality = 5
    case passwordTooShort = 6
    case passwordTooYoung = 7
    case passwordInHistory = 8
}

/// The server's password policy response (draft-behera-ldap-password-policy-10 §6.2):
///
///     PasswordPolicyResponseValue ::= SEQUENCE {
///         warning [0] CHOICE { timeBeforeExpiration [0] INTEGER (0 .. maxInt),
///                              graceAuthNsRemaining [1] INTEGER (0 .. maxInt) } OPTIONAL,
///         error   [1] ENUMERATED { … } OPTIONAL }
///
/// `warning` is EXPLICIT (a CHOICE cannot be tagged implicitly): OpenLDAP's ppolicy overlay
/// sends `A0 03 80 01 nn` or `A0 03 81 01 nn`; `error` is IMPLICIT: `81 01 nn`.
public struct PasswordPolicyResponse: Sendable, Hashable {
    /// Seconds until the password expires.
    public var timeBeforeExpiration: Int?
    /// Binds still allowed with the expired password.
    public var graceAuthNsRemaining: Int?
    public var error: PasswordPolicyError?

    public init(timeBeforeExpiration: Int? = nil, graceAuthNsRemaining: Int? = nil, error: PasswordPolicyError? = nil) {
        self.timeBeforeExpiration = timeBeforeExpiration
        self.graceAuthNsRemaining = graceAuthNsRemaining
        self.error = error
    }

    /// Decodes the response control; throws if it has another OID or a malformed value.
    public init(decoding control: LDAPControl) throws(LDAPCodecError) {
        guard control.oid == PasswordPolicyControl.oid else { throw .malformed("not a password policy control: \(control.oid)") }
        guard let value = control.value else { throw .malformed("password policy response without a value") }
        try self.init(controlValue: value)
    }

    /// Decodes the control value.
    public init(controlValue: [UInt8]) throws(LDAPCodecError) {
        var reader = try BERSequenceReader(try LDAPBER.parse(controlValue[...]), tag: .sequence, "PasswordPolicyResponseValue")
        if let warning = reader.optional(.context(0)) {
            var choice = try BERSequenceReader(warning, tag: .context(0), "warning")
            let node = try choice.next()
            try choice.finish()
            let seconds = try node.integer(node.identifier, in: 0...Int64(Int32.max), "warning")
            switch node.identifier {
            case .context(0): timeBeforeExpiration = Int(seconds)
            case .context(1): graceAuthNsRemaining = Int(seconds)
            default: throw .malformed("password policy warning: unexpected \(node.identifier)")
            }
        }
        if let node = reader.optional(.context(1)) {
            let code = try node.integer(.context(1), in: 0...Int64(Int32.max), "error")
            guard let error = PasswordPolicyError(rawValue: Int(code)) else {
                throw .malformed("unknown password policy error \(code)")
            }
            self.error = error
        }
        try reader.finish()
    }

    /// The control value as a server sends it (for tests and fake servers).
    public var controlValue: [UInt8] {
        var coder = DER.Serializer()
        coder.appendConstructedNode(identifier: .sequence) { coder in
            if let timeBeforeExpiration {
                coder.appendConstructedNode(identifier: .context(0)) { $0.writeInteger(timeBeforeExpiration, tag: .context(0)) }
            } else if let graceAuthNsRemaining {
                coder.appendConstructedNode(identifier: .context(0)) { $0.writeInteger(graceAuthNsRemaining, tag: .context(1)) }
            }
            if let error { coder.writeInteger(error.rawValue, tag: .context(1)) }
        }
        return coder.serializedBytes
    }

    /// The response control carrying `controlValue`.
    public var control: LDAPControl { LDAPControl(oid: PasswordPolicyControl.oid, critical: false, value: controlValue) }
}
