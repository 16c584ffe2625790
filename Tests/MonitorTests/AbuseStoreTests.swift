import Core
import Directory
import Monitor
import PostaTestSupport
import Queue
import SQLKit
import Testing

@Suite struct AbuseStoreTests {
    func migrated(_ dialect: Database.Dialect, _ body: (Database) async throws -> Void) async throws {
        try await TestDatabases.with(dialect) { database in
            _ = try await database.migrate(LoginSchema.migrations + MonitorSchema.migrations + AbuseSchema.migrations)
            try await body(database)
        }
    }

    func send(_ store: AbuseStore, _ ip: String, at: Int64, to recipients: [String], node: String = "mx1") async throws {
        try await store.recordSend(
            accountID: 7, account: "Bob@Example.org", ip: ip, network: AbuseNetwork.key(ip), queueID: "q\(at)\(ip)",
            nodeID: node, recipients: recipients, at: at)
    }

    @Test(arguments: TestDatabases.dialects)
    func historyGathersEveryNodesRecords(_ dialect: Database.Dialect) async throws {
        try await migrated(dialect) { database in
            let store = AbuseStore(database: database)
            let log = LoginLog(database: database)
            let now: Int64 = 1_000_000
            // Read mail by IMAP from home a week ago; a submission login from elsewhere does not count as reading.
            try await log.record(
                LoginEvent(
                    accountID: 7, login: "bob@example.org", ip: "198.51.100.7", protocolName: "imap", success: true, reason: nil,
                    createdAt: now - 7 * 86400))
            try await log.record(
                LoginEvent(
                    accountID: 7, login: "bob@example.org", ip: "10.1.0.1", protocolName: "smtp", success: true, reason: nil,
                    createdAt: now - 100))
            // Failed logins before the success from 10.1.0.1's network.
            for n in 0..<3 {
                try await log.record(
                    LoginEvent(
                        accountID: 7, login: "bob@example.org", ip: "10.1.0.\(n + 2)", protocolName: "smtp", success: false,
                        reason: LoginFailure.wrongPassword.rawValue, createdAt: now - 200 + Int64(n)))
            }
            // Two hours ago, from home: the account's past.
            try await send(store, "198.51.100.7", at: now - 7200, to: ["friend@example.net"])
            try await send(store, "198.51.100.7", at: now - 7100, to: ["friend@example.net"])
            // In the window, from two nodes and three networks.
            try await send(store, "198.51.100.7", at: now - 60, to: ["friend@example.net", "New@example.com"])
            try await send(store, "10.1.0.1", at: now - 50, to: ["a@spam.example", "b@spam.example"], node: "mx2")
            try await send(store, "10.2.0.1", at: now - 40, to: ["c@spam.example"], node: "mx2")

            #expect(try await store.activeAccounts(since: now - 3600).map(\.id) == [7])
            let history = try await store.history(accountID: 7, account: "bob@example.org", now: now, settings: AbuseSettings())
            #expect(history.sends.map(\.ip) == ["198.51.100.7", "10.1.0.1", "10.2.0.1"])
            #expect(history.readIPs == ["198.51.100.7"])
            #expect(history.readNetworks == ["198.51.100.0/24"])
            #expect(history.busiestPastHour == 2)
            #expect(history.newRecipients == 4)
            #expect(history.logins.map(\.success) == [false, false, false, true])
            let score = AbuseScorer(settings: AbuseSettings()).score(history)
            #expect(score.rules.first { $0.rule == .unreadNetwork }?.value == 2)
            #expect(score.rules.first { $0.rule == .fanout }?.value == 3)
            #expect(score.ips.first { $0.ip == "198.51.100.7" }?.readMail == true)

            try await store.recordBounces(queueIDs: ["q\(now - 50)10.1.0.1", "unknown"], at: now - 10)
            #expect(try await store.bounces(accountID: 7, since: now - 3600) == 1)
            // Purging drops the old records only.
            try await store.purge(before: now - 3600)
            #expect(try await store.sends(accountID: 7, since: 0).count == 3)
            #expect(try await store.busiestHour(accountID: 7, since: 0, before: now - 3600) == 0)
        }
    }

    @Test(arguments: TestDatabases.dialects)
    func suspensionsWhitelistAndAudit(_ dialect: Database.Dialect) async throws {
        try await migrated(dialect) { database in
            let store = AbuseStore(database: database)
            #expect(try await !store.isSuspended(account: "bob@example.org"))
            let suspension = AbuseSuspension(
                accountID: 7, account: "Bob@example.org", suspendedAt: 500, node: "mx1", score: 120, locked: true)
            #expect(try await store.suspend(suspension, password: "$hash1"))
            // Another node's evaluation at the same time finds it done.
            #expect(try await !store.suspend(suspension, password: "$hash1"))
            #expect(try await store.isSuspended(account: "BOB@example.org"))
            #expect(try await store.suspensions().map(\.account) == ["bob@example.org"])
            #expect(try await store.locks().map(\.password) == ["$hash1"])
            try await store.clearLock(accountID: 7)
            #expect(try await store.locks().isEmpty)
            #expect(try await store.suspension(account: "bob@example.org")?.locked == false)
            let lifted = try await store.lift(accountID: 7, at: 700)
            #expect(lifted?.suspension.score == 120 && lifted?.held == [])
            #expect(try await store.lift(accountID: 7, at: 800) == nil)
            #expect(try await store.releasedAt(accountID: 7) == 700)
            #expect(try await !store.isSuspended(account: "bob@example.org"))

            #expect(try await store.setIgnore(AbuseIgnore(target: "10.0.0.0/8", rule: .fanout), at: 1))
            #expect(try await !store.setIgnore(AbuseIgnore(target: "10.0.0.0/8", rule: .fanout), at: 2))
            try await store.setIgnore(AbuseIgnore(target: "bob@example.org", rule: nil), at: 3)
            #expect(
                try await store.ignores() == [
                    AbuseIgnore(target: "10.0.0.0/8", rule: .fanout), AbuseIgnore(target: "bob@example.org", rule: nil),
                ])
            #expect(try await store.setIgnore(AbuseIgnore(target: "10.0.0.0/8", rule: .fanout), remove: true, at: 4))
            #expect(try await store.ignores().count == 1)

            try await store.audit(account: "Bob@example.org", action: "suspend", detail: "score 120", nodeID: "mx1", at: 500)
            try await store.audit(account: "bob@example.org", action: "release", detail: "lifted", nodeID: "mx2", at: 600)
            #expect(try await store.auditTrail(account: "bob@example.org").map(\.action) == ["suspend", "release"])
        }
    }

    /// A queued message of `recipients` (kind, status) as the queue writes it.
    func queued(_ database: Database, _ id: String, _ recipients: [(String, String)]) async throws {
        try await database.withConnection { db in
            try await db.raw(
                """
                INSERT INTO queue_message (id, reverse_path, spool_file, size, received_at, body, smtputf8, client_ip, helo)
                VALUES (\(bind: id), 'bob@example.org', \(bind: id), 10, 1, '8BITMIME', \(bind: false), '10.1.0.1', 'h')
                """
            ).run()
            for (kind, status) in recipients {
                try await db.raw(
                    """
                    INSERT INTO queue_recipient (message_id, recipient, kind, target, status, next_attempt_at)
                    VALUES (\(bind: id), 'x@remote.example', \(bind: kind), 'x@remote.example', \(bind: status), 1)
                    """
                ).run()
            }
        }
    }

    @Test(arguments: TestDatabases.dialects)
    func holdingQueuedMailForRemoteRecipients(_ dialect: Database.Dialect) async throws {
        try await TestDatabases.with(dialect) { database in
            _ = try await database.migrate(QueueSchema.migrations + AbuseSchema.migrations)
            let store = AbuseStore(database: database)
            try await queued(database, "remote", [("remote", "pending"), ("local", "delivered")])
            try await queued(database, "local", [("local", "pending")])
            try await queued(database, "done", [("remote", "failed")])
            try await queued(database, "other", [("remote", "pending")])
            for id in ["remote", "local", "done"] {
                try await store.recordSend(
                    accountID: 7, account: "bob@example.org", ip: "10.1.0.1", network: "10.1.0.0/24", queueID: id, nodeID: "mx1",
                    recipients: ["x@remote.example"], at: 100)
            }
            _ = try await store.suspend(
                AbuseSuspension(
                    accountID: 7, account: "bob@example.org", suspendedAt: 100, node: "mx1", score: 100, locked: false),
                password: nil)
            #expect(try await store.holdQueued(accountID: 7) == ["remote"])
            // Already held: not again.
            #expect(try await store.holdQueued(accountID: 7) == [])
            let held = try await database.withConnection { db in
                try await db.raw("SELECT id FROM queue_message WHERE held = \(bind: true) ORDER BY id").all()
                    .map { try $0.decode(column: "id", as: String.self) }
            }
            #expect(held == ["remote"])
            #expect(try await store.suspensions().first?.heldMessages == 1)
            #expect(try await store.lift(accountID: 7, at: 200)?.held == ["remote"])
        }
    }
}
