import LDAP

/// An account as the directory describes it.
public struct LDAPUser: Sendable, Hashable {
    public var dn: String
    /// The stable id (`entryUUID`) that keys the account's mail in Posta's store.
    public var id: String
    public var address: String
    /// 0: no quota.
    public var quotaBytes: Int64
    public var enabled: Bool
    public var home: String?
    /// Addresses each message is also sent to (`mailForwardingAddress` on the account itself).
    public var forwards: [String]
    /// The stored hash (`{SCHEME}…`), read only in `compare` mode.
    var passwordHash: String?
}

/// What an address means in the directory.
public struct LDAPRecipient: Sendable, Hashable {
    /// The account that owns the address, if one does.
    public var user: LDAPUser?
    /// The addresses an alias, forward or group leads to (when no account owns it).
    public var targets: [String]
}

/// The result of a password check against the directory.
public enum LDAPLoginOutcome: Sendable, Equatable {
    /// `graceLogins`: binds left after expiry (ppolicy), when the server said so.
    case success(graceLogins: Int?)
    case wrongPassword
    /// Locked by the server's password policy (ppolicy `accountLocked`).
    case accountLocked
    /// The password has expired (ppolicy `passwordExpired`).
    case passwordExpired
}

/// Problems of the directory's data or configuration (temporary for mail: nothing is refused
/// for good because of them).
public enum LDAPDirectoryError: Error, Sendable, CustomStringConvertible {
    /// More than one entry matched a filter that must name one account.
    case ambiguous(String, count: Int)
    /// The password change was refused.
    case passwordChangeRefused(String)

    public var description: String {
        switch self {
        case .ambiguous(let login, let count): "\(count) LDAP entries match \(login): the user filter must find one"
        case .passwordChangeRefused(let reason): "the directory refused the password change: \(reason)"
        }
    }
}

extension LDAPUser {
    /// Reads an entry with `mapping`; `login` supplies the local part when the mapping has no
    /// mail attribute (POSIX accounts), the address then being in `domain`.
    init(entry: LDAPEntry, mapping: LDAPMapping, domain: String, login: String?) {
        dn = entry.dn
        id = entry.first(mapping.idAttribute) ?? "dn:" + entry.dn.lowercased()
        if let attribute = mapping.mailAttribute, let mail = entry.first(attribute) {
            address = mail
        } else {
            let local = entry.first("uid") ?? login.map { String($0.split(separator: "@").first ?? "") } ?? ""
            address = local + "@" + domain
        }
        quotaBytes = mapping.quotaAttribute.flatMap { entry.first($0) }.flatMap { Int64($0) }.map { max(0, $0) } ?? 0
        if let attribute = mapping.enabledAttribute {
            let values = entry.strings(attribute)
            let accepted = Set(mapping.enabledValues.map { $0.lowercased() })
            enabled = values.isEmpty || values.contains { accepted.contains($0.lowercased()) }
        } else {
            enabled = true
        }
        home = mapping.homeAttribute.flatMap { entry.first($0) }
        forwards = mapping.forwardAttribute.map { entry.strings($0) } ?? []
        passwordHash = entry.first(mapping.passwordAttribute)
    }

    /// The attributes the mapping reads from an account entry.
    static func attributes(_ mapping: LDAPMapping, compare: Bool) -> [String] {
        var names = [mapping.idAttribute, "uid"]
        for name in [
            mapping.mailAttribute, mapping.quotaAttribute, mapping.enabledAttribute, mapping.homeAttribute,
            mapping.forwardAttribute,
        ] {
            if let name { names.append(name) }
        }
        if compare { names.append(mapping.passwordAttribute) }
        return names
    }
}
