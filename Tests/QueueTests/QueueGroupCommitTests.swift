import Core
import Foundation
import MIME
import PostaTestSupport
import SQLKit
import Testing

@testable import Queue

@Suite("Queue: group commit of concurrent messages")
struct QueueGroupCommitTests {
    struct Refused: Error {}

    @Sendable static func refuse(_ db: any SQLDatabase) async throws { throw Refused() }

    @Test(
        "50 concurrent commits share batches; each returns its own rows, all durable and queued",
        arguments: TestDatabases.dialects)
    func concurrentCommitsShareBatches(dialect: Database.Dialect) async throws {
        try await QueueDeliveryTests.with(dialect) { f in
            let alice = try await f.account("alice@example.org")
            let bob = try await f.account("bob@example.org")
            let results = try await withThrowingTaskGroup(of: (String, [Int64]).self) { group in
                for n in 0..<50 {
                    group.addTask {
                        try await f.enqueue("Subject: \(n)\r\n\r\nbody\r\n", to: n % 2 == 0 ? [alice] : [alice, bob])
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(results.count == 50)
            #expect(try await f.queue.size() == (50, 75))
            let counts = f.queue.groupCommit.counts
            #expect(counts.works == 50)
            // Fifty at once cannot all have gone alone: batches formed by themselves.
            #expect(counts.batches < 50)
            // Each caller got the ids of its own message's rows.
            for (id, rows) in results {
                let stored = try await f.queue.database.withConnection { db in
                    try await db.select().column("id").from("queue_recipient").where("message_id", .equal, id).orderBy("id")
                        .all(decodingColumn: "id", as: Int64.self)
                }
                #expect(stored == rows)
                #expect(FileManager.default.fileExists(atPath: f.queue.spoolPath("msg/\(id)")))
            }
            #expect(try await f.runner().runOnce() == 75)
        }
    }

    @Test("a message whose transaction fails fails alone; the others of its batch are queued", arguments: TestDatabases.dialects)
    func oneFailureFailsOnlyItsCaller(dialect: Database.Dialect) async throws {
        try await QueueDeliveryTests.with(dialect) { f in
            let alice = try await f.account("alice@example.org")
            let outcomes = await withTaskGroup(of: (Int, String?, Bool).self) { group in
                for n in 0..<20 {
                    group.addTask {
                        do {
                            let (id, file) = try f.queue.openSpoolFile()
                            try file.write(Array("Subject: \(n)\r\n\r\nbody\r\n".utf8))
                            try await f.queue.commit(
                                id: id, file: file,
                                envelope: QueuedEnvelope(
                                    reversePath: try MailAddress(parsing: "s@remote.example"), clientIP: "192.0.2.1", helo: "c"),
                                deliveries: [
                                    QueuedDelivery(
                                        recipient: alice.address, kind: .local, accountID: alice.id, target: alice.address)
                                ],
                                alongside: n == 7 ? Self.refuse : nil)
                            return (n, id, true)
                        } catch {
                            return (n, nil, false)
                        }
                    }
                }
                return await group.reduce(into: []) { $0.append($1) }
            }
            #expect(outcomes.filter { !$0.2 }.map(\.0) == [7])
            #expect(try await f.queue.size() == (19, 19))
            // The refused message's spool file is gone with it: no later recovery delivers it.
            let files = try FileManager.default.contentsOfDirectory(atPath: f.queue.spoolPath("msg"))
            #expect(Set(files) == Set(outcomes.compactMap(\.1)))
        }
    }
}
