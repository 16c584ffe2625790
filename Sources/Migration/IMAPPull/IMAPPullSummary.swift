/// The result of `posta import imap` (or what it would do, in a dry run): one entry per source folder.
public struct IMAPPullSummary: Sendable, Hashable, Codable {
    public var dryRun: Bool
    /// `host:port` and user of the source.
    public var source: String
    /// The Posta account the folders went into.
    public var account: String
    public var folders: [Folder]
    /// Folders listed and not pulled, with the reason (`\Noselect`, a name Posta cannot hold, …).
    public var skippedFolders: [MaildirImportSkip]

    /// One source folder pulled into one Posta folder.
    public struct Folder: Sendable, Hashable, Codable {
        /// The name as the server lists it.
        public var sourceName: String
        /// The Posta folder.
        public var folder: String
        /// `create`, `adopt`, `resume`: the source's UIDVALIDITY and UIDs are kept; `new-uids`: the folder holds
        /// messages under another UIDVALIDITY (``remark`` says which) and messages get new UIDs.
        public var action: String
        public var uidValidity: UInt32
        public var uidNext: UInt32
        public var remark: String?
        /// Messages the source holds (EXISTS).
        public var messages: Int
        /// Messages stored (or that would be).
        public var imported: Int
        /// Messages an earlier run stored.
        public var alreadyPresent: Int
        /// Messages not stored (each is listed in ``problems``).
        public var skipped: Int
        public var bytes: Int64
        /// `UID n` and the reason for each message skipped.
        public var problems: [MaildirImportSkip]
    }

    public var imported: Int { folders.reduce(0) { $0 + $1.imported } }
    public var alreadyPresent: Int { folders.reduce(0) { $0 + $1.alreadyPresent } }
    public var skipped: Int { folders.reduce(0) { $0 + $1.skipped } }

    /// The summary as text lines: one per folder, what it reported, the skipped folders, then the totals.
    public var lines: [String] {
        var out: [String] = []
        let verb = dryRun ? "would import" : "imported"
        for f in folders {
            out.append(
                "\(source) \(f.sourceName) → \(account) \(f.folder) [\(f.action) UIDVALIDITY \(f.uidValidity) next UID \(f.uidNext)]: \(f.messages) message(s), \(verb) \(f.imported) (\(f.bytes) bytes), already present \(f.alreadyPresent), skipped \(f.skipped)"
            )
            if let remark = f.remark { out.append("  UIDs not kept: \(remark)") }
            for problem in f.problems { out.append("  - \(problem)") }
        }
        for skip in skippedFolders { out.append("folder skipped: \(skip)") }
        out.append(
            "total: \(folders.count) folder(s), \(verb) \(imported) message(s), already present \(alreadyPresent), skipped \(skipped)"
        )
        return out
    }
}
