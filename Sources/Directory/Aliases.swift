import Core
import SQLKit

extension Directory {
    /// The source key of an alias: `local@domain` lower-cased, or `@domain` for a catch-all.
    struct AliasSource {
        let key: String
        let domain: String
        /// nil for a catch-all.
        var address: MailAddress?

        init(_ text: String) throws {
            if text.hasPrefix("@") {
                let domain = String(text.dropFirst())
                do { self.domain = try DomainName.normalize(domain) } catch { throw DirectoryError.invalidDomain(domain) }
                key = "@" + self.domain
            } else {
                let address = try Directory.parse(text)
                self.address = address
                key = address.key
                domain = address.domain
            }
        }
    }

    /// Makes `source` also deliver to each of `targets` (local or external addresses).
    public func addAlias(_ source: String, targets: [String]) async throws {
        let source = try AliasSource(source)
        try requireDatabaseManaged(source.domain)
        let parsedTargets = try targets.map { try Self.parse($0).description }
        try await database.transaction { db in
            guard let domainID = try await Self.domainID(source.domain, in: db) else {
                throw DirectoryError.aliasSourceIsNotLocal(source.key)
            }
            if let address = source.address { try await requireNotServiceAddress(address, in: db) }
            let existing = Set(try await Self.aliasTargets(source.key, in: db).map { $0.lowercased() })
            for target in parsedTargets {
                guard !existing.contains(target.lowercased()) else {
                    throw DirectoryError.duplicateAlias(source: source.key, target: target)
                }
                try await db.insert(into: "alias").columns("domain_id", "source_key", "target", "created_at")
                    .values(SQLBind(domainID), SQLBind(source.key), SQLBind(target), SQLBind(UnixTime.now())).run()
            }
        }
    }

    /// Removes the given targets of `source`, or the whole alias when `targets` is empty.
    public func deleteAlias(_ source: String, targets: [String] = []) async throws {
        let source = try AliasSource(source)
        try await database.transaction { db in
            let existing = try await Self.aliasTargets(source.key, in: db)
            guard !existing.isEmpty else { throw DirectoryError.unknownAlias(source.key) }
            if targets.isEmpty {
                try await db.delete(from: "alias").where("source_key", .equal, source.key).run()
                return
            }
            for target in targets {
                guard let stored = existing.first(where: { $0.lowercased() == target.lowercased() }) else {
                    throw DirectoryError.unknownAlias("\(source.key) → \(target)")
                }
                try await db.delete(from: "alias").where("source_key", .equal, source.key).where("target", .equal, stored).run()
            }
        }
    }

    /// All aliases, optionally of one domain, by source.
    public func aliases(domain: String? = nil) async throws -> [Alias] {
        try await database.withConnection { db in
            var query = db.select().columns("source_key", "target").from("alias")
            if let domain {
                guard let id = try await Self.domainID(domain.lowercased(), in: db) else {
                    throw DirectoryError.unknownDomain(domain)
                }
                query = query.where("domain_id", .equal, id)
            }
            let rows = try await query.orderBy("source_key").orderBy("id").all()
            var result: [Alias] = []
            for row in rows {
                let source = try row.decode(column: "source_key", as: String.self)
                let target = try row.decode(column: "target", as: String.self)
                if result.last?.source == source {
                    result[result.count - 1].targets.append(target)
                } else {
                    result.append(Alias(source: source, targets: [target]))
                }
            }
            return result
        }
    }

    static func aliasTargets(_ key: String, in db: any SQLDatabase) async throws -> [String] {
        try await db.select().column("target").from("alias").where("source_key", .equal, key).orderBy("id").all()
            .map { try $0.decode(column: "target", as: String.self) }
    }
}
