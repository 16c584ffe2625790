import Core
import PostaTestSupport
import Testing

@testable import Store

/// Mailbox-tree operations of IMAP CREATE, RENAME and DELETE, each one transaction (RFC 9051 §6.3.4–§6.3.6).
@Suite("Store: mailbox trees on SQLite and PostgreSQL")
struct MailboxTreeTests {
    @Test(
        "CREATE makes the missing superiors in the same transaction; an existing name creates nothing",
        arguments: TestDatabases.dialects)
    func createTree(dialect: Database.Dialect) async throws {
        try await StoreFixture.with(dialect) { f in
            let alice = try await f.account("alice@example.org")
            try await f.store.createMailbox(accountID: alice.id, name: "a")
            let created = try await f.store.createMailboxTree(accountID: alice.id, name: "a/b/c", specialUse: .archive)
            #expect(created.map(\.name) == ["a/b", "a/b/c"])
            #expect(created.last?.specialUse == .archive && created.allSatisfy { !$0.subscribed })
            #expect(try await f.store.mailbox(accountID: alice.id, name: "a/b") != nil)
            // INBOX is never created as a superior: its inferiors hang under the existing one.
            #expect(try await f.store.createMailboxTree(accountID: alice.id, name: "INBOX/x").map(\.name) == ["INBOX/x"])

            // `p/q` exists while `p` does not: refused as a whole, so `p` is not left behind.
            try await f.store.createMailbox(accountID: alice.id, name: "p/q")
            await #expect(throws: StoreError.mailboxExists("p/q")) {
                try await f.store.createMailboxTree(accountID: alice.id, name: "p/q")
            }
            #expect(try await f.store.mailbox(accountID: alice.id, name: "p") == nil)
            await #expect(throws: StoreError.invalidMailboxName("INBOX")) {
                try await f.store.createMailboxTree(accountID: alice.id, name: "Inbox")
            }
        }
    }

    @Test(
        "RENAME creating superiors moves the inferiors and makes the new name's superiors in one transaction",
        arguments: TestDatabases.dialects)
    func renameCreatingSuperiors(dialect: Database.Dialect) async throws {
        try await StoreFixture.with(dialect) { f in
            let alice = try await f.account("alice@example.org")
            _ = try await f.store.createMailboxTree(accountID: alice.id, name: "a/b")
            try await f.store.renameMailbox(accountID: alice.id, from: "a", to: "x/y/z", creatingSuperiors: true)
            let names = Set(try await f.store.mailboxes(accountID: alice.id).map(\.name))
            #expect(names.isSuperset(of: ["x", "x/y", "x/y/z", "x/y/z/b"]) && !names.contains("a") && !names.contains("a/b"))
            // A refused rename (an inferior's new name is taken) changes nothing and creates no superior.
            try await f.store.createMailbox(accountID: alice.id, name: "p/q/b")
            await #expect(throws: StoreError.mailboxExists("p/q/b")) {
                try await f.store.renameMailbox(accountID: alice.id, from: "x/y/z", to: "p/q", creatingSuperiors: true)
            }
            #expect(try await f.store.mailbox(accountID: alice.id, name: "p") == nil)
            #expect(try await f.store.mailbox(accountID: alice.id, name: "x/y/z/b") != nil)
        }
    }

    @Test(
        "RENAME of INBOX moves every message to a new mailbox with its superiors in one transaction; INBOX stays, empty",
        arguments: TestDatabases.dialects)
    func renameInbox(dialect: Database.Dialect) async throws {
        try await StoreFixture.with(dialect) { f in
            let alice = try await f.account("alice@example.org")
            let messages = (1...3).map { index in
                AppendRequest(
                    data: Array("Subject: \(index)\r\n\r\nbody \(index)\r\n".utf8), flags: index == 2 ? ["\\Seen"] : [],
                    internalDate: 1_700_000_000 + Int64(index))
            }
            _ = try await f.store.append(accountID: alice.id, mailbox: "INBOX", messages: messages)
            let inbox = try #require(try await f.store.mailbox(accountID: alice.id, name: "INBOX"))
            let before = try await f.store.messages(mailboxID: inbox.id)

            let result = try await f.store.renameInbox(accountID: alice.id, to: "Old/2026")
            #expect(result.sourceUIDs == before.map(\.uid) && result.destinationUIDs == [1, 2, 3])
            #expect(try await f.store.messages(mailboxID: inbox.id).isEmpty)
            #expect(try await f.store.mailbox(accountID: alice.id, name: "Old") != nil)
            let moved = try await f.store.messages(mailboxID: result.destinationID)
            #expect(moved.map(\.flags) == before.map(\.flags) && moved.map(\.internalDate) == before.map(\.internalDate))
            #expect(try moved.map { try StoreFixture.read($0.path) } == messages.map(\.data))
            // The old links are gone: the files exist once, in the new folder.
            #expect(before.allSatisfy { !StoreFixture.exists($0.path) })
            let changes = try #require(try await f.store.changes(mailboxID: inbox.id, since: 0))
            #expect(Set(changes.expunged) == Set(before.map(\.uid)))

            // A taken name is refused as a whole: no superior made, no message moved.
            _ = try await f.store.append(accountID: alice.id, mailbox: "INBOX", messages: Array(messages.prefix(1)))
            await #expect(throws: StoreError.mailboxExists("Old/2026")) {
                try await f.store.renameInbox(accountID: alice.id, to: "Old/2026")
            }
            try await f.store.createMailbox(accountID: alice.id, name: "Z/Y")
            await #expect(throws: StoreError.mailboxExists("Z/Y")) {
                try await f.store.renameInbox(accountID: alice.id, to: "Z/Y")
            }
            #expect(try await f.store.mailbox(accountID: alice.id, name: "Z") == nil)
            #expect(try await f.store.messages(mailboxID: inbox.id).count == 1)
        }
    }

    @Test(
        "DELETE refusing inferiors deletes nothing while they exist, then returns the deleted id",
        arguments: TestDatabases.dialects)
    func deleteRefusingInferiors(dialect: Database.Dialect) async throws {
        try await StoreFixture.with(dialect) { f in
            let alice = try await f.account("alice@example.org")
            let created = try await f.store.createMailboxTree(accountID: alice.id, name: "w/x")
            await #expect(throws: StoreError.hasInferiors("w")) {
                try await f.store.deleteMailbox(accountID: alice.id, name: "w", refusingInferiors: true)
            }
            #expect(try await f.store.mailbox(accountID: alice.id, name: "w") != nil)
            #expect(try await f.store.deleteMailbox(accountID: alice.id, name: "w/x", refusingInferiors: true) == created[1].id)
            #expect(try await f.store.deleteMailbox(accountID: alice.id, name: "w", refusingInferiors: true) == created[0].id)
            await #expect(throws: StoreError.noSuchMailbox("w")) {
                try await f.store.deleteMailbox(accountID: alice.id, name: "w", refusingInferiors: true)
            }
        }
    }
}
