/// What became of one delivery attempt, as an SMTP-style reply: the remote server's answer (with
/// the host it came from in the text) or Posta's own (local delivery, DNS, TLS policy, a content
/// filter's refusal). Kept typed from the SMTP client, local delivery or the filter chain through
/// the queue to SMTP replies, DSNs, LMTP replies and the queue's `last_error`; its text form
/// (`description`) is only ever shown, never parsed back.
public struct DeliveryReply: Sendable, Hashable, CustomStringConvertible {
    /// The three-digit reply code (RFC 5321 §4.2): 4yz temporary, 5yz permanent.
    public var code: Int
    /// The RFC 3463 status, when the reply had one.
    public var enhancedStatus: SMTPEnhancedStatusCode?
    /// One line of text (a multi-line reply's lines joined with spaces).
    public var text: String

    public init(_ code: Int, _ enhancedStatus: SMTPEnhancedStatusCode?, _ text: String) {
        self.code = code
        self.enhancedStatus = enhancedStatus
        self.text = text
    }

    /// `552 5.2.2 text`: the RFC 3464 §2.3.6 `Diagnostic-Code: smtp;` value and the queue's `last_error`.
    public var description: String { "\(code) \(enhancedStatus.map { "\($0) " } ?? "")\(text)" }

    /// The RFC 3464 §2.3.4 `Status:` of a DSN about this reply: its enhanced status when that says
    /// failure (class 4 or 5), else `fallback`.
    public func dsnStatus(fallback: SMTPEnhancedStatusCode) -> SMTPEnhancedStatusCode {
        guard let enhancedStatus, enhancedStatus.statusClass != 2 else { return fallback }
        return enhancedStatus
    }

    /// The same reply with `note` appended to its text (`… (expired after 5d)`).
    public func appending(_ note: String) -> DeliveryReply { DeliveryReply(code, enhancedStatus, text + note) }
}
