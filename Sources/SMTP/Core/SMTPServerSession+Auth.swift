import Connection
import Core

/// One step of a SASL exchange waiting for the client's next line (RFC 4954 §4).
enum SASLStep: Sendable, Hashable {
    /// `AUTH PLAIN` without an initial response: `334 ` sent, the PLAIN message comes next (RFC 4616 §2).
    case plain
    /// `AUTH LOGIN`: `334 VXNlcm5hbWU6` ("Username:") sent.
    case loginUser
    /// `334 UGFzc3dvcmQ6` ("Password:") sent.
    case loginPassword(user: String)
}

/// SMTP AUTH (RFC 4954) with the PLAIN (RFC 4616) and LOGIN mechanisms.
extension SMTPServerSession {
    /// RFC 4954 §4: a server must accept SASL lines of at least 12288 octets; this is the bound
    /// (line end included). A longer line ends the exchange with `500 5.5.6`.
    static let maxSASLLineLength = 12288

    /// The mechanisms this session implements, in the configured order (upper-cased, unknown names
    /// and duplicates dropped).
    static func supportedMechanisms(_ configuration: SMTPServerConfiguration) -> [String] {
        var result: [String] = []
        for name in configuration.authMechanisms.map({ $0.uppercased() })
        where ["PLAIN", "LOGIN"].contains(name) && !result.contains(name) {
            result.append(name)
        }
        return result
    }

    /// AUTH is advertised and accepted now: mechanisms are configured, and TLS is active or not
    /// required (RFC 4954 §4: no plaintext passwords over an unprotected channel; RFC 8314 §3.3).
    var authOffered: Bool {
        !SMTPServerSession.supportedMechanisms(configuration).isEmpty && (client.isTLS || !configuration.authRequiresTLS)
    }

    /// AUTH (RFC 4954 §4). Every refusal counts as an error toward `maxErrors`.
    mutating func auth(mechanism: String, initialResponse: String?, _ out: inout [SMTPServerAction]) {
        let mechanisms = SMTPServerSession.supportedMechanisms(configuration)
        guard !mechanisms.isEmpty else { return error(SMTPServerReplies.authUnavailable, &out) }
        // RFC 4954 §4: AUTH needs EHLO (LHLO for LMTP); only one successful AUTH per session; not
        // during a mail transaction.
        switch greeting {
        case .ehlo, .lhlo: break
        case .helo, nil:
            let verb = configuration.mode == .lmtp ? "LHLO" : "EHLO"
            return error(SMTPServerReplies.badSequence("Send \(verb) first"), &out)
        }
        guard authenticatedUser == nil else { return error(SMTPServerReplies.badSequence("Already authenticated"), &out) }
        guard transaction == nil else { return error(SMTPServerReplies.badSequence("Mail transaction in progress"), &out) }
        // RFC 4954 §6 (538 5.7.11), RFC 3207 §4.
        guard authOffered else { return error(SMTPServerReplies.encryptionRequired, &out) }
        guard mechanisms.contains(mechanism) else { return error(SMTPServerReplies.authUnknownMechanism, &out) }

        // RFC 4954 §4: "=" is an initial response of zero length.
        var initial: [UInt8]?
        if let initialResponse {
            if initialResponse == "=" {
                initial = []
            } else {
                guard let decoded = SASLBase64.decode(initialResponse.utf8) else {
                    return error(SMTPServerReplies.authBadBase64, &out)
                }
                initial = decoded
            }
        }
        switch (mechanism, initial) {
        case ("PLAIN", let message?):
            plainMessage(message, &out)
        case ("PLAIN", nil):
            // RFC 4616 §2 / RFC 4954 §4: an empty challenge, "334 " followed by nothing.
            challenge("", .plain, &out)
        case (_, let user?):
            // LOGIN with the user name as initial response.
            guard let name = String(validating: user, as: UTF8.self) else { return error(SMTPServerReplies.authBadBase64, &out) }
            challenge("UGFzc3dvcmQ6", .loginPassword(user: name), &out)
        case (_, nil):
            challenge("VXNlcm5hbWU6", .loginUser, &out)
        }
    }

    /// A line answering a 334 challenge (the phase is already back to `.command`).
    mutating func saslResponse(_ line: [UInt8], step: SASLStep, _ out: inout [SMTPServerAction]) {
        // RFC 4954 §4: "*" cancels the exchange: 501.
        if line == [UInt8(ascii: "*")] { return error(SMTPServerReplies.authCancelled, &out) }
        guard let decoded = SASLBase64.decode(line) else { return error(SMTPServerReplies.authBadBase64, &out) }
        switch step {
        case .plain:
            plainMessage(decoded, &out)
        case .loginUser:
            guard let user = String(validating: decoded, as: UTF8.self) else {
                return error(SMTPServerReplies.authBadBase64, &out)
            }
            challenge("UGFzc3dvcmQ6", .loginPassword(user: user), &out)
        case .loginPassword(let user):
            guard let password = String(validating: decoded, as: UTF8.self) else {
                return error(SMTPServerReplies.authBadBase64, &out)
            }
            guard !user.isEmpty, !password.isEmpty else { return error(SMTPServerReplies.authInvalid, &out) }
            request(.authenticate(SMTPAuthRequest(mechanism: "LOGIN", authcid: user, password: password)), .authentication, &out)
        }
    }

    /// RFC 4616 §2, read by `SASLPlain`'s rules: a message that decoded but is not valid PLAIN
    /// credentials (malformed, empty, another authzid) gets `535 5.7.8`, as in IMAP and POP3;
    /// only a response that is not base64 is a syntax error (`501 5.5.2`, RFC 4954 §4).
    private mutating func plainMessage(_ message: [UInt8], _ out: inout [SMTPServerAction]) {
        switch SASLPlain.parse(message) {
        case .failure:
            error(SMTPServerReplies.authInvalid, &out)
        case .success(let plain):
            let credentials = SMTPAuthRequest(
                mechanism: "PLAIN", authcid: plain.authenticationID, password: plain.password, authzid: plain.authorizationID)
            request(.authenticate(credentials), .authentication, &out)
        }
    }

    /// Sends `334 <challenge>` and reads the next line as a SASL response.
    private mutating func challenge(_ text: String, _ step: SASLStep, _ out: inout [SMTPServerAction]) {
        out.append(.reply(SMTPReply(334, nil, text)))
        phase = .sasl(step)
    }

    /// The adapter's verdict on `.authenticate`.
    mutating func finishAuthentication(_ result: SMTPEffectResult, _ out: inout [SMTPServerAction]) {
        if case .authenticated(let user) = result {
            // RFC 4954 §6: 235 2.7.0.
            authenticatedUser = user
            return send(SMTPServerReplies.authSucceeded, &out)
        }
        var reply = single(result)
        // Only `.authenticated` authenticates; a success code in a plain reply is a mistake.
        if !(400...599).contains(reply.code) { reply = SMTPServerReplies.authTemporaryFailure }
        // RFC 5321 §3.8: 421 closes; a client that keeps guessing must reconnect.
        authFailureCount += 1
        if authFailureCount >= configuration.maxAuthFailures { return closeWith(SMTPServerReplies.tooManyAuthFailures, &out) }
        error(reply, &out)
    }
}
