import Core
import Directory
import Foundation
import PostaTestSupport
import Testing

@testable import Store

@Suite("Undelete: expunged messages and deleted folders kept, restored, purged (SQLite and PostgreSQL)")
struct UndeleteTests {
    static let retention: Int64 = 14 * 86400

    /// The fixture's database and root with a store that keeps deleted messages.
    static func keeping(_ f: StoreFixture, retention: Int64 = retention) -> MailStore {
        MailStore(
            database: f.database, root: f.root, nodeID: "node1", undeleteRetention: retention, logger: StoreFixture.logger)
    }

    /// The Maildir++ folder of a message file (`…/.Name/cur/file` → `…/.Name`).
    static func folder(of path: String) -> String {
        (path as NSString).deletingLastPathComponent.replacingOccurrences(of: "/cur", with: "").replacingOccurrences(
            of: "/new", with: "")
    }

    static func message(_ n: Int) -> [UInt8] { Array("Subject: \(n)\r\n\r\nbody \(n)\r\n".utf8) }

    @Test(
        "an expunged message is kept invisibly, outside the quota, and restored with its flags and a new UID",
        arguments: TestDatabases.dialects)
    func expungeAndRestore(dialect: Database.Dialect) async throws {
        try await StoreFixture.with(dialect) { f in
            let store = Self.keeping(f)
            let alice = try await f.account("alice@example.org")
            let one = try await store.append(
                accountID: alice.id, mailbox: "INBOX", data: Self.message(1), flags: ["\\Seen", "\\Deleted", "$Work"])
            let two = try await store.append(accountID: alice.id, mailbox: "INBOX", data: Self.message(2))
            let path = try #require(try await store.messages(mailboxID: one.mailboxID).first?.path)

            #expect(try await store.expunge(mailboxID: one.mailboxID, uids: [one.uid]) == [one.uid])
            #expect(try await store.messages(mailboxID: one.mailboxID).map(\.uid) == [two.uid])
            #expect(try await store.storageUsage(accountID: alice.id).usedBytes == two.size)
            #expect(try await store.storageUsage(accountID: alice.id).messageCount == 1)
            #expect(StoreFixture.exists(path))
            // The orphan sweep leaves kept files alone.
            #expect(try await store.sweepOrphans(olderThan: .zero) == 0)
            #expect(StoreFixture.exists(path))

            let kept = try await store.deletedMessages(accountID: alice.id)
            #expect(kept.count == 1)
            #expect(kept.first?.mailboxName == "INBOX" && kept.first?.size == one.size && kept.first?.folderDeleted == false)
            #expect(Set(kept.first?.flags ?? []) == ["\\Seen", "\\Deleted", "$Work"])

            let changes = store.notifier.changes(mailboxID: one.mailboxID)
            var iterator = changes.makeAsyncIterator()
            let before = try #require(try await store.mailbox(accountID: alice.id, name: "INBOX"))
            let restored = try await store.restoreDeleted(accountID: alice.id)
            #expect(restored.count == 1)
            let uid = try #require(restored.first?.uid)
            #expect(uid == before.uidNext && uid > two.uid)
            #expect(await iterator.next() != nil)
            let messages = try await store.messages(mailboxID: one.mailboxID)
            #expect(messages.map(\.uid) == [two.uid, uid])
            let back = try #require(messages.last)
            // Flags come back, but \Deleted, which would have the next EXPUNGE take the message again.
            #expect(back.flags == ["\\Seen", "$Work"] && back.size == one.size)
            #expect(try StoreFixture.read(back.path) == Self.message(1))
            #expect(!StoreFixture.exists(path))
            let after = try #require(try await store.mailbox(accountID: alice.id, name: "INBOX"))
            #expect(after.highestModSeq > before.highestModSeq && after.unseenCount == 1)
            #expect(try await store.storageUsage(accountID: alice.id).usedBytes == one.size + two.size)
            #expect(try await store.storageUsage(accountID: alice.id).messageCount == 2)
            #expect(try await store.deletedMessages(accountID: alice.id).isEmpty)
            #expect(try await store.restoredMailboxes(since: UnixTime.now() - 60) == [one.mailboxID])

            // Restoring again restores nothing.
            #expect(try await store.restoreDeleted(accountID: alice.id).isEmpty)
            #expect(try await store.messages(mailboxID: one.mailboxID).count == 2)
        }
    }

    @Test("a deleted folder keeps its messages and directory and comes back when restored", arguments: TestDatabases.dialects)
    func deletedFolder(dialect: Database.Dialect) async throws {
        try await StoreFixture.with(dialect) { f in
            let store = Self.keeping(f)
            let alice = try await f.account("alice@example.org")
            _ = try await store.createMailbox(accountID: alice.id, name: "Projects")
            let a = try await store.append(accountID: alice.id, mailbox: "Projects", data: Self.message(1), flags: ["\\Flagged"])
            _ = try await store.append(accountID: alice.id, mailbox: "Projects", data: Self.message(2))
            let paths = try await store.messages(mailboxID: a.mailboxID).map(\.path)
            let usage = try await store.storageUsage(accountID: alice.id)

            try await store.deleteMailbox(accountID: alice.id, name: "Projects")
            #expect(try await store.mailbox(accountID: alice.id, name: "Projects") == nil)
            #expect(try await store.storageUsage(accountID: alice.id).messageCount == 0)
            #expect(paths.allSatisfy(StoreFixture.exists))
            let kept = try await store.deletedMessages(accountID: alice.id, filter: .init(mailbox: "Projects"))
            #expect(kept.count == 2 && kept.allSatisfy(\.folderDeleted))
            #expect(try await store.deletedMessages(accountID: alice.id, filter: .init(mailbox: "Other")).isEmpty)

            // A new mailbox of that name does not take the kept folder.
            let again = try await store.createMailbox(accountID: alice.id, name: "Projects")
            #expect(again.id != a.mailboxID)
            let restored = try await store.restoreDeleted(accountID: alice.id, filter: .init(mailbox: "Projects"))
            #expect(restored.map(\.uid) == [1, 2] && restored.allSatisfy { $0.mailboxID == again.id })
            let messages = try await store.messages(mailboxID: again.id)
            #expect(messages.map(\.flags) == [["\\Flagged"], []])
            #expect(try await store.storageUsage(accountID: alice.id) == usage)
            #expect(!paths.contains(where: StoreFixture.exists))
            #expect(messages.allSatisfy { StoreFixture.exists($0.path) })
            // The old folder went with its last kept message.
            #expect(!StoreFixture.exists(Self.folder(of: paths[0])))
        }
    }

    @Test("a deleted folder is re-created by a restore", arguments: TestDatabases.dialects)
    func recreate(dialect: Database.Dialect) async throws {
        try await StoreFixture.with(dialect) { f in
            let store = Self.keeping(f)
            let alice = try await f.account("alice@example.org")
            _ = try await store.createMailboxTree(accountID: alice.id, name: "Clients/Acme")
            _ = try await store.append(accountID: alice.id, mailbox: "Clients/Acme", data: Self.message(1), flags: ["\\Answered"])
            try await store.deleteMailbox(accountID: alice.id, name: "Clients/Acme")
            try await store.deleteMailbox(accountID: alice.id, name: "Clients")
            let since = UnixTime.now()
            let restored = try await store.restoreDeleted(accountID: alice.id, filter: .init(since: since - 60))
            #expect(restored.count == 1 && restored.first?.mailboxName == "Clients/Acme")
            let box = try #require(try await store.mailbox(accountID: alice.id, name: "Clients/Acme"))
            #expect(try await store.messages(mailboxID: box.id).map(\.flags) == [["\\Answered"]])
            #expect(try await store.mailbox(accountID: alice.id, name: "Clients") != nil)
            // A --since in the future or an unknown id selects nothing.
            #expect(try await store.restoreDeleted(accountID: alice.id, filter: .init(since: since + 3600)).isEmpty)
            #expect(try await store.restoreDeleted(accountID: alice.id, filter: .init(ids: [987_654])).isEmpty)
        }
    }

    @Test("restore by id takes only the chosen messages", arguments: TestDatabases.dialects)
    func byID(dialect: Database.Dialect) async throws {
        try await StoreFixture.with(dialect) { f in
            let store = Self.keeping(f)
            let alice = try await f.account("alice@example.org")
            var uids: [UInt32] = []
            var mailboxID: Int64 = 0
            for i in 1...3 {
                let r = try await store.append(accountID: alice.id, mailbox: "INBOX", data: Self.message(i))
                uids.append(r.uid)
                mailboxID = r.mailboxID
            }
            try await store.expunge(mailboxID: mailboxID, uids: uids)
            let kept = try await store.deletedMessages(accountID: alice.id)
            #expect(kept.count == 3)
            let restored = try await store.restoreDeleted(accountID: alice.id, filter: .init(ids: [kept[1].id]))
            #expect(restored.map(\.id) == [kept[1].id])
            let messages = try await store.messages(mailboxID: mailboxID)
            #expect(messages.count == 1)
            #expect(try StoreFixture.read(messages[0].path) == Self.message(2))
            #expect(try await store.deletedMessages(accountID: alice.id).map(\.id) == [kept[0].id, kept[2].id])
        }
    }

    @Test(
        "the purge removes kept messages after the retention, with their files and deleted folders",
        arguments: TestDatabases.dialects)
    func purge(dialect: Database.Dialect) async throws {
        try await StoreFixture.with(dialect) { f in
            let store = Self.keeping(f, retention: 3600)
            let alice = try await f.account("alice@example.org")
            let inbox = try await store.append(accountID: alice.id, mailbox: "INBOX", data: Self.message(1))
            _ = try await store.createMailbox(accountID: alice.id, name: "Old")
            let old = try await store.append(accountID: alice.id, mailbox: "Old", data: Self.message(2))
            let inboxPath = try #require(try await store.messages(mailboxID: inbox.mailboxID).first?.path)
            let oldPath = try #require(try await store.messages(mailboxID: old.mailboxID).first?.path)
            let oldFolder = Self.folder(of: oldPath)
            try await store.expunge(mailboxID: inbox.mailboxID, uids: [inbox.uid])
            try await store.deleteMailbox(accountID: alice.id, name: "Old")
            #expect(StoreFixture.exists(oldFolder))

            // Within the retention nothing goes.
            #expect(try await store.purgeDeleted(retention: 3600) == 0)
            #expect(StoreFixture.exists(inboxPath) && StoreFixture.exists(oldPath))

            #expect(try await store.purgeDeleted(retention: 3600, now: UnixTime.now() + 3601) == 2)
            #expect(!StoreFixture.exists(inboxPath) && !StoreFixture.exists(oldPath) && !StoreFixture.exists(oldFolder))
            #expect(try await store.deletedMessages(accountID: alice.id).isEmpty)
            #expect(try await store.restoreDeleted(accountID: alice.id).isEmpty)
            #expect(try await store.storageUsage(accountID: alice.id).usedBytes == 0)
        }
    }

    @Test("with a retention of 0 nothing is kept", arguments: TestDatabases.dialects)
    func retentionZero(dialect: Database.Dialect) async throws {
        try await StoreFixture.with(dialect) { f in
            let store = Self.keeping(f, retention: 0)
            let alice = try await f.account("alice@example.org")
            let r = try await store.append(accountID: alice.id, mailbox: "INBOX", data: Self.message(1))
            let path = try #require(try await store.messages(mailboxID: r.mailboxID).first?.path)
            _ = try await store.createMailbox(accountID: alice.id, name: "Gone")
            let g = try await store.append(accountID: alice.id, mailbox: "Gone", data: Self.message(2))
            let gonePath = try #require(try await store.messages(mailboxID: g.mailboxID).first?.path)
            try await store.expunge(mailboxID: r.mailboxID, uids: [r.uid])
            try await store.deleteMailbox(accountID: alice.id, name: "Gone")
            #expect(!StoreFixture.exists(path) && !StoreFixture.exists(gonePath))
            #expect(try await store.deletedMessages(accountID: alice.id).isEmpty)
        }
    }

    @Test("deprovisioning an account removes its kept messages", arguments: TestDatabases.dialects)
    func deprovision(dialect: Database.Dialect) async throws {
        try await StoreFixture.with(dialect) { f in
            let store = Self.keeping(f)
            let alice = try await f.account("alice@example.org")
            let r = try await store.append(accountID: alice.id, mailbox: "INBOX", data: Self.message(1))
            try await store.expunge(mailboxID: r.mailboxID, uids: [r.uid])
            try await store.deprovision(accountID: alice.id)
            #expect(try await store.deletedMessages(accountID: alice.id).isEmpty)
        }
    }
}
