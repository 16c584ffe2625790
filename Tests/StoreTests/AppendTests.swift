import Core
import Directory
import Foundation
import PostaTestSupport
import Testing

@testable import Store

@Suite("Store appends on SQLite and PostgreSQL")
struct AppendTests {
    static let body: [UInt8] = Array("Subject: hi\r\n\r\nHello \u{0}\u{FF} world\r\n".utf8) + [0x00, 0xFF, 0x80, 0x0D, 0x0A]

    @Test(
        "append from a spool file: prefix + source bytes in new/, synced name with ,S=, indexed",
        arguments: TestDatabases.dialects)
    func appendFile(dialect: Database.Dialect) async throws {
        try await StoreFixture.with(dialect, nodeID: "mx1/a:b") { f in
            let alice = try await f.account("alice@example.org")
            let spool = try TemporaryFolder()
            defer { spool.remove() }
            let source = try StoreFixture.file(Self.body, in: spool.path)
            let prefix = Array("Return-Path: <x@y.example>\r\nDelivered-To: alice@example.org\r\n".utf8)
            let before = try #require(try await f.store.mailbox(accountID: alice.id, name: "INBOX"))

            let result = try await f.store.append(
                accountID: alice.id, mailbox: "inbox", prefix: prefix, sourceFile: source, internalDate: 1_700_000_000)
            #expect(result.uid == 1 && result.uidValidity == before.uidValidity && result.mailboxID == before.id)
            #expect(result.size == Int64(prefix.count + Self.body.count) && result.modSeq > before.highestModSeq)

            let base = f.root + "/example.org/alice"
            #expect(StoreFixture.entries(base + "/tmp").isEmpty)
            let names = StoreFixture.entries(base + "/new")
            #expect(names.count == 1)
            let name = try #require(names.first)
            #expect(
                name.wholeMatch(of: /[0-9]+\.M[0-9]+P[0-9]+Q[0-9]+\.mx1\\057a\\072b,S=([0-9]+)/)?.output.1 == "\(result.size)")
            #expect(try StoreFixture.read(base + "/new/" + name) == prefix + Self.body)

            let messages = try await f.store.messages(mailboxID: result.mailboxID)
            #expect(
                messages == [
                    StoredMessage(
                        mailboxID: result.mailboxID, uid: 1, modSeq: result.modSeq, size: result.size,
                        internalDate: 1_700_000_000, flags: [], path: base + "/new/" + name)
                ])
            let after = try #require(try await f.store.mailbox(accountID: alice.id, name: "INBOX"))
            #expect(
                after.uidNext == 2 && after.highestModSeq == result.modSeq && after.messageCount == 1 && after.unseenCount == 1)
            #expect(try await f.store.usage(accountID: alice.id) == result.size)
            #expect(
                try await f.store.storageUsage(accountID: alice.id)
                    == StorageUsage(usedBytes: result.size, messageCount: 1, quotaBytes: 0))
        }
    }

    @Test("append with flags goes to cur/ with :2, info; flags canonical; bytes variant", arguments: TestDatabases.dialects)
    func appendFlags(dialect: Database.Dialect) async throws {
        try await StoreFixture.with(dialect) { f in
            let alice = try await f.account("alice@example.org")
            let data = Array("Subject: draft\r\n\r\nbody\r\n".utf8)
            let result = try await f.store.append(
                accountID: alice.id, mailbox: "Drafts", data: data,
                flags: ["\\draft", "$Work", "\\SEEN", "\\Recent", "$work", "\\Seen"])
            let drafts = f.root + "/example.org/alice/.Drafts"
            #expect(StoreFixture.entries(drafts + "/new").isEmpty)
            let name = try #require(StoreFixture.entries(drafts + "/cur").first)
            #expect(name.hasSuffix(",S=\(data.count):2,DS"))
            let message = try #require(try await f.store.messages(mailboxID: result.mailboxID).first)
            #expect(message.flags == ["\\Seen", "\\Draft", "$Work"])
            #expect(try StoreFixture.read(message.path) == data)
            #expect(message.internalDate >= UnixTime.now() - 60)
            let box = try #require(try await f.store.mailbox(accountID: alice.id, name: "Drafts"))
            #expect(box.messageCount == 1 && box.unseenCount == 0)

            await #expect(throws: StoreError.invalidFlag("bad flag")) {
                try await f.store.append(accountID: alice.id, mailbox: "INBOX", data: data, flags: ["bad flag"])
            }
            await #expect(throws: StoreError.noSuchMailbox("Nope")) {
                try await f.store.append(accountID: alice.id, mailbox: "Nope", data: data)
            }
            await #expect(throws: StoreError.notProvisioned(777)) {
                try await f.store.append(accountID: 777, mailbox: "INBOX", data: data)
            }
            // Nothing was written by the refused appends.
            #expect(StoreFixture.entries(f.root + "/example.org/alice/new").isEmpty)
            #expect(StoreFixture.entries(f.root + "/example.org/alice/tmp").isEmpty)
        }
    }

    @Test("a delivery key makes append idempotent, also when racing", arguments: TestDatabases.dialects)
    func idempotent(dialect: Database.Dialect) async throws {
        try await StoreFixture.with(dialect) { f in
            let alice = try await f.account("alice@example.org")
            let spool = try TemporaryFolder()
            defer { spool.remove() }
            let source = try StoreFixture.file(Self.body, in: spool.path)
            let first = try await f.store.append(
                accountID: alice.id, mailbox: "INBOX", prefix: [], sourceFile: source, deliveryKey: "Q1/\(alice.id)")
            let second = try await f.store.append(
                accountID: alice.id, mailbox: "INBOX", prefix: Array("X: y\r\n".utf8), sourceFile: source,
                deliveryKey: "Q1/\(alice.id)")
            #expect(first == second)
            #expect(StoreFixture.entries(f.root + "/example.org/alice/new").count == 1)

            let store = f.store
            let raced = try await withThrowingTaskGroup(of: AppendResult.self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        try await store.append(
                            accountID: alice.id, mailbox: "INBOX", prefix: [], sourceFile: source, deliveryKey: "Q2/\(alice.id)")
                    }
                }
                return try await group.reduce(into: Set<AppendResult>()) { $0.insert($1) }
            }
            #expect(raced.count == 1)
            #expect(try await f.store.messages(mailboxID: first.mailboxID).map(\.uid) == [1, 2])
            #expect(StoreFixture.entries(f.root + "/example.org/alice/new").count == 2)
            #expect(StoreFixture.entries(f.root + "/example.org/alice/tmp").isEmpty)
            #expect(try await f.store.usage(accountID: alice.id) == Int64(2 * Self.body.count))
        }
    }

    @Test(
        "quota: refused past the limit with nothing written; enforceQuota false stores anyway", arguments: TestDatabases.dialects)
    func quota(dialect: Database.Dialect) async throws {
        try await StoreFixture.with(dialect) { f in
            let alice = try await f.account("alice@example.org", quota: 100)
            let sixty = [UInt8](repeating: UInt8(ascii: "a"), count: 60)
            try await f.store.append(accountID: alice.id, mailbox: "INBOX", data: sixty)
            await #expect(throws: StoreError.overQuota(used: 60, quota: 100, adding: 60)) {
                try await f.store.append(accountID: alice.id, mailbox: "INBOX", data: sixty)
            }
            #expect(StoreFixture.entries(f.root + "/example.org/alice/new").count == 1)
            try await f.store.append(accountID: alice.id, mailbox: "INBOX", data: Array(sixty[0..<40]))
            #expect(try await f.store.usage(accountID: alice.id) == 100)
            try await f.store.append(accountID: alice.id, mailbox: "Sent", data: sixty, enforceQuota: false)
            #expect(try await f.store.usage(accountID: alice.id) == 160)

            // Concurrent appends never overshoot: the check runs again inside the transaction.
            let bob = try await f.account("bob@example.org", quota: 1000)
            let store = f.store
            let stored = await withTaskGroup(of: Bool.self) { group in
                for _ in 0..<20 {
                    group.addTask {
                        (try? await store.append(accountID: bob.id, mailbox: "INBOX", data: Array(sixty[0..<50]))) != nil
                    }
                }
                return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(stored == 20)
            await #expect(throws: StoreError.overQuota(used: 1000, quota: 1000, adding: 1)) {
                try await store.append(accountID: bob.id, mailbox: "INBOX", data: [1])
            }
            let carol = try await f.account("carol@example.org", quota: 1000)
            let carolStored = await withTaskGroup(of: Bool.self) { group in
                for _ in 0..<30 {
                    group.addTask { (try? await store.append(accountID: carol.id, mailbox: "INBOX", data: sixty)) != nil }
                }
                return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(carolStored == 16)
            #expect(try await f.store.usage(accountID: carol.id) == 960)
            #expect(StoreFixture.entries(f.root + "/example.org/carol/new").count == 16)
        }
    }
}
