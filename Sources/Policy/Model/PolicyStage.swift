/// The SMTP protocol stage a request is made at, named as Postfix's `protocol_state`.
public enum PolicyStage: String, Sendable, Hashable, Codable, CaseIterable {
    case connect = "CONNECT"
    case helo = "EHLO"
    case mail = "MAIL"
    case rcpt = "RCPT"
    case data = "DATA"
    case endOfMessage = "END-OF-MESSAGE"
    /// VRFY, ETRN and anything else: only access control applies.
    case other = "OTHER"

    /// Maps Postfix's `protocol_state` (`HELO` and `EHLO` are the same stage).
    public init(protocolState: String) {
        switch protocolState.uppercased() {
        case "CONNECT": self = .connect
        case "HELO", "EHLO": self = .helo
        case "MAIL": self = .mail
        case "RCPT": self = .rcpt
        case "DATA", "BDAT": self = .data
        case "END-OF-MESSAGE": self = .endOfMessage
        default: self = .other
        }
    }
}
