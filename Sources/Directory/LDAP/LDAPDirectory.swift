import Core
import LDAP
import Logging
import NIOPosix
import NIOSSL

/// One directory server set and the mail domains whose accounts, aliases and groups it holds:
/// searches through a pool bound as the service account, logins through a second pool bound as
/// each user (or by comparing the stored hash), answers cached briefly (docs/ldap.md).
public final class LDAPDirectory: Sendable {
    public let settings: LDAPSourceSettings
    public let domains: Set<String>
    private let searches: LDAPPool
    private let logins: LDAPPool
    private let userFilter: LDAPFilterTemplate
    private let aliasFilter: LDAPFilterTemplate?
    private let forwardFilter: LDAPFilterTemplate?
    private let groupFilter: LDAPFilterTemplate?
    private let users: LDAPLookupCache<LDAPUser>
    private let recipients: LDAPLookupCache<LDAPRecipient>
    private let logger: Logger
    /// Most members read from one group.
    static let memberLimit = 1000

    /// Builds the pools from `settings`; throws when the password file or CA file cannot be read
    /// or a filter does not parse.
    public init(settings: LDAPSourceSettings, logger: Logger) throws {
        self.settings = settings
        self.logger = logger
        domains = Set(settings.domains)
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.certificateVerification = .fullVerification
        if let caFile = settings.caFile { tls.trustRoots = .file(caFile) }
        var password = ""
        if let file = settings.bindPasswordFile {
            switch ConfigFileSystem.readText(file) {
            case .success(let text): password = String(text.split(separator: "\n", omittingEmptySubsequences: false).first ?? "")
            case .failure(let problem): throw LDAPSettingsError.unreadablePasswordFile(file, "\(problem)")
            }
            // RFC 4513 §5.1.2: a DN with an empty password is an unauthenticated bind; servers
            // that allow it make the service account silently anonymous.
            guard !password.isEmpty else { throw LDAPSettingsError.unreadablePasswordFile(file, "it is empty") }
        }
        let server = LDAPServerSettings(
            urls: try settings.urls.map { try LDAPURL(parsing: $0) }, startTLS: settings.startTLS, tls: tls,
            bindDN: settings.bindDN, bindPassword: password, connectTimeout: settings.timeout.duration,
            requestTimeout: settings.timeout.duration)
        searches = LDAPPool(settings: server, serviceBind: true, maximumConnections: settings.connections, logger: logger)
        logins = LDAPPool(settings: server, serviceBind: false, maximumConnections: settings.connections, logger: logger)
        let mapping = settings.mapping
        userFilter = try LDAPFilterTemplate(parsing: mapping.userFilter)
        aliasFilter = try mapping.aliasFilter.map { try LDAPFilterTemplate(parsing: $0) }
        forwardFilter = try mapping.forwardFilter.map { try LDAPFilterTemplate(parsing: $0) }
        groupFilter = try mapping.groupFilter.map { try LDAPFilterTemplate(parsing: $0) }
        let ttl = settings.cacheTTL.duration
        let negative = settings.cacheTTL.seconds == 0 ? .zero : settings.negativeCacheTTL.duration
        users = LDAPLookupCache(ttl: ttl, negativeTTL: negative)
        recipients = LDAPLookupCache(ttl: ttl, negativeTTL: negative)
    }

    /// Closes the pools' idle connections.
    public func shutdown() {
        searches.shutdown()
        logins.shutdown()
    }

    /// The domain a login without `@` belongs to: the first domain, when the mapping has no mail
    /// attribute (POSIX logins by `uid`).
    public var bareLoginDomain: String? { settings.mapping.mailAttribute == nil ? settings.domains.first : nil }

    // MARK: Accounts

    /// The account a login or address names, or nil. A login the directory would match loosely
    /// (spaces, control or invisible characters, which LDAP matching rules ignore) names nobody:
    /// otherwise `alice@x` and `alice@x ` would be one account under two throttle keys.
    public func user(_ login: String) async throws -> LDAPUser? {
        guard Self.isCanonical(login) else { return nil }
        let key = login.lowercased()
        return try await users.value(for: key) { try await self.searchUser(key) }
    }

    private func searchUser(_ login: String) async throws -> LDAPUser? {
        let filter = userFilter.filter(LDAPFilterTemplate.Values(login: Array(login.utf8)))
        let entries: [LDAPEntry]
        do {
            entries = try await search(filter, attributes: LDAPUser.attributes(settings.mapping), sizeLimit: 2)
        } catch LDAPClientError.tooManyResults {
            throw LDAPDirectoryError.ambiguous(login, count: 3)
        }
        guard let entry = entries.first else { return nil }
        guard entries.count == 1 else { throw LDAPDirectoryError.ambiguous(login, count: entries.count) }
        do {
            return try LDAPUser(entry: entry, mapping: settings.mapping, domains: settings.domains)
        } catch {
            logger.error("LDAP account entry unusable", metadata: ["login": "\(login)", "error": "\(error)"])
            throw error
        }
    }

    /// Whether `login` is one the directory matches exactly: no space, control, format or
    /// variation-selector characters (RFC 4518 §2.2 maps them away or folds them).
    static func isCanonical(_ login: String) -> Bool {
        !login.isEmpty && login.utf8.count <= 320
            && login.unicodeScalars.allSatisfy { scalar in
                switch scalar.properties.generalCategory {
                case .control, .format, .spaceSeparator, .lineSeparator, .paragraphSeparator, .unassigned, .surrogate,
                    .privateUse:
                    return false
                default:
                    return !(0xFE00...0xFE0F).contains(scalar.value) && !(0x180B...0x180F).contains(scalar.value)
                        && scalar.value != 0x034F && scalar.value != 0x00AD
                }
            }
    }

    /// Every account the user filter finds (any value in place of the placeholders), a page at a
    /// time, and the entries that cannot be accounts (no id); entries with no address in the
    /// domains are other domains' (a tree several tables share). The listing is whole or it
    /// throws.
    public func allUsers() async throws -> (users: [LDAPUser], unusable: [String]) {
        let filter = userFilter.filter(LDAPFilterTemplate.Values(s: Self.wildcard, u: Self.wildcard, d: Self.wildcard))
            .replacingAssertions(containing: Self.wildcard)
        let request = searchRequest(filter, attributes: LDAPUser.attributes(settings.mapping), sizeLimit: 0)
        let entries = try await searches.withConnection { try await $0.searchAll(request) }
        var users: [LDAPUser] = []
        var unusable: [String] = []
        for entry in entries {
            do {
                users.append(try LDAPUser(entry: entry, mapping: settings.mapping, domains: settings.domains))
            } catch LDAPDirectoryError.foreignAddress {
                continue  // another domain's account in a shared tree
            } catch {
                unusable.append(entry.dn)
            }
        }
        return (users, unusable)
    }

    /// A value no address contains, replaced by "any value" in `allUsers`.
    private static let wildcard: [UInt8] = Array("\u{1}posta-any\u{1}".utf8)

    // MARK: Recipients

    /// What `address` (a lower-cased `local@domain`, or `@domain` for the catch-all) is: an
    /// account, or an alias, forward or group with its targets; nil when nothing.
    public func recipient(_ address: String) async throws -> LDAPRecipient? {
        guard Self.isCanonical(address) else { return nil }
        return try await recipients.value(for: address) { try await self.searchRecipient(address) }
    }

    private func searchRecipient(_ address: String) async throws -> LDAPRecipient? {
        if !address.hasPrefix("@"), let user = try await user(address) {
            return LDAPRecipient(user: user, targets: [])
        }
        let values = LDAPFilterTemplate.Values(login: Array(address.utf8))
        var targets: [String] = []
        let mapping = settings.mapping
        if let aliasFilter, let mail = mapping.mailAttribute {
            for entry in try await search(aliasFilter.filter(values), attributes: [mail]) {
                targets += entry.strings(mail)
            }
        }
        if let forwardFilter, let forward = mapping.forwardAttribute {
            for entry in try await search(forwardFilter.filter(values), attributes: [forward]) {
                targets += entry.strings(forward)
            }
        }
        if let groupFilter {
            let attributes = mapping.memberAttributes + mapping.memberAddressAttributes
            for entry in try await search(groupFilter.filter(values), attributes: attributes) {
                targets += try await members(of: entry)
            }
        }
        return targets.isEmpty ? nil : LDAPRecipient(user: nil, targets: targets)
    }

    /// A group's member addresses: those listed directly, and each member DN's address (a DN
    /// whose entry is gone is left out). A group larger than `memberLimit` is refused for good:
    /// it is a mailing list's job.
    private func members(of group: LDAPEntry) async throws -> [String] {
        let mapping = settings.mapping
        var addresses = mapping.memberAddressAttributes.flatMap { group.strings($0) }
        let dns = mapping.memberAttributes.flatMap { group.strings($0) }
        guard addresses.count + dns.count <= Self.memberLimit else {
            throw ResolutionError.expansionLimit(group.first(mapping.mailAttribute ?? "cn") ?? group.dn)
        }
        let attributes = [mapping.mailAttribute ?? "uid"]
        try await searches.withConnection { connection in
            for dn in dns {
                let request = LDAPSearchRequest(
                    base: dn, scope: .baseObject, derefAliases: .never, sizeLimit: 1, timeLimit: 0, typesOnly: false,
                    filter: .present("objectClass"), attributes: attributes)
                guard let entry = try await connection.search(request, missingBaseIsEmpty: true).entries.first else {
                    continue
                }
                if let mail = mapping.mailAttribute {
                    addresses += entry.strings(mail).prefix(1)
                } else if let uid = entry.first("uid"), let domain = settings.domains.first {
                    addresses.append(uid + "@" + domain)
                }
            }
        }
        return addresses
    }

    // MARK: Logins

    /// Checks `password` for `user`: a bind as the user's entry with the password-policy control
    /// (draft-behera-ldap-password-policy §6), or, in `compare` mode, the hash read afresh from
    /// the entry (never cached: a password changed in the directory stops working at once).
    public func checkPassword(_ user: LDAPUser, password: String) async throws -> LDAPLoginOutcome {
        // RFC 4513 §5.1.2: a simple bind with an empty password is an unauthenticated bind and
        // "succeeds" as anonymous; it must never count as a login. Nor may an empty DN (anonymous).
        guard !password.isEmpty, !user.dn.isEmpty, password.utf8.count <= 1024 else { return .wrongPassword }
        switch settings.auth {
        case .compare:
            let attribute = settings.mapping.passwordAttribute
            let request = LDAPSearchRequest(
                base: user.dn, scope: .baseObject, derefAliases: .never, sizeLimit: 1, timeLimit: 0, typesOnly: false,
                filter: .present("objectClass"), attributes: [attribute])
            let entry = try await searches.withConnection { try await $0.search(request, missingBaseIsEmpty: true) }
                .entries.first
            guard let hash = entry?.first(attribute), let stored = try? StoredPassword(hash) else {
                return .wrongPassword
            }
            let ok = try await NIOThreadPool.singleton.runIfActive { stored.verify(password) }
            return ok ? .success(graceLogins: nil) : .wrongPassword
        case .bind:
            // Not retried: a bind the server saw counts towards its lockout.
            let response = try await logins.withConnection(retry: false) { connection in
                try await connection.bind(
                    dn: user.dn, password: Array(password.utf8), controls: [PasswordPolicyControl.request])
            }
            let policy = response.control(PasswordPolicyControl.oid).flatMap { try? PasswordPolicyResponse(decoding: $0) }
            switch response.result.code {
            case .success:
                if policy?.error == .passwordExpired || policy?.error == .changeAfterReset { return .passwordExpired }
                return .success(graceLogins: policy?.graceAuthNsRemaining)
            case .invalidCredentials:
                if policy?.error == .accountLocked { return .accountLocked }
                if policy?.error == .passwordExpired { return .passwordExpired }
                return .wrongPassword
            case .inappropriateAuthentication, .unwillingToPerform:
                return .wrongPassword
            default:
                throw LDAPClientError.result(response.result)
            }
        }
    }

    /// Changes `user`'s password with the Password Modify operation (RFC 3062), bound as the
    /// user with the old password; every cached answer about the entry is dropped. Never
    /// retried, and a password the server generated instead of ours (`genPasswd`) is an error.
    public func changePassword(_ user: LDAPUser, old: String, new: String) async throws {
        guard !old.isEmpty, !user.dn.isEmpty else {
            throw LDAPDirectoryError.passwordChangeRefused("the current password is required")
        }
        guard !new.isEmpty else { throw LDAPDirectoryError.passwordChangeRefused("the new password is empty") }
        defer { forget(user) }
        try await logins.withConnection(retry: false) { connection in
            let bind = try await connection.bind(dn: user.dn, password: Array(old.utf8))
            guard bind.result.code == .success else {
                throw LDAPDirectoryError.passwordChangeRefused("the current password was not accepted")
            }
            let modify = PasswordModifyRequest(userIdentity: user.dn, oldPassword: Array(old.utf8), newPassword: Array(new.utf8))
            let response = try await connection.request(
                .extendedRequest(name: PasswordModifyRequest.oid, value: modify.value))
            guard response.result.code == .success else {
                throw LDAPDirectoryError.passwordChangeRefused(LDAPClientError.result(response.result).description)
            }
            if let value = response.extendedValue, (try? PasswordModifyResponse(value: value))?.generatedPassword != nil {
                throw LDAPDirectoryError.passwordChangeRefused("the directory set a password of its own choosing")
            }
        }
    }

    /// Drops every cached answer that involves `user`'s entry, under whatever login or address
    /// it was asked for.
    public func forget(_ user: LDAPUser) {
        users.removeAll { $0.dn == user.dn }
        recipients.removeAll { $0.user?.dn == user.dn }
    }

    // MARK: Searching

    private func searchRequest(_ filter: LDAPFilter, attributes: [String], sizeLimit: Int) -> LDAPSearchRequest {
        let scope: LDAPSearchScope =
            switch settings.scope {
            case .base: .baseObject
            case .one: .singleLevel
            case .sub: .wholeSubtree
            }
        return LDAPSearchRequest(
            base: settings.base, scope: scope, derefAliases: .never, sizeLimit: Int32(sizeLimit), timeLimit: 0,
            typesOnly: false, filter: filter, attributes: attributes)
    }

    /// A search under the base; more than `sizeLimit` entries throws (never a truncated answer).
    private func search(_ filter: LDAPFilter, attributes: [String], sizeLimit: Int = memberLimit) async throws
        -> [LDAPEntry]
    {
        let request = searchRequest(filter, attributes: attributes, sizeLimit: sizeLimit)
        logger.trace("LDAP search", metadata: ["filter": "\(filter)"])
        return try await searches.withConnection { try await $0.search(request) }.entries
    }
}

/// A `[[directory.ldap]]` table that cannot be put to use.
public enum LDAPSettingsError: Error, CustomStringConvertible {
    case unreadablePasswordFile(String, String)

    public var description: String {
        switch self {
        case .unreadablePasswordFile(let file, let reason): "cannot read bind_password_file \(file): \(reason)"
        }
    }
}
