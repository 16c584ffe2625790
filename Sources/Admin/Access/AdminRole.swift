/// What an administrator may do (docs/admin.md has the full table).
public enum AdminRole: String, Sendable, Codable, CaseIterable, Hashable {
    /// Everything, on every domain.
    case superadmin
    /// Everything inside the domains the administrator is given; nothing site-wide.
    case domainAdmin = "domain-admin"
    /// Accounts only: list and search, create, enable and disable, reset passwords, quotas up to
    /// `[admin] helpdesk_quota_ceiling`, quota usage, the login log, lifting a login throttle.
    /// Never mail, policies, filters, domains or administrators.
    case helpdesk
}
