import Core
import SQLKit

/// Where one envelope recipient ends up after aliases, subaddresses and catch-alls.
public enum Delivery: Sendable, Hashable {
    /// Into a local account's mailbox; `detail` is the subaddress tag (`tag` of `user+tag@domain`).
    case mailbox(accountID: Int64, address: String, detail: String?)
    /// To an address outside the local domains (forwarded).
    case external(MailAddress)
    /// To a service that owns the address (a mailing list: `AddressService`).
    case service(ServiceAddress)
}

/// The outcome of resolving a recipient address.
public enum Resolution: Sendable, Equatable {
    /// The domain is not local: relaying decides, not the directory.
    case notLocal
    /// A local domain, but nobody there by that name (`550 5.1.1`).
    case unknown
    /// Deliver to each, once (duplicates reached by several paths are merged).
    case deliver([Delivery])
}

/// Why a recipient could not be resolved.
public enum ResolutionError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Aliases lead back to themselves and nothing deliverable remains.
    case loop(String)
    /// More targets or deeper nesting than the limits allow.
    case expansionLimit(String)

    public var description: String {
        switch self {
        case .loop(let a): "alias loop while expanding \(a)"
        case .expansionLimit(let a): "alias expansion limit exceeded while expanding \(a)"
        }
    }
}

extension Directory {
    /// Resolves an envelope recipient.
    ///
    /// Order for `user+tag@domain`: a service's address (a mailing list's, `AddressService`);
    /// aliases or accounts named exactly so; then the same for
    /// `user@domain`, keeping `tag` for the mailbox; then the catch-all `@domain`. Aliases win over
    /// an account of the same name; an alias that names its own source delivers to that account
    /// ("keep a copy"). Loops are cut where they close; the whole expansion is refused only when
    /// nothing deliverable remains.
    public func resolve(_ recipient: MailAddress) async throws -> Resolution {
        @Sendable func expand(in db: any SQLDatabase) async throws -> (Resolution, [Account]) {
            var expansion = Expansion(root: recipient, directory: self, db: db)
            guard try await expansion.isLocal(recipient.domain) else { return (.notLocal, []) }
            _ = try await expansion.expand(recipient, depth: 0)
            if !expansion.deliveries.isEmpty { return (.deliver(expansion.deliveries), expansion.linked) }
            if expansion.sawLoop { throw ResolutionError.loop(recipient.description) }
            return (.unknown, [])
        }
        // With LDAP, the expansion waits on directory servers between statements: it must not
        // hold a database connection meanwhile (a slow directory would starve the pool).
        let (resolution, linked) =
            ldap.isEmpty
            ? try await database.withConnection { db in try await expand(in: db) } : try await expand(in: database.perStatement)
        // After the connection is given back: provisioning takes connections of its own.
        for account in linked { try await ensureProvisioned(account) }
        return resolution
    }
}

/// The state of one recipient's expansion: what was visited, what was found.
private struct Expansion {
    let root: MailAddress
    let directory: Directory
    let db: any SQLDatabase
    var visited: Set<String> = []
    var deliveries: [Delivery] = []
    var deliveredAccounts: Set<Int64> = []
    /// LDAP accounts met, to be provisioned once the expansion is done.
    var linked: [Account] = []
    var steps = 0
    var sawLoop = false
    /// Domains looked up so far: whether each is local.
    var localDomains: [String: Bool] = [:]

    init(root: MailAddress, directory: Directory, db: any SQLDatabase) {
        self.root = root
        self.directory = directory
        self.db = db
    }

    /// Whether `domain` is one of the site's (each domain asked of the database once per expansion).
    mutating func isLocal(_ domain: String) async throws -> Bool {
        if let known = localDomains[domain] { return known }
        let local = try await Directory.domainID(domain, in: db) != nil
        localDomains[domain] = local
        return local
    }

    /// Expands `address`; returns false when it names nothing at all.
    mutating func expand(_ address: MailAddress, depth: Int) async throws -> Bool {
        steps += 1
        guard depth <= directory.depthLimit, steps <= directory.expansionLimit else {
            throw ResolutionError.expansionLimit(root.description)
        }
        guard try await isLocal(address.domain) else {
            add(.external(address))
            return true
        }
        guard visited.insert(address.key).inserted else {
            sawLoop = true
            return true
        }
        if let owner = try await Directory.serviceOwner(address, services: directory.services, in: db) {
            add(.service(owner))
            return true
        }
        if let source = directory.ldapSource(forDomain: address.domain) {
            return try await expandLDAP(address, source: source, depth: depth)
        }
        if try await expandNamed(address, detail: nil, depth: depth) { return true }
        if let (base, detail) = address.splittingDetail(separator: directory.detailSeparator),
            try await expandNamed(base, detail: detail, depth: depth)
        {
            return true
        }
        let catchAll = try await Directory.aliasTargets("@" + address.domain, in: db)
        guard !catchAll.isEmpty else { return false }
        try await expandTargets(catchAll, selfKey: nil, detail: nil, depth: depth)
        return true
    }

    /// `expand` for an LDAP domain: the address, then without its subaddress, then the
    /// catch-all, each asked of the directory.
    private mutating func expandLDAP(_ address: MailAddress, source: LDAPDirectory, depth: Int) async throws -> Bool {
        if try await expandLDAPNamed(address.key, detail: nil, source: source, depth: depth) { return true }
        if let (base, detail) = address.splittingDetail(separator: directory.detailSeparator),
            try await expandLDAPNamed(base.key, detail: detail, source: source, depth: depth)
        {
            return true
        }
        return try await expandLDAPNamed("@" + address.domain, detail: nil, source: source, depth: depth)
    }

    /// An LDAP account (its mailbox, and its forwarding addresses), or an alias, forward or
    /// group (its targets); false when the directory has nothing by that name.
    private mutating func expandLDAPNamed(_ key: String, detail: String?, source: LDAPDirectory, depth: Int) async throws
        -> Bool
    {
        guard let found = try await source.recipient(key) else { return false }
        if let user = found.user {
            let account = try await Directory.linkedAccount(user, in: db)
            linked.append(account)
            if deliveredAccounts.insert(account.id).inserted {
                add(.mailbox(accountID: account.id, address: account.address, detail: detail))
            }
            try await expandTargets(user.forwards, selfKey: key, detail: nil, depth: depth)
            return true
        }
        try await expandTargets(found.targets, selfKey: nil, detail: detail, depth: depth)
        return true
    }

    /// Expands an alias or account named exactly `address`; false when neither exists.
    private mutating func expandNamed(_ address: MailAddress, detail: String?, depth: Int) async throws -> Bool {
        let targets = try await Directory.aliasTargets(address.key, in: db)
        if !targets.isEmpty {
            try await expandTargets(targets, selfKey: address.key, detail: detail, depth: depth)
            return true
        }
        return try await deliverToAccount(key: address.key, detail: detail)
    }

    private mutating func expandTargets(_ targets: [String], selfKey: String?, detail: String?, depth: Int) async throws {
        for text in targets {
            guard let target = try? MailAddress(parsing: text) else { continue }
            if target.key == selfKey {
                _ = try await deliverToAccount(key: target.key, detail: detail)
            } else {
                _ = try await expand(target, depth: depth + 1)
            }
        }
    }

    private mutating func deliverToAccount(key: String, detail: String?) async throws -> Bool {
        guard let account = try await Directory.account(key: key, in: db) else { return false }
        if deliveredAccounts.insert(account.id).inserted {
            add(.mailbox(accountID: account.id, address: account.address, detail: detail))
        }
        return true
    }

    private mutating func add(_ delivery: Delivery) {
        if !deliveries.contains(delivery) { deliveries.append(delivery) }
    }
}
