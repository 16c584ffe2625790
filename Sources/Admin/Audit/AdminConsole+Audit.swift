import Core
import Foundation
import SQLKit

extension AdminConsole {
    /// Writes one audit row for a change `principal` made. `before` and `after` are the record's
    /// state (nil when it did not exist / no longer exists); callers pass views without password
    /// hashes, secrets or tokens. A failure to write is logged, not thrown: the change is done.
    func audit(
        _ principal: Principal, _ action: String, target: String, before: (any Encodable & Sendable)? = nil,
        after: (any Encodable & Sendable)? = nil
    ) async {
        let entry = (
            at: now, actor: principal.actor, channel: principal.channel.rawValue, ip: principal.clientIP,
            credential: principal.credential, before: Self.json(before), after: Self.json(after)
        )
        do {
            try await database.withConnection { db in
                try await db.insert(into: "admin_audit")
                    .columns(
                        "at", "actor", "channel", "client_ip", "credential", "action", "target", "before_json", "after_json"
                    )
                    .values(
                        SQLBind(entry.at), SQLBind(entry.actor), SQLBind(entry.channel), SQLBind(entry.ip),
                        SQLBind(entry.credential), SQLBind(action), SQLBind(target), SQLBind(entry.before),
                        SQLBind(entry.after)
                    ).run()
            }
        } catch {
            logger.error(
                "cannot write audit row",
                metadata: ["action": "\(action)", "target": "\(target)", "error": "\(String(reflecting: error))"])
        }
    }

    /// Records a refused attempt (`access.denied`, target: the permission and domain asked for), so
    /// that an administrator or a token probing beyond its role shows in the audit log. Called by
    /// the front ends when an operation throws `AccessDenied`.
    /// At most one row per actor and permission a minute, the target cut to 200 characters: a
    /// script hammering a refused endpoint cannot flood the log.
    public func recordDenied(_ principal: Principal, _ denied: AccessDenied) async {
        let action = "access.denied"
        let prefix = "not allowed: \(denied.permission.rawValue)"
        let since = now - 60
        let actor = principal.actor
        let recent = try? await database.withConnection { db in
            try await db.raw(
                """
                SELECT id FROM admin_audit WHERE actor = \(bind: actor) AND action = \(bind: action) AND at > \(bind: since)
                AND target LIKE \(bind: SQLLike.escaped(prefix) + "%") \(unsafeRaw: SQLLike.escape) LIMIT 1
                """
            ).all().count
        }
        guard recent == 0 else { return }
        await audit(principal, action, target: String(denied.description.prefix(200)))
    }

    static func json(_ value: (any Encodable & Sendable)?) -> String? {
        guard let value else { return nil }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) }
    }

    /// The audit log, newest first, filtered, one page at a time (keyset on `id`). A domain
    /// admin sees their own actions only; others need `viewAudit` site-wide.
    public func auditLog(as principal: Principal, _ filter: AuditFilter) async throws -> Page<AuditEntry> {
        try principal.require(.viewAudit)
        var wanted = filter.actor
        if principal.domainScope != nil {
            // "Audit of others" is site-wide: a domain admin reads their own rows only.
            if let asked = wanted, asked != principal.actor { throw AccessDenied(.viewAudit, domain: nil) }
            wanted = principal.actor
        }
        let actor = wanted
        let limit = PageCursor.limit(filter.limit)
        let after = try filter.cursor.map { cursor throws(AdminError) in try PageCursor.decodeID(cursor) }
        let rows = try await database.withConnection { db in
            var query = db.select()
                .columns(
                    "id", "at", "actor", "channel", "client_ip", "credential", "action", "target", "before_json",
                    "after_json"
                )
                .from("admin_audit")
            if let actor { query = query.where("actor", .equal, actor) }
            if let action = filter.action { query = query.where("action", .equal, action) }
            if let target = filter.target { query = query.where("target", .equal, target) }
            if let since = filter.since { query = query.where("at", .greaterThanOrEqual, since) }
            if let until = filter.until { query = query.where("at", .lessThan, until) }
            if let after { query = query.where("id", .lessThan, after) }
            return try await query.orderBy("id", .descending).limit(limit + 1).all().map { row in
                AuditEntry(
                    id: try row.decode(column: "id", as: Int64.self), at: try row.decode(column: "at", as: Int64.self),
                    actor: try row.decode(column: "actor", as: String.self),
                    channel: Principal.Channel(rawValue: try row.decode(column: "channel", as: String.self)) ?? .cli,
                    clientIP: try row.decode(column: "client_ip", as: String?.self),
                    credential: try row.decode(column: "credential", as: String?.self),
                    action: try row.decode(column: "action", as: String.self),
                    target: try row.decode(column: "target", as: String.self),
                    before: try row.decode(column: "before_json", as: String?.self),
                    after: try row.decode(column: "after_json", as: String?.self))
            }
        }
        let items = Array(rows.prefix(limit))
        return Page(items: items, next: rows.count > limit ? items.last.map { PageCursor.encode(String($0.id)) } : nil)
    }
}
