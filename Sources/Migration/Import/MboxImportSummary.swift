/// The result of `posta import mbox` (or what it would do, in a dry run): one entry per file.
public struct MboxImportSummary: Sendable, Hashable, Codable {
    public var dryRun: Bool
    /// The Posta account the files went into.
    public var account: String
    public var files: [File]

    /// One mbox file imported into one folder.
    public struct File: Sendable, Hashable, Codable {
        public var path: String
        /// The Posta folder.
        public var folder: String
        /// `create`, `adopt` (an empty mailbox takes the file's UIDVALIDITY), `resume` (same UIDVALIDITY): the
        /// file's X-UIDs are kept; `new-uids`: the file carries no UID data, or the folder holds messages under
        /// another UIDVALIDITY (``remark`` says which), and messages get new UIDs in file order.
        public var action: String
        /// From `X-IMAPbase:` / `X-IMAP:`, when the file has it.
        public var uidValidity: UInt32?
        public var nextUID: UInt32?
        /// Why the file's UIDs were not kept although it has them.
        public var remark: String?
        /// Messages stored (or that would be).
        public var imported: Int
        /// Messages an earlier import stored.
        public var alreadyPresent: Int
        /// Messages not stored (each is listed in ``problems`` with its line).
        public var skipped: Int
        public var bytes: Int64
        /// Everything reported, as `file:line` and the reason (skipped messages, and remarks on kept ones).
        public var problems: [MaildirImportSkip]
    }

    public var imported: Int { files.reduce(0) { $0 + $1.imported } }
    public var alreadyPresent: Int { files.reduce(0) { $0 + $1.alreadyPresent } }
    public var skipped: Int { files.reduce(0) { $0 + $1.skipped } }

    /// The summary as text lines: one per file, what it reported, then the totals.
    public var lines: [String] {
        var out: [String] = []
        let verb = dryRun ? "would import" : "imported"
        for file in files {
            let validity = file.uidValidity.map { " UIDVALIDITY \($0) next UID \(file.nextUID ?? 0)" } ?? ""
            out.append(
                "\(file.path) → \(account) \(file.folder) [\(file.action)\(validity)]: \(verb) \(file.imported) (\(file.bytes) bytes), already present \(file.alreadyPresent), skipped \(file.skipped)"
            )
            if let remark = file.remark { out.append("  UIDs not kept: \(remark)") }
            for problem in file.problems { out.append("  - \(problem)") }
        }
        out.append(
            "total: \(files.count) file(s), \(verb) \(imported) message(s), already present \(alreadyPresent), skipped \(skipped)"
        )
        return out
    }
}
