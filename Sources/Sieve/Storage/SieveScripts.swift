import Core
import NIOConcurrencyHelpers
import SQLKit

/// The Sieve scripts of accounts, domains and the site, in the database so every node sees the
/// same (ManageSieve, RFC 5804; `posta sieve`): stored only when they compile, at most one active
/// per account, compiled once per version and cached.
public final class SieveScripts: Sendable {
    public let database: Database
    /// At most this many scripts per account (ManageSieve `QUOTA/MAXSCRIPTS`).
    public let maximumScripts: Int
    /// A script is at most this many bytes (`QUOTA/MAXSIZE`).
    public let maximumScriptSize: Int
    public let limits: SieveLimits
    /// Compiled scripts by owner and name, with their text and when compiled: an entry serves
    /// that text for a minute at most, so a changed `include`d script is seen within one.
    private let compiled = NIOLockedValueBox([String: (text: String, compiledAt: Int64, script: SieveScript)]())

    public init(database: Database, maximumScripts: Int = 20, maximumScriptSize: Int = 1 << 20, limits: SieveLimits = .init()) {
        self.database = database
        self.maximumScripts = maximumScripts
        self.maximumScriptSize = maximumScriptSize
        self.limits = limits
    }

    /// The extensions the interpreter supports, for ManageSieve's SIEVE capability (RFC 5804 §1.7).
    public var extensionsCapability: String { SieveScript.supportedExtensions.sorted().joined(separator: " ") }

    // MARK: Accounts' scripts (ManageSieve)

    public func list(accountID: Int64) async throws -> [SieveScriptInfo] {
        try await list(.account(accountID))
    }

    /// Every script of `owner`, by name.
    public func list(_ owner: SieveOwner) async throws -> [SieveScriptInfo] {
        try await database.withConnection { db in
            try await db.select().columns("name", "active", "content", "last_error", "last_error_at").from("sieve_script")
                .where("owner", .equal, owner.description).orderBy("name").all().map { row in
                    SieveScriptInfo(
                        name: try row.decode(column: "name", as: String.self),
                        active: try row.decode(column: "active", as: Bool.self),
                        size: try row.decode(column: "content", as: String.self).utf8.count,
                        lastError: try row.decode(column: "last_error", as: String?.self),
                        lastErrorAt: try row.decode(column: "last_error_at", as: Int64?.self))
                }
        }
    }

    public func get(accountID: Int64, name: String) async throws -> String {
        try await get(.account(accountID), name: name)
    }

    /// The text of `owner`'s script `name`.
    public func get(_ owner: SieveOwner, name: String) async throws -> String {
        let text = try await database.withConnection { db in
            try await db.select().column("content").from("sieve_script").where("owner", .equal, owner.description)
                .where("name", .equal, name).first(decodingColumn: "content", as: String.self)
        }
        guard let text else { throw SieveStorageError.noSuchScript(name) }
        return text
    }

    public func put(accountID: Int64, name: String, text: String) async throws {
        try await put(.account(accountID), name: name, text: text)
    }

    /// Stores `text` as `owner`'s script `name` (new or replaced) once it compiles and fits.
    public func put(_ owner: SieveOwner, name: String, text: String) async throws {
        try Self.checkName(name)
        guard text.utf8.count <= maximumScriptSize else { throw SieveStorageError.tooLarge(maximumScriptSize) }
        try await check(owner, text: text, name: name)
        let now = UnixTime.now()
        let maximum = maximumScripts
        try await database.transaction { db in
            let existing = try await db.select().column("id").from("sieve_script").where("owner", .equal, owner.description)
                .where("name", .equal, name).first(decodingColumn: "id", as: Int64.self)
            if let existing {
                try await db.update("sieve_script").set("content", to: SQLBind(text)).set("updated_at", to: SQLBind(now))
                    .set("last_error", to: SQLLiteral.null).set("last_error_at", to: SQLLiteral.null)
                    .where("id", .equal, existing).run()
                return
            }
            if case .account = owner {
                let count =
                    try await db.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n")
                    .from("sieve_script").where("owner", .equal, owner.description).first(decodingColumn: "n", as: Int.self) ?? 0
                guard count < maximum else { throw SieveStorageError.tooManyScripts(maximum) }
            }
            try await db.insert(into: "sieve_script").columns("owner", "name", "content", "active", "updated_at")
                .values(SQLBind(owner.description), SQLBind(name), SQLBind(text), SQLBind(false), SQLBind(now)).run()
        }
    }

    public func check(accountID: Int64, text: String) async throws {
        try await check(.account(accountID), text: text, name: "script")
    }

    /// Throws `.invalidScript` when `text` does not compile for `owner` (its includes resolved
    /// against what is stored).
    public func check(_ owner: SieveOwner, text: String, name: String = "script") async throws {
        let sources = try await includeSources(owner)
        do {
            _ = try SieveScript.compile(text, name: name, limits: limits, includes: sources.lookup)
        } catch {
            throw SieveStorageError.invalidScript(error.diagnostics.map(\.description))
        }
    }

    /// Throws when a script `name` of `size` bytes could not be stored (RFC 5804 §2.3 HAVESPACE).
    public func haveSpace(accountID: Int64, name: String, size: Int) async throws {
        try Self.checkName(name)
        guard size <= maximumScriptSize else { throw SieveStorageError.tooLarge(maximumScriptSize) }
        let names = try await list(accountID: accountID).map(\.name)
        guard names.contains(name) || names.count < maximumScripts else {
            throw SieveStorageError.tooManyScripts(maximumScripts)
        }
    }

    /// Makes `name` the account's one active script; nil deactivates them all (RFC 5804 §2.8).
    public func setActive(accountID: Int64, name: String?) async throws {
        let owner = SieveOwner.account(accountID).description
        try await database.transaction { db in
            if let name {
                let found = try await db.select().column("id").from("sieve_script").where("owner", .equal, owner)
                    .where("name", .equal, name).first(decodingColumn: "id", as: Int64.self)
                guard found != nil else { throw SieveStorageError.noSuchScript(name) }
            }
            try await db.update("sieve_script").set("active", to: SQLBind(false)).where("owner", .equal, owner).run()
            if let name {
                try await db.update("sieve_script").set("active", to: SQLBind(true)).where("owner", .equal, owner)
                    .where("name", .equal, name).run()
            }
        }
    }

    public func delete(accountID: Int64, name: String) async throws {
        try await delete(.account(accountID), name: name)
    }

    /// Deletes `owner`'s script `name`; an account's active script cannot be (RFC 5804 §2.10).
    public func delete(_ owner: SieveOwner, name: String) async throws {
        try await database.transaction { db in
            let active = try await db.select().column("active").from("sieve_script").where("owner", .equal, owner.description)
                .where("name", .equal, name).first(decodingColumn: "active", as: Bool.self)
            guard let active else { throw SieveStorageError.noSuchScript(name) }
            if active, case .account = owner { throw SieveStorageError.activeScript(name) }
            try await db.delete(from: "sieve_script").where("owner", .equal, owner.description).where("name", .equal, name)
                .run()
        }
    }

    /// Renames a script, keeping whether it is active (RFC 5804 §2.11.1).
    public func rename(accountID: Int64, from old: String, to new: String) async throws {
        try Self.checkName(new)
        let owner = SieveOwner.account(accountID).description
        try await database.transaction { db in
            func exists(_ name: String) async throws -> Bool {
                try await db.select().column("id").from("sieve_script").where("owner", .equal, owner)
                    .where("name", .equal, name).first() != nil
            }
            guard try await exists(old) else { throw SieveStorageError.noSuchScript(old) }
            if old != new, try await exists(new) { throw SieveStorageError.alreadyExists(new) }
            try await db.update("sieve_script").set("name", to: SQLBind(new)).set("updated_at", to: SQLBind(UnixTime.now()))
                .where("owner", .equal, owner).where("name", .equal, old).run()
        }
    }

    /// Records a runtime error of `owner`'s script `name` at delivery, for its user to see.
    public func recordError(_ owner: SieveOwner, name: String, _ error: String) async {
        _ = try? await database.withConnection { db in
            try await db.update("sieve_script").set("last_error", to: SQLBind(String(error.prefix(1000))))
                .set("last_error_at", to: SQLBind(UnixTime.now())).where("owner", .equal, owner.description)
                .where("name", .equal, name).run()
        }
    }

    // MARK: Names

    /// RFC 5804 §1.6: a name is UTF-8 without control characters (C0, DEL, C1, U+2028, U+2029);
    /// Posta also refuses "/" and names over 128 bytes.
    public static func checkName(_ name: String) throws {
        guard !name.isEmpty, name.utf8.count <= 128,
            name.unicodeScalars.allSatisfy({ scalar in
                !(scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) || scalar.value == 0x2028
                    || scalar.value == 0x2029 || scalar == "/")
            })
        else { throw SieveStorageError.invalidName(name) }
    }

    // MARK: Compiling

    /// The texts `include` may name for `owner`: its own scripts (`:personal`) and the global ones
    /// (`:global`: the domain's first, then the site's).
    struct IncludeSources: Sendable {
        var personal: [String: String]
        var global: [String: String]

        func lookup(_ name: String, _ location: SieveIncludeLocation) -> String? {
            location == .personal ? personal[name] : global[name]
        }
    }

    func includeSources(_ owner: SieveOwner, domain: String? = nil) async throws -> IncludeSources {
        var domain = domain
        if case .account(let id) = owner, domain == nil {
            // The account's domain: its global scripts are what `include :global` finds at delivery.
            domain = try await database.withConnection { db in
                try await db.raw(
                    "SELECT d.name FROM account a JOIN domain d ON d.id = a.domain_id WHERE a.id = \(bind: id)"
                ).first(decodingColumn: "name", as: String.self)
            }
        }
        let globalOwners: [String] = {
            switch owner {
            case .site: return [SieveOwner.site.description]
            case .domain(let name): return [SieveOwner.domain(name).description, SieveOwner.site.description]
            case .account: return (domain.map { [SieveOwner.domain($0).description] } ?? []) + [SieveOwner.site.description]
            }
        }()
        let owners = [owner.description] + globalOwners
        let rows = try await database.withConnection { db in
            try await db.select().columns("owner", "name", "content").from("sieve_script")
                .where("owner", .in, SQLBind.group(owners)).all().map { row in
                    (
                        owner: try row.decode(column: "owner", as: String.self),
                        name: try row.decode(column: "name", as: String.self),
                        content: try row.decode(column: "content", as: String.self)
                    )
                }
        }
        var sources = IncludeSources(personal: [:], global: [:])
        for row in rows where row.owner == owner.description { sources.personal[row.name] = row.content }
        for globalOwner in globalOwners.reversed() {
            for row in rows where row.owner == globalOwner { sources.global[row.name] = row.content }
        }
        if case .account = owner {} else { sources.personal = sources.global }
        return sources
    }

    /// `text` compiled, from the cache when the same text was compiled in the last minute.
    func compiled(_ owner: SieveOwner, name: String, text: String, domain: String?) async throws
        -> SieveScript
    {
        let key = "\(owner)/\(name)"
        let now = UnixTime.now()
        if let hit = compiled.withLockedValue({ $0[key] }), hit.text == text, now - hit.compiledAt < 60 {
            return hit.script
        }
        let sources = try await includeSources(owner, domain: domain)
        let script = try SieveScript.compile(text, name: name, limits: limits, includes: sources.lookup)
        compiled.withLockedValue { cache in
            if cache.count > 10_000 { cache.removeAll() }
            cache[key] = (text, now, script)
        }
        return script
    }
}
