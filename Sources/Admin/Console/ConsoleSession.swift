/// A logged-in browser session: the cookie value is `token` (shown once), `csrf` goes in every form.
public struct ConsoleSession: Sendable {
    public var token: String
    public var csrf: String
    public var principal: Principal
    /// When the session ends whatever happens (login + `[admin] session_lifetime`); it ends
    /// sooner when unused for `session_idle`.
    public var expiresAt: Int64
}

/// The outcome of `AdminConsole.logIn`.
public enum ConsoleLogin: Sendable {
    case success(ConsoleSession)
    /// Password right, TOTP code missing or wrong.
    case needsSecondFactor
    case invalidCredentials
    case throttled
    case unavailable
}

/// An API token's record; the token itself is shown once, when made.
public struct APIToken: Sendable, Hashable, Codable {
    public var id: Int64
    public var admin: String
    public var name: String
    public var createdAt: Int64
    public var lastUsedAt: Int64?
}
