import Core

/// Why a directory operation was refused; each reads as one clear line for the admin CLI.
public enum DirectoryError: Error, Equatable, Sendable, CustomStringConvertible {
    case invalidAddress(String, AddressError)
    case invalidDomain(String)
    case unknownDomain(String)
    case duplicateDomain(String)
    case domainNotEmpty(String, accounts: Int, aliases: Int)
    case unknownAccount(String)
    case duplicateAccount(String)
    case unknownAlias(String)
    case duplicateAlias(source: String, target: String)
    case aliasSourceIsNotLocal(String)
    case invalidQuota(Int64)
    case weakPassword(String)
    /// The address belongs to a service (a mailing list's address).
    case serviceAddress(String, service: String)
    /// The domain's accounts and aliases come from LDAP: they are changed there.
    case managedByLDAP(String)
    /// Two LDAP entries claim one address: the record stays with the entry that had it first.
    case addressClaimed(String)
    /// A record made before its domain moved to LDAP has the address; only `posta directory
    /// sync` links such records to their entries (an administrator's act, not a first sight).
    case addressUnlinked(String)

    public var description: String {
        switch self {
        case .invalidAddress(let a, let why): "invalid address '\(a)': \(why)"
        case .invalidDomain(let d): "invalid domain name '\(d)'"
        case .unknownDomain(let d): "unknown domain '\(d)' (add it first: posta domain add \(d))"
        case .duplicateDomain(let d): "domain '\(d)' already exists"
        case .domainNotEmpty(let d, let accounts, let aliases):
            "domain '\(d)' still has \(accounts) user(s) and \(aliases) alias(es); delete them first"
        case .unknownAccount(let a): "no such user '\(a)'"
        case .duplicateAccount(let a): "user '\(a)' already exists"
        case .unknownAlias(let a): "no such alias '\(a)'"
        case .duplicateAlias(let s, let t): "alias '\(s)' already delivers to '\(t)'"
        case .aliasSourceIsNotLocal(let s): "alias source '\(s)' is not in a local domain"
        case .invalidQuota(let q): "invalid quota \(q): expected 0 (unlimited) or a positive number of bytes"
        case .weakPassword(let why): "password refused: \(why)"
        case .serviceAddress(let a, let service): "'\(a)' is an address of a \(service)"
        case .addressClaimed(let a): "the address '\(a)' belongs to another LDAP entry's account record"
        case .addressUnlinked(let a):
            "the account record of '\(a)' is not linked to an LDAP entry yet: run posta directory sync to link it"
        case .managedByLDAP(let d): "the accounts and aliases of '\(d)' come from LDAP ([[directory.ldap]]): change them there"
        }
    }
}
