import Core

/// A filter's refusals are `DeliveryReply` values (Core), so Filter does not depend on SMTP.
extension DeliveryReply {
    /// `451 4.7.1`: a scanner is out of order; the client keeps the message and retries.
    public static func scannerUnavailable(_ scanner: String) -> DeliveryReply {
        DeliveryReply(451, .init(4, 7, 1), "Content scanner (\(scanner)) unavailable, try again later")
    }
}

/// What the filter chain decided about one message.
public enum FilterVerdict: Sendable, Equatable {
    /// Deliver, with these header fields (complete lines without CRLF) added on top.
    case accept(headers: [String])
    /// Deliver into the recipients' Junk folder, with these header fields.
    case junk(headers: [String])
    /// Accept, but hold in the quarantine instead of delivering.
    case quarantine(reason: String, headers: [String])
    /// Refuse permanently (5xx): nothing is accepted.
    case reject(DeliveryReply)
    /// Refuse temporarily (4xx): nothing is accepted, the client retries.
    case tempfail(DeliveryReply)

    /// The header fields to add, for the verdicts that deliver or hold.
    public var headers: [String] {
        switch self {
        case .accept(let headers), .junk(let headers), .quarantine(_, let headers): return headers
        case .reject, .tempfail: return []
        }
    }
}

/// The facts about an accepted message the filters look at.
public struct FilterMessage: Sendable {
    /// The spool file: the message as received, with Posta's `Received:` field on top.
    public var path: String
    public var size: Int64
    public var clientIP: String
    public var heloName: String
    /// The reverse-path, "" for `<>`.
    public var sender: String
    public var recipients: [String]
    /// The SASL identity, nil when the client did not authenticate.
    public var authenticatedUser: String?

    public init(
        path: String, size: Int64, clientIP: String, heloName: String = "", sender: String = "",
        recipients: [String] = [], authenticatedUser: String? = nil
    ) {
        self.path = path
        self.size = size
        self.clientIP = clientIP
        self.heloName = heloName
        self.sender = sender
        self.recipients = recipients
        self.authenticatedUser = authenticatedUser
    }
}
