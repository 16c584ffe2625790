import Directory
import Logging
import Store

/// What IMAP connections need from the rest of Posta: logins (throttled and recorded) and the store.
public final class IMAPBackend: Sendable {
    public let authenticator: Authenticator
    public let store: any IMAPMailboxStore
    /// The store's change notifier: IDLE watches a mailbox through it.
    public let notifier: any MailboxNotifier
    public let logger: Logger

    public init(authenticator: Authenticator, store: MailStore, logger: Logger) {
        self.authenticator = authenticator
        self.store = store
        self.notifier = store.notifier
        self.logger = logger
    }
}
