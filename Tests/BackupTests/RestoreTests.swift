import Core
import Directory
import Foundation
import PostaTestSupport
import SQLKit
import Store
import Testing

@testable import Backup

@Suite("Restore from a backup: whole site, and messages of one account")
struct RestoreTests {
    /// The index as a user sees it: every message by account, mailbox and UID, with its flags,
    /// internal date and bytes.
    static func index(_ db: Database, data: String) async throws -> [String] {
        let rows = try await db.withConnection { db in
            try await db.raw(
                """
                SELECT a.address, b.name, b.uidvalidity, m.uid, m.flags, m.internal_date, s.maildir || '/' || m.file AS path
                FROM message m JOIN mailbox b ON b.id = m.mailbox_id JOIN store_account s ON s.account_id = b.account_id
                JOIN account a ON a.id = b.account_id ORDER BY a.address, b.name, m.uid
                """
            ).all()
        }
        return try rows.map { row in
            let path = try row.decode(column: "path", as: String.self)
            let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: data + "/mail/" + path)))
            return [
                try row.decode(column: "address", as: String.self), try row.decode(column: "name", as: String.self),
                "\(try row.decode(column: "uidvalidity", as: Int64.self))", "\(try row.decode(column: "uid", as: Int64.self))",
                try row.decode(column: "flags", as: String.self), "\(try row.decode(column: "internal_date", as: Int64.self))",
                path, BackupFixture.sha256(bytes),
            ].joined(separator: " | ")
        }
    }

    @Test(
        "a site restored into an empty folder has the same index and files, and the store works on it",
        arguments: TestDatabases.dialects)
    func siteRoundTrip(dialect: Database.Dialect) async throws {
        try await BackupFixture.with(dialect) { f in
            let alice = try await f.account("alice@example.org")
            let bob = try await f.account("bob@example.org")
            for i in 1...3 { try await f.deliver(alice.id, "alice \(i)") }
            let sent = try await f.deliver(alice.id, "sent", mailbox: "Sent")
            try await f.deliver(bob.id, "bob 1")
            _ = try await f.store.storeFlags(
                mailboxID: sent.mailboxID, uids: [sent.uid], operation: .add, flags: ["\\Seen", "$Label1"])
            _ = try await f.store.createMailbox(accountID: bob.id, name: "Empty")
            let summary = try await f.service.create(root: f.backups)
            let before = try await Self.index(f.database, data: f.data)
            #expect(before.count == 5)

            let target = try TemporaryFolder()
            defer { target.remove() }
            let data = target.path + "/data"
            try await TestDatabases.with(dialect) { empty in
                let url =
                    dialect == .sqlite
                    ? DatabaseURL.sqlite(path: data + "/posta.db")
                    : try await BackupFixture.url(of: empty, dialect: dialect, data: data)
                let restored = try await BackupService.restoreSite(
                    f.backups, dataDirectory: data, databaseURL: url, logger: BackupFixture.logger)
                #expect(restored.backup == summary.path)
                #expect(restored.files == 5)
                let db = dialect == .sqlite ? try Database(.sqlite(path: data + "/posta.db"), poolSize: 2) : empty
                let after = try await Self.index(db, data: data)
                #expect(after == before)
                // The store runs on it: mailboxes without messages have their folders, UIDs go on.
                let store = MailStore(database: db, root: data + "/mail", nodeID: "node2", logger: BackupFixture.logger)
                let next = try await store.append(
                    accountID: bob.id, mailbox: "Empty", data: Array("Subject: x\r\n\r\nx\r\n".utf8))
                #expect(next.uid == 1)
                let more = try await store.append(
                    accountID: alice.id, mailbox: "INBOX", data: Array("Subject: y\r\n\r\ny\r\n".utf8))
                #expect(more.uid == 4)
                if dialect == .sqlite { await db.shutdown() }
            }
        }
    }

    @Test(
        "a site restore refuses a data folder or a database that is not empty, and a damaged backup",
        arguments: TestDatabases.dialects)
    func refusals(dialect: Database.Dialect) async throws {
        try await BackupFixture.with(dialect) { f in
            let alice = try await f.account("alice@example.org")
            try await f.deliver(alice.id, "one")
            let summary = try await f.service.create(root: f.backups)
            let target = try TemporaryFolder()
            defer { target.remove() }
            let data = target.path + "/data"
            try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
            try await TestDatabases.with(dialect) { empty in
                let url =
                    dialect == .sqlite
                    ? DatabaseURL.sqlite(path: data + "/posta.db")
                    : try await BackupFixture.url(of: empty, dialect: dialect, data: data)
                // A file in the data folder.
                FileManager.default.createFile(atPath: data + "/leftover", contents: Data("x".utf8))
                let notEmpty = await Self.refusal {
                    try await BackupService.restoreSite(
                        summary.path, dataDirectory: data, databaseURL: url, logger: BackupFixture.logger)
                }
                #expect(notEmpty?.contains("data folder \(data) is not empty (leftover)") == true, "\(notEmpty ?? "")")
                #expect(BackupFiles.entries(data) == ["leftover"])
                // A damaged file in the backup: refused, nothing written.
                let file = try #require(try BackupManifest.read(backup: summary.path)?.files.first)
                let handle = try #require(FileHandle(forUpdatingAtPath: summary.path + "/" + file.path))
                let original = try #require(try handle.read(upToCount: 1))
                try handle.seek(toOffset: 0)
                try handle.write(contentsOf: Data([original[0] ^ 0x01]))
                try handle.close()
                let damaged = await Self.refusal {
                    try await BackupService.restoreSite(
                        summary.path, dataDirectory: data, databaseURL: url, allowing: ["leftover"], logger: BackupFixture.logger)
                }
                #expect(damaged?.contains("fails verification: 1 problem(s): checksum \(file.path)") == true, "\(damaged ?? "")")
                #expect(BackupFiles.entries(data) == ["leftover"])
                let repair = try #require(FileHandle(forUpdatingAtPath: summary.path + "/" + file.path))
                try repair.write(contentsOf: Data([original[0]]))
                try repair.close()
                // A database that is not empty.
                if dialect == .postgres {
                    try await empty.migrate(DirectorySchema.migrations)
                } else {
                    FileManager.default.createFile(atPath: data + "/posta.db", contents: Data())
                }
                let database = await Self.refusal {
                    try await BackupService.restoreSite(
                        summary.path, dataDirectory: data, databaseURL: url, allowing: ["leftover", "posta.db"],
                        logger: BackupFixture.logger)
                }
                #expect(
                    database?.contains(dialect == .sqlite ? "the database \(data)/posta.db exists" : "the database is not empty")
                        == true, "\(database ?? "")")
                #expect(Set(BackupFiles.entries(data)).isSubset(of: ["leftover", "posta.db"]))
            }
        }
    }

    /// The error a call ends with, as text; nil when it succeeds.
    static func refusal(_ body: () async throws -> SiteRestoreSummary) async -> String? {
        do {
            _ = try await body()
            return nil
        } catch {
            return "\(error)"
        }
    }

    /// alice's messages at backup time: INBOX 1-3 on 2026-01-0{1,2,3}, one in Work; then some are lost.
    static func helpdeskFixture(_ f: BackupFixture) async throws -> (Account, BackupService.Summary) {
        let alice = try await f.account("alice@example.org")
        let bob = try await f.account("bob@example.org")
        let day: Int64 = 1_767_225_600  // 2026-01-01T00:00:00Z
        let messages: [(String, String, String, Int64)] = [
            ("INBOX", "Carol <carol@example.net>", "Quarterly report", day),
            ("INBOX", "Dave <dave@example.net>", "=?UTF-8?Q?Caf=C3=A9_menu?=", day + 86_400),
            ("INBOX", "Carol <carol@example.net>", "Lunch", day + 2 * 86_400),
            ("Work", "Erin <erin@example.com>", "Project plan", day + 86_400),
        ]
        for (mailbox, from, subject, date) in messages {
            let text = "From: \(from)\r\nSubject: \(subject)\r\nMessage-ID: <\(date).\(mailbox)@example.net>\r\n\r\nbody\r\n"
            if try await f.store.mailbox(accountID: alice.id, name: mailbox) == nil {
                _ = try await f.store.createMailbox(accountID: alice.id, name: mailbox)
            }
            let result = try await f.store.append(
                accountID: alice.id, mailbox: mailbox, data: Array(text.utf8), flags: mailbox == "Work" ? ["\\Flagged"] : [],
                internalDate: date)
            if subject == "Lunch" {
                _ = try await f.store.storeFlags(
                    mailboxID: result.mailboxID, uids: [result.uid], operation: .add, flags: ["\\Seen", "$Done"])
            }
        }
        try await f.deliver(bob.id, "bob's own")
        let summary = try await f.service.create(root: f.backups)
        // The user deletes everything afterwards.
        for box in try await f.store.mailboxes(accountID: alice.id) {
            let uids = try await f.store.messages(mailboxID: box.id).map(\.uid)
            if !uids.isEmpty { try await f.store.expunge(mailboxID: box.id, uids: uids) }
        }
        return (alice, summary)
    }

    static func restoredSubjects(_ f: BackupFixture, _ account: Account) async throws -> [String] {
        guard let box = try await f.store.mailbox(accountID: account.id, name: "Restored") else { return [] }
        return try await f.store.messages(mailboxID: box.id).map { message in
            let text = String(
                decoding: try Data(contentsOf: URL(fileURLWithPath: message.path)), as: UTF8.self)
            return text.split(separator: "\r\n").first { $0.hasPrefix("Subject: ") }.map { String($0.dropFirst(9)) } ?? ""
        }
    }

    @Test(
        "partial restore by folder, date, From and Subject into Restored; a second run restores nothing",
        arguments: TestDatabases.dialects)
    func partial(dialect: Database.Dialect) async throws {
        try await BackupFixture.with(dialect) { f in
            let (alice, summary) = try await Self.helpdeskFixture(f)
            let bob = try #require(try await f.directory.account("bob@example.org"))
            let bobBefore = try await Self.index(f.database, data: f.data).filter { $0.hasPrefix("bob@") }
            func restore(_ selection: MessageSelection, dryRun: Bool = false) async throws -> MessageRestoreReport {
                try await BackupService.restoreMessages(
                    summary.path, selection: selection, store: f.store, directory: f.directory, dryRun: dryRun,
                    logger: BackupFixture.logger)
            }
            // Dry run: lists, changes nothing.
            let dry = try await restore(MessageSelection(account: "ALICE@example.org", from: "carol"), dryRun: true)
            #expect(dry.messages.map(\.subject) == ["Quarterly report", "Lunch"])
            #expect(try await f.store.mailbox(accountID: alice.id, name: "Restored") == nil)

            // By From (address or name, any case).
            let byFrom = try await restore(MessageSelection(account: "alice@example.org", from: "CAROL@example.net"))
            #expect(byFrom.restored == 2)
            #expect(try await Self.restoredSubjects(f, alice) == ["Quarterly report", "Lunch"])
            // The flags are kept, the internal date too.
            let box = try #require(try await f.store.mailbox(accountID: alice.id, name: "Restored"))
            let restored = try await f.store.messages(mailboxID: box.id)
            #expect(restored.map(\.flags) == [[], ["\\Seen", "$Done"]])
            #expect(restored.map(\.internalDate) == [1_767_225_600, 1_767_225_600 + 2 * 86_400])

            // Again: nothing twice.
            let again = try await restore(MessageSelection(account: "alice@example.org", from: "carol"))
            #expect(again.restored == 0)
            #expect(again.alreadyRestored == 2)
            #expect(try await f.store.messages(mailboxID: box.id).count == 2)

            // By decoded Subject.
            let bySubject = try await restore(MessageSelection(account: "alice@example.org", subject: "café"))
            #expect(bySubject.restored == 1)
            // By date range: only 2026-01-02 (the Café menu, already restored, and the Work message).
            let since = try #require(MessageSelection.date("2026-01-02"))
            let before = try #require(MessageSelection.date("2026-01-03"))
            let byDate = try await restore(MessageSelection(account: "alice@example.org", since: since, before: before))
            #expect(byDate.messages.map(\.subject) == ["Café menu", "Project plan"])
            #expect(byDate.restored == 1)
            #expect(byDate.alreadyRestored == 1)
            // By folder.
            let byFolder = try await restore(MessageSelection(account: "alice@example.org", folder: "inbox"))
            #expect(byFolder.messages.count == 3)
            #expect(byFolder.restored == 0)
            let subjects = try await Self.restoredSubjects(f, alice)
            #expect(subjects.count == 4)
            #expect(Set(subjects) == ["Quarterly report", "Lunch", "=?UTF-8?Q?Caf=C3=A9_menu?=", "Project plan"])
            let work = try #require(try await f.store.messages(mailboxID: box.id).last)
            #expect(work.flags == ["\\Flagged"])

            // Nothing else changed: the other mailboxes stay empty, bob is untouched.
            for mailbox in try await f.store.mailboxes(accountID: alice.id) where mailbox.name != "Restored" {
                #expect(try await f.store.messages(mailboxID: mailbox.id).isEmpty)
            }
            #expect(try await Self.index(f.database, data: f.data).filter { $0.hasPrefix("bob@") } == bobBefore)
            #expect(bob.id != alice.id)
            // The backup is unchanged by reading it.
            #expect(try await BackupService.verify(summary.path).ok)
            // An unknown account is refused.
            await #expect(throws: BackupError.self) { try await restore(MessageSelection(account: "nobody@example.org")) }
        }
    }

    @Test("dates: YYYY-MM-DD is midnight UTC; ISO 8601 times with a zone")
    func dates() {
        #expect(MessageSelection.date("2026-01-01") == 1_767_225_600)
        #expect(MessageSelection.date("2026-01-01T01:00:00Z") == 1_767_229_200)
        #expect(MessageSelection.date("2026-01-01T01:00:00+01:00") == 1_767_225_600)
        #expect(MessageSelection.date("2026-13-01") == nil)
        #expect(MessageSelection.date("yesterday") == nil)
    }
}
