import Core
import NIOPosix
import SQLKit

/// The outcome of a login attempt.
public enum LoginResult: Sendable, Equatable {
    case success(Account)
    case failure(LoginFailure)
}

/// Why a login failed. Protocols must not tell the client which one (RFC 4954 §6, RFC 9051 §6.2.3):
/// the distinction is for logs and throttling.
public enum LoginFailure: String, Sendable, Equatable {
    case unknownAccount = "unknown-user"
    case wrongPassword = "wrong-password"
    case disabled = "disabled"
    /// Locked by the directory's password policy (LDAP ppolicy).
    case accountLocked = "account-locked"
    /// The directory says the password has expired (LDAP ppolicy): the password was right.
    case passwordExpired = "password-expired"
}

extension Directory {
    /// Checks `password` for the account `login` (its address, case-insensitive); a login of an
    /// LDAP domain is checked by its directory (`authenticateLDAP`).
    ///
    /// Hash verification (deliberately slow for crypt schemes) runs on NIO's blocking thread pool,
    /// not on the concurrency pool. A successful login records `last_login_at` and, when the stored
    /// hash is weak (`{PLAIN}`, unsalted SHA, MD5-crypt…), replaces it with a strong one.
    public func authenticate(_ login: String, password: String) async throws -> LoginResult {
        if let source = ldapSource(forLogin: login) {
            return try await authenticateLDAP(login, password: password, in: source)
        }
        guard let address = try? MailAddress(parsing: login),
            let account = try await account(address.description)
        else {
            await spendDecoyTime(password)
            return .failure(.unknownAccount)
        }
        let stored: StoredPassword
        do { stored = try StoredPassword(account.password) } catch { return .failure(.wrongPassword) }
        let ok = try await NIOThreadPool.singleton.runIfActive { stored.verify(password) }
        guard ok else { return .failure(.wrongPassword) }
        guard account.enabled else { return .failure(.disabled) }
        let upgraded: StoredPassword? =
            stored.isWeak ? try await NIOThreadPool.singleton.runIfActive { try PasswordHasher.hash(password) } : nil
        let now = UnixTime.now()
        try await database.withConnection { db in
            var update = db.update("account").set("last_login_at", to: SQLBind(now))
            if let upgraded { update = update.set("password", to: SQLBind(upgraded.stored)) }
            try await update.where("id", .equal, account.id).run()
        }
        var result = account
        result.lastLoginAt = now
        if let upgraded { result.password = upgraded.stored }
        return .success(result)
    }

    /// Spends the time of one hash verification, for an unknown user, so timing does not reveal
    /// which accounts exist.
    func spendDecoyTime(_ password: String) async {
        _ = try? await NIOThreadPool.singleton.runIfActive { Self.decoy.verify(password) }
    }

    /// A fixed hash to verify against when the user does not exist.
    private static let decoy: StoredPassword = {
        // Hashing at first use costs one yescrypt computation, once per process.
        (try? PasswordHasher.hash("posta-decoy")) ?? (try! StoredPassword("{PLAIN}x"))
    }()
}
