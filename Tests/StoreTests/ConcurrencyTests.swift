import Core
import Directory
import Foundation
import PostaTestSupport
import Testing

@testable import Store

@Suite("Store UID and modseq allocation under concurrency, SQLite and PostgreSQL")
struct ConcurrencyTests {
    /// Checks that UIDs are 1...count, modseqs strictly increase with UIDs, and the mailbox's
    /// counters match.
    static func checkMonotonic(_ store: MailStore, accountID: Int64, mailbox: String, count: Int) async throws {
        let box = try #require(try await store.mailbox(accountID: accountID, name: mailbox))
        let messages = try await store.messages(mailboxID: box.id)
        #expect(messages.map(\.uid) == (1...UInt32(count)).map { $0 })
        #expect(zip(messages, messages.dropFirst()).allSatisfy { $0.modSeq < $1.modSeq })
        #expect(Set(messages.map(\.path)).count == count)
        #expect(box.uidNext == UInt32(count) + 1 && box.highestModSeq == messages.last?.modSeq && box.messageCount == count)
        for message in messages { #expect(FileManager.default.fileExists(atPath: message.path)) }
    }

    @Test("60 concurrent appends get distinct ascending UIDs and increasing modseqs", arguments: TestDatabases.dialects)
    func concurrentAppends(dialect: Database.Dialect) async throws {
        try await StoreFixture.with(dialect) { f in
            let alice = try await f.account("alice@example.org")
            let store = f.store
            let results = try await withThrowingTaskGroup(of: AppendResult.self) { group in
                for i in 0..<60 {
                    group.addTask {
                        try await store.append(accountID: alice.id, mailbox: "INBOX", data: Array("message \(i)\r\n".utf8))
                    }
                }
                return try await group.reduce(into: [AppendResult]()) { $0.append($1) }
            }
            #expect(Set(results.map(\.uid)).count == 60)
            try await Self.checkMonotonic(store, accountID: alice.id, mailbox: "INBOX", count: 60)
            #expect(try await store.usage(accountID: alice.id) == results.reduce(0) { $0 + $1.size })
            #expect(try await store.storageUsage(accountID: alice.id).messageCount == 60)
        }
    }

    @Test("two stores (two nodes, two pools) on one database never share a UID", arguments: TestDatabases.dialects)
    func twoNodes(dialect: Database.Dialect) async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        try await TwoNodes.with(dialect) { db1, db2 in
            try await db1.migrate(DirectorySchema.migrations + StoreSchema.migrations)
            try await db2.migrate(DirectorySchema.migrations + StoreSchema.migrations)  // already applied: no-op
            let directory = Directory(database: db1)
            try await directory.addDomain("example.org")
            let account = try await directory.addAccount("alice@example.org", password: try StoredPassword("{PLAIN}x"))
            let root = folder.path + "/mail"
            let node1 = MailStore(database: db1, root: root, nodeID: "node1", logger: StoreFixture.logger)
            let node2 = MailStore(database: db2, root: root, nodeID: "node2", logger: StoreFixture.logger)
            // Both provision at once, as two nodes delivering the first message might.
            async let p1: Void = node1.provision(account: account)
            async let p2: Void = node2.provision(account: account)
            _ = try await (p1, p2)
            #expect(try await node1.mailboxes(accountID: account.id).count == 6)

            try await withThrowingTaskGroup(of: Void.self) { group in
                for i in 0..<60 {
                    let store = i % 2 == 0 ? node1 : node2
                    let mailbox = i % 3 == 0 ? "Archive" : "INBOX"
                    group.addTask {
                        try await store.append(accountID: account.id, mailbox: mailbox, data: Array("m\(i)\r\n".utf8))
                    }
                }
                try await group.waitForAll()
            }
            try await Self.checkMonotonic(node1, accountID: account.id, mailbox: "INBOX", count: 40)
            try await Self.checkMonotonic(node2, accountID: account.id, mailbox: "Archive", count: 20)
            let inbox = try #require(try await node2.mailbox(accountID: account.id, name: "INBOX"))
            let paths = try await node2.messages(mailboxID: inbox.id).map(\.path)
            #expect(paths.filter { $0.contains(".node1,") }.count > 0 && paths.filter { $0.contains(".node2,") }.count > 0)
            #expect(try await node2.usage(accountID: account.id) == (try await node1.usage(accountID: account.id)))
        }
    }
}
