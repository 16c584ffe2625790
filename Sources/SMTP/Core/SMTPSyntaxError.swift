/// Why a command line was refused before it reached the state machine, with the reply it earns.
public enum SMTPSyntaxError: Error, Sendable, Hashable {
    /// Verb not known: `500 5.5.1` (RFC 5321 §4.2.4, RFC 3463 §3.6).
    case unknownCommand
    /// `500 5.5.2`: longer than the line limit (RFC 5321 §4.5.3.1.4).
    case lineTooLong
    /// `500 5.5.2`: NUL, bare CR or invalid UTF-8 in a command line.
    case badCharacters
    /// `501 5.5.4`: arguments malformed.
    case badArguments(String)
    /// `501 5.1.7` (sender) / `501 5.1.3` (recipient): address syntax (RFC 3463 §3.2).
    case badAddress(String, sender: Bool)
    /// `550 5.7.1`: a syntactically permitted but refused form (source route, `%`/`!` routing,
    /// quoted routing characters, address literals): relay tricks.
    case refusedAddress(String)
    /// `555 5.5.4`: a MAIL/RCPT parameter this server does not support (RFC 5321 §4.1.1.11).
    case unknownParameter(String)
    /// `421 4.7.0` and close: an HTTP or proxy request (cross-protocol attack), as Postfix does.
    case crossProtocol

    public var reply: SMTPReply {
        switch self {
        case .unknownCommand: SMTPReply(500, .init(5, 5, 1), "Command unrecognized")
        case .lineTooLong: SMTPReply(500, .init(5, 5, 2), "Line too long")
        case .badCharacters: SMTPReply(500, .init(5, 5, 2), "Invalid characters in command (NUL, bare CR or invalid UTF-8)")
        case .badArguments(let text): SMTPReply(501, .init(5, 5, 4), text)
        case .badAddress(let text, let sender): SMTPReply(501, .init(5, 1, sender ? 7 : 3), text)
        case .refusedAddress(let text): SMTPReply(550, .init(5, 7, 1), text)
        case .unknownParameter(let keyword): SMTPReply(555, .init(5, 5, 4), "Unsupported parameter \(keyword)")
        case .crossProtocol: SMTPReply(421, .init(4, 7, 0), "This is an SMTP server, not an HTTP proxy")
        }
    }
}
