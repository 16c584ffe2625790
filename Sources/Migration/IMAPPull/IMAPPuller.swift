import Core
import Directory
import Store

/// `posta import imap`: pulls every selectable folder of an IMAP account into a Posta account, one pass,
/// keeping flags (without `\Recent`), INTERNALDATE and, where it can, UIDVALIDITY and UIDs.
///
/// Per folder: `EXAMINE` (read-only, RFC 9051 §6.3.3) gives UIDVALIDITY and UIDNEXT; ``MailboxImportDisposition``
/// decides whether the source's UIDs are kept (the Posta folder is new, empty, or an earlier pull of the same
/// UIDVALIDITY: RFC 9051 §2.3.1.1, clients keep their caches) or messages get new UIDs. `UID FETCH 1:* (UID
/// RFC822.SIZE)` lists the messages; only those not stored yet are fetched, in batches of ``batchSize``, with
/// `BODY.PEEK[]` so that the source's `\Seen` is not set (RFC 9051 §6.4.5).
///
/// Idempotence and resuming: a kept UID is the store's import key (``MailStore/importMessage(_:)``); a message
/// with a new UID is appended with the delivery key
/// `imap-import/<account id>/<host>/<user>/<source folder>/<UIDVALIDITY>/<UID>`. Each message commits on its
/// own, so a run that stops anywhere is finished by the next one, which fetches only what is missing.
public struct IMAPPuller: Sendable {
    /// Where to pull from and how.
    public struct Source: Sendable {
        public var host: String
        public var port: Int
        public var tls: IMAPPullTLS
        public var insecure: Bool
        public var user: String
        public var password: String

        public init(host: String, port: Int, tls: IMAPPullTLS, insecure: Bool, user: String, password: String) {
            self.host = host
            self.port = port
            self.tls = tls
            self.insecure = insecure
            self.user = user
            self.password = password
        }
    }

    public struct Options: Sendable {
        /// Source folders to pull (as listed, or as their Posta names); empty: all.
        public var folders: [String]
        public var dryRun: Bool
        /// Messages larger than this are skipped and reported; the reader refuses literals above it.
        public var maxMessageSize: Int

        public init(folders: [String] = [], dryRun: Bool = false, maxMessageSize: Int = IMAPResponseReader.defaultMaxLiteralSize)
        {
            self.folders = folders
            self.dryRun = dryRun
            self.maxMessageSize = maxMessageSize
        }
    }

    /// UIDs per `UID FETCH` of message bodies.
    public static let batchSize = 200

    let store: MailStore
    let decodeModifiedUTF7: @Sendable (String) -> String?

    /// `decodeModifiedUTF7` turns a listed name level into Unicode (IMAP's `ModifiedUTF7.decode`).
    public init(store: MailStore, decodeModifiedUTF7: @escaping @Sendable (String) -> String?) {
        self.store = store
        self.decodeModifiedUTF7 = decodeModifiedUTF7
    }

    public func run(account: Account, source: Source, options: Options) async throws -> IMAPPullSummary {
        if !options.dryRun { try await store.provision(account: account) }
        let display = source.host.contains(":") ? "[\(source.host)]:\(source.port)" : "\(source.host):\(source.port)"
        var summary = IMAPPullSummary(
            dryRun: options.dryRun, source: "\(source.user)@\(display)", account: account.address, folders: [],
            skippedFolders: [])
        let client = try await IMAPPullClient.connect(
            host: source.host, port: source.port, tls: source.tls, insecure: source.insecure,
            maxMessageSize: options.maxMessageSize)
        do {
            try await client.login(user: source.user, password: source.password)
            var entries: [IMAPPullListEntry] = []
            // RFC 9051 §6.3.9: the empty reference and `*` list every mailbox.
            try await client.run("LIST \"\" \"*\"") { response in
                if case .list(let entry) = response { entries.append(entry) }
            }
            let wanted = Set(options.folders)
            for entry in entries {
                let name: String
                switch IMAPPullFolderName.postaName(entry, decode: decodeModifiedUTF7) {
                case .success(let mapped): name = mapped
                case .failure(let problem):
                    if wanted.isEmpty || wanted.contains(entry.name) {
                        summary.skippedFolders.append(MaildirImportSkip(entry.name, problem.description))
                    }
                    continue
                }
                guard wanted.isEmpty || wanted.contains(entry.name) || wanted.contains(name) else { continue }
                guard entry.isSelectable else {
                    summary.skippedFolders.append(MaildirImportSkip(entry.name, "\\Noselect: it holds no messages"))
                    continue
                }
                var folder = IMAPPullFolder(
                    store: store, client: client, accountID: account.id, keyPrefix: "\(source.host)/\(source.user)",
                    options: options, sourceName: entry.name, folder: name)
                try await folder.pull()
                summary.folders.append(folder.summary)
            }
            await client.logout()
        } catch {
            await client.close()
            throw error
        }
        return summary
    }
}
