import Core
import Directory
import Foundation
import PostaTestSupport
import Testing

@testable import Store

/// Two cluster nodes on one PostgreSQL database, each with its own store and notifier. The wake-ups are
/// measured against 100 ms bounds, so `.ci/run` runs this suite alone (its name ends in `LatencyTests`).
@Suite("Mailbox change notifications across nodes (PostgreSQL LISTEN/NOTIFY)")
struct ClusterNotifierLatencyTests {
    @Test("an append on node B wakes a watcher on node A within 100 ms")
    func remoteAppendWakes() async throws {
        try await ClusterNodes.with { a, b, inbox in
            let watcher = try await a.listeningWatcher(inbox)
            try await b.store.append(accountID: inbox.accountID, mailbox: "INBOX", data: Array("hi\r\n".utf8))
            let committed = ContinuousClock.now
            let woke = try #require(await watcher.wait(count: 1))
            print("cross-node wake-up \(woke - committed) after node B's append returned")
            #expect(woke - committed < .milliseconds(100))
        }
    }

    @Test("a local change wakes local watchers once; other nodes once too")
    func localChangeOnce() async throws {
        try await ClusterNodes.with { a, b, inbox in
            let here = try await a.listeningWatcher(inbox)
            let there = try await b.listeningWatcher(inbox)
            try await a.store.append(accountID: inbox.accountID, mailbox: "INBOX", data: Array("hi\r\n".utf8))
            #expect(await here.wait(count: 1) != nil)
            #expect(await there.wait(count: 1) != nil)
            try await Task.sleep(for: .milliseconds(300))  // an echo of A's own NOTIFY would be here by now
            #expect(await here.count == 1)
            #expect(await there.count == 1)
        }
    }

    @Test("the listener reconnects after its connection is killed, wakes everyone once, and works again")
    func reconnects() async throws {
        try await ClusterNodes.with { a, b, inbox in
            let watcher = try await a.listeningWatcher(inbox)
            let killed = try await b.store.database.withConnection { db in
                try await db.raw(
                    """
                    SELECT pg_terminate_backend(pid) AS killed FROM pg_stat_activity
                    WHERE datname = current_database() AND query LIKE 'LISTEN %'
                    """
                ).all().count
            }
            #expect(killed == 2)  // node A's listener and node B's (started by the fixture)
            #expect(await watcher.wait(count: 1) != nil)  // the wake-up after reconnecting
            #expect(await a.listening())
            try await b.store.append(accountID: inbox.accountID, mailbox: "INBOX", data: Array("hi\r\n".utf8))
            let committed = ContinuousClock.now
            let woke = try #require(await watcher.wait(count: 2))
            #expect(woke - committed < .milliseconds(100))
        }
    }
}

/// One node: a store whose notifier is a `PostgresMailboxNotifier`.
struct ClusterNode: Sendable {
    let store: MailStore
    let notifier: PostgresMailboxNotifier

    init(database: Database, root: String, nodeID: String) {
        notifier = PostgresMailboxNotifier(database: database, nodeID: nodeID, logger: StoreFixture.logger)
        store = MailStore(
            database: database, root: root, nodeID: nodeID, notifier: notifier, logger: StoreFixture.logger)
    }

    /// Watches `mailbox` once `LISTEN` is in effect, counting from after the wake-up that starting
    /// it may cause.
    func listeningWatcher(_ mailbox: MailboxInfo) async throws -> Watcher {
        let watcher = Watcher(notifier.changes(mailboxID: mailbox.id))
        try #require(await listening())
        try await Task.sleep(for: .milliseconds(50))
        await watcher.settle()
        return watcher
    }

    /// Waits up to 5 s for `LISTEN`.
    func listening() async -> Bool {
        let deadline = ContinuousClock.now + .seconds(5)
        while !notifier.isListening && ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(5)) }
        return notifier.isListening
    }
}

/// Records when a change stream yields.
actor Watcher {
    private var times: [ContinuousClock.Instant] = []
    /// Wake-ups before this many are not counted.
    private var baseline = 0
    private var task: Task<Void, Never>?

    init(_ changes: AsyncStream<Void>) {
        task = nil
        Task { await self.start(changes) }
    }

    private func start(_ changes: AsyncStream<Void>) {
        task = Task { for await _ in changes { self.record() } }
    }

    private func record() { times.append(.now) }

    /// Wake-ups counted so far.
    var count: Int { times.count - baseline }

    /// Counts from zero again.
    func settle() { baseline = times.count }

    /// When the `count`th wake-up happened, waiting up to 2 s for it.
    func wait(count: Int) async -> ContinuousClock.Instant? {
        let deadline = ContinuousClock.now + .seconds(2)
        while self.count < count && ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(2)) }
        return self.count >= count ? times[baseline + count - 1] : nil
    }

    deinit { task?.cancel() }
}

enum ClusterNodes {
    /// Nodes "mx1" and "mx2" on one fresh database and mail root, and alice's INBOX.
    static func with(_ body: (ClusterNode, ClusterNode, MailboxInfo) async throws -> Void) async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        try await TwoNodes.with(.postgres) { first, second in
            try await first.migrate(DirectorySchema.migrations + StoreSchema.migrations)
            let directory = Directory(database: first)
            try await directory.addDomain("example.org")
            let a = ClusterNode(database: first, root: folder.path + "/mail", nodeID: "mx1")
            let b = ClusterNode(database: second, root: folder.path + "/mail", nodeID: "mx2")
            do {
                let account = try await directory.addAccount(
                    "alice@example.org", password: try StoredPassword("{PLAIN}secret-password"))
                try await a.store.provision(account: account)
                let inbox = try #require(try await a.store.mailbox(accountID: account.id, name: "INBOX"))
                _ = b.notifier.changes(mailboxID: -1)  // node B listens too
                try #require(await b.listening())
                try await body(a, b, inbox)
            } catch {
                await a.notifier.shutdown()
                await b.notifier.shutdown()
                throw error
            }
            await a.notifier.shutdown()
            await b.notifier.shutdown()
        }
    }
}
