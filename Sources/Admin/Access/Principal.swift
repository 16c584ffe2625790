import Directory

/// Who performs an operation, and through which front end: an administrator (console or API),
/// a mail user looking after their own account (self-service), or root on the host through the
/// CLI. Every `AdminConsole` operation takes one, checks it (`Permission`) and names it in the
/// audit log.
public struct Principal: Sendable {
    public enum Identity: Sendable {
        case administrator(Administrator)
        /// A mail user; may act on their own account only.
        case user(Account)
        /// The CLI, run by `unixUser` on a node: a superadmin (it can read the database anyway).
        case console(unixUser: String)
    }

    public enum Channel: String, Sendable, Codable {
        case web, api, cli
    }

    public let identity: Identity
    public let channel: Channel
    /// The client's address for the web and the API; nil for the CLI.
    public let clientIP: String?
    /// The credential the request was made with when the audit log should name it: the API token
    /// (`token:<id> <name>`), so that a leaked token's actions can be told apart; nil otherwise.
    public let credential: String?

    public init(_ identity: Identity, channel: Channel, clientIP: String?, credential: String? = nil) {
        self.identity = identity
        self.channel = channel
        self.clientIP = clientIP
        self.credential = credential
    }
}
