import Directory
import Foundation
import Store

/// Imports mbox files (RFC 4155) into folders of one existing Posta account, streaming each file through
/// ``MboxReader`` so that a multi-gigabyte mbox is never held in memory. Keeps flags and keywords, the From_
/// line's date as INTERNALDATE, and Dovecot's or UW IMAP's UIDVALIDITY and UIDs when the folder allows it
/// (``MboxFolderImport``). Idempotent: a second run stores nothing twice. A message with a broken From_ line,
/// a truncated last message or one over the size limit is reported with its file and line and skipped;
/// everything else is imported. A dry run reads the files and the index, and writes nothing.
public struct MboxImporter: Sendable {
    public struct Options: Sendable {
        /// How `From ` is quoted; nil reads each file's first header to tell (``detectVariant(_:)``).
        public var variant: MboxVariant?
        public var dryRun: Bool
        /// Larger messages are skipped and reported.
        public var maxMessageSize: Int
        /// How much of a file is read at a time.
        public var chunkSize: Int

        public init(
            variant: MboxVariant? = nil, dryRun: Bool = false, maxMessageSize: Int = 64 << 20, chunkSize: Int = 1 << 20
        ) {
            self.variant = variant
            self.dryRun = dryRun
            self.maxMessageSize = maxMessageSize
            self.chunkSize = chunkSize
        }
    }

    /// One file and the folder it goes to.
    public struct Source: Sendable, Hashable {
        public var path: String
        public var folder: String

        public init(path: String, folder: String) {
            self.path = path
            self.folder = folder
        }

        /// The file into the folder named after it (``MboxImporter/folderName(forFile:)``).
        public init(path: String) {
            self.init(path: path, folder: MboxImporter.folderName(forFile: path))
        }
    }

    let store: MailStore

    public init(store: MailStore) {
        self.store = store
    }

    /// The variants `--variant` names. `mboxcl` quotes `From ` as mboxo does and adds `Content-Length:`, which
    /// the reader follows in every variant; `mboxcl2` (Dovecot) quotes nothing.
    public static func variant(named name: String) -> MboxVariant? {
        switch name.lowercased() {
        case "mboxrd": return .mboxrd
        case "mboxo", "mboxcl": return .mboxo
        case "mboxcl2": return .mboxcl2
        default: return nil
        }
    }

    /// The variant of a file from its start: Dovecot's mbox storage writes `X-IMAPbase:` into the first message's
    /// header, and its files are mboxcl2 (it quotes no `From `, so unquoting would change bodies); any other file
    /// is read as mboxrd, whose unquoting also undoes mboxo's single `>`.
    public static func detectVariant(_ start: [UInt8]) -> MboxVariant {
        var lines = start.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).dropFirst()  // the From_ line
        while let line = lines.popFirst(), !(line.isEmpty || line == [UInt8(ascii: "\r")]) {
            if line.count >= 11, String(decoding: line.prefix(11), as: UTF8.self).lowercased() == "x-imapbase:" {
                return .mboxcl2
            }
        }
        return .mboxrd
    }

    /// The folder a file goes to by default: its base name without a `.mbox` extension; `INBOX` for a file named
    /// so in any case (Thunderbird's `Inbox`, Dovecot's `inbox`).
    public static func folderName(forFile path: String) -> String {
        var name = String(path.split(separator: "/").last ?? "")
        if name.count > 5, name.lowercased().hasSuffix(".mbox") { name.removeLast(5) }
        return name.uppercased() == "INBOX" ? "INBOX" : name
    }

    /// Imports each file into its folder of `account`, in order.
    public func run(account: Account, sources: [Source], options: Options) async throws -> MboxImportSummary {
        if !options.dryRun { try await store.provision(account: account) }
        var summary = MboxImportSummary(dryRun: options.dryRun, account: account.address, files: [])
        for source in sources {
            summary.files.append(try await importFile(source, accountID: account.id, options: options))
        }
        return summary
    }

    private func importFile(_ source: Source, accountID: Int64, options: Options) async throws -> MboxImportSummary.File {
        var folder = MboxFolderImport(
            store: store, accountID: accountID, path: source.path, folder: source.folder, dryRun: options.dryRun)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: source.path, isDirectory: &isDirectory), !isDirectory.boolValue,
            let handle = FileHandle(forReadingAtPath: source.path)
        else {
            var file = folder.file
            file.action = "none"
            file.problems.append(MaildirImportSkip(source.path, "not a readable file: not imported"))
            return file
        }
        defer { try? handle.close() }
        let first = try handle.read(upToCount: options.chunkSize) ?? Data()
        var reader = MboxReader(
            variant: options.variant ?? Self.detectVariant(Array(first)), maxMessageSize: options.maxMessageSize)
        var chunk = first
        while !chunk.isEmpty {
            for item in reader.read(chunk) { try await folder.take(item) }
            chunk = try handle.read(upToCount: options.chunkSize) ?? Data()
        }
        for item in reader.finish() { try await folder.take(item) }
        // An mbox without messages is still a folder.
        try await folder.prepare(nil)
        return folder.file
    }
}
