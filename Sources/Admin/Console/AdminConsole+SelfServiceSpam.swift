import Filter

extension AdminConsole {
    /// The user's own spam settings (their account's scope), with what they inherit from their
    /// domain and the site.
    public func ownSpamSettings(as principal: Principal) async throws -> ScopedSpamSettings {
        let account = try await own(principal)
        return try await scopedSettings(account.address.lowercased())
    }

    /// Sets the user's own junk threshold and Junk delivery (nil inherits); the reject threshold an
    /// administrator set for the account stays as it is (a user may not change it).
    @discardableResult
    public func setOwnSpamSettings(as principal: Principal, junkThreshold: Double?, junk: Bool?) async throws
        -> ScopedSpamSettings
    {
        let account = try await own(principal)
        let scope = account.address.lowercased()
        var settings = try await spamSettings.entry(scope)?.settings ?? SpamPreferences()
        settings.junkThreshold = junkThreshold
        settings.junk = junk
        try Self.validate(settings)
        return try await putSpamSettings(principal, scope, settings)
    }
}
