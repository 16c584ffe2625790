import Core
import Directory
import NIOPosix
import SQLKit

extension AdminConsole {
    /// The login log's protocol name for the console and self-service logins.
    public static let webProtocol = "web"

    /// Who a checked login is.
    enum LoggedIn: Sendable {
        case administrator(Administrator)
        case user(Account)
    }

    /// Checks login+password (+TOTP) through the login throttle shared with the mail protocols,
    /// recording the attempt in the login log with protocol `web`. Administrators first; a login
    /// that is a mail address and no administrator logs in as that user (self-service).
    public func logIn(login: String, password: String, totp: String?, clientIP: String) async -> ConsoleLogin {
        guard login.utf8.count <= 320, password.utf8.count <= 1024, (totp?.utf8.count ?? 0) <= 16 else {
            return .invalidCredentials
        }
        let outcome = await authenticator.guarded(
            login: login, clientIP: clientIP, protocolName: Self.webProtocol, logger: logger
        ) { () async throws -> Authenticator.Check<LoggedIn> in
            try await check(login: login, password: password, totp: totp)
        }
        switch outcome {
        case .success(let who):
            do {
                return .success(try await startSession(who, clientIP: clientIP))
            } catch {
                logger.error("cannot start a console session", metadata: ["error": "\(String(reflecting: error))"])
                return .unavailable
            }
        case .incomplete: return .needsSecondFactor
        case .invalidCredentials: return .invalidCredentials
        case .throttled: return .throttled
        case .unavailable: return .unavailable
        }
    }

    /// The credential check behind `logIn`.
    private func check(login: String, password: String, totp: String?) async throws -> Authenticator.Check<LoggedIn> {
        let key = login.lowercased()
        let row = try await database.withConnection { db in
            try await db.select().columns("id", "password", "enabled", "totp_secret", "totp_enabled", "totp_last_step")
                .from("admin_user").where("login", .equal, key).first()
        }
        guard let row else {
            // Not an administrator: a mail account (self-service), with the directory's own
            // timing for unknown users.
            switch try await directory.authenticate(login, password: password) {
            case .success(let account): return .success(.user(account), accountID: account.id)
            case .failure(let failure): return .failure(reason: failure.rawValue)
            }
        }
        let id = try row.decode(column: "id", as: Int64.self)
        let stored = try StoredPassword(try row.decode(column: "password", as: String.self))
        // A deliberately slow hash: on the blocking pool, never on an event loop.
        guard try await NIOThreadPool.singleton.runIfActive({ stored.verify(password) }) else {
            return .failure(reason: LoginFailure.wrongPassword.rawValue)
        }
        guard try row.decode(column: "enabled", as: Bool.self) else { return .failure(reason: LoginFailure.disabled.rawValue) }
        if try row.decode(column: "totp_enabled", as: Bool.self) {
            // Fails closed: a second factor that is on but has no usable secret refuses the login.
            guard let base32 = try row.decode(column: "totp_secret", as: String?.self), let secret = Base32.decode(base32),
                !secret.isEmpty
            else { return .failure(reason: LoginReason.wrongSecondFactor) }
            guard let code = totp, !code.isEmpty else { return .incomplete(reason: LoginReason.secondFactorRequired) }
            let lastStep = try row.decode(column: "totp_last_step", as: Int64.self)
            guard try await claimTOTP(adminID: id, secret: secret, lastStep: lastStep, code: code) else {
                return .failure(reason: LoginReason.wrongSecondFactor)
            }
        }
        let at = now
        try await database.withConnection { db in
            try await db.update("admin_user").set("last_login_at", to: SQLBind(at)).where("id", .equal, id).run()
        }
        guard let admin = try await loadAdministrators(login: nil, id: id).first else {
            return .failure(reason: LoginFailure.unknownAccount.rawValue)
        }
        return .success(.administrator(admin), accountID: nil)
    }

    private func startSession(_ who: LoggedIn, clientIP: String) async throws -> ConsoleSession {
        let token = SecretToken.make()
        let csrf = SecretToken.make()
        let at = now
        let expires = at + settings.sessionLifetime.seconds
        let (adminID, accountID): (Int64?, Int64?) =
            switch who {
            case .administrator(let admin): (admin.id, nil)
            case .user(let account): (nil, account.id)
            }
        try await database.withConnection { db in
            // Expired sessions go on each login: the table holds live sessions only.
            try await db.raw(
                "DELETE FROM admin_session WHERE expires_at <= \(bind: at) OR last_seen_at <= \(bind: at - settings.sessionIdle.seconds)"
            ).run()
            try await db.insert(into: "admin_session")
                .columns("token_hash", "csrf", "admin_id", "account_id", "created_at", "last_seen_at", "expires_at", "client_ip")
                .values(
                    SQLBind(SecretToken.hash(token)), SQLBind(csrf), SQLBind(adminID), SQLBind(accountID), SQLBind(at),
                    SQLBind(at), SQLBind(expires), SQLBind(clientIP)
                ).run()
        }
        return ConsoleSession(
            token: token, csrf: csrf, principal: principal(for: who, channel: .web, clientIP: clientIP), expiresAt: expires)
    }

    func principal(for who: LoggedIn, channel: Principal.Channel, clientIP: String) -> Principal {
        switch who {
        case .administrator(let admin): Principal(.administrator(admin), channel: channel, clientIP: clientIP)
        case .user(let account): Principal(.user(account), channel: channel, clientIP: clientIP)
        }
    }

    /// The session behind a cookie value, renewed (idle timeout), or nil when unknown or expired
    /// (an expired one is deleted), or when its administrator or account is gone or disabled.
    public func session(token: String, clientIP: String) async throws -> ConsoleSession? {
        guard !token.isEmpty, token.utf8.count <= SecretToken.maxLength else { return nil }
        let hash = SecretToken.hash(token)
        let at = now
        let idle = settings.sessionIdle.seconds
        guard
            let row = try await database.withConnection({ db in
                try await db.select().columns("id", "csrf", "admin_id", "account_id", "last_seen_at", "expires_at")
                    .from("admin_session").where("token_hash", .equal, hash).first()
            })
        else { return nil }
        let id = try row.decode(column: "id", as: Int64.self)
        let expires = try row.decode(column: "expires_at", as: Int64.self)
        let lastSeen = try row.decode(column: "last_seen_at", as: Int64.self)
        guard at < expires, at < lastSeen + idle else {
            try await database.withConnection { db in try await db.delete(from: "admin_session").where("id", .equal, id).run() }
            return nil
        }
        let who: LoggedIn
        if let adminID = try row.decode(column: "admin_id", as: Int64?.self) {
            guard let admin = try await loadAdministrators(login: nil, id: adminID).first, admin.enabled else { return nil }
            who = .administrator(admin)
        } else if let accountID = try row.decode(column: "account_id", as: Int64?.self) {
            guard let account = try await directory.account(id: accountID), account.enabled else { return nil }
            who = .user(account)
        } else {
            return nil
        }
        try await database.withConnection { db in
            try await db.update("admin_session").set("last_seen_at", to: SQLBind(at)).where("id", .equal, id).run()
        }
        return ConsoleSession(
            token: token, csrf: try row.decode(column: "csrf", as: String.self),
            principal: principal(for: who, channel: .web, clientIP: clientIP), expiresAt: expires)
    }

    /// Ends the session behind a cookie value (nothing happens for an unknown one).
    public func logOut(token: String) async throws {
        guard token.utf8.count <= SecretToken.maxLength else { return }
        let hash = SecretToken.hash(token)
        try await database.withConnection { db in
            try await db.delete(from: "admin_session").where("token_hash", .equal, hash).run()
        }
    }

    /// Deletes every expired session; returns how many.
    @discardableResult
    public func purgeExpiredSessions() async throws -> Int {
        let at = now
        let idle = settings.sessionIdle.seconds
        return try await database.withConnection { db in
            try await db.raw(
                "DELETE FROM admin_session WHERE expires_at <= \(bind: at) OR last_seen_at <= \(bind: at - idle) RETURNING id"
            ).all().count
        }
    }
}
