import Core
import NIOConcurrencyHelpers
import SQLKit

/// Domains, accounts and aliases, stored in the site database so every node sees the same set.
///
/// Domain names are case-insensitive (RFC 5321 §2.4); local parts are matched case-insensitively
/// (the stored `address` keeps the spelling the admin typed).
public final class Directory: Sendable {
    public let database: Database
    /// Most targets one recipient may expand into, counting nested aliases.
    public let expansionLimit: Int
    /// Deepest alias nesting followed.
    public let depthLimit: Int
    /// The subaddress separator (`user+tag@domain`, RFC 5233).
    public let detailSeparator: Character
    /// Addresses served by something other than a mailbox (mailing lists), asked first.
    public let services: [any AddressService]
    /// Directories whose domains' accounts, aliases and groups live in LDAP (`[[directory.ldap]]`);
    /// every other domain is the database's.
    public let ldap: [LDAPDirectory]
    /// Makes the mail store of account records the directory creates itself (LDAP accounts).
    public let provisioner: (any AccountProvisioner)?
    /// Accounts provisioned by this process (`ensureProvisioned`).
    let provisioned = NIOLockedValueBox(Set<Int64>())

    public init(
        database: Database, expansionLimit: Int = 1000, depthLimit: Int = 10, detailSeparator: Character = "+",
        services: [any AddressService] = [], ldap: [LDAPDirectory] = [], provisioner: (any AccountProvisioner)? = nil
    ) {
        self.services = services
        self.ldap = ldap
        self.provisioner = provisioner
        self.database = database
        self.expansionLimit = expansionLimit
        self.depthLimit = depthLimit
        self.detailSeparator = detailSeparator
    }

    // MARK: Domains

    /// Adds a local domain.
    @discardableResult
    public func addDomain(_ name: String) async throws -> Domain {
        let domain: String
        do { domain = try DomainName.normalize(name) } catch { throw DirectoryError.invalidDomain(name) }
        return try await database.transaction { db in
            if try await Self.domainID(domain, in: db) != nil { throw DirectoryError.duplicateDomain(domain) }
            let now = UnixTime.now()
            let id = try await db.insert(into: "domain").columns("name", "created_at")
                .values(SQLBind(domain), SQLBind(now)).returning("id").first(decodingColumn: "id", as: Int64.self)
            return Domain(id: id ?? 0, name: domain, createdAt: now)
        }
    }

    /// Removes a domain that has no accounts and no aliases left.
    public func deleteDomain(_ name: String) async throws {
        let domain = name.lowercased()
        try await database.transaction { db in
            guard let id = try await Self.domainID(domain, in: db) else { throw DirectoryError.unknownDomain(domain) }
            let accounts = try await Self.count("account", domainID: id, in: db)
            let aliases = try await Self.count("alias", domainID: id, in: db)
            guard accounts == 0 && aliases == 0 else {
                throw DirectoryError.domainNotEmpty(domain, accounts: accounts, aliases: aliases)
            }
            try await db.delete(from: "domain").where("id", .equal, id).run()
        }
    }

    /// All local domains, by name.
    public func domains() async throws -> [Domain] {
        try await database.withConnection { db in
            try await db.select().columns("id", "name", "created_at").from("domain").orderBy("name").all(decoding: Domain.self)
        }
    }

    /// Whether Posta receives mail for `domain`.
    public func isLocalDomain(_ domain: String) async throws -> Bool {
        try await database.withConnection { db in try await Self.domainID(domain.lowercased(), in: db) != nil }
    }

    // MARK: Accounts

    /// Adds an account with an already-hashed password.
    @discardableResult
    public func addAccount(
        _ address: String, password: StoredPassword, displayName: String = "", quotaBytes: Int64 = 0
    ) async throws -> Account {
        let parsed = try Self.parse(address)
        try requireDatabaseManaged(parsed.domain)
        guard quotaBytes >= 0 else { throw DirectoryError.invalidQuota(quotaBytes) }
        return try await database.transaction { db in
            guard let domainID = try await Self.domainID(parsed.domain, in: db) else {
                throw DirectoryError.unknownDomain(parsed.domain)
            }
            if try await Self.account(key: parsed.key, in: db) != nil {
                throw DirectoryError.duplicateAccount(parsed.description)
            }
            try await requireNotServiceAddress(parsed, in: db)
            let now = UnixTime.now()
            let id = try await db.insert(into: "account")
                .columns(
                    "domain_id", "address_key", "address", "display_name", "password", "quota_bytes", "enabled", "created_at"
                )
                .values(
                    SQLBind(domainID), SQLBind(parsed.key), SQLBind(parsed.description), SQLBind(displayName),
                    SQLBind(password.stored), SQLBind(quotaBytes), SQLBind(true), SQLBind(now)
                )
                .returning("id").first(decodingColumn: "id", as: Int64.self)
            return Account(
                id: id ?? 0, address: parsed.description, displayName: displayName, password: password.stored,
                quotaBytes: quotaBytes, enabled: true, createdAt: now, lastLoginAt: nil, sessionGeneration: 0)
        }
    }

    /// Deletes an account (its mail is the store's business).
    public func deleteAccount(_ address: String) async throws {
        let key = try Self.parse(address).key
        try await database.transaction { db in
            guard let account = try await Self.account(key: key, in: db) else { throw DirectoryError.unknownAccount(address) }
            try await self.revokeSessions(account, reason: .deleted, in: db)
            try await db.delete(from: "account").where("address_key", .equal, key).run()
        }
    }

    /// One account by address (case-insensitive), or nil.
    public func account(_ address: String) async throws -> Account? {
        let key = try Self.parse(address).key
        return try await database.withConnection { db in try await Self.account(key: key, in: db) }
    }

    /// One account by id, or nil.
    public func account(id: Int64) async throws -> Account? {
        try await database.withConnection { db in
            try await Self.accountQuery(db).where("id", .equal, id).first(decoding: Account.self)
        }
    }

    /// All accounts, optionally of one domain, by address.
    public func accounts(domain: String? = nil) async throws -> [Account] {
        try await database.withConnection { db in
            var query = Self.accountQuery(db)
            if let domain {
                guard let id = try await Self.domainID(domain.lowercased(), in: db) else {
                    throw DirectoryError.unknownDomain(domain)
                }
                query = query.where("domain_id", .equal, id)
            }
            return try await query.orderBy("address_key").all(decoding: Account.self)
        }
    }

    /// Replaces an account's password hash and ends its sessions (on every node).
    public func setPassword(_ address: String, to password: StoredPassword) async throws {
        try requireDatabaseManaged(Self.parse(address).domain)
        try await updateAccount(address, column: "password", value: password.stored, revoking: .passwordChanged)
    }

    /// Enables or disables an account; disabling ends its sessions (on every node).
    public func setEnabled(_ address: String, _ enabled: Bool) async throws {
        try await updateAccount(address, column: "enabled", value: enabled, revoking: enabled ? nil : .disabled)
    }

    /// Sets the storage quota in bytes (0 = unlimited).
    public func setQuota(_ address: String, bytes: Int64) async throws {
        guard bytes >= 0 else { throw DirectoryError.invalidQuota(bytes) }
        try await updateAccount(address, column: "quota_bytes", value: bytes)
    }

    /// Sets the display name.
    public func setDisplayName(_ address: String, _ name: String) async throws {
        try await updateAccount(address, column: "display_name", value: name)
    }

    private func updateAccount(
        _ address: String, column: String, value: some Encodable & Sendable, revoking reason: SessionRevocation.Reason? = nil
    ) async throws {
        let key = try Self.parse(address).key
        try await database.transaction { db in
            guard let account = try await Self.account(key: key, in: db) else { throw DirectoryError.unknownAccount(address) }
            try await db.update("account").set(SQLIdentifier(column), to: SQLBind(value)).where("address_key", .equal, key).run()
            if let reason { try await self.revokeSessions(account, reason: reason, in: db) }
        }
    }

    // MARK: Shared queries

    /// `address` parsed, or `DirectoryError.invalidAddress`.
    public static func parse(_ address: String) throws -> MailAddress {
        do { return try MailAddress(parsing: address) } catch { throw DirectoryError.invalidAddress(address, error) }
    }

    /// The id of the local domain `domain` (lower case); nil when it is not local.
    public static func domainID(_ domain: String, in db: any SQLDatabase) async throws -> Int64? {
        try await db.select().column("id").from("domain").where("name", .equal, domain)
            .first(decodingColumn: "id", as: Int64.self)
    }

    static func count(_ table: String, domainID: Int64, in db: any SQLDatabase) async throws -> Int {
        let n = try await db.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n").from(table)
            .where("domain_id", .equal, domainID).first(decodingColumn: "n", as: Int64.self)
        return Int(n ?? 0)
    }

    static func accountQuery(_ db: any SQLDatabase) -> SQLSelectBuilder {
        db.select()
            .columns(
                "id", "address", "display_name", "password", "quota_bytes", "enabled", "created_at", "last_login_at",
                "session_generation"
            )
            .from("account")
    }

    static func account(key: String, in db: any SQLDatabase) async throws -> Account? {
        try await accountQuery(db).where("address_key", .equal, key).first(decoding: Account.self)
    }
}
