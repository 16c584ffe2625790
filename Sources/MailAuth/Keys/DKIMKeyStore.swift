import Core
import Foundation
import SQLKit

/// The site's DKIM keys in the site database (`DKIMKeySchema`), and their life: generation,
/// rotation, retirement. The admin CLI and, later, the signing on submission both use it.
public struct DKIMKeyStore: Sendable {
    public let database: Database

    /// How long a key stays published after a rotation: the longest a message it signed may
    /// wait in a queue (Posta's default `[delivery] expiry` is 5 days) plus a margin.
    public static let defaultRetirementDelay: Int64 = 7 * 86_400

    public init(database: Database) {
        self.database = database
    }

    // MARK: Reading

    /// The keys of `domain` (every domain when nil), by domain, then newest first.
    public func keys(domain: String? = nil) async throws -> [DKIMKey] {
        try await database.withConnection { db in
            var query = db.select().column("*").from("dkim_key")
            if let domain { query = query.where("domain", .equal, domain.lowercased()) }
            return try await query.orderBy("domain").orderBy("created_at", .descending).orderBy("id", .descending).all()
                .map(Self.key)
        }
    }

    /// The key of `domain` named `selector`.
    public func key(domain: String, selector: String) async throws -> DKIMKey? {
        try await keys(domain: domain).first { $0.selector == selector.lowercased() }
    }

    /// The keys that sign mail from `domain` now (at most one per algorithm).
    public func signingKeys(domain: String) async throws -> [DKIMKey] {
        try await keys(domain: domain).filter { $0.state == .active }
    }

    // MARK: Life cycle

    /// Makes a new active key for `domain`. Refused when the domain already has an active key of
    /// `algorithm` (rotate instead). `selector` defaults to `DKIMSelectorName.next`. Retiring
    /// keys past their date are retired on the way.
    public func generate(
        domain: String, algorithm: DKIMAlgorithm = .rsaSHA256, bits: Int = 2048, selector: String? = nil,
        now: Int64 = UnixTime.now()
    ) async throws -> DKIMKey {
        let domain = try Self.validDomain(domain)
        let chosen = try selector.map(Self.validSelector)
        // Refused before the costly key generation (checked again in the transaction below).
        if let active = try await keys(domain: domain).first(where: { $0.state == .active && $0.algorithm == algorithm }) {
            throw DKIMKeyError.activeKeyExists(domain: domain, algorithm: algorithm, selector: active.selector)
        }
        let privateKey: DKIMPrivateKey
        do { privateKey = try DKIMPrivateKey.generate(algorithm, bits: bits) } catch {
            throw DKIMKeyError.invalidKey(error.description)
        }
        return try await database.transaction { db in
            _ = try await Self.retireExpired(now: now, in: db)
            let existing = try await Self.keys(domain: domain, in: db)
            if let active = existing.first(where: { $0.state == .active && $0.algorithm == algorithm }) {
                throw DKIMKeyError.activeKeyExists(domain: domain, algorithm: algorithm, selector: active.selector)
            }
            return try await Self.insert(
                privateKey, domain: domain, selector: chosen, existing: existing, now: now, in: db)
        }
    }

    /// Replaces each active key of `domain` (only the `algorithm` one when given) with a new key
    /// of the same algorithm and size under a new selector, which signs from now on; the old key
    /// becomes `retiring` and stays published for `keepFor` seconds. Returns (old, new) pairs.
    public func rotate(
        domain: String, algorithm: DKIMAlgorithm? = nil, keepFor: Int64 = DKIMKeyStore.defaultRetirementDelay,
        now: Int64 = UnixTime.now()
    ) async throws -> [(retiring: DKIMKey, active: DKIMKey)] {
        let domain = try Self.validDomain(domain)
        let current = try await signingKeys(domain: domain).filter { algorithm == nil || $0.algorithm == algorithm }
        guard !current.isEmpty else { throw DKIMKeyError.noActiveKey(domain: domain) }
        // Generated outside the transaction: an RSA key can take a second.
        var replacements: [(DKIMKey, DKIMPrivateKey)] = []
        for key in current {
            do {
                replacements.append((key, try DKIMPrivateKey.generate(key.algorithm, bits: key.bits)))
            } catch {
                throw DKIMKeyError.invalidKey(error.description)
            }
        }
        let pairs = replacements
        return try await database.transaction { db in
            _ = try await Self.retireExpired(now: now, in: db)
            var rotated: [(retiring: DKIMKey, active: DKIMKey)] = []
            for (old, privateKey) in pairs {
                // Checked again inside the transaction: another admin may have rotated meanwhile.
                let existing = try await Self.keys(domain: domain, in: db)
                guard existing.contains(where: { $0.id == old.id && $0.state == .active }) else {
                    throw DKIMKeyError.notActive(domain: domain, selector: old.selector, state: .retiring)
                }
                try await db.update("dkim_key").set("state", to: DKIMKeyState.retiring.rawValue)
                    .set("retire_after", to: now + keepFor).where("id", .equal, old.id).run()
                let new = try await Self.insert(privateKey, domain: domain, selector: nil, existing: existing, now: now, in: db)
                var retiring = old
                retiring.state = .retiring
                retiring.retireAfter = now + keepFor
                rotated.append((retiring, new))
            }
            return rotated
        }
    }

    /// Retires the key `selector` of `domain`: it leaves DNS and its private half is erased.
    /// A retiring key before its date, or an active key, is refused unless `force`.
    @discardableResult
    public func retire(domain: String, selector: String, force: Bool = false, now: Int64 = UnixTime.now()) async throws -> DKIMKey
    {
        let domain = domain.lowercased()
        let selector = selector.lowercased()
        return try await database.transaction { db in
            guard var key = try await Self.keys(domain: domain, in: db).first(where: { $0.selector == selector }) else {
                throw DKIMKeyError.unknownKey(domain: domain, selector: selector)
            }
            switch key.state {
            case .retired: return key
            case .active where !force: throw DKIMKeyError.notActive(domain: domain, selector: selector, state: .active)
            case .retiring where !force && (key.retireAfter ?? 0) > now:
                throw DKIMKeyError.stillPublished(domain: domain, selector: selector, until: key.retireAfter ?? now)
            default: break
            }
            try await Self.markRetired(id: key.id, now: now, in: db)
            key.state = .retired
            key.privateKeyPEM = ""
            key.retiredAt = now
            return key
        }
    }

    /// Retires every retiring key whose date has come; returns them.
    @discardableResult
    public func retireExpired(now: Int64 = UnixTime.now()) async throws -> [DKIMKey] {
        try await database.transaction { db in try await Self.retireExpired(now: now, in: db) }
    }

    // MARK: DNS

    /// The TXT records to publish for `domain`: one per active or retiring key.
    public func publishedRecords(domain: String) async throws -> [PublishedDNSRecord] {
        try await keys(domain: domain).filter(\.isPublished).map { key in
            PublishedDNSRecord(
                name: key.recordName, text: key.recordText,
                comment: "DKIM \(key.algorithm.shortName) \(key.bits)-bit key, \(key.state.rawValue)"
                    + (key.retireAfter.map { key.state == .retiring ? ", publish until \(Self.date($0))" : "" } ?? ""))
        }
    }

    // MARK: SQL

    private static func keys(domain: String, in db: any SQLDatabase) async throws -> [DKIMKey] {
        try await db.select().column("*").from("dkim_key").where("domain", .equal, domain).all().map(key)
    }

    private static func insert(
        _ privateKey: DKIMPrivateKey, domain: String, selector: String?, existing: [DKIMKey], now: Int64,
        in db: any SQLDatabase
    ) async throws -> DKIMKey {
        let used = Set(existing.map(\.selector))
        let selector = selector ?? DKIMSelectorName.next(for: privateKey.algorithm, at: now, taken: used)
        guard !used.contains(selector) else { throw DKIMKeyError.duplicateSelector(domain: domain, selector: selector) }
        var key = DKIMKey(
            id: 0, domain: domain, selector: selector, algorithm: privateKey.algorithm, bits: privateKey.bits,
            privateKeyPEM: privateKey.pemRepresentation, publicKeyBase64: privateKey.publicKeyBase64, state: .active,
            createdAt: now, retireAfter: nil, retiredAt: nil)
        key.id =
            try await db.insert(into: "dkim_key")
            .columns(
                "domain", "selector", "algorithm", "bits", "private_key", "public_key", "state", "created_at"
            )
            .values(
                SQLBind(domain), SQLBind(selector), SQLBind(key.algorithm.rawValue), SQLBind(Int64(key.bits)),
                SQLBind(key.privateKeyPEM), SQLBind(key.publicKeyBase64), SQLBind(key.state.rawValue), SQLBind(now)
            )
            .returning("id").first(decodingColumn: "id", as: Int64.self) ?? 0
        return key
    }

    private static func retireExpired(now: Int64, in db: any SQLDatabase) async throws -> [DKIMKey] {
        let due = try await db.select().column("*").from("dkim_key").where("state", .equal, DKIMKeyState.retiring.rawValue)
            .where("retire_after", .lessThanOrEqual, now).all().map(key)
        for key in due { try await markRetired(id: key.id, now: now, in: db) }
        return due.map { key in
            var key = key
            key.state = .retired
            key.privateKeyPEM = ""
            key.retiredAt = now
            return key
        }
    }

    private static func markRetired(id: Int64, now: Int64, in db: any SQLDatabase) async throws {
        try await db.update("dkim_key").set("state", to: DKIMKeyState.retired.rawValue).set("private_key", to: "")
            .set("retired_at", to: now).where("id", .equal, id).run()
    }

    private static func key(_ row: any SQLRow) throws -> DKIMKey {
        let algorithmName = try row.decode(column: "algorithm", as: String.self)
        let stateName = try row.decode(column: "state", as: String.self)
        guard let algorithm = DKIMAlgorithm(rawValue: algorithmName), let state = DKIMKeyState(rawValue: stateName) else {
            throw DKIMKeyError.invalidKey("unknown algorithm or state in dkim_key row")
        }
        return DKIMKey(
            id: try row.decode(column: "id", as: Int64.self), domain: try row.decode(column: "domain", as: String.self),
            selector: try row.decode(column: "selector", as: String.self), algorithm: algorithm,
            bits: Int(try row.decode(column: "bits", as: Int64.self)),
            privateKeyPEM: try row.decode(column: "private_key", as: String.self),
            publicKeyBase64: try row.decode(column: "public_key", as: String.self), state: state,
            createdAt: try row.decode(column: "created_at", as: Int64.self),
            retireAfter: try row.decode(column: "retire_after", as: Int64?.self),
            retiredAt: try row.decode(column: "retired_at", as: Int64?.self))
    }

    /// A domain name, lower-cased; ASCII only, as `d=` is read without IDNA here (RFC 8616 is not done).
    static func validDomain(_ name: String) throws -> String {
        guard let domain = try? DomainName.normalize(name), DKIMDomainSyntax.isLabels(domain) else {
            throw DKIMKeyError.invalidDomain(name)
        }
        return domain
    }

    static func validSelector(_ name: String) throws -> String {
        guard DKIMDomainSyntax.isLabels(name), name.utf8.count <= 63 else { throw DKIMKeyError.invalidSelector(name) }
        return name.lowercased()
    }

    static func date(_ unix: Int64) -> String {
        ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: TimeInterval(unix)))
    }
}
