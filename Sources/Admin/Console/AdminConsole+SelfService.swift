import Core
import Directory

/// What a mail user sees of their own account.
public struct OwnAccount: Sendable {
    public var account: AccountSummary
    /// Where their mail is forwarded to (an alias of their own address), empty when it is not.
    public var forwarding: [String]
    /// Whether a copy stays in their mailbox while forwarding.
    public var keepsCopy: Bool
}

extension AdminConsole {
    /// The mail account a self-service principal acts for (re-read, so a disabled or deleted
    /// account acts no more); `AccessDenied` for any other principal.
    func own(_ principal: Principal) async throws -> Account {
        guard case .user(let account) = principal.identity else { throw AccessDenied(.viewAccounts, domain: nil) }
        guard let current = try await directory.account(id: account.id), current.enabled else {
            throw AdminError.notFound(account.address)
        }
        return current
    }

    /// The user's own account: quota and usage, forwarding.
    public func ownAccount(as principal: Principal) async throws -> OwnAccount {
        let account = try await own(principal)
        let targets = try await aliasTargets(account.address)
        let key = account.address.lowercased()
        return OwnAccount(
            account: try await summary(account), forwarding: targets.filter { $0.lowercased() != key },
            keepsCopy: targets.isEmpty || targets.contains { $0.lowercased() == key })
    }

    /// The user's own recent logins (IP, protocol, time, outcome), newest first: a stranger's
    /// address in this list is how users notice a stolen password.
    public func ownLogins(as principal: Principal, limit: Int = 50) async throws -> [LoginEvent] {
        let account = try await own(principal)
        return try await authenticator.loginLog.recent(login: account.address.lowercased(), limit: PageCursor.limit(limit))
    }

    /// Changes the user's own password after checking the current one; their other sessions
    /// (IMAP, POP3, SMTP) end on every node, and their console sessions but the one whose cookie
    /// value is `keepingSession` (the caller's). Not over the API (a stolen token must not turn
    /// into the password).
    public func changeOwnPassword(
        as principal: Principal, current: String, new: String, keepingSession: String? = nil
    ) async throws {
        guard principal.channel != .api else { throw AccessDenied(.resetPasswords, domain: nil) }
        let account = try await own(principal)
        guard current.utf8.count <= 1024 else { throw AdminError.invalid("the current password is not right") }
        // The check is a login attempt: the same throttle and login log as every other login
        // (a stolen session must not become a fast password-guessing oracle), hashed off the
        // event loops.
        let outcome = await authenticator.login(
            user: account.address, password: current, clientIP: principal.clientIP ?? "", protocolName: Self.webProtocol,
            logger: logger)
        switch outcome {
        case .success(let checked) where checked.id == account.id: break
        case .throttled: throw AdminError.invalid("too many failed attempts: wait a few minutes and try again")
        case .unavailable: throw AdminError.invalid("the password cannot be checked now: try again later")
        default: throw AdminError.invalid("the current password is not right")
        }
        if directory.ldapSource(forDomain: account.address.split(separator: "@").last.map(String.init) ?? "") != nil {
            // RFC 3062 Password Modify, bound as the user: the directory stays the only copy
            // (and may apply stricter rules of its own).
            try Self.checkNewPassword(new)
            do {
                try await Self.translate { try await directory.changeLDAPPassword(account.address, old: current, new: new) }
            } catch let error as LDAPDirectoryError {
                throw AdminError.invalid(error.description)
            }
        } else {
            let stored = try await Self.hash(new)
            try await Self.translate { try await directory.setPassword(account.address, to: stored) }
        }
        try await endSessions(accountID: account.id, keeping: keepingSession)
        await audit(principal, "account.password", target: account.address.lowercased())
    }

    /// Forwards the user's mail to `targets` (an alias of their own address), keeping a copy in
    /// their mailbox when `keepCopy`; no targets stops forwarding.
    public func setForwarding(as principal: Principal, targets: [String], keepCopy: Bool = true) async throws {
        let account = try await own(principal)
        guard targets.count <= 10 else { throw AdminError.invalid("at most 10 forwarding addresses") }
        let source = account.address.lowercased()
        var wanted: [String] = []
        for target in targets {
            guard let parsed = try? MailAddress(parsing: target) else {
                throw AdminError.invalid("'\(target)' is not a valid address")
            }
            if parsed.description.lowercased() != source,
                !wanted.contains(where: { $0.lowercased() == parsed.description.lowercased() })
            {
                wanted.append(parsed.description)
            }
        }
        if !wanted.isEmpty, keepCopy { wanted.append(account.address) }
        let before = try await aliasTargets(source)
        if !before.isEmpty { try await Self.translate { try await directory.deleteAlias(source) } }
        if !wanted.isEmpty { try await Self.translate { try await directory.addAlias(source, targets: wanted) } }
        await audit(
            principal, "account.forwarding", target: source, before: before.isEmpty ? nil : before,
            after: wanted.isEmpty ? nil : wanted)
    }
}
