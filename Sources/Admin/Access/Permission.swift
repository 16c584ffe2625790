/// One kind of operation, checked for every request and API call on the server side
/// (`Principal.require(_:in:)`); the roles' grants are in `AdminRole.grants`.
public enum Permission: String, Sendable, CaseIterable, Codable {
    case viewDashboard
    case viewAccounts
    case createAccounts
    case deleteAccounts
    case resetPasswords
    case enableAccounts
    case setQuotas
    case viewLoginLog
    case liftThrottle
    case manageDomains
    case manageAliases
    case viewPolicies
    case managePolicies
    case manageQueue
    case manageQuarantine
    case manageFilters
    case manageAdmins
    case viewAudit
    /// Compromised-account suspensions and the abuse whitelist (accounts of the principal's domains).
    case manageAbuse
    /// DKIM signing keys of the principal's domains (never their private halves).
    case manageDKIM
    /// The DNS records a domain needs published (`posta dns records`), for the principal's domains.
    case viewDNSRecords
    /// Reports received and written: DMARC aggregate and TLS reports about the principal's domains,
    /// the abuse report of their accounts; the site-wide ones (daily summary, MTA-STS policy cache)
    /// only without a domain scope.
    case viewReports
    /// Mailing lists of the principal's domains: lists, members, settings, held posts.
    case manageLists
    /// Site-wide report work: importing received reports, queueing a day's DMARC/TLS reports and
    /// the daily summary by hand.
    case manageReports
}

/// The principal may not do this (HTTP 403).
public struct AccessDenied: Error, Sendable, CustomStringConvertible {
    public let permission: Permission
    /// The domain asked about, when the permission was asked for one.
    public let domain: String?

    public init(_ permission: Permission, domain: String?) {
        self.permission = permission
        self.domain = domain
    }

    public var description: String {
        "not allowed: \(permission.rawValue)" + (domain.map { " in \($0)" } ?? "")
    }
}
