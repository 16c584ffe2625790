import Core
import Directory
import PostaTestSupport
import Testing

@testable import Store

@Suite("Store provisioning on SQLite and PostgreSQL")
struct ProvisioningTests {
    @Test("provision creates the maildir, INBOX and the special-use folders; idempotent", arguments: TestDatabases.dialects)
    func provision(dialect: Database.Dialect) async throws {
        try await StoreFixture.with(dialect) { f in
            let alice = try await f.account("Alice@Example.org")
            let base = f.root + "/example.org/alice"
            #expect(StoreFixture.entries(base) == [".Archive", ".Drafts", ".Junk", ".Sent", ".Trash", "cur", "new", "tmp"])
            for folder in [".Sent", ".Drafts", ".Junk", ".Trash", ".Archive"] {
                #expect(StoreFixture.entries(base + "/" + folder) == ["cur", "maildirfolder", "new", "tmp"])
            }
            let boxes = try await f.store.mailboxes(accountID: alice.id)
            #expect(boxes.map(\.name) == ["INBOX", "Archive", "Drafts", "Junk", "Sent", "Trash"])
            #expect(boxes.map(\.specialUse) == [nil, .archive, .drafts, .junk, .sent, .trash])
            #expect(
                boxes.allSatisfy { $0.uidValidity != 0 && $0.uidNext == 1 && $0.highestModSeq >= 1 && $0.accountID == alice.id })
            #expect(boxes.allSatisfy { $0.messageCount == 0 && $0.unseenCount == 0 && $0.subscribed })
            #expect(Set(boxes.map(\.uidValidity)).count == 6)

            try await f.store.provision(account: alice)
            #expect(try await f.store.mailboxes(accountID: alice.id) == boxes)
            #expect(try await f.store.usage(accountID: alice.id) == 0)

            let inbox = try #require(try await f.store.mailbox(accountID: alice.id, name: "inBoX"))
            #expect(inbox == boxes[0])
            #expect(try await f.store.mailbox(accountID: alice.id, name: "sent") == nil)
            #expect(try await f.store.mailbox(accountID: alice.id, name: "Nope") == nil)
            await #expect(throws: StoreError.notProvisioned(9999)) { try await f.store.usage(accountID: 9999) }
        }
    }

    @Test("re-provisioning restores deleted defaults but not a renamed special-use mailbox", arguments: TestDatabases.dialects)
    func reprovision(dialect: Database.Dialect) async throws {
        try await StoreFixture.with(dialect) { f in
            let bob = try await f.account("bob@example.org")
            let before = try await f.store.mailboxes(accountID: bob.id)
            let trash = try #require(before.first { $0.name == "Trash" })
            try await f.database.withConnection { db in
                try await db.raw("DELETE FROM mailbox WHERE id = \(bind: trash.id)").run()
                try await db.raw("UPDATE mailbox SET name = 'Sent Items' WHERE account_id = \(bind: bob.id) AND name = 'Sent'")
                    .run()
            }
            try await f.store.provision(account: bob)
            let after = try await f.store.mailboxes(accountID: bob.id)
            #expect(after.map(\.name) == ["INBOX", "Archive", "Drafts", "Junk", "Sent Items", "Trash"])
            let newTrash = try #require(after.first { $0.name == "Trash" })
            #expect(newTrash.id != trash.id && newTrash.specialUse == .trash)
            #expect(newTrash.uidValidity > before.map(\.uidValidity).max()!)
        }
    }

    @Test(
        "createMailbox: readable and numbered folders, unique UIDVALIDITY, duplicates refused", arguments: TestDatabases.dialects)
    func createMailbox(dialect: Database.Dialect) async throws {
        try await StoreFixture.with(dialect) { f in
            let carol = try await f.account("carol@example.org")
            let base = f.root + "/example.org/carol"
            let work = try await f.store.createMailbox(accountID: carol.id, name: "Work")
            let nested = try await f.store.createMailbox(accountID: carol.id, name: "Work/Ünïcode ✓")
            let traversal = try await f.store.createMailbox(accountID: carol.id, name: "../../etc")
            #expect(StoreFixture.exists(base + "/.Work/maildirfolder"))
            #expect(StoreFixture.exists(base + "/.~\(nested.uidValidity)/cur"))
            #expect(StoreFixture.exists(base + "/.~\(traversal.uidValidity)/new"))
            #expect(Set([work.uidValidity, nested.uidValidity, traversal.uidValidity]).count == 3)
            await #expect(throws: StoreError.mailboxExists("Work")) {
                try await f.store.createMailbox(accountID: carol.id, name: "Work")
            }
            await #expect(throws: StoreError.mailboxExists("INBOX")) {
                try await f.store.createMailbox(accountID: carol.id, name: "inbox")
            }
            await #expect(throws: StoreError.invalidMailboxName("a\u{1}b")) {
                try await f.store.createMailbox(accountID: carol.id, name: "a\u{1}b")
            }
            await #expect(throws: StoreError.notProvisioned(424242)) {
                try await f.store.createMailbox(accountID: 424242, name: "X")
            }
            // A mailbox whose readable folder is taken (case-insensitively) gets a numbered one.
            let other = try await f.store.createMailbox(accountID: carol.id, name: "work")
            #expect(StoreFixture.exists(base + "/.~\(other.uidValidity)/tmp"))
            let appended = try await f.store.append(accountID: carol.id, mailbox: "Work/Ünïcode ✓", data: Array("x\r\n".utf8))
            let message = try #require(try await f.store.messages(mailboxID: appended.mailboxID).first)
            #expect(message.path.hasPrefix(base + "/.~\(nested.uidValidity)/new/"))
        }
    }
}
