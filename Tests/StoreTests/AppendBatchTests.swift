import Core
import PostaTestSupport
import Testing

@testable import Store

@Suite("Store: several messages appended in one transaction (MULTIAPPEND)")
struct AppendBatchTests {
    static func requests(_ count: Int, size: Int = 100) -> [AppendRequest] {
        (1...count).map { index in
            AppendRequest(
                data: Array("Subject: \(index)\r\n\r\n".utf8) + [UInt8](repeating: 0x61, count: size),
                flags: index == 1 ? ["\\Seen"] : [],
                internalDate: 1_700_000_000 + Int64(index))
        }
    }

    @Test("all are stored with consecutive UIDs, their flags and dates", arguments: TestDatabases.dialects)
    func all(dialect: Database.Dialect) async throws {
        try await StoreFixture.with(dialect) { f in
            let alice = try await f.account("alice@example.org")
            let results = try await f.store.append(accountID: alice.id, mailbox: "INBOX", messages: Self.requests(3))
            #expect(results.map(\.uid) == [1, 2, 3])
            let stored = try await f.store.messages(mailboxID: results[0].mailboxID)
            #expect(stored.map(\.uid) == [1, 2, 3])
            #expect(stored.map(\.flags) == [["\\Seen"], [], []])
            #expect(stored.map(\.internalDate) == [1_700_000_001, 1_700_000_002, 1_700_000_003])
        }
    }

    @Test("over quota together: none is stored and no file is left", arguments: TestDatabases.dialects)
    func none(dialect: Database.Dialect) async throws {
        try await StoreFixture.with(dialect) { f in
            let bob = try await f.account("bob@example.org", quota: 250)
            await #expect(throws: StoreError.self) {
                try await f.store.append(accountID: bob.id, mailbox: "INBOX", messages: Self.requests(3))
            }
            let inbox = try #require(try await f.store.mailbox(accountID: bob.id, name: "INBOX"))
            #expect(try await f.store.messages(mailboxID: inbox.id).isEmpty)
            let base = f.root + "/example.org/bob"
            #expect(StoreFixture.entries(base + "/new").isEmpty && StoreFixture.entries(base + "/cur").isEmpty)
            #expect(StoreFixture.entries(base + "/tmp").isEmpty)
            // Two of them fit.
            #expect(try await f.store.append(accountID: bob.id, mailbox: "INBOX", messages: Self.requests(2)).count == 2)
        }
    }
}
