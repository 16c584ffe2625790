/// A domain Posta receives mail for.
public struct Domain: Sendable, Hashable, Codable {
    public var id: Int64
    public var name: String
    public var createdAt: Int64

    enum CodingKeys: String, CodingKey {
        case id, name
        case createdAt = "created_at"
    }
}

/// A mailbox owner who can log in.
public struct Account: Sendable, Hashable, Codable {
    public var id: Int64
    public var address: String
    public var displayName: String
    /// The stored password hash (`{SCHEME}…`); never shown in listings.
    public var password: String
    /// Storage quota in bytes; 0 means unlimited.
    public var quotaBytes: Int64
    /// A disabled account cannot log in or send; mail to it is still accepted.
    public var enabled: Bool
    public var createdAt: Int64
    public var lastLoginAt: Int64?
    /// Raised each time the account's sessions must end (disabled, password changed): a session
    /// authenticated under a lower generation is closed (`AccountSessions`).
    public var sessionGeneration: Int64

    enum CodingKeys: String, CodingKey {
        case id, address, password, enabled
        case sessionGeneration = "session_generation"
        case displayName = "display_name"
        case quotaBytes = "quota_bytes"
        case createdAt = "created_at"
        case lastLoginAt = "last_login_at"
    }
}

/// An alias: one source (`local@domain`, or `@domain` for a catch-all) delivering to targets.
public struct Alias: Sendable, Hashable, Codable {
    public var source: String
    public var targets: [String]

    public init(source: String, targets: [String]) {
        self.source = source
        self.targets = targets
    }
}

extension Account {
    /// Records written before session generations existed (or built by hand) decode with generation 0.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            id: try c.decode(Int64.self, forKey: .id), address: try c.decode(String.self, forKey: .address),
            displayName: try c.decode(String.self, forKey: .displayName), password: try c.decode(String.self, forKey: .password),
            quotaBytes: try c.decode(Int64.self, forKey: .quotaBytes), enabled: try c.decode(Bool.self, forKey: .enabled),
            createdAt: try c.decode(Int64.self, forKey: .createdAt),
            lastLoginAt: try c.decodeIfPresent(Int64.self, forKey: .lastLoginAt),
            sessionGeneration: try c.decodeIfPresent(Int64.self, forKey: .sessionGeneration) ?? 0)
    }
}
