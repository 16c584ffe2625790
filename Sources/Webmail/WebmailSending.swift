import Directory

/// Sends a message composed in the browser through the site's submission pipeline (the one
/// behind port 587: sender ownership, policy, content filter, DKIM signing, containment). The
/// server wires it to the SMTP submission receiver; the webmail module does not know SMTP.
public protocol WebmailSending: Sendable {
    /// The largest message accepted (the submission listener's SIZE, RFC 1870).
    var maxMessageBytes: Int { get }
    /// Submits `message` (CRLF lines, no Bcc field) from `account` to `recipients`.
    func send(_ message: OutgoingMessage, account: Account, clientIP: String) async -> SendOutcome
}

/// A message ready to submit.
public struct OutgoingMessage: Sendable {
    /// MAIL FROM: the account's address.
    public var reversePath: String
    /// RCPT TO: every To, Cc and Bcc address once.
    public var recipients: [String]
    public var bytes: [UInt8]

    public init(reversePath: String, recipients: [String], bytes: [UInt8]) {
        self.reversePath = reversePath
        self.recipients = recipients
        self.bytes = bytes
    }
}

/// What the submission pipeline answered.
public enum SendOutcome: Sendable, Equatable {
    case accepted(queueID: String)
    /// Refused as a whole (nothing was queued), with the reply's text for the user.
    case refused(String)
}
