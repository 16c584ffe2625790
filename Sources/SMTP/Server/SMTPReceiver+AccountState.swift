import Directory

extension SMTPReceiver {
    /// A session authenticated before its account was disabled (or deleted) may send no more:
    /// `421 4.7.0` closes it (RFC 5321 §3.8; RFC 6409 §4.3 leaves refusing to the MSA's policy).
    /// Nil when the account may send. The revocation watcher closes such sessions too; this
    /// check covers the moments before it acts.
    func refuseDisabled(_ user: String) async -> SMTPReply? {
        do {
            if let account = try await directory.account(user), account.enabled { return nil }
            logger.notice("sender refused: account disabled", metadata: ["user": "\(user)"])
            return SMTPReply(421, .init(4, 7, 0), "Account \(user) is disabled, closing connection")
        } catch {
            logger.error("account check failed", metadata: ["error": "\(String(reflecting: error))"])
            return SMTPReply(451, .init(4, 3, 0), "Temporary failure checking the sender")
        }
    }
}
