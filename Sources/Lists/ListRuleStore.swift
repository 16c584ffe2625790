import Core
import SQLKit

extension MailingLists {
    /// A list's bans and header rules, as the posting pipeline applies them.
    public func rules(_ list: String) async throws -> ListRules {
        let found = try await self.list(list)
        return try await database.withConnection { db in try await Self.rules(listID: found.id, in: db) }
    }

    static func rules(listID: Int64, in db: any SQLDatabase) async throws -> ListRules {
        let bans = try await db.select().columns("id", "pattern").from("list_ban").where("list_id", .equal, listID)
            .orderBy("id").all().map { row in
                ListBan(
                    id: try row.decode(column: "id", as: Int64.self), pattern: try row.decode(column: "pattern", as: String.self))
            }
        let headerRules = try await db.select().columns("id", "field", "pattern", "action").from("list_header_rule")
            .where("list_id", .equal, listID).orderBy("id").all().map { row in
                let action = try row.decode(column: "action", as: String.self)
                guard let parsed = ModerationAction(rawValue: action) else {
                    throw ListError.invalid("stored header rule action '\(action)' is unknown")
                }
                return HeaderRule(
                    id: try row.decode(column: "id", as: Int64.self), field: try row.decode(column: "field", as: String.self),
                    pattern: try row.decode(column: "pattern", as: String.self), action: parsed)
            }
        return ListRules(bans: bans, headerRules: headerRules)
    }

    /// Bans `pattern` (an address, or a wildcard pattern such as `*@junk.example`) from `list`.
    /// Members it names stay members (remove them too if they should go) but can no longer post.
    @discardableResult
    public func addBan(_ list: String, pattern: String) async throws -> ListBan {
        let pattern = pattern.trimmingCharacters(in: .whitespaces)
        try ListBan.validate(pattern)
        let found = try await self.list(list)
        return try await database.transaction { db in
            if let existing = try await Self.rules(listID: found.id, in: db).bans.first(where: { $0.pattern == pattern }) {
                return existing
            }
            guard
                let id = try await db.raw(
                    """
                    INSERT INTO list_ban (list_id, pattern, created_at)
                    VALUES (\(bind: found.id), \(bind: pattern), \(bind: UnixTime.now())) RETURNING id
                    """
                ).first(decodingColumn: "id", as: Int64.self)
            else { throw ListError.invalid("the ban was not stored") }
            return ListBan(id: id, pattern: pattern)
        }
    }

    /// Lifts a ban (named by its pattern as written).
    public func removeBan(_ list: String, pattern: String) async throws {
        let found = try await self.list(list)
        let gone = try await database.withConnection { db in
            try await db.raw(
                "DELETE FROM list_ban WHERE list_id = \(bind: found.id) AND pattern = \(bind: pattern) RETURNING id"
            ).all()
        }
        guard !gone.isEmpty else { throw ListError.invalid("'\(pattern)' is not banned from \(found.address)") }
    }

    /// Adds a header match rule; rules are tried in the order they were added.
    @discardableResult
    public func addHeaderRule(_ list: String, field: String, pattern: String, action: ModerationAction) async throws
        -> HeaderRule
    {
        try HeaderRule.validate(field: field, pattern: pattern, action: action)
        let found = try await self.list(list)
        let id = try await database.withConnection { db in
            try await db.raw(
                """
                INSERT INTO list_header_rule (list_id, field, pattern, action, created_at)
                VALUES (\(bind: found.id), \(bind: field), \(bind: pattern), \(bind: action.rawValue), \(bind: UnixTime.now()))
                RETURNING id
                """
            ).first(decodingColumn: "id", as: Int64.self)
        }
        guard let id else { throw ListError.invalid("the header rule was not stored") }
        return HeaderRule(id: id, field: field, pattern: pattern, action: action)
    }

    /// Removes header rule `id` of `list`.
    public func removeHeaderRule(_ list: String, id: Int64) async throws {
        let found = try await self.list(list)
        let gone = try await database.withConnection { db in
            try await db.raw("DELETE FROM list_header_rule WHERE list_id = \(bind: found.id) AND id = \(bind: id) RETURNING id")
                .all()
        }
        guard !gone.isEmpty else { throw ListError.invalid("\(found.address) has no header rule \(id)") }
    }
}
