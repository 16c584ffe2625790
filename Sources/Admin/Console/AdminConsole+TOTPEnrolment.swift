import Core
import Directory
import SQLKit

/// A TOTP secret offered to an administrator in the console: shown once, stored only when a code
/// from the app proves it was added (`confirmTOTP`), so nobody locks themselves out by a typo.
public struct TOTPProposal: Sendable, Equatable {
    /// Base32 (RFC 4648 §6), for typing into the app.
    public var secret: String
    /// The `otpauth://` URI, for apps that take a link.
    public var uri: String
}

extension AdminConsole {
    /// The administrator acting for themselves in the console; `AccessDenied` for anyone else (a
    /// mail user, the API: a stolen token must not turn into a second factor).
    func ownAdministrator(_ principal: Principal) async throws -> Administrator {
        guard case .administrator(let admin) = principal.identity, principal.channel == .web else {
            throw AccessDenied(.manageAdmins, domain: nil)
        }
        return try await requireAdministrator(admin.login)
    }

    /// Whether the calling administrator's logins ask for a TOTP code.
    public func ownTOTPEnabled(as principal: Principal) async throws -> Bool {
        try await ownAdministrator(principal).totpEnabled
    }

    /// A new secret for the calling administrator's authenticator app, or `secret` again (a form
    /// shown anew after a wrong code); nothing changes yet.
    public func proposeTOTP(as principal: Principal, secret: String? = nil, issuer: String = "Posta") async throws
        -> TOTPProposal
    {
        let admin = try await ownAdministrator(principal)
        var totp = TOTP.random()
        if let secret {
            guard let bytes = Self.proposedSecret(secret) else {
                throw AdminError.invalid("the secret is not valid: start again")
            }
            totp = TOTP(secret: bytes)
        }
        return TOTPProposal(secret: Base32.encode(totp.secret), uri: totp.uri(issuer: issuer, account: admin.login))
    }

    /// The bytes of a secret sent back by the form: base32 of 16 to 64 bytes.
    static func proposedSecret(_ text: String) -> [UInt8]? {
        guard text.count <= 128, let bytes = Base32.decode(text), (16...64).contains(bytes.count) else { return nil }
        return bytes
    }

    /// Turns on the second factor with `secret` once `code` is a current code of it (RFC 6238
    /// §5.2: within one step of now); that code is then used up.
    public func confirmTOTP(as principal: Principal, secret: String, code: String) async throws {
        let admin = try await ownAdministrator(principal)
        // A second factor that is on is replaced only by turning it off first (with a current
        // code): an open session must not swap in a secret of its own.
        guard !admin.totpEnabled else { throw AdminError.conflict("the second factor is on: turn it off first") }
        guard let bytes = Self.proposedSecret(secret) else { throw AdminError.invalid("the secret is not valid: start again") }
        var step: Int64 = 0
        try await guardedCode(admin, principal) {
            guard let matched = TOTP(secret: bytes).matchingStep(code, at: now) else { return false }
            step = matched
            return true
        }
        let stored = Base32.encode(bytes)
        let matched = step
        let changed = try await database.withConnection { db in
            try await db.raw(
                """
                UPDATE admin_user SET totp_secret = \(bind: stored), totp_enabled = \(bind: true), totp_last_step = \(bind: matched)
                WHERE id = \(bind: admin.id) AND totp_enabled = \(bind: false) RETURNING id
                """
            ).all().count
        }
        guard changed == 1 else { throw AdminError.conflict("the second factor is on: turn it off first") }
        await audit(
            principal, "admin.totp.enable", target: admin.login, before: ["totp": admin.totpEnabled], after: ["totp": true])
    }

    /// Turns off the calling administrator's second factor; a current code is required, so a
    /// session left open cannot remove it.
    public func turnOffOwnTOTP(as principal: Principal, code: String) async throws {
        let admin = try await ownAdministrator(principal)
        let row = try await database.withConnection { db in
            try await db.select().columns("totp_secret", "totp_enabled", "totp_last_step").from("admin_user")
                .where("id", .equal, admin.id).first()
        }
        guard let row, try row.decode(column: "totp_enabled", as: Bool.self) else {
            throw AdminError.conflict("the second factor is not on")
        }
        guard let base32 = try row.decode(column: "totp_secret", as: String?.self), let secret = Base32.decode(base32)
        else { throw AdminError.conflict("the second factor has no usable secret: ask a superadmin") }
        let lastStep = try row.decode(column: "totp_last_step", as: Int64.self)
        try await guardedCode(admin, principal) {
            try await claimTOTP(adminID: admin.id, secret: secret, lastStep: lastStep, code: code)
        }
        try await disableTOTP(as: principal, login: admin.login)
    }

    /// Runs a check of a TOTP code as a login attempt of the administrator: the same throttle and
    /// login log as every login, so a stolen session cannot guess codes at speed.
    private func guardedCode(
        _ admin: Administrator, _ principal: Principal, _ matches: () async throws -> Bool
    ) async throws {
        let outcome = await authenticator.guarded(
            login: admin.login, clientIP: principal.clientIP ?? "", protocolName: Self.webProtocol, logger: logger
        ) { () async throws -> Authenticator.Check<Bool> in
            try await matches() ? .success(true, accountID: nil) : .failure(reason: LoginReason.wrongSecondFactor)
        }
        switch outcome {
        case .success: return
        case .throttled: throw AdminError.invalid("too many failed attempts: wait a few minutes and try again")
        case .unavailable: throw AdminError.invalid("the code cannot be checked now: try again later")
        case .invalidCredentials, .incomplete:
            throw AdminError.invalid("the code does not match: check the code and the phone's clock, and try again")
        }
    }

    /// Whether `code` is a current code of `secret` not used before (RFC 6238 §5.2: a code is
    /// accepted once), marking its step used. The conditional update makes two requests racing
    /// with one code accept it only once.
    func claimTOTP(adminID: Int64, secret: [UInt8], lastStep: Int64, code: String) async throws -> Bool {
        guard let step = TOTP(secret: secret).matchingStep(code, at: now), step > lastStep else { return false }
        let claimed = try await database.withConnection { db in
            try await db.raw(
                "UPDATE admin_user SET totp_last_step = \(bind: step) WHERE id = \(bind: adminID) AND totp_last_step < \(bind: step) RETURNING id"
            ).all().count
        }
        return claimed == 1
    }
}
