import Core
import DNS
import Foundation
import MailAuth
import PostaTestSupport
import Testing

extension ZoneDNS: MTASTSDNS {}

@Suite("MTA-STS: TXT record, policy file, MX patterns (RFC 8461)")
struct MTASTSModelTests {
    @Test("TXT records §3.1")
    func records() {
        #expect(MTASTSRecord("v=STSv1; id=20160831085700Z;")?.id == "20160831085700Z")
        #expect(MTASTSRecord("v=STSv1;id=abc")?.id == "abc")
        #expect(MTASTSRecord("v=STSv1; id=abc; ext=val")?.extensions == [MTASTSField(name: "ext", value: "val")])
        #expect(MTASTSRecord("v=STSv1") == nil)  // no id
        #expect(MTASTSRecord("v=STSv1; id=") == nil)
        #expect(MTASTSRecord("v=STSv1; id=a-b") == nil)  // id is ALPHA / DIGIT only
        #expect(MTASTSRecord("v=STSv1; id=" + String(repeating: "a", count: 33)) == nil)
        #expect(MTASTSRecord("v=STSv1; id=a; id=b") == nil)
        #expect(MTASTSRecord("v=stsv1; id=a") == nil)  // %s: case-sensitive
        #expect(MTASTSRecord("id=a; v=STSv1") == nil)
        #expect(MTASTSRecord("v=STSv1; id=a;; x=y") == nil)
        #expect(MTASTSRecord("v=STSv1; id=a; x=a;b") == nil)
        #expect(MTASTSRecord(String(repeating: "v=STSv1; id=a; ", count: 200)) == nil)
        // §3.1: exactly one record starting with v=STSv1.
        #expect(MTASTSRecord.select(["v=spf1 -all", "v=STSv1; id=x1;"])?.id == "x1")
        #expect(MTASTSRecord.select(["v=STSv1; id=x1;", "v=STSv1; id=x2;"]) == nil)
        #expect(MTASTSRecord.select(["v=STSv2; id=x1;"]) == nil)
        #expect(MTASTSRecord(id: "abc").text == "v=STSv1; id=abc;")
    }

    @Test("policy files §3.2")
    func policies() throws {
        let text = "version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmx: *.example.net\r\nmax_age: 604800\r\n"
        let policy = try MTASTSPolicy(parsing: Array(text.utf8))
        #expect(policy.mode == .enforce)
        #expect(policy.mx.map(\.description) == ["mail.example.com", "*.example.net"])
        #expect(policy.maxAge == 604_800)
        #expect(policy.text == text)
        // LF endings, no final terminator, trailing and delimiter whitespace, unknown fields kept.
        let lf = try MTASTSPolicy(
            parsing: Array("version:STSv1\nmode: testing \nmx:\tMX.Example.org\nmax_age: 86400\nfoo: bar baz".utf8))
        #expect(lf.mode == .testing && lf.mx.map(\.description) == ["mx.example.org"])
        #expect(lf.extensions == [MTASTSField(name: "foo", value: "bar baz")])
        // max_age above the maximum is bounded to it.
        let long = try MTASTSPolicy(parsing: Array("version: STSv1\nmode: none\nmax_age: 9999999999\n".utf8))
        #expect(long.maxAge == MTASTSLimits.maxAge && long.mx.isEmpty)
    }

    @Test(
        "hostile and malformed policies are refused",
        arguments: [
            "",
            "mode: enforce\nmx: a.example\nmax_age: 1\n",  // no version
            "version: STSv2\nmode: enforce\nmx: a.example\nmax_age: 1\n",
            "version: STSv1\nmode: Enforce\nmx: a.example\nmax_age: 1\n",  // case-sensitive
            "version: STSv1\nmode: enforce\nmax_age: 1\n",  // enforce without mx
            "version: STSv1\nmode: enforce\nmx: a.example\n",  // no max_age
            "version: STSv1\nmode: enforce\nmx: a.example\nmax_age: -1\n",
            "version: STSv1\nmode: enforce\nmx: a.example\nmax_age: 12345678901\n",  // 11 digits
            "version: STSv1\nmode: enforce\nmx: a.example\nmax_age: 1\nmax_age: 2\n",
            "version: STSv1\nmode: enforce\nmx: a..example\nmax_age: 1\n",
            "version: STSv1\nmode: enforce\nmx: *.*.example\nmax_age: 1\n",
            "version: STSv1\nmode: enforce\nmx: a*.example\nmax_age: 1\n",
            "version: STSv1\nmode: enforce\nmx: -a.example\nmax_age: 1\n",
            "version: STSv1\n\nmode: enforce\nmx: a.example\nmax_age: 1\n",  // empty line
            "version: STSv1\nmode enforce\nmx: a.example\nmax_age: 1\n",
            "version: STSv1\nmode: enforce\nmx: a.example\nmax_age: 1\nx: a\u{1}b\n",  // control character
            "version: STSv1\nmode: enforce\nmx: a.example\nmax_age: 1\n_x: y\n",  // bad field name
            "<html><body>Not found</body></html>",
        ])
    func malformed(_ text: String) {
        #expect(throws: MTASTSPolicyError.self) { try MTASTSPolicy(parsing: Array(text.utf8)) }
    }

    @Test("size, line and mx limits; invalid UTF-8")
    func limits() {
        let big = [UInt8](repeating: 0x61, count: MTASTSLimits.maxPolicySize + 1)
        #expect(throws: MTASTSPolicyError.tooLarge(big.count)) { try MTASTSPolicy(parsing: big) }
        #expect(throws: MTASTSPolicyError.notUTF8) { try MTASTSPolicy(parsing: [0xFF, 0xFE]) }
        let many = "version: STSv1\nmode: enforce\nmax_age: 1\n" + String(repeating: "mx: a.example\n", count: 101)
        #expect(throws: MTASTSPolicyError.tooManyMXPatterns) { try MTASTSPolicy(parsing: Array(many.utf8)) }
        let lines = String(repeating: "x: y\n", count: 1001)
        #expect(throws: MTASTSPolicyError.tooManyLines) { try MTASTSPolicy(parsing: Array(lines.utf8)) }
    }

    @Test("MX patterns §4.1")
    func patterns() throws {
        let exact = try #require(MTASTSMXPattern("mail.example.com"))
        #expect(exact.matches("mail.example.com") && exact.matches("MAIL.example.com."))
        #expect(!exact.matches("x.mail.example.com") && !exact.matches("example.com"))
        let wildcard = try #require(MTASTSMXPattern("*.example.com"))
        #expect(wildcard.matches("mx1.example.com") && wildcard.matches("MX2.EXAMPLE.COM."))
        #expect(!wildcard.matches("example.com"))
        #expect(!wildcard.matches("a.mx1.example.com"))
        #expect(!wildcard.matches(".example.com"))
        #expect(!wildcard.matches("mx1.example.community"))
        #expect(MTASTSMXPattern("*") == nil && MTASTSMXPattern("*.") == nil && MTASTSMXPattern("") == nil)
        #expect(MTASTSMXPattern(String(repeating: "a", count: 64) + ".example") == nil)
    }

    @Test("policy id follows the content")
    func policyID() throws {
        let a = MTASTSPolicy(mode: .enforce, mx: [try #require(MTASTSMXPattern("mx.example"))], maxAge: 86400)
        var b = a
        b.mode = .testing
        #expect(a.id.count == 32 && MTASTSRecord("v=STSv1; id=\(a.id)")?.id == a.id)
        #expect(a.id != b.id)
    }
}

/// A fetcher that serves a fixed answer and counts its calls.
final class FakeFetcher: MTASTSPolicyFetcher, @unchecked Sendable {
    private let lock = NSLock()
    private var body: Result<[UInt8], any Error>
    private var calls = 0

    init(_ text: String) { body = .success(Array(text.utf8)) }

    var count: Int { lock.withLock { calls } }

    func set(_ text: String?) {
        lock.withLock { body = text.map { .success(Array($0.utf8)) } ?? .failure(TestSetupError("unreachable")) }
    }

    func fetchPolicy(domain: String) async throws -> [UInt8] {
        try lock.withLock {
            calls += 1
            return try body.get()
        }
    }
}

@Suite("MTA-STS policy discovery and cache (RFC 8461 §3.3, §5.1)")
struct MTASTSResolverTests {
    static let policy1 = "version: STSv1\nmode: enforce\nmx: mx.example.com\nmax_age: 86400\n"
    static let policy2 = "version: STSv1\nmode: testing\nmx: *.example.com\nmax_age: 3600\n"

    @Test("fetch, cache, refetch on a new id, keep the cached policy when a fetch fails", arguments: TestDatabases.dialects)
    func cache(dialect: Database.Dialect) async throws {
        try await TestDatabases.with(dialect) { db in
            try await db.migrate(MTASTSSchema.migrations)
            let store = MTASTSPolicyStore(database: db)
            let fetcher = FakeFetcher(Self.policy1)
            let zone1 = ZoneDNS(["_mta-sts.example.com": [.txt("v=STSv1; id=one;")]])
            let now: Int64 = 1_700_000_000
            let first = await MTASTSPolicyResolver(dns: zone1, fetcher: fetcher, store: store).lookup("Example.com", now: now)
            #expect(first.active?.policy.mode == .enforce && first.failure == nil && fetcher.count == 1)
            #expect(try await store.policy(for: "example.com")?.id == "one")
            // Same id: the cache answers, no fetch.
            let again = await MTASTSPolicyResolver(dns: zone1, fetcher: fetcher, store: store).lookup(
                "example.com", now: now + 60)
            #expect(again.active?.id == "one" && fetcher.count == 1)
            // No TXT record (or a DNS failure): the unexpired cached policy stays in force.
            let gone = await MTASTSPolicyResolver(dns: ZoneDNS([:]), fetcher: fetcher, store: store).lookup(
                "example.com", now: now + 60)
            #expect(gone.active?.id == "one" && fetcher.count == 1)
            let timeout = ZoneDNS(["_mta-sts.example.com": [.timeout]])
            #expect(
                await MTASTSPolicyResolver(dns: timeout, fetcher: fetcher, store: store).lookup("example.com", now: now).active
                    != nil)
            // A new id with a failing fetch keeps the cached policy and reports the failure.
            let zone2 = ZoneDNS(["_mta-sts.example.com": [.txt("v=STSv1; id=two;")]])
            fetcher.set(nil)
            let failed = await MTASTSPolicyResolver(dns: zone2, fetcher: fetcher, store: store).lookup(
                "example.com", now: now + 120)
            #expect(failed.active?.id == "one")
            #expect({ if case .fetchError = failed.failure { true } else { false } }())
            // An invalid body likewise.
            fetcher.set("garbage")
            let invalid = await MTASTSPolicyResolver(dns: zone2, fetcher: fetcher, store: store).lookup(
                "example.com", now: now + 120)
            #expect(invalid.active?.id == "one")
            #expect({ if case .invalid = invalid.failure { true } else { false } }())
            // Then a good fetch replaces it.
            fetcher.set(Self.policy2)
            let second = await MTASTSPolicyResolver(dns: zone2, fetcher: fetcher, store: store).lookup(
                "example.com", now: now + 180)
            #expect(second.active?.id == "two" && second.active?.policy.mode == .testing)
            // Expired (fetch time + max_age passed) with no record: no policy.
            let expired = await MTASTSPolicyResolver(dns: ZoneDNS([:]), fetcher: fetcher, store: store)
                .lookup("example.com", now: now + 180 + 3600)
            #expect(expired.policy == nil)
        }
    }

    @Test("no record, several records, mode none: no policy applies")
    func noPolicy() async throws {
        try await TestDatabases.with(.sqlite) { db in
            try await db.migrate(MTASTSSchema.migrations)
            let store = MTASTSPolicyStore(database: db)
            let fetcher = FakeFetcher(Self.policy1)
            let two = ZoneDNS(["_mta-sts.a.example": [.txt("v=STSv1; id=1;"), .txt("v=STSv1; id=2;")]])
            #expect(await MTASTSPolicyResolver(dns: two, fetcher: fetcher, store: store).lookup("a.example").policy == nil)
            #expect(fetcher.count == 0)
            fetcher.set("version: STSv1\nmode: none\nmax_age: 86400\n")
            let none = ZoneDNS(["_mta-sts.b.example": [.txt("v=STSv1; id=1;")]])
            let lookup = await MTASTSPolicyResolver(dns: none, fetcher: fetcher, store: store).lookup("b.example")
            #expect(lookup.policy?.policy.mode == MTASTSMode.none && lookup.active == nil)
        }
    }
}
