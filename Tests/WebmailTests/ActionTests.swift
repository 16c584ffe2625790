import Core
import PostaTestSupport
import Testing

@testable import Webmail

@Suite("Webmail actions and folders")
struct ActionTests {
    @Test("delete moves to Trash and from Trash removes; move, flags; watchers hear of it", arguments: TestDatabases.dialects)
    func actions(dialect: Database.Dialect) async throws {
        try await WebmailFixture.with(dialect) { f in
            let one = try await f.deliver(WebmailFixture.message(subject: "one"))
            let two = try await f.deliver(WebmailFixture.message(subject: "two"))
            let three = try await f.deliver(WebmailFixture.message(subject: "three"))
            let inbox = try await f.store.mailbox(accountID: f.ann.id, name: "INBOX")!
            // An IMAP IDLE session's view: the store's notifier.
            var idle = f.store.notifier.changes(mailboxID: inbox.id).makeAsyncIterator()

            #expect(try await f.webmail.apply(.flag, f.ann, folder: "INBOX", uids: [one, two]) == 2)
            #expect(try await f.webmail.apply(.markRead, f.ann, folder: "INBOX", uids: [one]) == 1)
            let woke: Void? = await idle.next()
            #expect(woke != nil)
            var query = MessageListQuery(folder: "INBOX")
            query.flaggedOnly = true
            #expect(Set(try await f.webmail.list(f.ann, query).items.map(\.uid)) == [one, two])

            try await f.webmail.createFolder(f.ann, name: "Projects/2026")
            #expect(try await f.webmail.move(f.ann, folder: "INBOX", uids: [two], to: "Projects/2026") == 1)
            #expect(try await f.webmail.apply(.delete, f.ann, folder: "INBOX", uids: [three]) == 1)
            let remaining = try await f.webmail.list(f.ann, MessageListQuery(folder: "INBOX")).items.map(\.subject)
            #expect(remaining == ["one"])
            let trash = try await f.webmail.list(f.ann, MessageListQuery(folder: "Trash")).items
            #expect(trash.map(\.subject) == ["three"])
            #expect(try await f.webmail.apply(.delete, f.ann, folder: "Trash", uids: trash.map(\.uid)) == 1)
            #expect(try await f.webmail.list(f.ann, MessageListQuery(folder: "Trash")).total == 0)
            let moved = try await f.webmail.list(f.ann, MessageListQuery(folder: "Projects/2026")).items
            #expect(moved.map(\.subject) == ["two"])
            #expect(moved.first?.isFlagged == true)

            await #expect(throws: WebmailError.invalid("Select at least one message.")) {
                try await f.webmail.apply(.delete, f.ann, folder: "INBOX", uids: [])
            }
            await #expect(throws: WebmailError.self) {
                try await f.webmail.apply(.flag, f.ann, folder: "INBOX", uids: Array(1...1001))
            }
        }
    }

    @Test("folders: listed in order with counts; create, rename, delete; system folders kept", arguments: TestDatabases.dialects)
    func folders(dialect: Database.Dialect) async throws {
        try await WebmailFixture.with(dialect) { f in
            try await f.deliver(WebmailFixture.message(subject: "unread"))
            try await f.webmail.createFolder(f.ann, name: "Zeta")
            try await f.webmail.createFolder(f.ann, name: "alpha/beta")
            let names = try await f.webmail.folders(f.ann).map(\.name)
            #expect(names == ["INBOX", "Drafts", "Sent", "Archive", "Junk", "Trash", "alpha", "alpha/beta", "Zeta"])
            let inbox = try await f.webmail.folders(f.ann).first!
            #expect(inbox.unseen == 1)
            #expect(inbox.total == 1)

            try await f.webmail.renameFolder(f.ann, from: "alpha", to: "Alpha2")
            #expect(try await f.webmail.folders(f.ann).map(\.name).contains("Alpha2/beta"))
            await #expect(throws: WebmailError.self) { try await f.webmail.deleteFolder(f.ann, name: "Alpha2") }
            try await f.webmail.deleteFolder(f.ann, name: "Alpha2/beta")
            try await f.webmail.deleteFolder(f.ann, name: "Alpha2")
            for system in ["INBOX", "Trash", "Sent"] {
                await #expect(throws: WebmailError.self) { try await f.webmail.deleteFolder(f.ann, name: system) }
                await #expect(throws: WebmailError.self) { try await f.webmail.renameFolder(f.ann, from: system, to: "X") }
            }
            for bad in ["", "a//b", "a/", ".hidden", "x\u{1}y", "inbox", "a*b", String(repeating: "n", count: 201)] {
                await #expect(throws: WebmailError.self) { try await f.webmail.createFolder(f.ann, name: bad) }
            }
            await #expect(throws: WebmailError.invalid("A folder \"Zeta\" exists already.")) {
                try await f.webmail.createFolder(f.ann, name: "Zeta")
            }
        }
    }

    @Test("the change stream wakes on a delivery to any folder", arguments: [Database.Dialect.sqlite])
    func changeStream(dialect: Database.Dialect) async throws {
        try await WebmailFixture.with(dialect) { f in
            let stream = try await f.webmail.changes(f.ann)
            var iterator = stream.makeAsyncIterator()
            try await f.deliver(WebmailFixture.message(subject: "new"), to: "Archive")
            let woke: Void? = await iterator.next()
            #expect(woke != nil)
        }
    }
}
