import Core
import Foundation
import PostaTestSupport
import Testing

@testable import Store

@Suite("Store: appends ending together share one transaction")
struct GroupAppendTests {
    @Test(
        "40 concurrent deliveries to two accounts share batches, each with its own UID and file, all indexed",
        arguments: TestDatabases.dialects)
    func concurrentAppends(dialect: Database.Dialect) async throws {
        try await StoreFixture.with(dialect) { f in
            let alice = try await f.account("alice@example.org")
            let bob = try await f.account("bob@example.org")
            let results = try await withThrowingTaskGroup(of: (Int64, AppendResult).self) { group in
                for n in 0..<40 {
                    let account = n % 2 == 0 ? alice : bob
                    group.addTask {
                        let result = try await f.store.append(
                            accountID: account.id, mailbox: "INBOX", data: Array("Subject: \(n)\r\n\r\nbody \(n)\r\n".utf8),
                            deliveryKey: "q\(n)/\(account.id)")
                        return (account.id, result)
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(f.store.groupCommit.counts.works == 40)
            #expect(f.store.groupCommit.counts.batches < 40)
            for account in [alice, bob] {
                let mine = results.filter { $0.0 == account.id }.map(\.1)
                #expect(Set(mine.map(\.uid)) == Set(1...20))
                let inbox = try #require(try await f.store.mailbox(accountID: account.id, name: "INBOX"))
                let messages = try await f.store.messages(mailboxID: inbox.id)
                #expect(messages.count == 20)
                #expect(messages.allSatisfy { StoreFixture.exists($0.path) })
            }
        }
    }

    @Test(
        "of two appends that each fit the quota but not together, one fails alone; the others are stored",
        arguments: TestDatabases.dialects)
    func overQuotaFailsAlone(dialect: Database.Dialect) async throws {
        try await StoreFixture.with(dialect) { f in
            let alice = try await f.account("alice@example.org")
            let small = try await f.account("small@example.org", quota: 200)
            let outcomes = await withTaskGroup(of: (Int64, Bool).self) { group in
                for n in 0..<20 {
                    // Both pass the early check (nothing stored yet); the transaction refuses the second.
                    let account = n == 5 || n == 6 ? small : alice
                    group.addTask {
                        do {
                            _ = try await f.store.append(
                                accountID: account.id, mailbox: "INBOX",
                                data: Array("Subject: \(n)\r\n\r\n".utf8) + Array(repeating: UInt8(ascii: "x"), count: 130),
                                enforceQuota: true)
                            return (account.id, true)
                        } catch {
                            return (account.id, false)
                        }
                    }
                }
                return await group.reduce(into: []) { $0.append($1) }
            }
            #expect(outcomes.filter { !$0.1 }.map(\.0) == [small.id])
            let inbox = try #require(try await f.store.mailbox(accountID: alice.id, name: "INBOX"))
            #expect(try await f.store.messages(mailboxID: inbox.id).count == 18)
            let smallInbox = try #require(try await f.store.mailbox(accountID: small.id, name: "INBOX"))
            let stored = try await f.store.messages(mailboxID: smallInbox.id)
            #expect(stored.count == 1)
            // The refused message's file is gone: only the stored one is in the folder.
            let folder = URL(fileURLWithPath: stored[0].path).deletingLastPathComponent().path
            #expect(StoreFixture.entries(folder).count == 1)
        }
    }
}
