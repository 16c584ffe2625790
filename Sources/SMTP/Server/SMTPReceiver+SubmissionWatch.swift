import Logging

/// Compromised-account containment as the submission server sees it (met by the Monitor module
/// through Server, so SMTP does not depend on it): a suspended account's MAIL FROM is refused, and
/// every accepted submission is reported so that the account's sending can be scored.
public protocol SubmissionWatch: Sendable {
    /// The refusal for an authenticated `user`'s MAIL FROM (RFC 5321 §4.1.1.2; a 550 5.7.1,
    /// RFC 3463 §3.8), or nil when it may send.
    func refusal(user: String, logger: Logger) async -> SMTPReply?
    /// A message from `user` was queued (the 250 is decided): records it. Never fails the
    /// message: errors are logged.
    func accepted(user: String, clientIP: String, queueID: String, recipients: [String], logger: Logger) async
}

extension SMTPReceiver {
    /// This receiver reporting submissions to, and refusing suspended accounts through, `watch`.
    public func withSubmissionWatch(_ watch: (any SubmissionWatch)?) -> SMTPReceiver {
        var copy = self
        copy.submissionWatch = watch
        return copy
    }
}
