import Core
import Directory
import Logging
import Store

/// The webmail's service layer: folders, message lists, reading, flags and moves, search and
/// settings of one mail account, on the store and the directory directly (no IMAP in between), so
/// that a change made here reaches IMAP IDLE sessions through the store's notifier and the other
/// way round. The web pages (Sources/Web/Mail) only translate requests into these calls.
public struct Webmail: Sendable {
    public let database: Database
    public let directory: Directory
    public let store: MailStore
    let logger: Logger
    let summaries: SummaryIndex
    /// Where a folder found with many unsummarised messages is completed; nil: in the request.
    let backfill: SummaryBackfill?
    /// `WebmailLimits.summariesPerRequest`, smaller in tests.
    var summariesPerRequest = WebmailLimits.summariesPerRequest
    let sanitizedParts = SanitizedParts()

    public init(
        database: Database, directory: Directory, store: MailStore, backfill: SummaryBackfill? = nil, logger: Logger
    ) {
        self.database = database
        self.directory = directory
        self.store = store
        self.logger = logger
        self.summaries = SummaryIndex(database: database, store: store)
        self.backfill = backfill
    }

    /// The account's mailbox `name`, or `WebmailError.noSuchFolder`.
    func mailbox(_ account: Account, _ name: String) async throws -> MailboxInfo {
        guard name.utf8.count <= WebmailLimits.folderNameBytes,
            let box = try await store.mailbox(accountID: account.id, name: name)
        else { throw WebmailError.noSuchFolder(name) }
        return box
    }

    /// Summarises the messages of `box` that have none yet (normally none: they are written with
    /// the message) before it is listed or searched: with a backfill, at most
    /// `WebmailLimits.summariesPerRequest` here (the newest) and the rest in the background.
    /// Returns the mailbox's message count and how many messages remain unsummarised (unlisted).
    func summarise(_ box: MailboxInfo) async throws -> (messages: Int, unlisted: Int) {
        let status = try await summaries.status(mailboxID: box.id)
        guard status.missing > 0 else { return (status.messages, 0) }
        guard let backfill else {
            try await summaries.fill(mailboxID: box.id)
            return (status.messages, 0)
        }
        let filled = try await summaries.fill(mailboxID: box.id, limit: summariesPerRequest)
        guard filled >= summariesPerRequest else { return (status.messages, 0) }
        backfill.prioritise(mailboxID: box.id)
        return (status.messages, max(0, status.missing - filled))
    }
}

/// The bounds of what a browser may ask for.
public enum WebmailLimits {
    /// A folder name, in bytes (the UI's limit; IMAP's is the line length).
    public static let folderNameBytes = 200
    /// Messages one action (move, delete, flag) may name.
    public static let selection = 1000
    /// Message summaries one request makes before leaving the rest to the background (~1 s).
    public static let summariesPerRequest = 2000
    /// Messages per page: the range a user may choose.
    public static let pageSizes = 10...200
    /// Search terms, in bytes.
    public static let searchBytes = 200
    /// Messages a search reads at most (newest first), so one search cannot read a whole archive.
    public static let searchScan = 20_000
    /// A body search skips messages larger than this, and stops after reading this many bytes.
    public static let searchMessageBytes: Int64 = 16 << 20
    public static let searchTotalBytes = 512 << 20
    /// Bytes a draft may hold with its attachments when the site sets no smaller size.
    public static let draftBytes = 64 << 20
}

/// Why a webmail call was refused.
public enum WebmailError: Error, Equatable, Sendable, CustomStringConvertible {
    case noSuchFolder(String)
    case noSuchMessage(UInt32)
    case noSuchPart(String)
    /// A folder name or other input that cannot be used, with why.
    case invalid(String)

    public var description: String {
        switch self {
        case .noSuchFolder(let name): "There is no folder \"\(name)\"."
        case .noSuchMessage: "That message is no longer there."
        case .noSuchPart: "That part of the message does not exist."
        case .invalid(let why): why
        }
    }
}
