import Core
import DNS
import Logging
import MailAuth
import NIOConcurrencyHelpers
import PostaTestSupport
import Testing

@testable import Policy

/// A policy engine on a throw-away database with a clock the test moves.
struct PolicyFixture {
    let store: PolicyStore
    let engine: PolicyEngine
    let clock: NIOLockedValueBox<Int64>

    static func with(_ dialect: Database.Dialect, spf: SPFChecker? = nil, _ body: (PolicyFixture) async throws -> Void)
        async throws
    {
        try await TestDatabases.with(dialect) { db in
            try await db.migrate(PolicySchema.migrations)
            let clock = NIOLockedValueBox<Int64>(1_700_000_000)
            let now: @Sendable () -> Int64 = { clock.withLockedValue { $0 } }
            let store = PolicyStore(database: db)
            let context = PolicyContext(
                database: db, hostname: "mx.example.org", spf: spf, now: now, logger: Logger(label: "test"))
            let engine = PolicyEngine(catalog: PolicyCatalog(store: store, maxAge: 0, now: now), context: context)
            try await body(PolicyFixture(store: store, engine: engine, clock: clock))
        }
    }

    func advance(_ seconds: Int64) { clock.withLockedValue { $0 += seconds } }

    func rcpt(
        client: String = "192.0.2.10", helo: String = "mail.remote.example", sender: String = "a@remote.example",
        recipient: String = "b@example.org", sasl: String = ""
    ) -> PolicyRequest {
        PolicyRequest(stage: .rcpt, clientAddress: client, helo: helo, sender: sender, recipient: recipient, saslUsername: sasl)
    }

    func endOfMessage(sasl: String = "", sender: String = "a@remote.example", size: Int64 = 1000) -> PolicyRequest {
        PolicyRequest(
            stage: .endOfMessage, clientAddress: "192.0.2.10", helo: "mail.remote.example", sender: sender,
            recipients: ["b@example.org"], saslUsername: sasl, size: size)
    }
}

@Suite("Policy: engine and modules on SQLite and PostgreSQL")
struct PolicyEngineTests {
    @Test("no policies: DUNNO", arguments: TestDatabases.dialects)
    func empty(dialect: Database.Dialect) async throws {
        try await PolicyFixture.with(dialect) { f in
            #expect(await f.engine.isActive() == false)
            #expect(await f.engine.evaluate(f.rcpt()) == .dunno)
        }
    }

    @Test(
        "access: the first applicable policy by priority decides; disabled policies are skipped",
        arguments: TestDatabases.dialects)
    func access(dialect: Database.Dialect) async throws {
        try await PolicyFixture.with(dialect) { f in
            try await f.store.addPolicy("trusted", priority: 10)
            try await f.store.addMember(policy: "trusted", attribute: .client, pattern: "192.0.2.0/24")
            try await f.store.addRule(policy: "trusted", module: .access, settings: ["action": "OK"])
            try await f.store.addPolicy("block", priority: 20)
            try await f.store.addMember(policy: "block", attribute: .sender, pattern: "@remote.example")
            try await f.store.addRule(policy: "block", module: .access, settings: ["action": "reject", "text": "Go away"])
            #expect(await f.engine.evaluate(f.rcpt()).action == .ok)
            let outside = await f.engine.evaluate(f.rcpt(client: "198.51.100.1"))
            #expect(outside.action == .reject && outside.text == "Go away" && outside.decidedBy.hasPrefix("block/"))
            try await f.store.changePolicy("block", enabled: false)
            #expect(await f.engine.evaluate(f.rcpt(client: "198.51.100.1")) == .dunno)
            try await f.store.changePolicy("block", enabled: true)
            try await f.store.changePolicy("block", priority: 5)
            #expect(await f.engine.evaluate(f.rcpt()).action == .reject)
            try await f.store.deletePolicy("block")
            #expect(await f.engine.evaluate(f.rcpt(client: "198.51.100.1")) == .dunno)
            #expect(try await f.store.policies().map(\.name) == ["trusted"])
        }
    }

    @Test("settings are checked when a rule is added or changed")
    func settings() async throws {
        try await PolicyFixture.with(.sqlite) { f in
            try await f.store.addPolicy("p", priority: 1)
            await #expect(throws: PolicySettingError.self) {
                try await f.store.addRule(policy: "p", module: .access, settings: [:])
            }
            await #expect(throws: PolicySettingError.self) {
                try await f.store.addRule(policy: "p", module: .quota, settings: ["track": "sasl", "period": "60"])
            }
            await #expect(throws: PolicySettingError.self) {
                try await f.store.addRule(policy: "p", module: .greylist, settings: ["colour": "grey"])
            }
            let id = try await f.store.addRule(policy: "p", module: .access, settings: ["action": "DEFER"])
            await #expect(throws: PolicySettingError.self) { try await f.store.changeRule(id: id, settings: ["action": "MAYBE"]) }
            await #expect(throws: PolicyStoreError.self) {
                try await f.store.addMember(policy: "p", attribute: .client, pattern: "not-an-ip")
            }
            await #expect(throws: PolicyStoreError.self) {
                try await f.store.addMember(policy: "p", attribute: .client, pattern: "%nogroup")
            }
        }
    }

    @Test(
        "quota per SASL user: checked at RCPT, counted once per message at END-OF-MESSAGE, per window",
        arguments: TestDatabases.dialects)
    func quota(dialect: Database.Dialect) async throws {
        try await PolicyFixture.with(dialect) { f in
            try await f.store.addPolicy("senders", priority: 10)
            try await f.store.addMember(policy: "senders", attribute: .sasl, pattern: "*")
            try await f.store.addRule(
                policy: "senders", module: .quota,
                settings: ["track": "sasl", "period": "3600", "messages": "3", "text": "Hourly quota reached"])
            for _ in 0..<3 {
                #expect(await f.engine.evaluate(f.rcpt(sasl: "alice")) == .dunno)
                #expect(await f.engine.evaluate(f.endOfMessage(sasl: "alice")) == .dunno)
            }
            let fourth = await f.engine.evaluate(f.rcpt(sasl: "alice"))
            #expect(fourth.action == .deferred && fourth.text == "Hourly quota reached")
            #expect(await f.engine.evaluate(f.rcpt(sasl: "bob")) == .dunno)
            #expect(await f.engine.evaluate(f.rcpt(sasl: "")) == .dunno)
            let counters = try await PolicyState(database: f.store.database).quotaCounters()
            #expect(counters.map(\.messages) == [3] && counters.first?.key == "alice" && counters.first?.bytes == 3000)
            f.advance(3600)
            #expect(await f.engine.evaluate(f.rcpt(sasl: "alice")) == .dunno)
        }
    }

    @Test("quota on size and per client network, REJECT", arguments: TestDatabases.dialects)
    func quotaSize(dialect: Database.Dialect) async throws {
        try await PolicyFixture.with(dialect) { f in
            try await f.store.addPolicy("all", priority: 10)
            try await f.store.addRule(
                policy: "all", module: .quota,
                settings: ["track": "client", "mask": "24", "period": "60", "bytes": "2500", "action": "REJECT"])
            _ = await f.engine.evaluate(f.endOfMessage(size: 2000))
            #expect(await f.engine.evaluate(f.rcpt(client: "192.0.2.99")) == .dunno)
            var declared = f.rcpt(client: "192.0.2.99")
            declared.size = 600
            #expect(await f.engine.evaluate(declared).action == .reject)
            _ = await f.engine.evaluate(f.endOfMessage(size: 600))
            #expect(await f.engine.evaluate(f.rcpt(client: "192.0.2.1")).action == .reject)
            #expect(await f.engine.evaluate(f.rcpt(client: "192.0.3.1")) == .dunno)
        }
    }

    @Test(
        "greylisting: defer, retry too early, pass after the period, auto-whitelist, static whitelist, expiry",
        arguments: TestDatabases.dialects)
    func greylist(dialect: Database.Dialect) async throws {
        try await PolicyFixture.with(dialect) { f in
            try await f.store.addPolicy("grey", priority: 10)
            try await f.store.addRule(
                policy: "grey", module: .greylist,
                settings: ["defer": "60", "expire": "86400", "awl_count": "2", "whitelist": "198.51.100.0/24, .trusted.example"])
            #expect(await f.engine.evaluate(f.rcpt()).action == .deferred)
            f.advance(30)
            #expect(await f.engine.evaluate(f.rcpt()).action == .deferred)
            f.advance(31)
            #expect(await f.engine.evaluate(f.rcpt()) == .dunno)
            #expect(await f.engine.evaluate(f.rcpt()) == .dunno)
            // Same /24, other recipient: a new triplet.
            #expect(await f.engine.evaluate(f.rcpt(client: "192.0.2.11", recipient: "c@example.org")).action == .deferred)
            f.advance(61)
            #expect(await f.engine.evaluate(f.rcpt(client: "192.0.2.11", recipient: "c@example.org")) == .dunno)
            // Two passes from 192.0.2.0/24: whitelisted automatically.
            #expect(await f.engine.evaluate(f.rcpt(client: "192.0.2.12", recipient: "d@example.org")) == .dunno)
            #expect(await f.engine.evaluate(f.rcpt(client: "203.0.113.1")).action == .deferred)
            #expect(await f.engine.evaluate(f.rcpt(client: "198.51.100.7")) == .dunno)
            #expect(await f.engine.evaluate(f.rcpt(client: "203.0.113.1", sender: "x@mx.trusted.example")) == .dunno)
            let state = try await PolicyState(database: f.store.database).greylist()
            #expect(state.contains { $0.network == "203.0.113.0/24" && !$0.passed })
            // Expired entries start over.
            f.advance(86400 * 2)
            #expect(await f.engine.evaluate(f.rcpt(client: "192.0.2.12", recipient: "e@example.org")).action == .deferred)
            #expect(await f.engine.evaluate(f.rcpt()).action == .deferred)
            let removed = try await PolicyHousekeeping.purge(
                f.store.database, olderThan: 3600, now: f.clock.withLockedValue { $0 })
            #expect(removed >= 2)
        }
    }

    @Test(
        "HELO: whitelist, blacklist, syntax, non-FQDN, literal mismatch, claims to be us, distinct names",
        arguments: TestDatabases.dialects)
    func helo(dialect: Database.Dialect) async throws {
        try await PolicyFixture.with(dialect) { f in
            try await f.store.addPolicy("helo", priority: 10)
            try await f.store.addRule(
                policy: "helo", module: .helo,
                settings: [
                    "blacklist": ".bad.example", "whitelist": "legacy", "reject_invalid": "yes", "reject_non_fqdn": "yes",
                    "reject_ip_mismatch": "yes", "reject_claims_us": "yes", "max_distinct": "3", "period": "600",
                ])
            let bad = await f.engine.evaluate(f.rcpt(helo: "host.bad.example"))
            #expect(bad.action == .reject && bad.text.contains("Helo command rejected"))
            #expect(await f.engine.evaluate(f.rcpt(helo: "bad_name")).action == .reject)
            #expect(await f.engine.evaluate(f.rcpt(helo: "localhost")).action == .reject)
            #expect(await f.engine.evaluate(f.rcpt(helo: "legacy")) == .dunno)
            #expect(await f.engine.evaluate(f.rcpt(helo: "[192.0.2.99]")).action == .reject)
            #expect(await f.engine.evaluate(f.rcpt(helo: "[192.0.2.10]")) == .dunno)
            #expect(await f.engine.evaluate(f.rcpt(helo: "MX.example.org")).text == "Helo command rejected: You are not me")
            // [192.0.2.10] counted as one; two more names are fine, a fourth is one too many.
            #expect(await f.engine.evaluate(f.rcpt(helo: "a.remote.example")) == .dunno)
            #expect(await f.engine.evaluate(f.rcpt(helo: "b.remote.example")) == .dunno)
            #expect(await f.engine.evaluate(f.rcpt(helo: "c.remote.example")).text.contains("too many different"))
            #expect(await f.engine.evaluate(f.rcpt(client: "192.0.2.11", helo: "c.remote.example")) == .dunno)
            f.advance(601)
            #expect(await f.engine.evaluate(f.rcpt(helo: "c.remote.example")) == .dunno)
        }
    }

    @Test("several policies: modules of each in priority order; accounting totals per window", arguments: TestDatabases.dialects)
    func layered(dialect: Database.Dialect) async throws {
        try await PolicyFixture.with(dialect) { f in
            try await f.store.addGroup("customers")
            try await f.store.addGroupEntry(group: "customers", pattern: "@example.org")
            try await f.store.addPolicy("count", priority: 1)
            try await f.store.addMember(policy: "count", attribute: .recipient, pattern: "%customers")
            let accounting = try await f.store.addRule(policy: "count", module: .accounting, settings: ["period": "86400"])
            try await f.store.addPolicy("hold", priority: 2)
            try await f.store.addMember(policy: "hold", attribute: .sender, pattern: "@remote.example")
            try await f.store.addRule(policy: "hold", module: .access, settings: ["action": "HOLD"])
            #expect(await f.engine.evaluate(f.rcpt()).action == .hold)
            #expect(await f.engine.evaluate(f.endOfMessage(size: 10)).action == .hold)
            #expect(await f.engine.evaluate(f.endOfMessage(sender: "z@elsewhere.example", size: 20)) == .dunno)
            let totals = try await PolicyState(database: f.store.database).accounting()
            #expect(totals.count == 1)
            #expect(totals.first?.ruleID == accounting && totals.first?.messages == 2 && totals.first?.bytes == 30)
            await #expect(throws: PolicyStoreError.self) { try await f.store.deleteGroup("customers") }
        }
    }

    @Test("SPF: action per result and a Received-SPF header", arguments: [Database.Dialect.sqlite])
    func spf(dialect: Database.Dialect) async throws {
        let dns = StaticSPFDNS(txt: ["remote.example": ["v=spf1 ip4:192.0.2.0/24 -all"]])
        try await PolicyFixture.with(dialect, spf: SPFChecker(dns: dns)) { f in
            try await f.store.addPolicy("spf", priority: 1)
            try await f.store.addRule(policy: "spf", module: .spf, settings: ["fail": "REJECT", "softfail": "DEFER"])
            let pass = await f.engine.evaluate(f.rcpt())
            #expect(pass.action == .dunno)
            #expect(pass.headers.first?.hasPrefix("Received-SPF: pass") == true)
            let fail = await f.engine.evaluate(f.rcpt(client: "203.0.113.5"))
            #expect(fail.action == .reject && fail.text.hasPrefix("SPF fail"))
            #expect(fail.headers.first?.hasPrefix("Received-SPF: fail") == true)
        }
    }
}

/// TXT records from a table; every other lookup finds nothing.
struct StaticSPFDNS: SPFDNS {
    let txt: [String: [String]]
    func txt(_ name: String) async throws -> DNSResult<[String]> { txt[name].map { .found($0) } ?? .nxDomain }
    func a(_ name: String) async throws -> DNSResult<[IPAddress]> { .nxDomain }
    func aaaa(_ name: String) async throws -> DNSResult<[IPAddress]> { .nxDomain }
    func mx(_ name: String) async throws -> DNSResult<[String]> { .nxDomain }
    func ptr(_ address: IPAddress) async throws -> DNSResult<[String]> { .nxDomain }
}
