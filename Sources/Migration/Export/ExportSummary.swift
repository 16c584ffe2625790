/// The formats an account can be exported in.
public enum ExportFormat: String, Sendable, Codable, CaseIterable {
    /// A Maildir++ tree with Dovecot's `dovecot-uidlist`, `dovecot-keywords` and `subscriptions` files.
    case maildir
    /// One mboxrd file per mailbox (``MboxWriter``).
    case mbox
}

/// What an export wrote.
public struct ExportSummary: Sendable, Codable, Hashable {
    public var account: String
    public var format: ExportFormat
    public var destination: String
    public var folders: [Folder]
    public var messages: Int
    public var bytes: Int64
    /// Lines written to the Maildir `subscriptions` file (0 for mbox, which has none).
    public var subscriptions: Int
    /// What was not exported as it stood (a renamed folder, a keyword without a letter, a message whose
    /// file vanished), one line each.
    public var problems: [String]

    public struct Folder: Sendable, Codable, Hashable {
        /// The IMAP name.
        public var name: String
        /// Relative to the destination: the Maildir++ folder (`""` for INBOX) or the mbox file.
        public var path: String
        public var uidValidity: UInt32
        public var nextUID: UInt32
        public var messages: Int
        public var bytes: Int64
        /// Keywords by Maildir letter order (`a` first).
        public var keywords: [String]
    }
}
