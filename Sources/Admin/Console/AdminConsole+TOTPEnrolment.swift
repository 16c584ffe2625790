import Core
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
        guard let bytes = Self.proposedSecret(secret) else { throw AdminError.invalid("the secret is not valid: start again") }
        guard let step = TOTP(secret: bytes).matchingStep(code, at: now) else {
            throw AdminError.invalid("the code does not match: check the code and the phone's clock, and try again")
        }
        try await database.withConnection { db in
            try await db.update("admin_user").set("totp_secret", to: SQLBind(Base32.encode(bytes)))
                .set("totp_enabled", to: SQLBind(true)).set("totp_last_step", to: SQLBind(step))
                .where("id", .equal, admin.id).run()
        }
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
        guard let base32 = try row.decode(column: "totp_secret", as: String?.self), let secret = Base32.decode(base32),
            try await claimTOTP(
                adminID: admin.id, secret: secret, lastStep: try row.decode(column: "totp_last_step", as: Int64.self),
                code: code)
        else { throw AdminError.invalid("the code does not match") }
        try await disableTOTP(as: principal, login: admin.login)
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
