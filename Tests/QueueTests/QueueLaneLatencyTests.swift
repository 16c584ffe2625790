import Core
import Foundation
import NIOConcurrencyHelpers
import PostaTestSupport
import SQLKit
import Testing

@testable import Queue

/// A transport whose deliveries to `slowDomain` hang (like a tarpitting MX) until `open()`.
final class TarpitTransport: RemoteTransport, Sendable {
    let slowDomain: String
    private struct State {
        var open = false
        var waiters: [CheckedContinuation<Void, Never>] = []
        var inFlight: [String: Int] = [:]
        var maxInFlight: [String: Int] = [:]
        var delivered: [String] = []
    }
    private let state = NIOLockedValueBox(State())

    init(slowDomain: String) { self.slowDomain = slowDomain }

    var delivered: [String] { state.withLockedValue { $0.delivered } }
    func inFlight(_ domain: String) -> Int { state.withLockedValue { $0.inFlight[domain, default: 0] } }
    func maxInFlight(_ domain: String) -> Int { state.withLockedValue { $0.maxInFlight[domain, default: 0] } }

    func open() {
        let waiters = state.withLockedValue { s in
            s.open = true
            defer { s.waiters = [] }
            return s.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    func deliver(_ message: OutboundMessage, domain: String, targets: [OutboundTarget]) async -> [Int64: DeliveryOutcome] {
        state.withLockedValue { s in
            s.inFlight[domain, default: 0] += 1
            s.maxInFlight[domain] = max(s.maxInFlight[domain, default: 0], s.inFlight[domain, default: 0])
        }
        if domain == slowDomain {
            await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                let now = state.withLockedValue { s in
                    if !s.open { s.waiters.append(c) }
                    return s.open
                }
                if now { c.resume() }
            }
        }
        state.withLockedValue { s in
            s.inFlight[domain, default: 1] -= 1
            s.delivered += targets.map(\.address)
        }
        return Dictionary(uniqueKeysWithValues: targets.map { ($0.rowID, DeliveryOutcome.delivered) })
    }
}

/// Wall-clock bounds here are generous blow-up limits (a stuck lane waits forever, not 20 s).
@Suite("Queue lanes: a tarpitting destination delays neither local delivery nor other destinations")
struct QueueLaneLatencyTests {
    static func remote(_ f: QueueDeliveryTests.Fixture, to address: String) async throws {
        let (id, file) = try f.queue.openSpoolFile()
        try file.write(Array("Subject: out\r\n\r\nx\r\n".utf8))
        try await f.queue.commit(
            id: id, file: file,
            envelope: QueuedEnvelope(reversePath: try MailAddress(parsing: "s@example.org"), clientIP: "192.0.2.1", helo: "c"),
            deliveries: [QueuedDelivery(recipient: address, kind: .remote, accountID: nil, target: address)])
    }

    static func eventually(_ seconds: Double = 20, _ condition: () async throws -> Bool) async throws -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(20))
        }
        return try await condition()
    }

    /// Runs `runner` in the background around `body`; opens the tarpit and stops the runner after.
    static func running(_ runner: QueueRunner, _ tarpit: TarpitTransport, _ body: () async throws -> Void) async throws {
        try await runner.recover()  // first: it clears spool/tmp, where the test writes
        let task = Task { await runner.deliver() }
        defer {
            tarpit.open()
            task.cancel()
        }
        try await body()
        tarpit.open()
        task.cancel()
        await task.value
    }

    @Test("local mail and another domain are delivered while a remote delivery hangs", arguments: TestDatabases.dialects)
    func localAndOthersPass(dialect: Database.Dialect) async throws {
        try await QueueDeliveryTests.with(dialect) { f in
            let alice = try await f.account("alice@example.org")
            let tarpit = TarpitTransport(slowDomain: "tarpit.example")
            let runner = QueueRunner(
                queue: f.queue, store: f.store, remote: tarpit, pollInterval: .milliseconds(200), logger: f.logger)
            try await Self.running(runner, tarpit) {
                try await Self.remote(f, to: "x@tarpit.example")
                #expect(try await Self.eventually { tarpit.inFlight("tarpit.example") == 1 })
                try await f.enqueue("Subject: local\r\n\r\nx\r\n", to: [alice])
                try await Self.remote(f, to: "y@fast.example")
                let inbox = try #require(try await f.store.mailbox(accountID: alice.id, name: "INBOX"))
                #expect(try await Self.eventually { try await f.store.messages(mailboxID: inbox.id).count == 1 })
                #expect(try await Self.eventually { tarpit.delivered == ["y@fast.example"] })
                #expect(try await Self.eventually { try await f.queue.size() == (1, 1) })  // only the tarpitted one is left
            }
        }
    }

    @Test(
        "a hanging destination holds at most its per-destination slots; its waiting mail is not leased",
        arguments: TestDatabases.dialects)
    func perDestination(dialect: Database.Dialect) async throws {
        try await QueueDeliveryTests.with(dialect) { f in
            let tarpit = TarpitTransport(slowDomain: "tarpit.example")
            let runner = QueueRunner(
                queue: f.queue, store: f.store, remote: tarpit, outboundLimits: OutboundLimits(total: 4, perDestination: 2),
                pollInterval: .milliseconds(200), logger: f.logger)
            try await Self.running(runner, tarpit) {
                for n in 0..<6 { try await Self.remote(f, to: "u\(n)@Tarpit.Example") }
                #expect(try await Self.eventually { tarpit.inFlight("tarpit.example") == 2 })
                for n in 0..<3 { try await Self.remote(f, to: "v\(n)@fast.example") }
                #expect(try await Self.eventually { tarpit.delivered.count == 3 })
                #expect(tarpit.maxInFlight("tarpit.example") == 2)
                // The fast ones are recorded (released) just after they were sent.
                #expect(
                    try await Self.eventually {
                        try await f.queue.database.withConnection { db in
                            try await db.raw("SELECT COUNT(*) AS n FROM queue_recipient WHERE locked_by IS NOT NULL")
                                .first(decodingColumn: "n", as: Int64.self)
                        } == 2
                    })
                #expect(try await f.queue.size() == (6, 6))
            }
            #expect(tarpit.maxInFlight("tarpit.example") == 2)
        }
    }

    @Test(
        "a claim leaves out the given domains of remote deliveries (any case), not local ones", arguments: TestDatabases.dialects)
    func exclusion(dialect: Database.Dialect) async throws {
        try await QueueDeliveryTests.with(dialect) { f in
            let alice = try await f.account("alice@example.org")
            for address in ["a@busy.example", "b@BUSY.example", "c@notbusy.example", "d@sub.busy.example"] {
                try await Self.remote(f, to: address)
            }
            try await f.enqueue("Subject: local\r\n\r\nx\r\n", to: [alice])
            let runner = QueueRunner(queue: f.queue, store: f.store, remote: TarpitTransport(slowDomain: "-"), logger: f.logger)
            let claims = try await runner.claim(limit: 10, excludingDomains: ["busy.example"])
            #expect(Set(claims.map(\.target)) == ["c@notbusy.example", "d@sub.busy.example", "alice@example.org"])
        }
    }

    @Test("a delivery that outlasts the lease is renewed: another node never takes it over", arguments: [Database.Dialect.sqlite])
    func leaseRenewal(dialect: Database.Dialect) async throws {
        try await QueueDeliveryTests.with(dialect) { f in
            let tarpit = TarpitTransport(slowDomain: "tarpit.example")
            let runner = QueueRunner(
                queue: f.queue, store: f.store, remote: tarpit, pollInterval: .milliseconds(200), lease: 3, logger: f.logger)
            let other = TarpitTransport(slowDomain: "-")
            let node2 = QueueRunner(
                queue: MailQueue(
                    database: f.queue.database, spoolDirectory: f.queue.spoolDirectory, nodeID: "n2", logger: f.logger),
                store: f.store, remote: other, lease: 3, logger: f.logger)
            try await Self.running(runner, tarpit) {
                try await Self.remote(f, to: "x@tarpit.example")
                #expect(try await Self.eventually { tarpit.inFlight("tarpit.example") == 1 })
                let end = Date().addingTimeInterval(7)  // more than twice the lease
                while Date() < end {
                    #expect(try await node2.runOnce() == 0)
                    try await Task.sleep(for: .milliseconds(250))
                }
                #expect(other.delivered.isEmpty)
            }
        }
    }
}
