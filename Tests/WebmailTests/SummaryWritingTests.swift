import Core
import Directory
import Foundation
import PostaTestSupport
import SQLKit
import Store
import Testing

@testable import Webmail

/// Summaries written with each message, and the backfill of mail stored without them.
@Suite("Webmail summaries at delivery and in the background")
struct SummaryWritingTests {
    static func summaries(_ f: WebmailFixture) async throws -> [(mailbox: Int64, subject: String, size: Int64)] {
        try await f.database.withConnection { db in
            try await db.raw("SELECT mailbox_id, subject, size FROM webmail_summary ORDER BY message_id").all().map {
                (
                    try $0.decode(column: "mailbox_id", as: Int64.self), try $0.decode(column: "subject", as: String.self),
                    try $0.decode(column: "size", as: Int64.self)
                )
            }
        }
    }

    @Test("delivery, copy and move write the summary in the store's transaction", arguments: TestDatabases.dialects)
    func writtenWithTheMessage(dialect: Database.Dialect) async throws {
        try await WebmailFixture.with(dialect) { f in
            try await f.deliver(WebmailFixture.message(subject: "Über uns", extra: "Content-Type: text/plain; charset=utf-8"))
            let uid = try await f.deliver(WebmailFixture.message(subject: "second"))
            // Nothing was listed: the rows are there already, with the size.
            var rows = try await Self.summaries(f)
            #expect(rows.map(\.subject) == ["Über uns", "second"])
            let inbox = try #require(try await f.store.mailbox(accountID: f.ann.id, name: "INBOX"))
            let sizes = try await f.store.messages(mailboxID: inbox.id).map(\.size)
            #expect(rows.map(\.size) == sizes)
            #expect(try await f.webmail.summaries.status(mailboxID: inbox.id).missing == 0)

            _ = try await f.store.createMailbox(accountID: f.ann.id, name: "Kept")
            let kept = try #require(try await f.store.mailbox(accountID: f.ann.id, name: "Kept"))
            try await f.store.copy(mailboxID: inbox.id, uids: [uid], to: "Kept")
            rows = try await Self.summaries(f)
            #expect(rows.count == 3)
            #expect(rows.last?.mailbox == kept.id && rows.last?.subject == "second")
            try await f.store.copy(mailboxID: inbox.id, uids: [uid], to: "Kept", move: true)
            rows = try await Self.summaries(f)
            #expect(rows.filter { $0.mailbox == inbox.id }.map(\.subject) == ["Über uns"])
            #expect(rows.filter { $0.mailbox == kept.id }.map(\.subject) == ["second", "second"])
            let listing = try await f.webmail.list(f.ann, MessageListQuery(folder: "Kept"))
            #expect(listing.total == 2 && listing.unlisted == 0)
        }
    }

    @Test("mail stored without summaries: a request fills the newest, the backfill the rest", arguments: TestDatabases.dialects)
    func backfill(dialect: Database.Dialect) async throws {
        try await WebmailFixture.with(dialect, summariesWithMessages: false) { f in
            for day in 1...7 {
                try await f.deliver(
                    WebmailFixture.message(subject: "day \(day)", date: "0\(day) Dec 2026 10:00:00 +0000"))
            }
            let backfill = SummaryBackfill(database: f.database, store: f.store, logger: WebmailFixture.logger)
            var webmail = Webmail(
                database: f.database, directory: f.directory, store: f.store, backfill: backfill, logger: WebmailFixture.logger)
            webmail.summariesPerRequest = 3
            var query = MessageListQuery(folder: "INBOX")
            query.pageSize = 10
            let first = try await webmail.list(f.ann, query)
            #expect(first.items.map(\.subject) == ["day 7", "day 6", "day 5"])
            #expect(first.unlisted == 4)
            #expect(first.total == 3)

            let inbox = try #require(try await f.store.mailbox(accountID: f.ann.id, name: "INBOX"))
            let changes = f.store.notifier.changes(mailboxID: inbox.id)
            // The prioritised mailbox is completed by the running backfill, which tells watchers.
            let running = Task { await backfill.run() }
            defer { running.cancel() }
            var iterator = changes.makeAsyncIterator()
            _ = await iterator.next()
            let complete = try await webmail.list(f.ann, query)
            #expect(complete.unlisted == 0)
            #expect(complete.items.map(\.subject) == (1...7).reversed().map { "day \($0)" })
            #expect(complete.total == 7)
        }
    }

    @Test("the backfill completes every incomplete mailbox at start", arguments: TestDatabases.dialects)
    func backfillAtStart(dialect: Database.Dialect) async throws {
        try await WebmailFixture.with(dialect, summariesWithMessages: false) { f in
            _ = try await f.store.createMailbox(accountID: f.ann.id, name: "Old")
            for n in 1...3 {
                try await f.deliver(WebmailFixture.message(subject: "inbox \(n)"))
                try await f.deliver(WebmailFixture.message(subject: "old \(n)"), to: "Old")
            }
            let backfill = SummaryBackfill(database: f.database, store: f.store, logger: WebmailFixture.logger)
            #expect(try await backfill.index.incompleteMailboxes().count == 2)
            let running = Task { await backfill.run() }
            defer { running.cancel() }
            let deadline = ContinuousClock.now + .seconds(30)
            while try await Self.summaries(f).count < 6, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(try await Self.summaries(f).count == 6)
            #expect(try await backfill.index.incompleteMailboxes().isEmpty)
        }
    }

    @Test("the list-order migration gives earlier summaries their size", arguments: TestDatabases.dialects)
    func migrationFillsSizes(dialect: Database.Dialect) async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        try await TestDatabases.with(dialect) { db in
            try await db.migrate(DirectorySchema.migrations + StoreSchema.migrations + WebmailSchema.migrations.prefix(1))
            let directory = Directory(database: db)
            try await directory.addDomain("example.org")
            let store = MailStore(database: db, root: folder.path + "/mail", nodeID: "n", logger: WebmailFixture.logger)
            let ann = try await directory.addAccount("ann@example.org", password: try StoredPassword("{PLAIN}x"))
            try await store.provision(account: ann)
            let stored = try await store.append(
                accountID: ann.id, mailbox: "INBOX", data: Array("Subject: s\r\n\r\nbody\r\n".utf8))
            try await db.withConnection { db in
                try await db.raw(
                    """
                    INSERT INTO webmail_summary (message_id, mailbox_id, sent_at, from_name, from_address, from_sort, to_text,
                      subject, subject_sort, has_attachment, thread_key)
                    SELECT id, mailbox_id, 0, '', '', '', '', 's', 's', false, '#1' FROM message
                    """
                ).run()
            }
            try await db.migrate(DirectorySchema.migrations + StoreSchema.migrations + WebmailSchema.migrations)
            let size = try await db.withConnection { db in
                try await db.raw("SELECT size FROM webmail_summary").first(decodingColumn: "size", as: Int64.self)
            }
            #expect(size == stored.size)
        }
    }
}
