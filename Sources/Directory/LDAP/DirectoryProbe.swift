import Core
import LDAP
import SQLKit

/// What the directory answers for a login: the account's data and, when a password was given,
/// the outcome of checking it (`posta directory test`, like `doveadm auth test` and
/// `doveadm user`).
public struct DirectoryLoginReport: Sendable, Encodable, Equatable {
    public var login: String
    public var source: String
    public var found: Bool
    public var dn: String?
    public var id: String?
    public var address: String?
    public var quota: Int64?
    public var enabled: Bool?
    public var home: String?
    /// `ok` or a `LoginFailure` code, `unavailable`; nil when no password was given.
    public var auth: String?
    public var graceLogins: Int?
    /// Why the directory could not be asked.
    public var error: String?

    enum CodingKeys: String, CodingKey {
        case login, source, found, dn, id, address, quota, enabled, home, auth, error
        case graceLogins = "grace-logins"
    }
}

/// Accounts the directory has that Posta has no record for yet, and records whose entry is gone
/// (`posta directory sync`).
public struct DirectorySyncReport: Sendable, Encodable, Equatable {
    public var appeared: [String] = []
    public var disappeared: [String] = []
    public var unchanged = 0
}

extension Directory {
    /// The account behind `login` as its source describes it; with `password`, whether it logs
    /// in (no throttle, nothing logged: a diagnostic for administrators).
    public func probeLogin(_ login: String, password: String?) async -> DirectoryLoginReport {
        var report = DirectoryLoginReport(login: login, source: "sql", found: false)
        do {
            if let source = ldapSource(forLogin: login) {
                report.source = "ldap"
                guard let user = try await source.user(login) else {
                    if password != nil { report.auth = LoginFailure.unknownAccount.rawValue }
                    return report
                }
                (report.found, report.dn, report.id, report.address) = (true, user.dn, user.id, user.address)
                (report.quota, report.enabled, report.home) = (user.quotaBytes, user.enabled, user.home)
                if let password {
                    switch try await source.checkPassword(user, password: password) {
                    case .success(let grace):
                        report.auth = user.enabled ? "ok" : LoginFailure.disabled.rawValue
                        report.graceLogins = grace
                    case .wrongPassword: report.auth = LoginFailure.wrongPassword.rawValue
                    case .accountLocked: report.auth = LoginFailure.accountLocked.rawValue
                    case .passwordExpired: report.auth = LoginFailure.passwordExpired.rawValue
                    }
                }
                return report
            }
            if let account = try? await account(login) {
                (report.found, report.address, report.quota, report.enabled) =
                    (true, account.address, account.quotaBytes, account.enabled)
                report.id = String(account.id)
            }
            if let password {
                switch try await authenticate(login, password: password) {
                case .success: report.auth = "ok"
                case .failure(let failure): report.auth = failure.rawValue
                }
            }
        } catch {
            report.error = "\(error)"
            if password != nil { report.auth = LoginReason.unavailable }
        }
        return report
    }

    /// Compares each LDAP directory's accounts with the local records; unless `dryRun`, makes
    /// the missing records and disables those whose entry is gone (their mail is kept).
    public func syncLDAP(dryRun: Bool) async throws -> DirectorySyncReport {
        var report = DirectorySyncReport()
        for source in ldap {
            let users = try await source.allUsers()
            let ids = Set(users.map(\.id))
            let domainNames = Array(source.domains)
            let linked = try await database.withConnection { db in
                try await db.select()
                    .columns(
                        SQLColumn("id", table: "a"), SQLColumn("address", table: "a"), SQLColumn("external_id", table: "a"),
                        SQLColumn("enabled", table: "a")
                    )
                    .from(SQLAlias("account", as: "a"))
                    .join(
                        SQLAlias("domain", as: "d"), on: SQLColumn("domain_id", table: "a"), .equal, SQLColumn("id", table: "d")
                    )
                    .where(SQLColumn("name", table: "d"), .in, SQLBind.group(domainNames))
                    .all().map { row in
                        (
                            id: try row.decode(column: "id", as: Int64.self),
                            address: try row.decode(column: "address", as: String.self),
                            externalID: try row.decode(column: "external_id", as: String?.self),
                            enabled: try row.decode(column: "enabled", as: Bool.self)
                        )
                    }
            }
            let known = Set(linked.compactMap(\.externalID))
            for user in users.sorted(by: { $0.address < $1.address }) {
                if known.contains(user.id) {
                    report.unchanged += 1
                } else {
                    report.appeared.append(user.address)
                    if !dryRun { _ = try await linkedAccount(user) }
                }
            }
            for record in linked.sorted(by: { $0.address < $1.address }) where !ids.contains(record.externalID ?? "") {
                guard record.enabled else { continue }
                report.disappeared.append(record.address)
                if !dryRun {
                    try await database.withConnection { db in
                        try await db.update("account").set("enabled", to: SQLBind(false)).where("id", .equal, record.id).run()
                    }
                }
            }
        }
        return report
    }
}

/// Where mail to an address goes, and which directory said so (`posta directory test ADDRESS`).
public struct DirectoryAddressReport: Sendable, Encodable, Equatable {
    /// One final destination; encoded as `{"mailbox": "a@b"}`, `{"external": …}` or `{"service": …}`.
    public struct Destination: Sendable, Encodable, Equatable {
        public var kind: String
        public var address: String

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: AnyKey.self)
            try container.encode(address, forKey: AnyKey(kind))
        }
    }

    public var address: String
    /// `deliver`, `unknown`, `not-local` or `unavailable`.
    public var resolution: String
    public var deliveries: [Destination]
    public var source: String
    public var error: String?
}

private struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ string: String) { stringValue = string }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

extension Directory {
    /// Resolves `address` as RCPT would, for the administrator (`postmap -q`'s counterpart).
    public func probeAddress(_ address: String) async -> DirectoryAddressReport {
        var report = DirectoryAddressReport(address: address, resolution: "unknown", deliveries: [], source: "sql")
        guard let parsed = try? MailAddress(parsing: address) else {
            report.error = "not an address"
            return report
        }
        if ldapSource(forDomain: parsed.domain) != nil { report.source = "ldap" }
        do {
            switch try await resolve(parsed) {
            case .notLocal: report.resolution = "not-local"
            case .unknown: report.resolution = "unknown"
            case .deliver(let deliveries):
                report.resolution = "deliver"
                report.deliveries = deliveries.map { delivery in
                    switch delivery {
                    case .mailbox(_, let address, _): .init(kind: "mailbox", address: address)
                    case .external(let address): .init(kind: "external", address: address.description)
                    case .service(let owner): .init(kind: "service", address: owner.address.description)
                    }
                }
            }
        } catch let error as ResolutionError {
            report.resolution = "unknown"
            report.error = error.description
        } catch {
            report.resolution = "unavailable"
            report.error = "\(error)"
        }
        return report
    }
}
