import Admin
import Directory
import Queue

// The console's values as the document's schemas (Components.Schemas, generated).

/// The directory's types by names that the generated schemas of the same name do not shadow.
typealias LoginRecord = LoginEvent
typealias AliasRecord = Alias

extension Components.Schemas.Role {
    init(_ role: AdminRole) {
        switch role {
        case .superadmin: self = .superadmin
        case .domainAdmin: self = .domainAdmin
        case .helpdesk: self = .helpdesk
        }
    }

    var adminRole: AdminRole {
        switch self {
        case .superadmin: .superadmin
        case .domainAdmin: .domainAdmin
        case .helpdesk: .helpdesk
        }
    }
}

extension Components.Schemas.Administrator {
    init(_ admin: Administrator) {
        self.init(
            login: admin.login, displayName: admin.displayName, role: .init(admin.role), domains: admin.domains,
            totpEnabled: admin.totpEnabled, enabled: admin.enabled, createdAt: admin.createdAt,
            lastLoginAt: admin.lastLoginAt)
    }
}

extension Components.Schemas.Domain {
    init(_ domain: DomainSummary) {
        self.init(name: domain.name, accounts: domain.accounts, aliases: domain.aliases, createdAt: domain.createdAt)
    }
}

extension Components.Schemas.Account {
    init(_ account: AccountSummary) {
        self.init(
            address: account.address, displayName: account.displayName, quotaBytes: account.quotaBytes,
            usedBytes: account.usedBytes, enabled: account.enabled, createdAt: account.createdAt,
            lastLoginAt: account.lastLoginAt)
    }
}

extension Components.Schemas.LoginEvent {
    init(_ event: LoginRecord) {
        self.init(
            login: event.login, ip: event.ip, _protocol: event.protocolName, success: event.success,
            reason: event.reason, at: event.createdAt)
    }
}

extension Components.Schemas.AccountDetail {
    init(_ detail: Admin.AccountDetail) {
        self.init(
            account: .init(detail.account), recentLogins: detail.recentLogins.map { .init($0) },
            throttled: detail.throttled)
    }
}

extension Components.Schemas.Alias {
    init(_ alias: AliasRecord) {
        self.init(source: alias.source, targets: alias.targets)
    }
}

extension Components.Schemas.QueueEntry {
    init(_ entry: Queue.QueueEntry) {
        self.init(
            id: entry.id, sender: entry.sender, size: entry.size, receivedAt: entry.receivedAt, held: entry.held,
            clientIp: entry.clientIP,
            recipients: entry.recipients.map { recipient in
                .init(
                    recipient: recipient.recipient, target: recipient.target, kind: recipient.kind.rawValue,
                    status: recipient.status.rawValue, attempts: recipient.attempts,
                    nextAttemptAt: recipient.nextAttemptAt, lastError: recipient.lastError)
            })
    }
}

extension Components.Schemas.AuditEntry {
    init(_ entry: Admin.AuditEntry) {
        let channel: ChannelPayload =
            switch entry.channel {
            case .web: .web
            case .api: .api
            case .cli: .cli
            }
        self.init(
            id: entry.id, at: entry.at, actor: entry.actor, channel: channel, clientIp: entry.clientIP,
            credential: entry.credential, action: entry.action, target: entry.target, before: entry.before, after: entry.after)
    }
}

extension Components.Schemas.Token {
    init(_ token: APIToken) {
        self.init(
            id: token.id, admin: token.admin, name: token.name, createdAt: token.createdAt,
            lastUsedAt: token.lastUsedAt)
    }
}
