import Core
import Foundation
import Directory
import Logging
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
    /// The `From:` header field of a submitted message must name only addresses the user owns
    /// (RFC 5322 §3.6.2; RFC 6409 §8.1 lets the MSA enforce it). Returns the refusal, or nil.
    func checkFromHeader(file: String, user: String?) async throws -> SMTPReply? {
        guard let user else { return SMTPReply(530, .init(5, 7, 0), "Authentication required") }
        for text in HeaderFields.values(named: "From", inFile: file) {
            for candidate in HeaderFields.addresses(in: text) {
                guard let address = try? MailAddress(parsing: candidate), try await owns(user: user, address: address) else {
                    logger.notice("From: refused", metadata: ["user": "\(user)", "from": "\(candidate)"])
                    return SMTPReply(553, .init(5, 7, 1), "From: <\(candidate)> is not an address of user \(user)")
                }
            }
        }
        return nil
    }
}

/// Just enough RFC 5322 header parsing for the submission checks (the full MIME parser comes
/// with IMAP): unfolded field values from the header section, and the addresses in a field.
enum HeaderFields {
    /// Values of the fields called `name` (case-insensitive) in the header section of the file's
    /// first 64 KiB.
    static func values(named name: String, inFile path: String) -> [String] {
        guard let handle = FileHandle(forReadingAtPath: path) else { return [] }
        defer { try? handle.close() }
        let head = (try? handle.read(upToCount: 64 * 1024)) ?? Data()
        let text = String(decoding: head, as: UTF8.self)
        let section = text.components(separatedBy: "\r\n\r\n").first ?? text
        var fields: [String] = []
        for line in section.components(separatedBy: "\r\n") {
            if let first = line.first, first == " " || first == "\t", !fields.isEmpty {
                fields[fields.count - 1] += " " + line.trimmingCharacters(in: .whitespaces)
            } else {
                fields.append(line)
            }
        }
        let prefix = name.lowercased() + ":"
        return fields.filter { $0.lowercased().hasPrefix(prefix) }.map { String($0.dropFirst(prefix.count)) }
    }

    /// The addr-specs of an address list: what is inside `<…>`, or bare `local@domain` words when
    /// there are no angle brackets. Quoted display names and comments are skipped.
    static func addresses(in value: String) -> [String] {
        var result: [String] = []
        var inQuotes = false
        var depth = 0
        var angle: String?
        var bare = ""
        func flushBare() {
            let word = bare.trimmingCharacters(in: .whitespaces)
            if word.contains("@") { result.append(word) }
            bare = ""
        }
        for c in value {
            if inQuotes {
                if c == "\"" { inQuotes = false }
                continue
            }
            switch c {
            case "\"" where angle == nil: inQuotes = true
            case "(" where angle == nil: depth += 1
            case ")" where angle == nil && depth > 0: depth -= 1
            case _ where depth > 0: continue
            case "<":
                angle = ""
                bare = ""
            case ">":
                if let a = angle { result.append(a) }
                angle = nil
            case ",", " ", "\t":
                if angle == nil { flushBare() } else if c != " " && c != "\t" { angle? += String(c) }
            default:
                if angle != nil { angle? += String(c) } else { bare.append(c) }
            }
        }
        flushBare()
        return result
    }
}
