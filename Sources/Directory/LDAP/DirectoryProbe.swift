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

/// How the directory's accounts and Posta's account records compare (`posta directory sync`).
public struct DirectorySyncReport: Sendable, Encodable, Equatable {
    /// An entry that could not be linked to a record, and why.
    public struct Conflict: Sendable, Encodable, Equatable {
        public var address: String
        public var reason: String
    }

    /// Entries with no record: one is made.
    public var appeared: [String] = []
    /// Records made before their domain moved to LDAP, linked to the entry with their address.
    public var adopted: [String] = []
    /// Records whose entry is gone: disabled (their mail is kept).
    public var disappeared: [String] = []
    /// Records of the directory's domains that no entry owns or names: left as they are.
    public var unlinked: [String] = []
    /// Entries whose address another entry's record holds, or that could not be linked.
    public var conflicts: [Conflict] = []
    /// Entries (by DN) the user filter finds that cannot be accounts: no id attribute.
    public var unusable: [String] = []
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
    /// the missing records, links the records of the same address no entry owns yet (made
    /// before the domain moved to LDAP) and disables those whose entry is gone (their mail is
    /// kept). Nothing changes unless the directory listed every entry.
    public func syncLDAP(dryRun: Bool) async throws -> DirectorySyncReport {
        var report = DirectorySyncReport()
        for source in ldap {
            let (users, unusable) = try await source.allUsers()
            report.unusable += unusable
            let records = try await accountRecords(inDomains: Array(source.domains))
            let byID = Dictionary(records.compactMap { r in r.externalID.map { ($0, r) } }, uniquingKeysWith: { a, _ in a })
            let byKey = Dictionary(records.map { ($0.key, $0) }, uniquingKeysWith: { a, _ in a })
            // Entries that share an address: none of them is chosen (as for a lookup).
            let keys = users.map { try? Self.parse($0.address).key }
            var entriesPerKey: [String: Int] = [:]
            for case let key? in keys { entriesPerKey[key, default: 0] += 1 }
            var adoptedIDs: Set<Int64> = []
            for (user, key) in zip(users, keys).sorted(by: { $0.0.address < $1.0.address }) {
                if byID[user.id] != nil {
                    report.unchanged += 1
                    continue
                }
                guard let key, entriesPerKey[key] == 1 else {
                    if !report.conflicts.contains(where: { $0.address == user.address }) {
                        report.conflicts.append(.init(address: user.address, reason: "more than one entry has this address"))
                    }
                    continue
                }
                let holder = byKey[key]
                if let holder, holder.externalID != nil {
                    report.conflicts.append(
                        .init(address: user.address, reason: DirectoryError.addressClaimed(user.address).description))
                    continue
                }
                do {
                    if !dryRun { _ = try await linkedAccount(user, adopting: true) }
                    if let holder {
                        report.adopted.append(user.address)
                        adoptedIDs.insert(holder.id)
                    } else {
                        report.appeared.append(user.address)
                    }
                } catch {
                    report.conflicts.append(.init(address: user.address, reason: "\(error)"))
                }
            }
            let ids = Set(users.map(\.id))
            for record in records.sorted(by: { $0.address < $1.address }) {
                guard let externalID = record.externalID else {
                    if !adoptedIDs.contains(record.id) { report.unlinked.append(record.address) }
                    continue
                }
                guard !ids.contains(externalID), record.enabled else { continue }
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

    private struct AccountRecord {
        var id: Int64
        var address: String
        var key: String
        var externalID: String?
        var enabled: Bool
    }

    private func accountRecords(inDomains domains: [String]) async throws -> [AccountRecord] {
        try await database.withConnection { db in
            try await db.select()
                .columns(
                    SQLColumn("id", table: "a"), SQLColumn("address", table: "a"), SQLColumn("address_key", table: "a"),
                    SQLColumn("external_id", table: "a"), SQLColumn("enabled", table: "a")
                )
                .from(SQLAlias("account", as: "a"))
                .join(SQLAlias("domain", as: "d"), on: SQLColumn("domain_id", table: "a"), .equal, SQLColumn("id", table: "d"))
                .where(SQLColumn("name", table: "d"), .in, SQLBind.group(domains))
                .all().map { row in
                    AccountRecord(
                        id: try row.decode(column: "id", as: Int64.self),
                        address: try row.decode(column: "address", as: String.self),
                        key: try row.decode(column: "address_key", as: String.self),
                        externalID: try row.decode(column: "external_id", as: String?.self),
                        enabled: try row.decode(column: "enabled", as: Bool.self))
                }
        }
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
