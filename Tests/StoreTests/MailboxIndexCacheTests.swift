import Core
import PostaTestSupport
import Testing

@testable import Store

@Suite("Store: the shared mailbox index (MailboxIndexCache)")
struct MailboxIndexCacheTests {
    private func deliver(_ store: MailStore, _ accountID: Int64, _ n: Int, flags: [String] = []) async throws -> Int64 {
        try await store.append(
            accountID: accountID, mailbox: "INBOX", data: Array("Subject: \(n)\r\n\r\nbody \(n)\r\n".utf8), flags: flags
        ).mailboxID
    }

    /// What a node with nothing cached reads.
    private func fresh(_ f: StoreFixture, _ mailboxID: Int64) async throws -> MailboxIndex? {
        let other = MailStore(database: f.database, root: f.root, nodeID: "fresh", logger: StoreFixture.logger)
        return try await other.states(mailboxID: mailboxID)?.index
    }

    @Test(
        "a cached index brought up to date equals a full read, after changes made on another node",
        arguments: TestDatabases.dialects)
    func upToDate(dialect: Database.Dialect) async throws {
        try await StoreFixture.with(dialect) { f in
            let alice = try await f.account("alice@example.org")
            var box: Int64 = 0
            for n in 1...6 { box = try await deliver(f.store, alice.id, n, flags: n == 1 ? ["\\Seen", "Work"] : []) }
            let first = try #require(try await f.store.states(mailboxID: box)).index
            #expect(first.uids == [1, 2, 3, 4, 5, 6] && first.firstUnseen == 2 && first.keywords == ["Work"])
            #expect(f.store.indexCache.usage == (1, 6))

            // Another node changes flags, expunges and delivers.
            let node2 = MailStore(database: f.database, root: f.root, nodeID: "node2", logger: StoreFixture.logger)
            try await node2.storeFlags(mailboxID: box, uids: [2, 3], operation: .add, flags: ["\\Seen", "work"])
            try await node2.storeFlags(mailboxID: box, uids: [1, 4], operation: .replace, flags: ["\\Deleted"])
            #expect(try await node2.expunge(mailboxID: box, uids: [1, 4], onlyDeleted: true) == [1, 4])
            _ = try await deliver(node2, alice.id, 7, flags: ["Later"])

            let (info, updated) = try #require(try await f.store.states(mailboxID: box))
            #expect(updated.uids == [2, 3, 5, 6, 7] && updated.highestModSeq == info.highestModSeq)
            #expect(updated.firstUnseen == 3 && Set(updated.keywords) == ["work", "Later"])
            let full = try #require(try await fresh(f, box))
            #expect(updated.messages == full.messages && updated.keywords.sorted() == full.keywords.sorted())
            #expect(updated.firstUnseen == full.firstUnseen)
            // The copy handed out before is unchanged (a value).
            #expect(first.uids == [1, 2, 3, 4, 5, 6])
        }
    }

    @Test("a deleted mailbox is forgotten; one re-created under its name is read afresh", arguments: TestDatabases.dialects)
    func recreated(dialect: Database.Dialect) async throws {
        try await StoreFixture.with(dialect) { f in
            let alice = try await f.account("alice@example.org")
            _ = try await f.store.createMailbox(accountID: alice.id, name: "Old")
            let old = try #require(try await f.store.mailbox(accountID: alice.id, name: "Old"))
            _ = try await f.store.append(accountID: alice.id, mailbox: "Old", data: Array("Subject: x\r\n\r\nx\r\n".utf8))
            #expect(try await f.store.states(mailboxID: old.id)?.index.count == 1)
            _ = try await f.store.deleteMailbox(accountID: alice.id, name: "Old")
            #expect(try await f.store.states(mailboxID: old.id) == nil)
            #expect(f.store.indexCache.usage.mailboxes == 0)
            _ = try await f.store.createMailbox(accountID: alice.id, name: "Old")
            let new = try #require(try await f.store.mailbox(accountID: alice.id, name: "Old"))
            #expect(try await f.store.states(mailboxID: new.id)?.index.count == 0)
        }
    }

    @Test("the cache holds at most its capacity of messages, dropping the least recently used mailbox")
    func capacity() {
        let cache = MailboxIndexCache(capacity: 5)
        func index(_ count: Int, modSeq: Int64 = 1) -> MailboxIndex {
            MailboxIndex(
                messages: (0..<count).map { MessageState(uid: UInt32($0 + 1), flags: [], modSeq: 1) }, highestModSeq: modSeq)
        }
        cache.keep(index(2), of: 1, uidValidity: 9)
        cache.keep(index(2), of: 2, uidValidity: 9)
        _ = cache.index(of: 1)
        cache.keep(index(2), of: 3, uidValidity: 9)
        #expect(cache.index(of: 2) == nil && cache.index(of: 1) != nil && cache.usage == (2, 4))
        cache.keep(index(6), of: 4, uidValidity: 9)
        #expect(cache.index(of: 4) == nil)
        // An older index of the same mailbox does not replace a newer one; another UIDVALIDITY does.
        cache.keep(index(1, modSeq: 5), of: 1, uidValidity: 9)
        cache.keep(index(2, modSeq: 3), of: 1, uidValidity: 9)
        #expect(cache.index(of: 1)?.index.count == 1)
        cache.keep(index(2, modSeq: 3), of: 1, uidValidity: 10)
        #expect(cache.index(of: 1)?.uidValidity == 10)
    }
}
