/// One audit-log row: who did what, the state before and after (JSON text), when, from where.
public struct AuditEntry: Sendable, Hashable, Codable {
    public var id: Int64
    public var at: Int64
    /// `admin:<login>`, `user:<address>`, `cli:<unix user>`.
    public var actor: String
    public var channel: Principal.Channel
    public var clientIP: String?
    /// The API token the change was made with (`token:<id> <name>`); nil for the console and the CLI.
    public var credential: String?
    /// e.g. `account.create`, `account.password`, `queue.release`.
    public var action: String
    /// What was acted on (an address, a domain, a queue id…).
    public var target: String
    public var before: String?
    public var after: String?
}

/// Which audit rows `AdminConsole.auditLog` returns, newest first.
public struct AuditFilter: Sendable {
    public var actor: String?
    public var action: String?
    public var target: String?
    public var since: Int64?
    public var until: Int64?
    public var cursor: String?
    public var limit: Int
    public init(
        actor: String? = nil, action: String? = nil, target: String? = nil, since: Int64? = nil, until: Int64? = nil,
        cursor: String? = nil, limit: Int = 50
    ) {
        (self.actor, self.action, self.target, self.since, self.until, self.cursor, self.limit) =
            (actor, action, target, since, until, cursor, limit)
    }
}
