import Core
import Foundation
import SQLKit

/// Reads and changes policy definitions in the database (the admin side; the engine reads
/// through `PolicyCatalog`).
public struct PolicyStore: Sendable {
    public let database: Database

    public init(database: Database) {
        self.database = database
    }

    /// Every policy with its members and rules, in evaluation order (priority, then name).
    public func policies() async throws -> [PolicyDefinition] {
        try await database.snapshot { db in
            let members = try await db.raw("SELECT id, policy_id, attribute, pattern, negate FROM policy_member ORDER BY id")
                .all().map { row -> (Int64, PolicyMember) in
                    let attribute = try row.decode(column: "attribute", as: String.self)
                    let member = PolicyMember(
                        id: try row.decode(column: "id", as: Int64.self),
                        attribute: try PolicyAttribute(rawValue: attribute).orThrow("unknown attribute '\(attribute)'"),
                        pattern: try row.decode(column: "pattern", as: String.self),
                        negate: try row.decode(column: "negate", as: Int64.self) != 0)
                    return (try row.decode(column: "policy_id", as: Int64.self), member)
                }
            let rules = try await db.raw("SELECT id, policy_id, module, settings, enabled FROM policy_rule ORDER BY id")
                .all().map { row -> (Int64, PolicyRule) in
                    let module = try row.decode(column: "module", as: String.self)
                    let rule = PolicyRule(
                        id: try row.decode(column: "id", as: Int64.self),
                        module: try PolicyModuleKind(rawValue: module).orThrow("unknown module '\(module)'"),
                        settings: try Self.decodeSettings(try row.decode(column: "settings", as: String.self)),
                        enabled: try row.decode(column: "enabled", as: Int64.self) != 0)
                    return (try row.decode(column: "policy_id", as: Int64.self), rule)
                }
            let membersByPolicy = Dictionary(grouping: members, by: \.0)
            let rulesByPolicy = Dictionary(grouping: rules, by: \.0)
            return try await db.raw("SELECT id, name, priority, enabled, description FROM policy_policy ORDER BY priority, name")
                .all().map { row in
                    let id = try row.decode(column: "id", as: Int64.self)
                    return PolicyDefinition(
                        id: id, name: try row.decode(column: "name", as: String.self),
                        priority: try row.decode(column: "priority", as: Int64.self),
                        enabled: try row.decode(column: "enabled", as: Int64.self) != 0,
                        description: try row.decode(column: "description", as: String.self),
                        members: (membersByPolicy[id] ?? []).map(\.1), rules: (rulesByPolicy[id] ?? []).map(\.1))
                }
        }
    }

    /// Every group with its entries, by name.
    public func groups() async throws -> [PolicyGroup] {
        try await database.snapshot { db in
            let entries = try await db.raw("SELECT group_id, pattern FROM policy_group_entry ORDER BY id").all().map {
                (try $0.decode(column: "group_id", as: Int64.self), try $0.decode(column: "pattern", as: String.self))
            }
            let byGroup = Dictionary(grouping: entries, by: \.0)
            return try await db.raw("SELECT id, name FROM policy_group ORDER BY name").all().map { row in
                let id = try row.decode(column: "id", as: Int64.self)
                return PolicyGroup(
                    id: id, name: try row.decode(column: "name", as: String.self), entries: (byGroup[id] ?? []).map(\.1))
            }
        }
    }

    // MARK: Policies

    public func addPolicy(_ name: String, priority: Int64, description: String = "") async throws {
        try Self.validateName(name)
        try await database.transaction { db in
            guard try await Self.policyID(name, db) == nil else { throw PolicyStoreError("policy '\(name)' exists") }
            try await db.raw(
                "INSERT INTO policy_policy (name, priority, enabled, description) VALUES (\(bind: name), \(bind: priority), 1, \(bind: description))"
            ).run()
        }
    }

    /// Changes what is given (nil leaves a field as it is).
    public func changePolicy(_ name: String, priority: Int64? = nil, enabled: Bool? = nil, description: String? = nil)
        async throws
    {
        try await database.transaction { db in
            let id = try await Self.requirePolicy(name, db)
            if let priority {
                try await db.raw("UPDATE policy_policy SET priority = \(bind: priority) WHERE id = \(bind: id)").run()
            }
            if let enabled {
                try await db.raw("UPDATE policy_policy SET enabled = \(bind: Int64(enabled ? 1 : 0)) WHERE id = \(bind: id)")
                    .run()
            }
            if let description {
                try await db.raw("UPDATE policy_policy SET description = \(bind: description) WHERE id = \(bind: id)").run()
            }
        }
    }

    /// Deletes a policy with its members and rules.
    public func deletePolicy(_ name: String) async throws {
        try await database.transaction { db in
            let id = try await Self.requirePolicy(name, db)
            // Explicit, as SQLite enforces ON DELETE CASCADE only with foreign keys on.
            try await db.raw("DELETE FROM policy_member WHERE policy_id = \(bind: id)").run()
            try await db.raw("DELETE FROM policy_rule WHERE policy_id = \(bind: id)").run()
            try await db.raw("DELETE FROM policy_policy WHERE id = \(bind: id)").run()
        }
    }

    // MARK: Members

    /// Adds a member; returns its id. `%name` patterns must name an existing group.
    @discardableResult
    public func addMember(policy: String, attribute: PolicyAttribute, pattern: String, negate: Bool = false) async throws
        -> Int64
    {
        try Self.validatePattern(pattern, attribute: attribute)
        return try await database.transaction { db in
            let id = try await Self.requirePolicy(policy, db)
            if pattern.hasPrefix("%") { _ = try await Self.requireGroup(String(pattern.dropFirst()), db) }
            return try await db.raw(
                """
                INSERT INTO policy_member (policy_id, attribute, pattern, negate)
                VALUES (\(bind: id), \(bind: attribute.rawValue), \(bind: pattern), \(bind: Int64(negate ? 1 : 0))) RETURNING id
                """
            ).first().orThrow("no id returned").decode(column: "id", as: Int64.self)
        }
    }

    public func deleteMember(id: Int64) async throws {
        try await deleteRow("policy_member", id: id, what: "member")
    }

    // MARK: Groups

    public func addGroup(_ name: String) async throws {
        try Self.validateName(name)
        try await database.transaction { db in
            guard try await Self.groupID(name, db) == nil else { throw PolicyStoreError("group '\(name)' exists") }
            try await db.raw("INSERT INTO policy_group (name) VALUES (\(bind: name.lowercased()))").run()
        }
    }

    /// Deletes a group no member uses.
    public func deleteGroup(_ name: String) async throws {
        try await database.transaction { db in
            let id = try await Self.requireGroup(name, db)
            let users =
                try await db.raw(
                    "SELECT COUNT(*) AS n FROM policy_member WHERE lower(pattern) = \(bind: "%" + name.lowercased())"
                )
                .first()?.decode(column: "n", as: Int64.self) ?? 0
            guard users == 0 else { throw PolicyStoreError("group '\(name)' is used by \(users) member(s)") }
            try await db.raw("DELETE FROM policy_group_entry WHERE group_id = \(bind: id)").run()
            try await db.raw("DELETE FROM policy_group WHERE id = \(bind: id)").run()
        }
    }

    public func addGroupEntry(group: String, pattern: String) async throws {
        try await database.transaction { db in
            let id = try await Self.requireGroup(group, db)
            try await db.raw(
                "INSERT INTO policy_group_entry (group_id, pattern) VALUES (\(bind: id), \(bind: pattern)) ON CONFLICT DO NOTHING"
            ).run()
        }
    }

    public func deleteGroupEntry(group: String, pattern: String) async throws {
        try await database.transaction { db in
            let id = try await Self.requireGroup(group, db)
            let gone = try await db.raw(
                "DELETE FROM policy_group_entry WHERE group_id = \(bind: id) AND pattern = \(bind: pattern) RETURNING id"
            ).all()
            guard !gone.isEmpty else { throw PolicyStoreError("group '\(group)' has no entry '\(pattern)'") }
        }
    }

    // MARK: Rules

    /// Attaches a module to a policy; settings are checked first. Returns the rule's id.
    @discardableResult
    public func addRule(policy: String, module: PolicyModuleKind, settings: [String: String]) async throws -> Int64 {
        let rule = PolicyRule(id: 0, module: module, settings: settings, enabled: true)
        _ = try PolicyModule(rule)
        let text = try Self.encodeSettings(settings)
        return try await database.transaction { db in
            let id = try await Self.requirePolicy(policy, db)
            return try await db.raw(
                """
                INSERT INTO policy_rule (policy_id, module, settings, enabled)
                VALUES (\(bind: id), \(bind: module.rawValue), \(bind: text), 1) RETURNING id
                """
            ).first().orThrow("no id returned").decode(column: "id", as: Int64.self)
        }
    }

    /// Merges `settings` into a rule's (an empty value removes a key) and sets `enabled` if given.
    public func changeRule(id: Int64, settings: [String: String], enabled: Bool? = nil) async throws {
        try await database.transaction { db in
            guard
                let row = try await db.raw("SELECT module, settings FROM policy_rule WHERE id = \(bind: id)").first()
            else { throw PolicyStoreError("no rule \(id)") }
            let kind = try row.decode(column: "module", as: String.self)
            var merged = try Self.decodeSettings(try row.decode(column: "settings", as: String.self))
            for (key, value) in settings { merged[key] = value.isEmpty ? nil : value }
            let module = try PolicyModuleKind(rawValue: kind).orThrow("unknown module '\(kind)'")
            _ = try PolicyModule(PolicyRule(id: id, module: module, settings: merged, enabled: true))
            try await db.raw("UPDATE policy_rule SET settings = \(bind: try Self.encodeSettings(merged)) WHERE id = \(bind: id)")
                .run()
            if let enabled {
                try await db.raw("UPDATE policy_rule SET enabled = \(bind: Int64(enabled ? 1 : 0)) WHERE id = \(bind: id)").run()
            }
        }
    }

    public func deleteRule(id: Int64) async throws {
        try await deleteRow("policy_rule", id: id, what: "rule")
    }

    // MARK: Helpers

    private func deleteRow(_ table: String, id: Int64, what: String) async throws {
        try await database.transaction { db in
            let gone = try await db.raw("DELETE FROM \(unsafeRaw: table) WHERE id = \(bind: id) RETURNING id").all()
            guard !gone.isEmpty else { throw PolicyStoreError("no \(what) \(id)") }
        }
    }

    static func policyID(_ name: String, _ db: any SQLDatabase) async throws -> Int64? {
        try await db.raw("SELECT id FROM policy_policy WHERE name = \(bind: name)").first()?.decode(column: "id", as: Int64.self)
    }

    static func requirePolicy(_ name: String, _ db: any SQLDatabase) async throws -> Int64 {
        try await policyID(name, db).orThrow("no policy '\(name)'")
    }

    static func groupID(_ name: String, _ db: any SQLDatabase) async throws -> Int64? {
        try await db.raw("SELECT id FROM policy_group WHERE name = \(bind: name.lowercased())").first()?
            .decode(column: "id", as: Int64.self)
    }

    static func requireGroup(_ name: String, _ db: any SQLDatabase) async throws -> Int64 {
        try await groupID(name, db).orThrow("no group '\(name)'")
    }

    static func validateName(_ name: String) throws {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.")
        guard !name.isEmpty, name.count <= 64, name.allSatisfy(allowed.contains) else {
            throw PolicyStoreError("'\(name)' is not a valid name (letters, digits, '-', '_', '.'; at most 64)")
        }
    }

    static func validatePattern(_ pattern: String, attribute: PolicyAttribute) throws {
        guard !pattern.isEmpty else { throw PolicyStoreError("empty pattern") }
        if attribute == .client, pattern != "*", !pattern.hasPrefix("%"), IPNetwork(pattern) == nil {
            throw PolicyStoreError("'\(pattern)' is not an IP address or CIDR network")
        }
    }

    static func encodeSettings(_ settings: [String: String]) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: try encoder.encode(settings), as: UTF8.self)
    }

    static func decodeSettings(_ text: String) throws -> [String: String] {
        try JSONDecoder().decode([String: String].self, from: Data(text.utf8))
    }
}

/// A refused change or lookup of policy definitions, in one line.
public struct PolicyStoreError: Error, Equatable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

extension Optional {
    func orThrow(_ message: @autoclosure () -> String) throws -> Wrapped {
        guard let self else { throw PolicyStoreError(message()) }
        return self
    }
}
