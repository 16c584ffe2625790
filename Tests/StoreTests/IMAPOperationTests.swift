import Core
import Directory
import Foundation
import PostaTestSupport
import Testing

@testable import Store

/// The store operations IMAP sessions use: flags with modseq, changes since a modseq, copy and
/// move, mailbox deletion, renaming and subscription.
@Suite("Store operations for IMAP on SQLite and PostgreSQL")
struct IMAPOperationTests {
    private func fill(_ f: StoreFixture, _ accountID: Int64, count: Int, mailbox: String = "INBOX") async throws -> [AppendResult]
    {
        var results: [AppendResult] = []
        for i in 1...count {
            results.append(
                try await f.store.append(
                    accountID: accountID, mailbox: mailbox, data: Array("Subject: \(i)\r\n\r\nbody \(i)\r\n".utf8)))
        }
        return results
    }

    @Test("STORE modes, one new modseq per change, UNCHANGEDSINCE refuses newer messages", arguments: TestDatabases.dialects)
    func flags(dialect: Database.Dialect) async throws {
        try await StoreFixture.with(dialect) { f in
            let alice = try await f.account("alice@example.org")
            let box = try await fill(f, alice.id, count: 3)[0].mailboxID
            let start = try #require(try await f.store.mailbox(id: box)).highestModSeq

            let added = try await f.store.storeFlags(
                mailboxID: box, uids: [1, 2, 9], operation: .add, flags: ["\\seen", "$Label"])
            #expect(added.changed == [1, 2] && added.modified.isEmpty)
            #expect(added.messages.map(\.uid) == [1, 2])
            #expect(added.messages.allSatisfy { $0.flags == ["\\Seen", "$Label"] && $0.modSeq == start + 1 })

            // No actual change: no new modseq.
            let same = try await f.store.storeFlags(mailboxID: box, uids: [1], operation: .add, flags: ["\\Seen"])
            #expect(same.changed.isEmpty && same.messages[0].modSeq == start + 1)
            #expect(try #require(try await f.store.mailbox(id: box)).highestModSeq == start + 1)

            let removed = try await f.store.storeFlags(mailboxID: box, uids: [1], operation: .remove, flags: ["$label"])
            #expect(removed.messages == [MessageState(uid: 1, flags: ["\\Seen"], modSeq: start + 2)])
            let replaced = try await f.store.storeFlags(
                mailboxID: box, uids: [3], operation: .replace, flags: ["\\Flagged", "\\Recent"])
            #expect(replaced.messages == [MessageState(uid: 3, flags: ["\\Flagged"], modSeq: start + 3)])

            // RFC 7162 §3.1.3: message 1 changed after start + 1, message 2 did not.
            let conditional = try await f.store.storeFlags(
                mailboxID: box, uids: [1, 2], operation: .add, flags: ["\\Deleted"], unchangedSince: start + 1)
            #expect(conditional.modified == [1] && conditional.changed == [2])

            await #expect(throws: StoreError.invalidFlag("bad(flag")) {
                try await f.store.storeFlags(mailboxID: box, uids: [1], operation: .add, flags: ["bad(flag"])
            }
        }
    }

    @Test("changes since a modseq list new, re-flagged and expunged messages", arguments: TestDatabases.dialects)
    func changes(dialect: Database.Dialect) async throws {
        try await StoreFixture.with(dialect) { f in
            let alice = try await f.account("alice@example.org")
            let box = try await fill(f, alice.id, count: 4)[0].mailboxID
            let (info, states) = try #require(try await f.store.states(mailboxID: box))
            #expect(states.uids == [1, 2, 3, 4] && info.uidNext == 5)
            let mark = info.highestModSeq

            #expect(
                try await f.store.changes(mailboxID: box, since: mark)
                    == MailboxChanges(highestModSeq: mark, uidNext: 5, changed: [], expunged: []))
            try await f.store.storeFlags(mailboxID: box, uids: [2], operation: .add, flags: ["\\Deleted"])
            try await f.store.storeFlags(mailboxID: box, uids: [4], operation: .add, flags: ["\\Deleted"])
            #expect(try await f.store.expunge(mailboxID: box, uids: [2, 3, 4], onlyDeleted: true) == [2, 4])
            _ = try await fill(f, alice.id, count: 1)

            let changes = try #require(try await f.store.changes(mailboxID: box, since: mark))
            #expect(changes.expunged == [2, 4])
            #expect(changes.changed.map(\.uid) == [5])
            #expect(changes.uidNext == 6 && changes.highestModSeq > mark)
            #expect(try await f.store.changes(mailboxID: box, since: changes.highestModSeq)?.changed == [])
            #expect(try await f.store.changes(mailboxID: 987_654, since: 0) == nil)
        }
    }

    @Test(
        "COPY links files, keeps flags and dates, allocates UIDs and counts quota; MOVE is atomic",
        arguments: TestDatabases.dialects)
    func copyAndMove(dialect: Database.Dialect) async throws {
        try await StoreFixture.with(dialect) { f in
            let alice = try await f.account("alice@example.org")
            let appended = try await fill(f, alice.id, count: 3)
            let inbox = appended[0].mailboxID
            try await f.store.storeFlags(mailboxID: inbox, uids: [2], operation: .add, flags: ["\\Flagged"])
            let archive = try #require(try await f.store.mailbox(accountID: alice.id, name: "Archive"))

            let copied = try await f.store.copy(mailboxID: inbox, uids: [3, 2, 77], to: "Archive")
            #expect(copied.sourceUIDs == [2, 3] && copied.destinationUIDs == [1, 2])
            #expect(copied.uidValidity == archive.uidValidity && copied.destinationID == archive.id)
            let originals = try await f.store.messages(mailboxID: inbox)
            let copies = try await f.store.messages(mailboxID: archive.id)
            #expect(copies.map(\.flags) == [["\\Flagged"], []])
            #expect(copies.map(\.internalDate) == originals[1...].map(\.internalDate))
            #expect(try StoreFixture.read(copies[0].path) == StoreFixture.read(originals[1].path))
            let total = appended.reduce(Int64(0)) { $0 + $1.size }
            #expect(try await f.store.storageUsage(accountID: alice.id).usedBytes == total + appended[1].size + appended[2].size)

            let mark = try #require(try await f.store.mailbox(id: inbox)).highestModSeq
            let moved = try await f.store.copy(mailboxID: inbox, uids: [1, 2], to: "Archive", move: true)
            #expect(moved.sourceUIDs == [1, 2] && moved.destinationUIDs == [3, 4])
            #expect(try await f.store.messages(mailboxID: inbox).map(\.uid) == [3])
            #expect(!StoreFixture.exists(originals[0].path) && !StoreFixture.exists(originals[1].path))
            #expect(try await f.store.changes(mailboxID: inbox, since: mark)?.expunged == [1, 2])
            let usage = try await f.store.storageUsage(accountID: alice.id)
            #expect(usage.messageCount == 5 && usage.usedBytes == total + appended[1].size + appended[2].size)

            await #expect(throws: StoreError.noSuchMailbox("Nope")) {
                try await f.store.copy(mailboxID: inbox, uids: [3], to: "Nope")
            }
        }
    }

    @Test("COPY past the quota is refused and leaves no file behind", arguments: TestDatabases.dialects)
    func copyQuota(dialect: Database.Dialect) async throws {
        try await StoreFixture.with(dialect) { f in
            let alice = try await f.account("alice@example.org", quota: 60)
            let appended = try await fill(f, alice.id, count: 2)
            await #expect(throws: StoreError.self) {
                try await f.store.copy(mailboxID: appended[0].mailboxID, uids: [1, 2], to: "Trash")
            }
            let trash = try #require(try await f.store.mailbox(accountID: alice.id, name: "Trash"))
            #expect(trash.messageCount == 0)
            let folder = f.root + "/example.org/alice/.Trash/cur"
            #expect(StoreFixture.entries(folder).isEmpty)
        }
    }

    @Test("mailboxes are deleted with their files, renamed with their inferiors, subscribed", arguments: TestDatabases.dialects)
    func mailboxes(dialect: Database.Dialect) async throws {
        try await StoreFixture.with(dialect) { f in
            let alice = try await f.account("alice@example.org")
            try await f.store.createMailbox(accountID: alice.id, name: "Work")
            try await f.store.createMailbox(accountID: alice.id, name: "Work/2026")
            let stored = try await fill(f, alice.id, count: 2, mailbox: "Work/2026")
            let path = try #require(try await f.store.messages(mailboxID: stored[0].mailboxID).first).path

            try await f.store.renameMailbox(accountID: alice.id, from: "Work", to: "Jobs")
            let names = try await f.store.mailboxes(accountID: alice.id).map(\.name)
            #expect(names.contains("Jobs") && names.contains("Jobs/2026") && !names.contains("Work"))
            await #expect(throws: StoreError.mailboxExists("Sent")) {
                try await f.store.renameMailbox(accountID: alice.id, from: "Jobs", to: "Sent")
            }
            await #expect(throws: StoreError.invalidMailboxName("Jobs/x")) {
                try await f.store.renameMailbox(accountID: alice.id, from: "Jobs", to: "Jobs/x")
            }

            try await f.store.setSubscribed(accountID: alice.id, name: "Jobs", false)
            #expect(try await f.store.mailbox(accountID: alice.id, name: "Jobs")?.subscribed == false)

            try await f.store.deleteMailbox(accountID: alice.id, name: "Jobs/2026")
            #expect(try await f.store.mailbox(accountID: alice.id, name: "Jobs/2026") == nil)
            #expect(!StoreFixture.exists(path))
            #expect(try await f.store.storageUsage(accountID: alice.id).messageCount == 0)
            await #expect(throws: StoreError.invalidMailboxName("INBOX")) {
                try await f.store.deleteMailbox(accountID: alice.id, name: "inbox")
            }
        }
    }
}
