// CONTRACT (temporary): the signatures the Web module and the CLI are written against. The admin
// helper replaces every body (and this file) with the real implementation in files by concept
// (Console/AdminConsole+Accounts.swift, +Domains, +Aliases, +Queue, +Admins, +Audit, +Sessions,
// +Tokens, +SelfService, +Dashboard). Signatures may grow (new defaulted parameters), not change.
import Core
import Directory
import Queue

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
}

/// An account with what the helpdesk looks at: quota usage and recent logins.
public struct AccountDetail: Sendable {
    public var account: AccountSummary
    public var recentLogins: [LoginEvent]
    /// Whether logins to this account are refused by the throttle now.
    public var throttled: Bool
}

public struct DomainSummary: Sendable, Hashable, Codable {
    public var name: String
    public var accounts: Int
    public var aliases: Int
    public var createdAt: Int64
}

/// One audit-log row: who did what, the state before and after (JSON text), when, from where.
public struct AuditEntry: Sendable, Hashable, Codable {
    public var id: Int64
    public var at: Int64
    /// `admin:<login>`, `user:<address>`, `cli:<unix user>`.
    public var actor: String
    public var channel: Principal.Channel
    public var clientIP: String?
    /// e.g. `account.create`, `account.password`, `queue.release`.
    public var action: String
    /// What was acted on (an address, a domain, a queue id…).
    public var target: String
    public var before: String?
    public var after: String?
}

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

public struct LoginLogFilter: Sendable {
    public var login: String?
    public var ip: String?
    public var protocolName: String?
    public var onlyFailures: Bool
    public var cursor: String?
    public var limit: Int
    public init(
        login: String? = nil, ip: String? = nil, protocolName: String? = nil, onlyFailures: Bool = false,
        cursor: String? = nil, limit: Int = 50
    ) {
        (self.login, self.ip, self.protocolName, self.onlyFailures, self.cursor, self.limit) =
            (login, ip, protocolName, onlyFailures, cursor, limit)
    }
}

public struct QueueFilter: Sendable {
    /// active | deferred | held, nil = all.
    public var state: String?
    public var sender: String?
    public var recipient: String?
    public init(state: String? = nil, sender: String? = nil, recipient: String? = nil) {
        (self.state, self.sender, self.recipient) = (state, sender, recipient)
    }
}

public enum QueueAction: String, Sendable, CaseIterable, Codable {
    case retry, hold, release, delete
}

/// A logged-in browser session: the cookie value is `token` (shown once), `csrf` goes in every form.
public struct ConsoleSession: Sendable {
    public var token: String
    public var csrf: String
    public var principal: Principal
    public var expiresAt: Int64
}

public enum ConsoleLogin: Sendable {
    case success(ConsoleSession)
    /// Password right, TOTP code missing or wrong.
    case needsSecondFactor
    case invalidCredentials
    case throttled
    case unavailable
}

public struct APIToken: Sendable, Hashable, Codable {
    public var id: Int64
    public var admin: String
    public var name: String
    public var createdAt: Int64
    public var lastUsedAt: Int64?
}

/// The per-hour rollup series behind the dashboard's charts.
public struct DashboardData: Sendable {
    public var domains: Int
    public var accounts: Int
    public var aliases: Int
    public var queue: QueueCounts
}

extension AdminConsole {
    // MARK: Sessions (console) and tokens (API)
    /// Checks login+password (+TOTP) through the login throttle shared with the mail protocols,
    /// recording the attempt in the login log with protocol `web`. Administrators first; a login
    /// that is a mail address and no administrator logs in as that user (self-service).
    public func logIn(login: String, password: String, totp: String?, clientIP: String) async -> ConsoleLogin {
        fatalError("contract")
    }
    /// The session behind a cookie value, renewed (idle timeout), or nil when unknown or expired.
    public func session(token: String, clientIP: String) async throws -> ConsoleSession? { fatalError("contract") }
    public func logOut(token: String) async throws { fatalError("contract") }
    /// The principal behind an API bearer token, or nil.
    public func principal(apiToken: String, clientIP: String) async throws -> Principal? { fatalError("contract") }
    /// Creates a token for `admin`; the plain token is returned once and only its hash is kept.
    public func addToken(as principal: Principal, admin: String, name: String) async throws -> (
        token: String, record: APIToken
    ) { fatalError("contract") }
    public func tokens(as principal: Principal, admin: String?) async throws -> [APIToken] { fatalError("contract") }
    public func deleteToken(as principal: Principal, id: Int64) async throws { fatalError("contract") }

    // MARK: Administrators
    public func administrators(as principal: Principal) async throws -> [Administrator] { fatalError("contract") }
    public func addAdministrator(
        as principal: Principal, login: String, password: String, role: AdminRole, domains: [String],
        displayName: String
    ) async throws -> Administrator { fatalError("contract") }
    public func deleteAdministrator(as principal: Principal, login: String) async throws { fatalError("contract") }
    public func setAdministratorPassword(as principal: Principal, login: String, password: String) async throws {
        fatalError("contract")
    }
    public func setAdministratorRole(as principal: Principal, login: String, role: AdminRole, domains: [String])
        async throws
    { fatalError("contract") }
    /// Whether any administrator exists (the first start prints how to create one).
    public func hasAdministrators() async throws -> Bool { fatalError("contract") }

    // MARK: Domains
    public func domains(as principal: Principal) async throws -> [DomainSummary] { fatalError("contract") }
    public func addDomain(as principal: Principal, name: String) async throws -> DomainSummary { fatalError("contract") }
    public func deleteDomain(as principal: Principal, name: String) async throws { fatalError("contract") }

    // MARK: Accounts
    public func accounts(as principal: Principal, _ query: AccountQuery) async throws -> Page<AccountSummary> {
        fatalError("contract")
    }
    public func account(as principal: Principal, address: String) async throws -> AccountDetail {
        fatalError("contract")
    }
    public func createAccount(
        as principal: Principal, address: String, password: String, displayName: String, quotaBytes: Int64
    ) async throws -> AccountSummary { fatalError("contract") }
    public func deleteAccount(as principal: Principal, address: String) async throws { fatalError("contract") }
    public func setPassword(as principal: Principal, address: String, password: String) async throws {
        fatalError("contract")
    }
    public func setEnabled(as principal: Principal, address: String, enabled: Bool) async throws {
        fatalError("contract")
    }
    /// A helpdesk may not go above `[admin] helpdesk_quota_ceiling`.
    public func setQuota(as principal: Principal, address: String, bytes: Int64) async throws {
        fatalError("contract")
    }
    public func setDisplayName(as principal: Principal, address: String, displayName: String) async throws {
        fatalError("contract")
    }
    public func liftThrottle(as principal: Principal, login: String) async throws { fatalError("contract") }
    public func loginLog(as principal: Principal, _ filter: LoginLogFilter) async throws -> Page<LoginEvent> {
        fatalError("contract")
    }

    // MARK: Aliases
    public func aliases(as principal: Principal, domain: String?) async throws -> [Alias] { fatalError("contract") }
    public func addAlias(as principal: Principal, source: String, targets: [String]) async throws {
        fatalError("contract")
    }
    public func deleteAlias(as principal: Principal, source: String, targets: [String]) async throws {
        fatalError("contract")
    }

    // MARK: Queue
    public func queueEntries(as principal: Principal, _ filter: QueueFilter) async throws -> [QueueEntry] {
        fatalError("contract")
    }
    public func queueEntry(as principal: Principal, id: String) async throws -> (entry: QueueEntry, headers: String) {
        fatalError("contract")
    }
    /// Applies `action` to each id; the ids that failed, with why.
    public func queue(as principal: Principal, _ action: QueueAction, ids: [String]) async throws -> [String: String] {
        fatalError("contract")
    }

    // MARK: Audit, dashboard
    public func auditLog(as principal: Principal, _ filter: AuditFilter) async throws -> Page<AuditEntry> {
        fatalError("contract")
    }
    public func dashboard(as principal: Principal) async throws -> DashboardData { fatalError("contract") }
}
