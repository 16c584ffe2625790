/// The replies the session composes itself.
enum SMTPServerReplies {
    static func ok(_ text: String = "OK") -> SMTPReply { SMTPReply(250, .init(2, 0, 0), text) }

    // RFC 5321 §4.2.3 and RFC 3463 §3.6: sequence errors.
    static func badSequence(_ text: String) -> SMTPReply { SMTPReply(503, .init(5, 5, 1), text) }

    static let bye = SMTPReply(221, .init(2, 0, 0), "Bye")
    static let startData = SMTPReply(354, nil, "End data with <CR><LF>.<CR><LF>")
    static let readyForTLS = SMTPReply(220, .init(2, 0, 0), "Ready to start TLS")
    static let cannotVerify = SMTPReply(252, .init(2, 1, 5), "Cannot VRFY user, but will accept message and attempt delivery")
    static let expnNotSupported = SMTPReply(502, .init(5, 5, 1), "EXPN not supported")
    // RFC 8689 §4.1, §7: 5.7.10 "REQUIRETLS support required"
    static let requireTLSWithoutTLS = SMTPReply(530, .init(5, 7, 10), "REQUIRETLS needs a TLS connection")
    static let startTLSUnavailable = SMTPReply(502, .init(5, 5, 1), "STARTTLS not available")
    // RFC 5321 §4.5.3.1.10
    static let tooManyRecipients = SMTPReply(452, .init(4, 5, 3), "Too many recipients")
    // RFC 1870 §6.1, RFC 3463 §3.4
    static let messageTooBig = SMTPReply(552, .init(5, 3, 4), "Message size exceeds fixed maximum message size")
    // RFC 5321 §6.3, RFC 3463 §3.5
    static let tooManyHops = SMTPReply(554, .init(5, 4, 6), "Too many hops")
    // RFC 5321 §3.3
    static let noValidRecipients = SMTPReply(554, .init(5, 5, 1), "No valid recipients")
    // RFC 6531 §3.4: a non-ASCII address needs the SMTPUTF8 parameter
    static let needsSMTPUTF8 = SMTPReply(553, .init(5, 6, 7), "Non-ASCII address requires the SMTPUTF8 parameter")
    static let tooManyErrors = SMTPReply(421, .init(4, 7, 0), "Too many errors, closing connection")
    static let tooManyCommands = SMTPReply(421, .init(4, 7, 0), "Too many commands, closing connection")
    static let tooManyCommandsBeforeLogin = SMTPReply(
        421, .init(4, 7, 0), "Too many commands before authentication, closing connection")
    static let internalError = SMTPReply(451, .init(4, 3, 0), "Internal error, try again later")

    // RFC 4954 §6 and RFC 5248 (the enhanced codes of AUTH)
    static let authSucceeded = SMTPReply(235, .init(2, 7, 0), "Authentication successful")
    static let authRequired = SMTPReply(530, .init(5, 7, 0), "Authentication required")
    static let encryptionRequired = SMTPReply(538, .init(5, 7, 11), "Encryption required for requested authentication mechanism")
    static let authCancelled = SMTPReply(501, .init(5, 0, 0), "Authentication cancelled")
    static let authBadBase64 = SMTPReply(501, .init(5, 5, 2), "Cannot decode response")
    static let authUnknownMechanism = SMTPReply(504, .init(5, 5, 4), "Unrecognized authentication type")
    static let authLineTooLong = SMTPReply(500, .init(5, 5, 6), "Authentication exchange line is too long")
    static let authInvalid = SMTPReply(535, .init(5, 7, 8), "Authentication credentials invalid")
    static let authTemporaryFailure = SMTPReply(454, .init(4, 7, 0), "Temporary authentication failure")
    static let tooManyAuthFailures = SMTPReply(421, .init(4, 7, 0), "Too many failed authentication attempts, closing connection")
    static let authUnavailable = SMTPReply(502, .init(5, 5, 1), "AUTH not available")

    /// RFC 5321 §3.8: 421 when the server closes; 4.7.0, a security policy (no login in time).
    static func loginTimeout(_ hostname: String) -> SMTPReply {
        SMTPReply(421, .init(4, 7, 0), "\(hostname) Authentication timeout, closing connection")
    }

    static func timeout(_ hostname: String) -> SMTPReply {
        SMTPReply(421, .init(4, 4, 2), "\(hostname) Error: timeout exceeded")
    }

    static func help(_ mode: SMTPServerMode) -> SMTPReply {
        let hello = mode == .lmtp ? "LHLO" : "HELO EHLO"
        return SMTPReply(
            code: 214, enhancedStatus: .init(2, 0, 0),
            lines: ["Commands: \(hello) MAIL RCPT DATA BDAT RSET NOOP QUIT VRFY HELP STARTTLS", "See RFC 5321"])
    }
}
