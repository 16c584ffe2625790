import Directory

/// An account as the consoles show it: never the hash.
public struct AccountSummary: Sendable, Hashable, Codable {
    public var address: String
    public var displayName: String
    public var quotaBytes: Int64
    /// Bytes stored now (the store's index).
    public var usedBytes: Int64
    public var enabled: Bool
    public var createdAt: Int64
    public var lastLoginAt: Int64?

    public init(
        address: String, displayName: String, quotaBytes: Int64, usedBytes: Int64, enabled: Bool, createdAt: Int64,
        lastLoginAt: Int64?
    ) {
        self.address = address
        self.displayName = displayName
        self.quotaBytes = quotaBytes
        self.usedBytes = usedBytes
        self.enabled = enabled
        self.createdAt = createdAt
        self.lastLoginAt = lastLoginAt
    }
}

/// An account with what the helpdesk looks at: quota usage and recent logins.
public struct AccountDetail: Sendable {
    public var account: AccountSummary
    public var recentLogins: [LoginEvent]
    /// Whether logins to this account are refused by the throttle now.
    public var throttled: Bool
}

/// Which accounts `AdminConsole.accounts` lists, by address.
public struct AccountQuery: Sendable {
    /// Part of the address or display name, case-insensitive.
    public var search: String?
    public var domain: String?
    public var cursor: String?
    public var limit: Int
    public init(search: String? = nil, domain: String? = nil, cursor: String? = nil, limit: Int = 50) {
        (self.search, self.domain, self.cursor, self.limit) = (search, domain, cursor, limit)
    }
}
