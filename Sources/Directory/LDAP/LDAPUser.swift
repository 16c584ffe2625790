import Foundation
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
    /// An account entry without the id attribute: its mail could not be kept across renames.
    case missingID(dn: String, attribute: String)
    /// An account entry whose addresses are all outside the directory's domains.
    case foreignAddress(dn: String, addresses: [String])

    public var description: String {
        switch self {
        case .ambiguous(let login, let count): "\(count) LDAP entries match \(login): the user filter must find one"
        case .passwordChangeRefused(let reason): "the directory refused the password change: \(reason)"
        case .missingID(let dn, let attribute): "the LDAP entry \(dn) has no \(attribute)"
        case .foreignAddress(let dn, let addresses):
            "the LDAP entry \(dn) has no address in this directory's domains (\(addresses.joined(separator: ", ")))"
        }
    }
}

extension LDAPUser {
    /// Reads an account entry with `mapping`. The address is the first value of the mail
    /// attribute (in the order the server keeps) whose domain is one of `domains`, or, when the
    /// mapping has none (POSIX accounts), `uid@` the one domain. The id is the id attribute's
    /// value, in hex when it is not printable text (Active Directory's `objectGUID`).
    init(entry: LDAPEntry, mapping: LDAPMapping, domains: [String]) throws {
        dn = entry.dn
        guard let raw = entry.values(mapping.idAttribute).first, !raw.isEmpty else {
            throw LDAPDirectoryError.missingID(dn: entry.dn, attribute: mapping.idAttribute)
        }
        id = Self.text(raw)
        if let attribute = mapping.mailAttribute {
            let values = entry.strings(attribute)
            let inDomain = values.first { value in
                value.split(separator: "@").count == 2
                    && domains.contains(value[value.index(after: value.lastIndex(of: "@")!)...].lowercased())
            }
            guard let inDomain else { throw LDAPDirectoryError.foreignAddress(dn: entry.dn, addresses: values) }
            address = inDomain
        } else {
            guard let uid = entry.first("uid"), !uid.isEmpty, let domain = domains.first else {
                throw LDAPDirectoryError.foreignAddress(dn: entry.dn, addresses: [])
            }
            address = uid + "@" + domain
        }
        quotaBytes = mapping.quotaAttribute.flatMap { entry.first($0) }.flatMap { Int64($0) }.map { max(0, $0) } ?? 0
        if let attribute = mapping.enabledAttribute {
            let values = entry.strings(attribute)
            let accepted = Set(mapping.enabledValues.map { $0.lowercased() })
            enabled = values.isEmpty ? mapping.enabledWhenMissing : values.contains { accepted.contains($0.lowercased()) }
        } else {
            enabled = true
        }
        home = mapping.homeAttribute.flatMap { entry.first($0) }
        forwards = mapping.forwardAttribute.map { entry.strings($0) } ?? []
    }

    /// An id value as text: itself when printable ASCII, else `hex:` and its bytes.
    private static func text(_ raw: [UInt8]) -> String {
        if raw.allSatisfy({ $0 >= 0x21 && $0 <= 0x7E }) { return String(decoding: raw, as: UTF8.self) }
        return "hex:" + raw.map { String(format: "%02x", $0) }.joined()
    }

    /// The attributes the mapping reads from an account entry.
    static func attributes(_ mapping: LDAPMapping) -> [String] {
        var names = [mapping.idAttribute, "uid"]
        for name in [
            mapping.mailAttribute, mapping.quotaAttribute, mapping.enabledAttribute, mapping.homeAttribute,
            mapping.forwardAttribute,
        ] {
            if let name { names.append(name) }
        }
        return names
    }
}
