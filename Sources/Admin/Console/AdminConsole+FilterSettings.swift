import Core
import Filter

/// The spam settings of one account (`user@domain`) or domain (`@domain`): its own, and what it
/// gets in effect (its own over its domain's over the site's, `SpamSettingsStore`).
public struct ScopedSpamSettings: Sendable, Equatable {
    public var scope: String
    /// What the scope sets itself (nil fields inherit).
    public var own: SpamPreferences
    /// What it inherits: its domain's over the site's for an account, the site's for a domain.
    public var inherited: SpamPreferences
    /// `own` over `inherited`: what decides its mail.
    public var effective: SpamPreferences { own.over(inherited) }

    public var isDomain: Bool { scope.hasPrefix("@") }
}

extension AdminConsole {
    /// The range a spam threshold may take (SpamAssassin's GTUBE scores 1000; rspamd's reject
    /// is usually 15).
    public static let spamThresholdRange: ClosedRange<Double> = -1000...10000

    /// The accounts and domains with spam settings of their own (those in the principal's domains).
    public func filterSettings(as principal: Principal) async throws -> [ScopedSpamSettings] {
        try principal.require(.manageFilters)
        let entries = try await spamSettings.list().filter { entry in
            principal.domainScope.map { $0.contains(Self.scopeDomain(entry.scope)) } ?? true
        }
        let stored = Dictionary(entries.map { ($0.scope, $0.settings) }, uniquingKeysWith: { a, _ in a })
        return entries.map { entry in
            ScopedSpamSettings(
                scope: entry.scope, own: entry.settings, inherited: inherited(entry.scope, domain: stored))
        }
    }

    /// The settings of one scope (empty `own` when it has none); `notFound` when the account or
    /// domain does not exist.
    public func filterSettings(as principal: Principal, scope: String) async throws -> ScopedSpamSettings {
        let scope = try await filterScope(principal, scope)
        return try await scopedSettings(scope)
    }

    /// Replaces the settings of `scope` with `settings` (empty ones delete them).
    @discardableResult
    public func setFilterSettings(as principal: Principal, scope: String, _ settings: SpamPreferences) async throws
        -> ScopedSpamSettings
    {
        let scope = try await filterScope(principal, scope)
        try Self.validate(settings)
        return try await putSpamSettings(principal, scope, settings)
    }

    /// Removes the settings of `scope`; `notFound` when it has none.
    public func deleteFilterSettings(as principal: Principal, scope: String) async throws {
        let scope = try await filterScope(principal, scope)
        guard let before = try await spamSettings.entry(scope) else {
            throw AdminError.notFound("spam settings of \(scope)")
        }
        try await spamSettings.delete(scope)
        await audit(principal, "filter.settings.delete", target: scope, before: before.settings)
    }

    /// The spam settings store over the console's database.
    var spamSettings: SpamSettingsStore { SpamSettingsStore(database: database) }

    /// Stores `settings` for `scope` and writes the audit row (before/after).
    func putSpamSettings(_ principal: Principal, _ scope: String, _ settings: SpamPreferences) async throws
        -> ScopedSpamSettings
    {
        let before = try await spamSettings.entry(scope)?.settings
        try await spamSettings.put(scope, settings)
        await audit(
            principal, "filter.settings.set", target: scope, before: before, after: settings.isEmpty ? nil : settings)
        return try await scopedSettings(scope)
    }

    func scopedSettings(_ scope: String) async throws -> ScopedSpamSettings {
        let domainScope = "@" + Self.scopeDomain(scope)
        let stored = Dictionary(
            try await spamSettings.list().filter { $0.scope == scope || $0.scope == domainScope }.map {
                ($0.scope, $0.settings)
            }, uniquingKeysWith: { a, _ in a })
        return ScopedSpamSettings(
            scope: scope, own: stored[scope] ?? SpamPreferences(), inherited: inherited(scope, domain: stored))
    }

    /// What `scope` inherits: for an account its domain's settings over the site's, for a domain
    /// the site's.
    private func inherited(_ scope: String, domain stored: [String: SpamPreferences]) -> SpamPreferences {
        let site = spamDefaults ?? SpamPreferences()
        guard !scope.hasPrefix("@") else { return site }
        return (stored["@" + Self.scopeDomain(scope)] ?? SpamPreferences()).over(site)
    }

    /// `scope` normalised, checked against the principal's permission in its domain, and
    /// existing (a typo would otherwise never apply).
    private func filterScope(_ principal: Principal, _ text: String) async throws -> String {
        guard text.utf8.count <= 320, let scope = SpamSettingsStore.normalize(text) else {
            throw AdminError.invalid("'\(text)' is neither an account address (user@domain) nor a domain (@domain)")
        }
        let domain = Self.scopeDomain(scope)
        try principal.require(.manageFilters, in: domain)
        if scope.hasPrefix("@") {
            guard try await directory.isLocalDomain(domain) else { throw AdminError.notFound("domain \(domain)") }
        } else {
            _ = try Self.domain(of: scope)
            guard try await directory.account(scope) != nil else { throw AdminError.notFound("account \(scope)") }
        }
        return scope
    }

    /// The domain of a stored scope (`@domain` or `user@domain`), lower case.
    static func scopeDomain(_ scope: String) -> String {
        scope.lastIndex(of: "@").map { String(scope[scope.index(after: $0)...]).lowercased() } ?? ""
    }

    /// Thresholds finite and within `spamThresholdRange`; a reject threshold not below the junk
    /// threshold when both are set.
    static func validate(_ settings: SpamPreferences) throws(AdminError) {
        for (name, value) in [("junk threshold", settings.junkThreshold), ("reject threshold", settings.rejectThreshold)] {
            guard let value else { continue }
            guard value.isFinite, spamThresholdRange.contains(value) else {
                throw .invalid(
                    "the \(name) must be a number from \(Int(spamThresholdRange.lowerBound)) to \(Int(spamThresholdRange.upperBound))"
                )
            }
        }
        if let junk = settings.junkThreshold, let reject = settings.rejectThreshold, reject < junk {
            throw .invalid("the reject threshold must not be below the junk threshold")
        }
    }
}
