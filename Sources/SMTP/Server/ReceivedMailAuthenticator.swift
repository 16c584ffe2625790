import Logging

/// Sender authentication of mail received on port 25 (SPF, DKIM, DMARC): SMTP does not know how;
/// Server supplies one backed by MailAuth, as it does the policy engine (`SMTPPolicy`).
public protocol ReceivedMailAuthenticator: Sendable {
    /// The verdict on the message in `path`, received from `envelope`'s client.
    func authenticate(envelope: SMTPEnvelope, messageFile path: String, logger: Logger) async -> ReceivedMailVerdict
}

/// What sender authentication decided about one received message.
public struct ReceivedMailVerdict: Sendable {
    public enum Action: Sendable, Equatable {
        case deliver
        /// Deliver into the recipients' Junk folder (DMARC `quarantine`).
        case junk
        /// Refuse at the end of data (DMARC `reject`, RFC 9989 §5.3.4: 550 5.7.1).
        case reject(SMTPReply)
    }

    /// Header fields to put on top (`Authentication-Results`), each ending in CRLF.
    public var headers: String
    public var action: Action

    public init(headers: String, action: Action) {
        self.headers = headers
        self.action = action
    }
}

extension SMTPReceiver {
    /// This receiver authenticating the senders of what it receives (port 25 only).
    public func withAuthentication(_ authenticator: (any ReceivedMailAuthenticator)?) -> SMTPReceiver {
        var copy = self
        copy.senderAuthentication = authenticator
        return copy
    }
}
