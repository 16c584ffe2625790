import Core
import Directory
import Filter
import Foundation
import Logging
import MIME
import NIOCore

extension SMTPReceiver {
    /// SMTP AUTH (RFC 4954): the shared login flow (throttle, password check, login log); the
    /// session on `channel` is registered to end when the account is disabled or its password changes.
    func authenticate(_ request: SMTPAuthRequest, clientIP: String, tls: Bool, channel: any Channel) async -> SMTPEffectResult {
        switch await authenticator.login(
            user: request.authcid, password: request.password, clientIP: clientIP,
            protocolName: tls ? "smtps" : "smtp", logger: logger)
        {
        case .success(let account):
            authenticator.sessions.register(account, channel: channel)
            return .authenticated(user: account.address)
        case .invalidCredentials: return .reply(SMTPReply(535, .init(5, 7, 8), "Authentication credentials invalid"))
        case .throttled: return .reply(SMTPReply(454, .init(4, 7, 0), "Too many failed logins, try again later"))
        case .unavailable: return .reply(SMTPReply(454, .init(4, 7, 0), "Temporary authentication failure"))
        case .passwordExpired:
            return .reply(SMTPReply(535, .init(5, 7, 8), "Password expired: change it, then log in again"))
        }
    }

    /// MAIL FROM on submission: an authenticated user may only send as an address it owns — its
    /// own, a subaddress of it, or an alias that delivers to it (RFC 6409 §6.1 lets the MSA
    /// refuse others). Other modes accept any sender.
    func checkSender(_ envelope: SMTPEnvelope) async -> SMTPReply {
        guard mode == .submission else { return SMTPReply(250, .init(2, 1, 0), "Sender OK") }
        guard let user = envelope.authenticatedUser else {
            return SMTPReply(530, .init(5, 7, 0), "Authentication required")
        }
        if let refusal = await refuseDisabled(user) { return refusal }
        if let submissionWatch, let refusal = await submissionWatch.refusal(user: user, logger: logger) { return refusal }
        guard let sender = envelope.reversePath else {
            return SMTPReply(553, .init(5, 7, 1), "<>: null sender not allowed for submission")
        }
        do {
            if try await owns(user: user, address: sender) { return SMTPReply(250, .init(2, 1, 0), "Sender OK") }
            logger.notice("sender refused", metadata: ["user": "\(user)", "sender": "\(sender)"])
            return SMTPReply(553, .init(5, 7, 1), "<\(sender)>: Sender address not owned by user \(user)")
        } catch {
            logger.error("sender check failed", metadata: ["error": "\(String(reflecting: error))"])
            return SMTPReply(451, .init(4, 3, 0), "Temporary failure checking the sender")
        }
    }

    /// Whether `address` delivers into `user`'s own mailbox.
    func owns(user: String, address: MailAddress) async throws -> Bool {
        guard let account = try await directory.account(user) else { return false }
        if let own = try? MailAddress(parsing: account.address), own.key == address.key { return true }
        guard case .deliver(let deliveries) = try await directory.resolve(address) else { return false }
        return deliveries.contains {
            if case .mailbox(let id, _, _) = $0 { return id == account.id }
            return false
        }
    }
}

extension SMTPReceiver {
    /// The sender fields of a submitted message (From:, Sender:, Resent-From:, Resent-Sender:) must name
    /// only addresses the user owns (RFC 5322 §3.6.2; RFC 6409 §8.1 lets the MSA enforce it). The header is
    /// read once, with the MIME parser, strictly: a header that readers could read differently (bare CR or
    /// LF, control characters, lines that are not fields, larger than the parser's limit, address lists
    /// that need guessing) is refused as a whole, so that what is checked is what every reader sees.
    /// Returns the refusal, or nil.
    func checkFromHeader(file: String, user: String?) async throws -> SMTPReply? {
        guard let user else { return SMTPReply(530, .init(5, 7, 0), "Authentication required") }
        let limits = MIMEParseLimits.default
        let senders: [SenderAddress]
        do {
            senders = try Header.senderAddresses(
                inMessagePrefix: try MessageFile.read(file, limit: limits.maxHeaderBytes + 1), limits: limits)
        } catch let defect as HeaderDefect {
            logger.notice("header refused", metadata: ["user": "\(user)", "defect": "\(defect)"])
            return SMTPReply(554, .init(5, 6, 0), "Message header refused: \(defect)")
        }
        for sender in senders {
            guard let address = try? MailAddress(parsing: sender.address), try await owns(user: user, address: address)
            else {
                logger.notice(
                    "From: refused", metadata: ["user": "\(user)", "field": "\(sender.field)", "from": "\(sender.address)"])
                return SMTPReply(553, .init(5, 7, 1), "\(sender.field): <\(sender.address)> is not an address of user \(user)")
            }
        }
        return nil
    }
}
