import Core
import SQLKit

/// The spam settings of accounts and domains, and their resolution for a recipient: the
/// account's, then its domain's; what neither sets comes from `[filter]`.
public final class SpamSettingsStore: Sendable {
    /// One stored row.
    public struct Entry: Sendable, Equatable, Codable {
        /// `user@domain` or `@domain`.
        public var scope: String
        public var settings: SpamPreferences

        public init(scope: String, settings: SpamPreferences) {
            self.scope = scope
            self.settings = settings
        }
    }

    public let database: Database

    public init(database: Database) { self.database = database }

    /// `scope` in its stored form (lower case), nil when it is neither `user@domain` nor `@domain`.
    public static func normalize(_ scope: String) -> String? {
        let lowered = scope.lowercased()
        guard let at = lowered.lastIndex(of: "@"), lowered.index(after: at) < lowered.endIndex,
            !lowered.contains(where: \.isWhitespace), lowered.count <= 320
        else { return nil }
        // `@domain` holds one `@`; `user@domain` has a local part before it.
        if lowered.hasPrefix("@") && at != lowered.startIndex { return nil }
        return lowered
    }

    /// The domain scope of an address (`@domain`).
    static func domainScope(of address: String) -> String {
        address.lastIndex(of: "@").map { String(address[$0...]) } ?? "@"
    }

    public func list() async throws -> [Entry] {
        try await select(nil)
    }

    public func entry(_ scope: String) async throws -> Entry? {
        try await select([scope]).first
    }

    /// Stores `settings` for `scope` (replacing what was there); empty settings delete the row.
    public func put(_ scope: String, _ settings: SpamPreferences) async throws {
        try await database.transaction { db in
            try await db.delete(from: "filter_spam_settings").where("scope", .equal, scope).run()
            guard !settings.isEmpty else { return }
            try await db.insert(into: "filter_spam_settings")
                .columns("scope", "junk_threshold", "reject_threshold", "junk")
                .values(
                    SQLBind(scope), SQLBind(settings.junkThreshold), SQLBind(settings.rejectThreshold),
                    SQLBind(settings.junk)
                )
                .run()
        }
    }

    /// Removes the settings of `scope`; false when it had none.
    @discardableResult
    public func delete(_ scope: String) async throws -> Bool {
        try await database.withConnection { db in
            try await db.delete(from: "filter_spam_settings").where("scope", .equal, scope).returning(
                "scope"
            ).all().count > 0
        }
    }

    /// The resolved settings of each address (account over domain), in order; one query.
    public func preferences(for addresses: [String]) async throws -> [SpamPreferences] {
        let lowered = addresses.map { $0.lowercased() }
        let scopes = Set(lowered + lowered.map(Self.domainScope))
        guard !lowered.isEmpty else { return [] }
        let stored = Dictionary(
            try await select(Array(scopes)).map { ($0.scope, $0.settings) },
            uniquingKeysWith: { a, _ in a })
        return lowered.map { address in
            (stored[address] ?? SpamPreferences()).over(
                stored[Self.domainScope(of: address)] ?? SpamPreferences())
        }
    }

    private func select(_ scopes: [String]?) async throws -> [Entry] {
        try await database.withConnection { db in
            var query = db.select().columns("scope", "junk_threshold", "reject_threshold", "junk").from(
                "filter_spam_settings")
            if let scopes { query = query.where("scope", .in, scopes) }
            return try await query.orderBy("scope").all().map { row in
                Entry(
                    scope: try row.decode(column: "scope", as: String.self),
                    settings: SpamPreferences(
                        junkThreshold: try row.decode(column: "junk_threshold", as: Double?.self),
                        rejectThreshold: try row.decode(column: "reject_threshold", as: Double?.self),
                        junk: try row.decode(column: "junk", as: Bool?.self)))
            }
        }
    }
}
