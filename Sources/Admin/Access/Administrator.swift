import Core

/// A person who runs the site: a login of its own (not a mail account), a role, and for a domain
/// admin (or a helpdesk limited to some domains) the domains they act on.
public struct Administrator: Sendable, Hashable, Codable {
    public var id: Int64
    /// The login name, lower case.
    public var login: String
    public var displayName: String
    public var role: AdminRole
    /// The domains the administrator acts on; empty means every domain (superadmin, and a
    /// helpdesk not limited to some domains). A domain admin has at least one.
    public var domains: [String]
    /// Whether logins need a TOTP code (RFC 6238) besides the password.
    public var totpEnabled: Bool
    public var enabled: Bool
    public var createdAt: Int64
    public var lastLoginAt: Int64?

    public init(
        id: Int64, login: String, displayName: String, role: AdminRole, domains: [String], totpEnabled: Bool,
        enabled: Bool, createdAt: Int64, lastLoginAt: Int64?
    ) {
        self.id = id
        self.login = login
        self.displayName = displayName
        self.role = role
        self.domains = domains
        self.totpEnabled = totpEnabled
        self.enabled = enabled
        self.createdAt = createdAt
        self.lastLoginAt = lastLoginAt
    }
}
