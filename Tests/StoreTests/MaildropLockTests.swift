import Core
import PostaTestSupport
import Testing

@testable import Store

/// POP3 maildrop locks (RFC 1939 §4) shared by two nodes through one database.
@Suite("Maildrop locks across nodes")
struct MaildropLockTests {
    static func nodes(_ db: Database, lease: Duration = .seconds(900)) -> (MaildropLocks, MaildropLocks) {
        (
            MaildropLocks(database: db, nodeID: "a", leaseDuration: lease, logger: StoreFixture.logger),
            MaildropLocks(database: db, nodeID: "b", leaseDuration: lease, logger: StoreFixture.logger)
        )
    }

    @Test("one holder at a time on any node; release and restart free the maildrop", arguments: TestDatabases.dialects)
    func exclusive(dialect: Database.Dialect) async throws {
        try await StoreFixture.with(dialect) { f in
            let (a, b) = Self.nodes(f.database)
            let held = try #require(try await a.acquire(accountID: 7))
            #expect(try await b.acquire(accountID: 7) == nil)
            #expect(try await a.acquire(accountID: 7) == nil)  // a second session on the same node too
            #expect(try await b.isHeld(accountID: 7))
            let other = try #require(try await b.acquire(accountID: 8))  // other accounts are independent
            await held.release()
            await held.release()  // idempotent
            let taken = try #require(try await b.acquire(accountID: 7))
            // Node b restarts: its rows go, whatever its leases were doing.
            try await b.releaseAll()
            #expect(try await a.isHeld(accountID: 7) == false)
            #expect(try await a.isHeld(accountID: 8) == false)
            let again = try #require(try await a.acquire(accountID: 7))
            _ = (other, taken, again)
        }
    }

    @Test("a lease dropped without release is freed in the background", arguments: TestDatabases.dialects)
    func dropped(dialect: Database.Dialect) async throws {
        try await StoreFixture.with(dialect) { f in
            let (a, b) = Self.nodes(f.database)
            var lease = try await a.acquire(accountID: 7)
            #expect(lease != nil)
            lease = nil
            var free = false
            for _ in 0..<100 where !free {
                free = try await b.acquire(accountID: 7) != nil
                if !free { try await Task.sleep(for: .milliseconds(20)) }
            }
            #expect(free)
        }
    }

    @Test("a dead node's lease expires; a live one is renewed", arguments: TestDatabases.dialects)
    func expiryAndRenewal(dialect: Database.Dialect) async throws {
        try await StoreFixture.with(dialect) { f in
            let (a, b) = Self.nodes(f.database, lease: .seconds(3))
            // A dead node: its row stays, nobody renews it.
            try await f.database.transaction { db in
                try await db.raw(
                    """
                    INSERT INTO maildrop_lock (account_id, token, node_id, expires_at)
                    VALUES (9, 'dead', 'c', \(bind: UnixTime.now() + 1))
                    """
                ).run()
            }
            #expect(try await a.acquire(accountID: 9) == nil)
            // A live lease renewed every second outlasts its 3 s.
            let live = try #require(try await a.acquire(accountID: 7))
            try await Task.sleep(for: .seconds(4.5))
            #expect(try await b.acquire(accountID: 7) == nil)
            #expect(try await b.acquire(accountID: 9) != nil)  // the dead node's expired
            await live.release()
        }
    }
}
