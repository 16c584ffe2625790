/// Something an import did not take, and why, in words for the administrator.
public struct MaildirImportSkip: Sendable, Hashable, Codable, CustomStringConvertible {
    /// What was skipped: a user, a folder, a file, a UID.
    public var what: String
    public var reason: String

    public init(_ what: String, _ reason: String) {
        self.what = what
        self.reason = reason
    }

    public var description: String { "\(what): \(reason)" }
}

/// The result of `posta import maildir` (or what it would do, in a dry run).
public struct MaildirImportSummary: Sendable, Hashable, Codable {
    public var dryRun: Bool
    public var users: [User]
    /// Users not imported at all (no Posta account, …).
    public var skippedUsers: [MaildirImportSkip]

    public struct User: Sendable, Hashable, Codable {
        public var address: String
        public var maildir: String
        public var mailboxes: [Mailbox]
        /// Subscriptions added (or that would be).
        public var subscriptionsAdded: Int
        public var skipped: [MaildirImportSkip]

        public var imported: Int { mailboxes.reduce(0) { $0 + $1.imported } }
        public var alreadyPresent: Int { mailboxes.reduce(0) { $0 + $1.alreadyPresent } }
    }

    public struct Mailbox: Sendable, Hashable, Codable {
        public var name: String
        /// `create`, `adopt` (an empty mailbox takes the old UIDVALIDITY), `resume` (same UIDVALIDITY) or
        /// `refuse`; `new-uids` when the folder had no dovecot-uidlist.
        public var action: String
        public var uidValidity: UInt32?
        public var nextUID: UInt32?
        /// Messages stored (or that would be).
        public var imported: Int
        /// Messages an earlier import stored.
        public var alreadyPresent: Int
        /// Messages not stored (each is listed in the user's `skipped`).
        public var skipped: Int
        public var bytes: Int64
    }

    public var imported: Int { users.reduce(0) { $0 + $1.imported } }
    public var alreadyPresent: Int { users.reduce(0) { $0 + $1.alreadyPresent } }

    /// The summary as text lines: one per user and mailbox, then everything skipped with its reason.
    public var lines: [String] {
        var out: [String] = []
        let verb = dryRun ? "would import" : "imported"
        for user in users {
            out.append(
                "\(user.address): \(verb) \(user.imported), already present \(user.alreadyPresent), subscriptions \(dryRun ? "to add" : "added") \(user.subscriptionsAdded)"
            )
            for box in user.mailboxes {
                let validity = box.uidValidity.map { " UIDVALIDITY \($0) next UID \(box.nextUID ?? 0)" } ?? ""
                out.append(
                    "  \(box.name) [\(box.action)\(validity)]: \(verb) \(box.imported) (\(box.bytes) bytes), already present \(box.alreadyPresent), skipped \(box.skipped)"
                )
            }
            for skip in user.skipped { out.append("  - \(skip)") }
        }
        for skip in skippedUsers { out.append("skipped user \(skip)") }
        out.append(
            "total: \(users.count) user(s), \(verb) \(imported) message(s), already present \(alreadyPresent), \(skippedUsers.count) user(s) skipped"
        )
        return out
    }
}
