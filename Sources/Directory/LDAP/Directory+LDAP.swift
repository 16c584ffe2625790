import Core
import LDAP
import SQLKit

extension Directory {
    /// The directory that holds `domain`'s accounts, or nil when the database does.
    public func ldapSource(forDomain domain: String) -> LDAPDirectory? {
        let domain = domain.lowercased()
        return ldap.first { $0.domains.contains(domain) }
    }

    /// The directory a login belongs to: by its domain, or, for a login without `@`, the one
    /// whose accounts log in by `uid` (POSIX).
    public func ldapSource(forLogin login: String) -> LDAPDirectory? {
        if let at = login.lastIndex(of: "@") { return ldapSource(forDomain: String(login[login.index(after: at)...])) }
        return ldap.first { $0.bareLoginDomain != nil }
    }

    /// Refuses changes to accounts and aliases of a domain that LDAP holds.
    func requireDatabaseManaged(_ domain: String) throws {
        if ldapSource(forDomain: domain) != nil { throw DirectoryError.managedByLDAP(domain.lowercased()) }
    }

    /// Adds each LDAP domain to the database's domain table (lists, DKIM keys and policies hang
    /// off it), once.
    public func registerLDAPDomains() async throws {
        for domain in ldap.flatMap(\.settings.domains) where !(try await isLocalDomain(domain)) {
            do { try await addDomain(domain) } catch DirectoryError.duplicateDomain { continue }
        }
    }

    /// The local account record that keeps an LDAP user's mail, keyed by the entry's stable id
    /// (`external_id`): created on first sight, its address and quota brought in line with the
    /// directory's (a renamed entry keeps its record and so its mail). The returned account is
    /// enabled when both the directory and the record's own switch say so.
    public func linkedAccount(_ user: LDAPUser, adopting: Bool = false) async throws -> Account {
        let account = try await database.withConnection { db in
            try await Self.linkedAccount(user, adopting: adopting, in: db)
        }
        try await ensureProvisioned(account)
        return account
    }

    /// Makes the account's mail store once per process (idempotent, so a record made by another
    /// node or before a crash is completed here).
    func ensureProvisioned(_ account: Account) async throws {
        guard let provisioner, !provisioned.withLockedValue({ $0.contains(account.id) }) else { return }
        try await provisioner.provision(account: account)
        provisioned.withLockedValue { _ = $0.insert(account.id) }
    }

    /// `linkedAccount` on a connection already held (recipient expansion). Statements run one by
    /// one: two nodes creating the same record meet at the unique `external_id`, and the loser
    /// reads the winner's record.
    ///
    /// A record of the same address that no entry owns (made before the domain moved to LDAP) is
    /// taken over only when `adopting` (`posta directory sync`): on first sight an entry that
    /// claims it gets a temporary error, so a user who may edit their own `mail` cannot take a
    /// colleague's mail. A record another entry owns is never taken.
    static func linkedAccount(_ user: LDAPUser, adopting: Bool = false, in db: any SQLDatabase) async throws -> Account {
        let parsed = try parse(user.address)
        guard let domainID = try await domainID(parsed.domain, in: db) else {
            throw DirectoryError.unknownDomain(parsed.domain)
        }
        func linked() async throws -> Account? {
            try await accountQuery(db).where("external_id", .equal, user.id).first(decoding: Account.self)
        }
        let holder = try await db.select().columns("id", "external_id").from("account")
            .where("address_key", .equal, parsed.key).first()
            .map {
                (
                    id: try $0.decode(column: "id", as: Int64.self),
                    externalID: try $0.decode(column: "external_id", as: String?.self)
                )
            }
        // The record's `enabled` is Posta's own switch (an administrator's or the abuse
        // containment's): the account works only when both it and the directory say so.
        if var account = try await linked() {
            if account.address != parsed.description || account.quotaBytes != user.quotaBytes {
                // A rename onto an address another record holds waits for that record to go.
                if let holder, holder.id != account.id { throw DirectoryError.addressClaimed(parsed.description) }
                try await db.update("account").set("address", to: SQLBind(parsed.description))
                    .set("address_key", to: SQLBind(parsed.key)).set("domain_id", to: SQLBind(domainID))
                    .set("quota_bytes", to: SQLBind(user.quotaBytes)).where("id", .equal, account.id).run()
                (account.address, account.quotaBytes) = (parsed.description, user.quotaBytes)
            }
            account.enabled = account.enabled && user.enabled
            return account
        }
        if let holder {
            guard holder.externalID == nil else { throw DirectoryError.addressClaimed(parsed.description) }
            guard adopting else { throw DirectoryError.addressUnlinked(parsed.description) }
            try await db.update("account").set("external_id", to: SQLBind(user.id))
                .set("quota_bytes", to: SQLBind(user.quotaBytes))
                .where("id", .equal, holder.id).where("external_id", .is, SQLLiteral.null).run()
            guard var adopted = try await linked() else { throw DirectoryError.addressClaimed(parsed.description) }
            adopted.enabled = adopted.enabled && user.enabled
            return adopted
        }
        let now = UnixTime.now()
        do {
            try await db.insert(into: "account")
                .columns(
                    "domain_id", "address_key", "address", "display_name", "password", "quota_bytes", "enabled", "created_at",
                    "external_id"
                )
                .values(
                    SQLBind(domainID), SQLBind(parsed.key), SQLBind(parsed.description), SQLBind(""), SQLBind(""),
                    SQLBind(user.quotaBytes), SQLBind(true), SQLBind(now), SQLBind(user.id)
                ).run()
        } catch {
            // Another node (or request) made it first.
            if let account = try await linked() { return account }
            throw error
        }
        guard var account = try await linked() else { throw DirectoryError.unknownAccount(user.address) }
        account.enabled = user.enabled
        return account
    }

    /// A login against the directory (`authenticate` for an LDAP domain).
    func authenticateLDAP(_ login: String, password: String, in source: LDAPDirectory) async throws -> LoginResult {
        guard let user = try await source.user(login) else {
            // Comparable time for an unknown user in compare mode, as for database accounts.
            if source.settings.auth == .compare { await spendDecoyTime(password) }
            return .failure(.unknownAccount)
        }
        switch try await source.checkPassword(user, password: password) {
        case .wrongPassword: return .failure(.wrongPassword)
        case .accountLocked: return .failure(.accountLocked)
        case .passwordExpired: return .failure(.passwordExpired)
        case .success:
            guard user.enabled else { return .failure(.disabled) }
            var account = try await linkedAccount(user)
            guard account.enabled else { return .failure(.disabled) }
            let (now, id) = (UnixTime.now(), account.id)
            try await database.withConnection { db in
                try await db.update("account").set("last_login_at", to: SQLBind(now)).where("id", .equal, id).run()
            }
            account.lastLoginAt = now
            return .success(account)
        }
    }

    /// Changes the password of an LDAP domain's account in the directory (RFC 3062), then ends
    /// the account's other sessions as a database password change does.
    public func changeLDAPPassword(_ address: String, old: String, new: String) async throws {
        guard let source = ldapSource(forDomain: try Self.parse(address).domain) else {
            throw DirectoryError.unknownAccount(address)
        }
        guard let user = try await source.user(address) else { throw DirectoryError.unknownAccount(address) }
        try await source.changePassword(user, old: old, new: new)
        source.forget(user)
        let account = try await linkedAccount(user)
        try await database.transaction { db in
            try await self.revokeSessions(account, reason: .passwordChanged, in: db)
        }
    }
}
